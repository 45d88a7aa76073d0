//! JavaScript's coercions over [`Value`], as ECMA-262 defines them.
//!
//! GrowthBook's condition language is defined by what its JavaScript does
//! (`value + ""`, `value * 1`, `a < b`, `!!value`), so these are part of the
//! compatibility contract, not conveniences.

use super::{write::write_js_number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// `String.prototype.toLowerCase`, without allocating when there is nothing
/// to lower. ASCII is lowered here; any other text by the host (see
/// [`crate::host::to_lowercase`]).
pub fn to_lower_case(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        Cow::Borrowed(s)
    } else if s.is_ascii() {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Owned(crate::host::to_lowercase(s))
    }
}

/// `String(v)`: arrays join their elements with `,`, objects are `[object Object]`.
pub fn to_string(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed("null"),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        Value::Number(n) => {
            let mut s = String::new();
            write_js_number(*n, &mut s);
            Cow::Owned(s)
        }
        Value::Array(_) => {
            let mut s = String::new();
            join_into(v, &mut s);
            Cow::Owned(s)
        }
        Value::Object(_) => Cow::Borrowed("[object Object]"),
    }
}

/// `Array.prototype.join` as used by `String([..])`: null elements are empty.
fn join_into(v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !item.is_null() {
                    join_into(item, out);
                }
            }
        }
        other => out.push_str(&to_string(other)),
    }
}

/// `Number(v)` (also `v * 1`).
pub fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => *n,
        Value::String(s) => string_to_number(s),
        Value::Array(_) => string_to_number(&to_string(v)),
        Value::Object(_) => f64::NAN,
    }
}

/// ECMAScript whitespace and line terminators, as `String.prototype.trim` sees them.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// `Number(s)` for a string: StringNumericLiteral, else `NaN`.
pub fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let radix = |prefix: &[&str], radix: u32| -> Option<f64> {
        let body = prefix.iter().find_map(|p| t.strip_prefix(p))?;
        if body.is_empty() {
            return Some(f64::NAN);
        }
        let mut n = 0f64;
        for c in body.chars() {
            let Some(d) = c.to_digit(radix) else { return Some(f64::NAN) };
            n = n * radix as f64 + d as f64;
        }
        Some(n)
    };
    if let Some(n) = radix(&["0x", "0X"], 16).or_else(|| radix(&["0o", "0O"], 8)).or_else(|| radix(&["0b", "0B"], 2)) {
        return n;
    }
    let (sign, body) = match (t.strip_prefix('-'), t.strip_prefix('+')) {
        (Some(rest), _) => (-1.0, rest),
        (_, Some(rest)) => (1.0, rest),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !is_decimal_literal(body) {
        return f64::NAN;
    }
    sign * super::number::decimal(body)
}

/// StrUnsignedDecimalLiteral: `12`, `1.5`, `1.`, `.5`, with an optional exponent.
fn is_decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = count_digits(&b[i..]);
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = count_digits(&b[i..]);
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let exp_digits = count_digits(&b[i..]);
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// `!!v`.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `a === b`. Distinct arrays or objects are never identical, and a JSON
/// value cannot alias another, so containers compare unequal.
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

/// Compares two strings by UTF-16 code units, as JavaScript's `<` does.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The abstract relational comparison behind `<`, `<=`, `>`, `>=`.
/// `None` is JavaScript's `undefined` (a `NaN` was involved): every
/// operator is then false.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let pa = to_primitive(a);
    let pb = to_primitive(b);
    if let (Prim::Str(x), Prim::Str(y)) = (&pa, &pb) {
        return Some(cmp_utf16(x, y));
    }
    pa.number().partial_cmp(&pb.number())
}

pub fn lt(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Less)
}
pub fn lte(a: &Value, b: &Value) -> bool {
    matches!(compare(a, b), Some(Ordering::Less | Ordering::Equal))
}
pub fn gt(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Greater)
}
pub fn gte(a: &Value, b: &Value) -> bool {
    matches!(compare(a, b), Some(Ordering::Greater | Ordering::Equal))
}

enum Prim<'a> {
    Str(Cow<'a, str>),
    Other(&'a Value),
}

impl Prim<'_> {
    fn number(&self) -> f64 {
        match self {
            Prim::Str(s) => string_to_number(s),
            Prim::Other(v) => to_number(v),
        }
    }
}

/// `ToPrimitive` with hint "number": arrays and objects become strings.
fn to_primitive(v: &Value) -> Prim<'_> {
    match v {
        Value::String(s) => Prim::Str(Cow::Borrowed(s)),
        Value::Array(_) | Value::Object(_) => Prim::Str(to_string(v)),
        other => Prim::Other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn v(s: &str) -> Value {
        parse(s).unwrap()
    }

    #[test]
    fn to_string_matches_javascript() {
        assert_eq!(to_string(&v("[1,[2,null],\"a\",true]")), "1,2,,a,true");
        assert_eq!(to_string(&v("{}")), "[object Object]");
        assert_eq!(to_string(&v("1e21")), "1e+21");
        assert_eq!(to_string(&v("null")), "null");
    }

    #[test]
    fn to_lower_case_matches_javascript() {
        // Expected values are what V8's "...".toLowerCase() gives.
        for (s, want) in [
            ("", ""),
            ("already lower", "already lower"),
            ("MiXeD ASCII 42", "mixed ascii 42"),
            ("ÄÖÜ Straße", "äöü straße"),
            ("ΟΔΟΣ ΟΔΟΣ.", "οδος οδος."), // final sigma, as in JavaScript
            ("İstanbul", "i\u{307}stanbul"),
            ("ǅ", "ǆ"),
        ] {
            assert_eq!(to_lower_case(s), want, "{s}");
        }
        assert!(matches!(to_lower_case("no caps"), Cow::Borrowed(_)));
    }

    #[test]
    fn to_number_matches_javascript() {
        for (s, want) in [
            ("\"\"", 0.0),
            ("\"  12 \"", 12.0),
            ("\"0x1F\"", 31.0),
            ("\"1e3\"", 1000.0),
            ("\".5\"", 0.5),
            ("\"5.\"", 5.0),
            ("\"-Infinity\"", f64::NEG_INFINITY),
            ("[]", 0.0),
            ("[\"7\"]", 7.0),
            ("true", 1.0),
            ("null", 0.0),
        ] {
            assert_eq!(to_number(&v(s)), want, "{s}");
        }
        for s in ["\"abc\"", "\"1,2\"", "[1,2]", "{}", "\"inf\"", "\"-0x10\"", "\"1e\"", "\".\""] {
            assert!(to_number(&v(s)).is_nan(), "{s}");
        }
    }

    #[test]
    fn relational_comparison_matches_javascript() {
        assert!(lt(&v("\"10\""), &v("\"9\""))); // string compare
        assert!(!lt(&v("10"), &v("\"9\""))); // numeric compare
        assert!(lt(&v("null"), &v("1")));
        assert!(!lt(&v("\"a\""), &v("1")) && !gte(&v("\"a\""), &v("1"))); // NaN
        assert!(lte(&v("null"), &v("0")) && gte(&v("null"), &v("0")));
        // U+FF5E sorts after U+1F600 in UTF-16 (surrogates are 0xD83D...).
        assert!(lt(&v("\"😀\""), &v("\"～\"")));
    }
}
