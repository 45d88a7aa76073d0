//! `JSON.stringify` and `Number.prototype.toString` output.

use super::Value;

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
        Value::Object(obj) => write_object(obj, out),
    }
}

pub(super) fn write_object(obj: &super::Object, out: &mut String) {
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
        out.push_str(s.get(run_start..i).unwrap_or_default()); // `i` is an ASCII byte's: a boundary
        if esc.is_empty() {
            // `\u00XX`, lower-case hex as JSON.stringify writes it.
            out.push_str("\\u00");
            push_hex_byte(b, out);
        } else {
            out.push_str(esc);
        }
        run_start = i + 1;
    }
    out.push_str(s.get(run_start..).unwrap_or_default());
    out.push('"');
}

/// `b` as two lower-case hex digits (by hand: `{:02x}` brings core's hex formatting and padding).
pub(super) fn push_hex_byte(b: u8, out: &mut String) {
    let digit = |d: u8| char::from(b"0123456789abcdef"[usize::from(d)]);
    out.push(digit(b >> 4));
    out.push(digit(b & 15));
}

/// `s` as a JSON string literal: how error messages quote a value from their input.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_json_string(s, &mut out);
    out
}

/// Appends `n` formatted exactly as JavaScript's `String(n)` would.
///
/// Integers are written here. Other numbers, in Wasm, by the host's own
/// `Number#toString` (what this imitates; it spares the build ryu's digit
/// code); natively from ryu's shortest round-trip digits (as ECMAScript
/// requires) with ECMA-262 `Number::toString`'s layout rules. The golden
/// page answer in tests/data/determinism, written natively, holds both to
/// the same text in Node, Chromium and workerd.
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
    #[cfg(target_arch = "wasm32")]
    crate::host::number_to_string(n, out);
    #[cfg(not(target_arch = "wasm32"))]
    write_fraction_or_large(n, out);
}

/// `String(n)` for a positive finite `n` that is not a small integer.
#[cfg(not(target_arch = "wasm32"))]
fn write_fraction_or_large(n: f64, out: &mut String) {
    let (digits, point) = shortest_digits(n);
    let k = digits.len() as i32;
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
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        push_u64(u64::from(e.unsigned_abs()), out);
    }
}

/// The shortest digits that round-trip to `n` (positive, finite) and the
/// position of the decimal point: `n = 0.d1d2...dk × 10^point`. From ryu's
/// output (`0.933`, `1.5e-7`, `1e21`, `123.0`), normalized.
#[cfg(not(target_arch = "wasm32"))]
fn shortest_digits(n: f64) -> (String, i32) {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(n);
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut point = int.len() as i32 + exp.parse::<i32>().unwrap_or(0);
    let all = format!("{int}{frac}");
    let trimmed = all.trim_start_matches('0');
    point -= (all.len() - trimmed.len()) as i32;
    (trimmed.trim_end_matches('0').to_owned(), point)
}

fn push_u64(n: u64, out: &mut String) {
    out.push_str(u64_digits(n, &mut [0; 20]));
}

/// `n` in decimal, written into `buf` (no allocation: hashing needs this on
/// every assignment).
pub fn u64_digits(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
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
    fn every_control_character_escapes_like_json_stringify() {
        // Every control character, quotes and backslash, and text around them: as serde_json
        // writes them (what JSON.stringify writes: short escapes, else lower-case \u00XX).
        let mut text: String = (0u8..0x20).map(char::from).collect();
        text.push_str("\"\\/é\u{7f}x");
        assert_eq!(quoted(&text), serde_json::to_string(&text).unwrap());
        assert_eq!(quoted("\u{1f}"), "\"\\u001f\"");
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

    /// ryu's digits against core::fmt's, on many values: equally short, and
    /// round-tripping. (They differ on exact ties, where ECMAScript picks the
    /// even digit, as ryu does and core::fmt does not: see below.)
    #[test]
    fn shortest_digits_match_core_fmt() {
        let reference = |n: f64| {
            let sci = format!("{n:e}");
            let (m, e) = sci.split_once('e').unwrap();
            (m.chars().filter(|c| *c != '.').collect::<String>(), e.parse::<i32>().unwrap() + 1)
        };
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = match i % 4 {
                0 => (x % 10_000) as f64 / 10_000.0,
                1 => (x % 100_000_000) as f64 / 1e3,
                2 => f64::from_bits(x >> 1),
                _ => (x % 1_000_000) as f64 * 1e-9,
            };
            if n.is_finite() && n > 0.0 {
                let (digits, point) = shortest_digits(n);
                let (want, want_point) = reference(n);
                assert_eq!((digits.len(), point), (want.len(), want_point), "{n:e}");
                assert_eq!(format!("0.{digits}e{point}").parse::<f64>().unwrap(), n, "{n:e}");
            }
        }
        assert_eq!(js(0.863), "0.863");
        assert_eq!(js(0.9333333333333333), "0.9333333333333333");
        // An exact tie (the double is ...649.25): Node prints ...649.2.
        assert_eq!(js(1.3237654158016493e15), "1323765415801649.2");
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
