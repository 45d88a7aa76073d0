//! `JSON.stringify` and `Number.prototype.toString` output.

use super::Value;
use std::fmt::Write as _;

pub(super) fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) if !n.is_finite() => out.push_str("null"),
        Value::Number(n) => write_js_number(*n, out),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(obj) => {
            out.push('{');
            for (i, (k, item)) in obj.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string literal, escaping as `JSON.stringify` does.
pub fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run_start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        run_start = i + 1;
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

/// Appends `n` formatted exactly as JavaScript's `String(n)` would.
///
/// Rust's `{:e}` gives the shortest round-trip digits (as ECMAScript
/// requires); the layout rules below are ECMA-262 `Number::toString`.
pub fn write_js_number(n: f64, out: &mut String) {
    if n.is_nan() {
        out.push_str("NaN");
        return;
    }
    if n == 0.0 {
        out.push('0'); // also -0
        return;
    }
    if n.is_infinite() {
        out.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let n = n.abs();
    // Small integers are by far the most common case (ids, counters).
    if n < 1e15 && n.fract() == 0.0 {
        push_u64(n as u64, out);
        return;
    }
    // Short decimals (bucket values, weights, prices) without the general
    // shortest-digits algorithm, which is slow, and large in Wasm.
    if (1e-6..1e15).contains(&n) && push_short_decimal(n, out) {
        return;
    }
    let sci = format!("{n:e}"); // e.g. "1.2345e3", "5e-7"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    // value = 0.d1d2...dk × 10^point
    let point = exp.parse::<i32>().unwrap_or(0) + 1;
    if k <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = point - 1;
        let _ = write!(out, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

fn push_u64(mut n: u64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// Writes `n` (in `[1e-6, 1e15)`) when it is exactly the double nearest to
/// a decimal with at most 15 significant digits, and returns whether it
/// did. Such a decimal is the unique shortest one that round-trips, which
/// is what ECMAScript's `Number::toString` prints: `k / 10^d` in f64 is
/// correctly rounded, so it equals `n` exactly when parsing the decimal
/// gives `n`, and with 15 digits or fewer no other decimal of that length
/// rounds to the same double.
fn push_short_decimal(n: f64, out: &mut String) -> bool {
    const POW10: [f64; 22] =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21];
    let int_digits = if n < 1.0 { 0 } else { (n.log10().floor() as i32 + 1).max(1) };
    let lead_zeros = if n < 1.0 { (-n.log10()).ceil() as i32 - 1 } else { 0 };
    for d in 1..=21 {
        let significant = if n < 1.0 { d - lead_zeros.max(0) } else { int_digits + d };
        if significant > 15 {
            return false;
        }
        let p = POW10[d as usize];
        let k = (n * p).round();
        if k / p != n {
            continue;
        }
        let k = k as u64;
        let mut digits = String::with_capacity(24);
        push_u64(k, &mut digits);
        let d = d as usize;
        if digits.len() <= d {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', d - digits.len()));
            out.push_str(&digits);
        } else {
            let (int, frac) = digits.split_at(digits.len() - d);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(n: f64) -> String {
        let mut s = String::new();
        write_js_number(n, &mut s);
        s
    }

    #[test]
    fn numbers_format_like_javascript() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-42.0, "-42"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (123456.789, "123456.789"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (2f64.powi(53), "9007199254740992"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
        ];
        for (n, want) in cases {
            assert_eq!(js(*n), *want, "{n:e}");
        }
    }

    /// The fast paths against the general algorithm, on many values.
    #[test]
    fn short_decimals_match_the_general_algorithm() {
        // The shortest round-trip digits, from Rust's `{:e}`.
        let general = |n: f64| {
            let sci = format!("{n:e}");
            sci.split_once('e').unwrap().0.chars().filter(|c| *c != '.').collect::<String>()
        };
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = match i % 4 {
                0 => (x % 10_000) as f64 / 10_000.0,
                1 => (x % 100_000_000) as f64 / 1e3,
                2 => f64::from_bits(0x3f00_0000_0000_0000 | (x >> 12)),
                _ => (x % 1_000_000) as f64 * 1e-9,
            };
            if !(1e-6..1e15).contains(&n) {
                continue;
            }
            let mut fast = String::new();
            if push_short_decimal(n, &mut fast) {
                let digits = general(n);
                assert_eq!(fast.parse::<f64>().unwrap(), n, "{n:e}: {fast}");
                let fast_digits: String =
                    fast.chars().filter(|c| c.is_ascii_digit()).collect::<String>().trim_start_matches('0').to_owned();
                assert_eq!(fast_digits.trim_end_matches('0'), digits.trim_end_matches('0'), "{n:e}: {fast}");
            }
        }
        assert_eq!(js(0.863), "0.863");
        assert_eq!(js(0.4064), "0.4064");
        assert_eq!(js(1234.5), "1234.5");
        assert_eq!(js(0.000123), "0.000123");
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        let mut s = String::new();
        write_json_string("a\"b\\c\n\u{1}é", &mut s);
        assert_eq!(s, r#""a\"b\\c\n\u0001é""#);
    }
}
