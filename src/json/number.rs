//! Decimal text to `f64`, without core's float parser in the Wasm build.
//!
//! `str::parse::<f64>` is exact for every input, and for that it carries a
//! 16.8 KB table of 128-bit powers of five plus about 4 KB of code: 14.5 KB of
//! the browser bundle, gzipped, and incompressible bytes at that. The numbers
//! manifests and conditions hold are almost all short decimals, which need none
//! of it: with at most 2^53 as the digits and a power of ten up to 10^22, both
//! are exact `f64`s and one IEEE multiplication or division rounds correctly
//! (Clinger's fast path). Up to 19 digits with powers from 10^-22 to 10^38
//! (which covers what `JSON.stringify` writes for fractions) are rounded once
//! with 128-bit integers. Anything else asks the host: `parseFloat` in Wasm
//! (every JS engine this runs on rounds correctly, as ECMAScript asks), std's
//! parser natively. Both give the nearest double, so the result is the same
//! bit pattern on every target; tests/js checks it for the hard cases.

use std::cmp::Ordering;

/// Powers of ten that are exact `f64`s (10^22 is the last: 5^22 < 2^53).
const POW10: [f64; 23] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/// 5^0 ..= 5^22, for `divided` (5^22 < 2^52).
const POW5: [u64; 23] = {
    let mut p = [1u64; 23];
    let mut i = 1;
    while i < 23 {
        p[i] = p[i - 1] * 5;
        i += 1;
    }
    p
};

/// Every integer up to this one is an exact `f64`.
const EXACT: u64 = 1 << 53;

/// The nearest `f64` to `text`, which the caller has checked is a decimal
/// literal: an optional `-`, digits with at most one `.` (JSON's grammar, or
/// JavaScript's `1.` and `.5`), then an optional exponent. Anything else is
/// `NaN`.
pub(crate) fn decimal(text: &str) -> f64 {
    fast(text.as_bytes()).unwrap_or_else(|| crate::host::parse_float(text))
}

/// The exact paths, or `None` when the host has to parse it.
fn fast(b: &[u8]) -> Option<f64> {
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let mut digits: u64 = 0;
    let mut taken = 0; // significant digits in `digits`
    let mut exponent: i64 = 0; // value = digits * 10^exponent
    let mut after_point = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                if digits != 0 || c != b'0' {
                    if taken == 19 {
                        return None; // more digits than a u64 holds
                    }
                    digits = digits * 10 + u64::from(c - b'0');
                    taken += 1;
                }
                exponent -= i64::from(after_point);
            }
            b'.' => after_point = true,
            _ => break,
        }
        i += 1;
    }
    if i < b.len() {
        // `e` or `E`, a sign, digits: saturate, any exponent past 10^5 is out of range anyway.
        let (sign, rest) = match b.get(i + 1) {
            Some(b'-') => (-1, &b[i + 2..]),
            Some(b'+') => (1, &b[i + 2..]),
            _ => (1, &b[i + 1..]),
        };
        let mut e: i64 = 0;
        for &c in rest {
            if !c.is_ascii_digit() {
                return None;
            }
            e = (e * 10 + i64::from(c - b'0')).min(100_000);
        }
        exponent += sign * e;
    }
    let magnitude = if digits == 0 {
        0.0
    } else if digits <= EXACT && (-22..=22).contains(&exponent) {
        if exponent >= 0 {
            digits as f64 * POW10[exponent as usize]
        } else {
            digits as f64 / POW10[-exponent as usize]
        }
    } else {
        wide(digits, exponent)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `digits * 10^exponent` rounded once, for what the fast path cannot take:
/// up to 19 digits (`JSON.stringify` writes 17 for fractions) with powers
/// from 10^-22 to 10^38.
fn wide(digits: u64, exponent: i64) -> Option<f64> {
    if (-22..0).contains(&exponent) {
        return divided(digits, -exponent as u32);
    }
    if !(0..=38).contains(&exponent) {
        return None;
    }
    // Exact in 128 bits while it fits (always up to 10^19: 2^64 * 10^19 < 2^128);
    // keep the top 53 bits and round half to even on the rest.
    let n = u128::from(digits).checked_mul(10u128.pow(exponent as u32))?;
    let extra = (128 - n.leading_zeros()).saturating_sub(53);
    let mut mantissa = (n >> extra) as u64;
    if extra > 0 {
        let rest = n & ((1u128 << extra) - 1);
        let half = 1u128 << (extra - 1);
        if rest > half || (rest == half && mantissa & 1 == 1) {
            mantissa += 1; // 2^53 at most: still exact
        }
    }
    // mantissa * 2^extra: both exact, the product below 2^128.
    Some(mantissa as f64 * f64::from_bits(u64::from(1023 + extra) << 52))
}

/// `digits / 10^k` rounded once (`k <= 22`), without dividing integers
/// (Wasm has no 128-bit divide; the library call made this path 3x slower
/// than std's parser). The float quotient is within an ulp of the answer;
/// comparing the exact value with the midpoints on either side of it moves
/// it to the right double.
fn divided(digits: u64, k: u32) -> Option<f64> {
    let mut z = digits as f64 / POW10[k as usize];
    for _ in 0..4 {
        let above = vs_midpoint_above(digits, k, z)?;
        let below = vs_midpoint_above(digits, k, f64::from_bits(z.to_bits() - 1))?;
        let odd = z.to_bits() & 1 == 1; // ties go to the even neighbour
        match (below, above) {
            (_, Ordering::Greater) => z = f64::from_bits(z.to_bits() + 1),
            (_, Ordering::Equal) if odd => z = f64::from_bits(z.to_bits() + 1),
            (Ordering::Less, _) => z = f64::from_bits(z.to_bits() - 1),
            (Ordering::Equal, _) if odd => z = f64::from_bits(z.to_bits() - 1),
            _ => return Some(z),
        }
    }
    None
}

/// `digits / 10^k` against the midpoint between the positive normal `x` and
/// the double above it: `(2m + 1) * 2^(e - 1)` for `x = m * 2^e`. With
/// `10^k = 5^k * 2^k` that is `digits` against `(2m + 1) * 5^k * 2^(k + e - 1)`:
/// one 64-by-64-bit multiplication and a shift.
fn vs_midpoint_above(digits: u64, k: u32, x: f64) -> Option<Ordering> {
    let bits = x.to_bits();
    let biased = (bits >> 52) as i32;
    if biased == 0 || biased >= 0x7ff {
        return None;
    }
    let m = bits & ((1 << 52) - 1) | 1 << 52;
    let mid = u128::from(2 * m + 1) * u128::from(POW5[k as usize]); // below 2^54 * 2^52
    let shift = k as i32 + (biased - 1075) - 1;
    let digits = u128::from(digits);
    Some(if shift >= 0 {
        // A midpoint shifted past 128 bits is above any 64-bit `digits`.
        if mid.leading_zeros() < shift as u32 {
            Ordering::Less
        } else {
            digits.cmp(&(mid << shift))
        }
    } else if digits.leading_zeros() < -shift as u32 {
        Ordering::Greater
    } else {
        (digits << -shift).cmp(&mid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(text: &str) {
        let want: f64 = text.parse().unwrap();
        let got = decimal(text);
        assert_eq!(got.to_bits(), want.to_bits(), "{text}: {got:e} vs {want:e}");
    }

    #[test]
    fn short_and_17_digit_decimals_take_an_exact_path() {
        for t in ["0", "-0", "1", "-1", "0.5", "0.1", "123.456", "1e22", "-2.5e-3", "12e30", ".5", "1.", "007"] {
            same(t);
        }
        assert_eq!(fast(b"0.1"), Some(0.1));
        assert_eq!(fast(b"-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(fast(b"9007199254740992"), Some(9007199254740992.0));
        assert_eq!(fast(b"1e23"), Some(1e23));
        assert_eq!(fast(b"9007199254740993"), Some(9007199254740992.0)); // a tie, to even
        assert_eq!(fast(b"0.30000000000000004"), Some(0.30000000000000004));
        // Exact midpoints between two doubles go to the even one, on both paths.
        assert_eq!(fast(b"4503599627370496.5"), Some(4503599627370496.0));
        assert_eq!(fast(b"4503599627370497.5"), Some(4503599627370498.0));
        assert_eq!(fast(b"9007199254740993.0"), Some(9007199254740992.0));
        assert_eq!(fast(b"9007199254740995.00"), Some(9007199254740996.0));
        assert_eq!(fast(b"9007199254740995"), Some(9007199254740996.0));
    }

    #[test]
    fn hard_cases_come_back_exact() {
        // Each needs more than Clinger's path: too many digits, tiny or huge exponents (the
        // 128-bit path takes the first two, the host the rest, as the asserts below show).
        for t in [
            "9007199254740993",
            "0.30000000000000004",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9406564584124654e-324",
            "1.7976931348623157e308",
            "1e400",
            "-1e-400",
            "1e39",
            "8.589973e9",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001",
            "1e-23",
            "1e100000000000",
        ] {
            same(t);
        }
        assert_eq!(fast(b"1e39"), None);
        assert_eq!(fast(b"12345678901234567e30"), None); // the product overflows
        assert_eq!(fast(b"1e-23"), None);
        assert_eq!(fast(b"12345678901234567890"), None); // 20 digits
    }

    proptest! {
        #[test]
        fn matches_std_on_any_decimal(
            negative in any::<bool>(),
            int in "[0-9]{1,22}",
            frac in proptest::option::of("[0-9]{0,22}"),
            exp in proptest::option::of(-340i32..340),
        ) {
            let mut t = String::new();
            if negative {
                t.push('-');
            }
            t.push_str(&int);
            if let Some(f) = frac {
                t.push('.');
                t.push_str(&f);
            }
            if let Some(e) = exp {
                t.push_str(&format!("e{e}"));
            }
            same(&t);
        }

        #[test]
        fn matches_std_around_the_exact_paths(digits in any::<u64>(), exp in -26i64..42, point in 0usize..20) {
            // Where the fast and the wide path start and stop: any digit count, powers on either side.
            same(&format!("{digits}e{exp}"));
            let text = digits.to_string();
            let point = point.min(text.len());
            let int = if point == 0 { "0" } else { &text[..point] };
            same(&format!("{int}.{}e{exp}", &text[point..]));
        }

        #[test]
        fn matches_std_on_shortest_round_trip_text(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            same(&format!("{x:e}"));
            same(&format!("{x}"));
        }
    }
}
