//! GrowthBook's deterministic assignment primitives: hashing, bucket ranges,
//! namespaces and query-string overrides, bit for bit as the JS SDK computes
//! them (`util.ts`).

/// FNV-1a (32-bit) over the UTF-16 code units of `parts` concatenated, as
/// the JS SDK's `hashFnv32a` does with `str.charCodeAt(i)`. Hashing UTF-8
/// bytes instead would give different buckets for any non-ASCII id.
fn fnv1a_utf16(parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for part in parts {
        for unit in part.encode_utf16() {
            h ^= u32::from(unit);
            // `hval += (hval << 1) + (hval << 4) + (hval << 7) + (hval << 8) + (hval << 24)`
            // is a multiplication by the FNV prime 16777619, modulo 2^32.
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// `hash(seed, value, version)`: a number in `[0, 1)`, or `None` for an
/// unknown hash version (the JS SDK returns `null`).
///
/// * v1 (original, slightly biased): `fnv(value + seed) % 1000 / 1000`
/// * v2 (unbiased): `fnv(String(fnv(seed + value))) % 10000 / 10000`
pub fn hash(seed: &str, value: &str, version: f64) -> Option<f64> {
    if version == 2.0 {
        let inner = fnv1a_utf16(&[seed, value]);
        let outer = fnv1a_utf16(&[crate::json::u64_digits(u64::from(inner), &mut [0; 20])]);
        Some(f64::from(outer % 10_000) / 10_000.0)
    } else if version == 1.0 {
        Some(f64::from(fnv1a_utf16(&[value, seed]) % 1000) / 1000.0)
    } else {
        None
    }
}

/// `getEqualWeights(n)`: `n` copies of `1 / n`.
pub fn equal_weights(n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    vec![1.0 / n as f64; n]
}

/// A bucket range `[start, end)`.
pub type Range = (f64, f64);

pub fn in_range(n: f64, r: Range) -> bool {
    n >= r.0 && n < r.1
}

/// `getBucketRanges(numVariations, coverage, weights)`. Coverage is clamped
/// to `[0, 1]`; weights of the wrong length, or not summing to 1 within
/// 0.01, are replaced by equal weights (the JS SDK logs and carries on).
pub fn bucket_ranges(num_variations: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<Range> {
    // Clamped to [0, 1]; a NaN coverage stays NaN, as in JS.
    let coverage = coverage.clamp(0.0, 1.0);
    let equal;
    let mut weights = match weights {
        Some(w) if w.len() == num_variations => w,
        _ => {
            equal = equal_weights(num_variations);
            &equal[..]
        }
    };
    let total: f64 = weights.iter().sum();
    let equal2;
    if !(0.99..=1.01).contains(&total) {
        equal2 = equal_weights(num_variations);
        weights = &equal2[..];
    }
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// `chooseVariation(n, ranges)`: the first range holding `n`, or -1.
pub fn choose_variation(n: f64, ranges: &[Range]) -> i64 {
    ranges.iter().position(|r| in_range(n, *r)).map_or(-1, |i| i as i64)
}

/// `inNamespace(hashValue, [id, start, end])`.
pub fn in_namespace(hash_value: &str, id: &str, start: f64, end: f64) -> bool {
    let mut seed = String::with_capacity(id.len() + 2);
    seed.push_str("__");
    seed.push_str(id);
    match hash(&seed, hash_value, 1.0) {
        Some(n) => n >= start && n < end,
        None => false,
    }
}

/// `getQueryStringOverride(id, url, numVariations)`: `?my-test=1` forces
/// variation 1 of experiment `my-test`.
pub fn query_string_override(id: &str, url: &str, num_variations: usize) -> Option<usize> {
    // `url.split("?")[1]`: the text between the first and second `?`.
    let search = url.split('?').nth(1)?;
    // `.replace(/#.*/, "")`: drops the fragment; `.` stops at line terminators.
    let search: std::borrow::Cow<'_, str> = match search.find('#') {
        None => search.into(),
        Some(i) => {
            let end = search[i..].find(['\n', '\r', '\u{2028}', '\u{2029}']).map_or(search.len(), |j| i + j);
            format!("{}{}", &search[..i], &search[end..]).into()
        }
    };
    first_match(&search, id, num_variations)
}

fn first_match(search: &str, id: &str, num_variations: usize) -> Option<usize> {
    if search.is_empty() {
        return None;
    }
    let first = search.split('&').find(|kv| kv.split('=').next() == Some(id))?;
    // `kv.split("=", 2)[1]`: the text up to the *second* `=`, if any.
    let value = first.split('=').nth(1)?;
    let n = parse_int(value)?;
    (n >= 0.0 && n < num_variations as f64).then_some(n as usize)
}

/// `parseInt(s)` with no radix: leading whitespace, a sign, `0x` for hex,
/// then as many digits as there are. `None` is `NaN`.
pub fn parse_int(s: &str) -> Option<f64> {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (sign, s) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    let (radix, s) = match s.get(..2) {
        Some("0x" | "0X") => (16, &s[2..]),
        _ => (10, s),
    };
    let mut n = 0f64;
    let mut any = false;
    for c in s.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        n = n * f64::from(radix) + f64::from(d);
        any = true;
    }
    any.then_some(sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_utf16_code_units_like_javascript() {
        assert_eq!(hash("", "a", 1.0), Some(0.22));
        // Non-ASCII ids hash their UTF-16 code units; UTF-8 bytes would give 0.0232.
        assert_eq!(hash("exp", "Jürgen", 2.0), Some(0.4064));
        // An astral character is two code units (a surrogate pair).
        assert_ne!(hash("exp", "😀", 2.0), hash("exp", "\u{fffd}", 2.0));
        assert_eq!(hash("a", "b", 3.0), None);
    }

    #[test]
    fn bucket_ranges_fall_back_to_equal_weights() {
        assert_eq!(bucket_ranges(2, 0.5, None), vec![(0.0, 0.25), (0.5, 0.75)]);
        assert_eq!(bucket_ranges(2, 1.0, Some(&[0.4, 0.1])), vec![(0.0, 0.5), (0.5, 1.0)]);
        assert_eq!(bucket_ranges(2, 5.0, Some(&[0.4])), vec![(0.0, 0.5), (0.5, 1.0)]);
    }

    #[test]
    fn query_string_overrides() {
        assert_eq!(query_string_override("t", "http://x.com/?a=2&t=1#frag", 2), Some(1));
        assert_eq!(query_string_override("t", "http://x.com/?t=2", 2), None);
        assert_eq!(query_string_override("t", "http://x.com/?t=0x1", 2), Some(1));
        assert_eq!(query_string_override("t", "http://x.com/?t", 2), None);
        assert_eq!(query_string_override("t", "http://x.com/?t=1abc", 2), Some(1));
        assert_eq!(parse_int("  -12px"), Some(-12.0));
        assert_eq!(parse_int("x"), None);
    }
}
