//! A strict RFC 8259 parser with a nesting bound.
//!
//! Hostile input is normal input: the parser never recurses deeper than its
//! limit, never panics, and its errors say what was wrong and where.

use super::{Object, Value};
use std::fmt;

/// Nesting depth accepted by [`parse`]. GrowthBook payloads and hearth
/// manifests are far shallower; the bound keeps recursion safe on the small
/// Wasm stack.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Why a JSON text was rejected, and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a complete JSON text with [`DEFAULT_MAX_DEPTH`].
pub fn parse(text: &str) -> Result<Value, ParseError> {
    parse_with_limit(text, DEFAULT_MAX_DEPTH)
}

/// Parses a complete JSON text, rejecting nesting deeper than `max_depth`.
pub fn parse_with_limit(text: &str, max_depth: usize) -> Result<Value, ParseError> {
    let mut p = Parser { src: text.as_bytes(), pos: 0, depth: 0, max_depth, err: None };
    // A leading byte-order mark is common in files saved by editors.
    if p.src.starts_with(&[0xEF, 0xBB, 0xBF]) {
        p.pos = 3;
    }
    p.skip_ws();
    let v = p.value();
    p.skip_ws();
    if p.pos != p.src.len() {
        p.fail("unexpected content after the JSON value");
    }
    match p.err {
        Some((pos, message)) => Err(error_at(p.src, pos, message)),
        None => Ok(v),
    }
}

/// The error for a problem at byte `pos` of `src`: its line and column.
fn error_at(src: &[u8], pos: usize, message: String) -> ParseError {
    let before = &src[..pos.min(src.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // Count characters, not bytes, so the column matches an editor's (a character cut at
    // `pos` counts as one, as it would decoded lossily).
    let column = crate::text::char_count(&before[line_start..]) + 1;
    ParseError { line, column, message }
}

/// A recursive-descent parser that remembers its first problem: from then on it sits at the
/// end of the input, so every caller stops at its next check, and what it returns is a
/// placeholder that `parse_with_limit` discards.
struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    /// The first problem: where, and what.
    err: Option<(usize, String)>,
}

impl Parser<'_> {
    fn fail(&mut self, message: impl Into<String>) {
        self.fail_at(self.pos, message);
    }

    fn fail_at(&mut self, pos: usize, message: impl Into<String>) {
        if self.err.is_none() {
            self.err = Some((pos, message.into()));
        }
        self.pos = self.src.len();
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, lit: &str, v: Value) -> Value {
        if self.src[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
        } else {
            self.fail(format!("expected `{lit}`"));
        }
        v
    }

    fn value(&mut self) -> Value {
        match self.peek() {
            None => {
                self.fail("unexpected end of input, expected a value");
                Value::Null
            }
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Value::String(self.string()),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b) => {
                self.fail(format!("unexpected character {}, expected a value", show_byte(b)));
                Value::Null
            }
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Value) -> Value {
        if self.depth >= self.max_depth {
            self.fail(format!("nesting deeper than {} levels", self.max_depth));
            return Value::Null;
        }
        self.depth += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    /// After an element of an object or array: true at `,`, false at `close` or on a problem.
    fn next(&mut self, close: u8, message: &'static str) -> bool {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                true
            }
            Some(b) if b == close => {
                self.pos += 1;
                false
            }
            _ => {
                self.fail(message);
                false
            }
        }
    }

    fn object(&mut self) -> Value {
        self.pos += 1; // {
        let mut obj = Object::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Value::Object(obj);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                self.fail("expected a string key");
                break;
            }
            let key = self.string();
            self.skip_ws();
            if self.peek() != Some(b':') {
                self.fail("expected `:` after object key");
                break;
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.value();
            obj.insert(key, v);
            if !self.next(b'}', "expected `,` or `}` in object") {
                break;
            }
        }
        Value::Object(obj)
    }

    fn array(&mut self) -> Value {
        self.pos += 1; // [
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Value::Array(items);
        }
        loop {
            self.skip_ws();
            items.push(self.value());
            if !self.next(b']', "expected `,` or `]` in array") {
                break;
            }
        }
        Value::Array(items)
    }

    fn number(&mut self) -> Value {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => self.fail("expected a digit"),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                self.fail("expected a digit after `.`");
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                self.fail("expected a digit in the exponent");
            }
            self.digits();
        }
        // The slice is ASCII by construction, a JSON number (empty after a problem).
        let text = std::str::from_utf8(&self.src[start.min(self.pos)..self.pos]).unwrap_or("");
        Value::Number(if self.err.is_some() { 0.0 } else { super::number::decimal(text) })
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> String {
        let open = self.pos;
        self.pos += 1; // "
        let mut out = String::new();
        loop {
            // Copy the run of plain bytes in one go.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str, and a run stops only at ASCII bytes, so it is valid UTF-8.
            out.push_str(std::str::from_utf8(&self.src[run_start..self.pos]).unwrap_or(""));
            match self.peek() {
                None => {
                    self.fail_at(open, "unterminated string");
                    return out;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return out;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out);
                }
                Some(b) => {
                    self.fail(format!("control character {} must be escaped in a string", show_byte(b)));
                    return out;
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) {
        let Some(b) = self.peek() else {
            return self.fail("unterminated escape");
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4();
                if (0xD800..0xDC00).contains(&hi) && self.src[self.pos..].starts_with(b"\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let lo = self.hex4();
                    if (0xDC00..0xE000).contains(&lo) {
                        let cp = 0x10000 + ((hi as u32 - 0xD800) << 10) + (lo as u32 - 0xDC00);
                        char::from_u32(cp).unwrap_or('\u{FFFD}')
                    } else {
                        // Lone high surrogate followed by another escape: keep the second.
                        if self.err.is_none() {
                            self.pos = save;
                        }
                        '\u{FFFD}'
                    }
                } else {
                    // Rust strings cannot hold lone surrogates; JavaScript's can.
                    // They are replaced, as TextDecoder would.
                    char::from_u32(hi as u32).unwrap_or('\u{FFFD}')
                }
            }
            other => return self.fail_at(self.pos - 1, format!("unknown escape `\\{}`", other as char)),
        };
        out.push(c);
    }

    /// Four hex digits (0 after a problem).
    fn hex4(&mut self) -> u16 {
        let n = self
            .src
            .get(self.pos..self.pos + 4)
            .and_then(|hex| hex.iter().try_fold(0u16, |n, &h| (h as char).to_digit(16).map(|d| n * 16 + d as u16)));
        match n {
            Some(n) => {
                self.pos += 4;
                n
            }
            None => {
                self.fail("expected four hex digits after `\\u`");
                0
            }
        }
    }
}

/// A byte for a message: `` `x` `` when printable, else `0x1f`.
fn show_byte(b: u8) -> String {
    let mut s = String::with_capacity(4);
    if b.is_ascii_graphic() {
        s.extend(['`', char::from(b), '`']);
    } else {
        s.push_str("0x");
        super::write::push_hex_byte(b, &mut s);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bytes_are_named() {
        let msg = |t: &str| parse(t).unwrap_err().to_string();
        assert!(msg("[#]").contains("unexpected character `#`, expected a value"), "{}", msg("[#]"));
        assert!(msg("\"a\u{1f}\"").contains("control character 0x1f must be escaped"), "{}", msg("\"a\u{1f}\""));
        assert!(msg("\"\t\"").contains("control character 0x09 must"), "{}", msg("\"\t\""));
        assert!(msg("[\u{7f}]").contains("unexpected character 0x7f"), "{}", msg("[\u{7f}]"));
    }

    #[test]
    fn parses_values() {
        let v = parse(r#" {"a": [1, -2.5e3, true, null, "x\u00e9\ud83d\ude00\n"]} "#).unwrap();
        let a = v.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[1], Value::Number(-2500.0));
        assert_eq!(a[4].as_str(), Some("xé😀\n"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        assert!(e.message.contains("true"), "{e}");
        let e = parse("[1, 2,]").unwrap_err();
        assert_eq!((e.line, e.column), (1, 7));
        assert!(parse("01").is_err());
        assert!(parse("1.").is_err());
        assert!(parse("\"abc").unwrap_err().message.contains("unterminated"));
        assert!(parse("{} x").is_err());
        assert!(parse("NaN").is_err());
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100_000);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting"), "{e}");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&ok).is_ok());
    }
}
