//! `paddedVersionString` from the JS SDK's `util.mjs`, for `$veq` ... `$vlte`.
//!
//! ```js
//! if (typeof input === "number") input = input + "";
//! if (!input || typeof input !== "string") input = "0";
//! const parts = input.replace(/(^v|\+.*$)/g, "").split(/[-.]/);
//! if (parts.length === 3) parts.push("~");
//! return parts.map(v => v.match(/^[0-9]+$/) ? v.padStart(5, " ") : v).join("-");
//! ```
//!
//! The expected side is padded once at compile time; the attribute side is
//! padded into a stack buffer, so comparing short versions does not allocate.

use crate::json::{js, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Which version operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VersionOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl VersionOp {
    pub(crate) fn from_name(op: &str) -> Option<VersionOp> {
        Some(match op {
            "$veq" => VersionOp::Eq,
            "$vne" => VersionOp::Ne,
            "$vgt" => VersionOp::Gt,
            "$vgte" => VersionOp::Gte,
            "$vlt" => VersionOp::Lt,
            "$vlte" => VersionOp::Lte,
            _ => return None,
        })
    }

    /// `padded(actual) OP padded(expected)`: JavaScript string comparison,
    /// which orders by UTF-16 code units.
    pub(crate) fn holds(self, ord: Ordering) -> bool {
        match self {
            VersionOp::Eq => ord == Ordering::Equal,
            VersionOp::Ne => ord != Ordering::Equal,
            VersionOp::Gt => ord == Ordering::Greater,
            VersionOp::Gte => ord != Ordering::Less,
            VersionOp::Lt => ord == Ordering::Less,
            VersionOp::Lte => ord != Ordering::Greater,
        }
    }
}

/// The string `paddedVersionString` starts from: numbers become their
/// `String()`, empty strings and every other type become `"0"`.
pub(crate) fn version_input(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Number(_) => js::to_string(v),
        Value::String(s) if !s.is_empty() => Cow::Borrowed(s),
        _ => Cow::Borrowed("0"),
    }
}

/// JavaScript line terminators: what `.` in `\+.*$` refuses to cross.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `input.replace(/(^v|\+.*$)/g, "")`: drop one leading `v`, and the build
/// suffix. `.` does not match line terminators and `$` is end of input, so the
/// suffix starts at the first `+` with no line terminator after it.
fn strip(input: &str) -> &str {
    let s = input.strip_prefix('v').unwrap_or(input);
    let tail_from = s.char_indices().rev().find(|&(_, c)| is_line_terminator(c)).map_or(0, |(i, c)| i + c.len_utf8());
    match s.get(tail_from..).and_then(|tail| tail.find('+')) {
        Some(p) => s.get(..tail_from + p).unwrap_or(s),
        None => s,
    }
}

/// Writes the padded form of `input` (already a string) through `push`.
fn write_padded(input: &str, mut push: impl FnMut(&str)) {
    let core = strip(input);
    let part_count = core.split(['-', '.']).count();
    let mut first = true;
    let mut emit = |part: &str, push: &mut dyn FnMut(&str)| {
        if !first {
            push("-");
        }
        first = false;
        // `/^[0-9]+$/` then `padStart(5, " ")`
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            for _ in part.len()..5 {
                push(" ");
            }
        }
        push(part);
    };
    for part in core.split(['-', '.']) {
        emit(part, &mut push);
    }
    // SemVer without a pre-release sorts after its pre-releases.
    if part_count == 3 {
        emit("~", &mut push);
    }
}

/// `paddedVersionString(v)`, allocated: used once per expected value.
pub(crate) fn padded(v: &Value) -> String {
    let input = version_input(v);
    let mut out = String::new();
    write_padded(&input, |s| out.push_str(s));
    out
}

/// Compares `paddedVersionString(actual)` with an already padded `expected`.
pub(crate) fn compare_padded(actual: &str, expected: &str) -> Ordering {
    let mut buf = StackStr::new();
    write_padded(actual, |s| buf.push_str(s));
    js::cmp_utf16(buf.as_str(), expected)
}

/// A string that lives on the stack while short (the common case for
/// versions) and moves to the heap past 64 bytes.
struct StackStr {
    buf: [u8; 64],
    len: usize,
    heap: Option<String>,
}

impl StackStr {
    fn new() -> Self {
        StackStr { buf: [0; 64], len: 0, heap: None }
    }

    fn push_str(&mut self, s: &str) {
        if let Some(h) = &mut self.heap {
            h.push_str(s);
        } else if self.len + s.len() <= self.buf.len() {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut h = String::with_capacity(self.len + s.len() + 16);
            h.push_str(self.stack_str());
            h.push_str(s);
            self.heap = Some(h);
        }
    }

    fn stack_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this never fails.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    fn as_str(&self) -> &str {
        match &self.heap {
            Some(h) => h,
            None => self.stack_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn p(s: &str) -> String {
        padded(&parse(s).unwrap())
    }

    #[test]
    fn matches_the_js_sdk() {
        assert_eq!(p(r#""1.2.3""#), "    1-    2-    3-~");
        assert_eq!(p(r#""v1.2.3-rc.1+build123""#), "    1-    2-    3-rc-    1");
        assert_eq!(p(r#""""#), "    0");
        assert_eq!(p("null"), "    0");
        assert_eq!(p("[1]"), "    0");
        assert_eq!(p("10"), "   10");
        assert_eq!(p("1.5"), "    1-    5");
        assert_eq!(p(r#""123456.1""#), "123456-    1");
        assert_eq!(p(r#""v""#), "");
        assert_eq!(p(r#""vv1""#), "v1");
        assert_eq!(p(r#""1..2""#), "    1--    2-~");
        // `.` stops at line terminators: only the last line's `+` starts the build.
        assert_eq!(p(r#""1+a\nb+c""#), "1+a\nb");
        assert_eq!(p(r#""1+a\nb""#), "1+a\nb");
    }

    #[test]
    fn long_versions_spill_to_the_heap() {
        let long = "1.".repeat(40) + "1";
        let want = padded(&Value::String(long.clone()));
        assert_eq!(compare_padded(&long, &want), Ordering::Equal);
        assert_eq!(compare_padded("1.2.3", &p(r#""1.2.3-beta""#)), Ordering::Greater);
    }
}
