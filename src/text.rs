//! Substring search for the few fixed patterns decisions look for (user agents, URLs).
//!
//! `str::contains`, `split_once` and `trim_start_matches` with a `&str` pattern bring std's
//! Two-Way searcher, about 3.5 KB of the browser's Wasm for patterns of a few bytes; a plain
//! scan does the same here. Same results as std's (tested below). The text is cut with `get`,
//! which cannot panic: a `&s[..i]` that could would bring std's slicing panic message, with
//! its char escaping and Unicode tables (about 8 KB of Wasm).

/// Where `needle` first occurs in `haystack` (`str::find` with a `&str`).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    // A match of a whole UTF-8 needle in UTF-8 text starts on a char boundary.
    haystack.as_bytes().windows(needle.len()).position(|w| w == needle.as_bytes())
}

/// `str::contains` with a `&str`.
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// `str::split_once` with a `&str`.
pub fn split_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(haystack, needle)?;
    Some((haystack.get(..i)?, haystack.get(i + needle.len()..)?))
}

/// `str::trim_start_matches` with a `&str`.
pub fn trim_start<'a>(mut s: &'a str, prefix: &str) -> &'a str {
    if prefix.is_empty() {
        return s;
    }
    while let Some(rest) = s.strip_prefix(prefix) {
        s = rest;
    }
    s
}

/// How many characters UTF-8 `bytes` hold (`chars().count()`; a sequence cut short at the
/// end counts as one, as `from_utf8_lossy` would decode it): the bytes that start one.
/// std's count is unrolled for speed, 850 bytes of Wasm for a count of error columns.
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_as_std() {
        let texts = ["", "a", "://", "https://www.www.x.org/p?q", "Mozilla/5.0 (iPad; Android) Mobile", "é://ü", "aaab"];
        let needles = ["", "a", "://", "www.", "iPad", "Mobile", "ab", "ü", "é:/", "aab", "zz"];
        for t in texts {
            for n in needles {
                assert_eq!(find(t, n), t.find(n), "{t:?} {n:?}");
                assert_eq!(contains(t, n), t.contains(n));
                assert_eq!(split_once(t, n), t.split_once(n), "{t:?} {n:?}");
                assert_eq!(trim_start(t, n), t.trim_start_matches(n), "{t:?} {n:?}");
            }
            assert_eq!(char_count(t.as_bytes()), t.chars().count());
            for cut in 0..=t.len() {
                let lossy = String::from_utf8_lossy(&t.as_bytes()[..cut]).chars().count();
                assert_eq!(char_count(&t.as_bytes()[..cut]), lossy, "{t:?} cut at {cut}");
            }
        }
    }
}
