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
    let mut p = Parser { src: text.as_bytes(), pos: 0, depth: 0, max_depth };
    // A leading byte-order mark is common in files saved by editors.
    if p.src.starts_with(&[0xEF, 0xBB, 0xBF]) {
        p.pos = 3;
    }
    p.skip_ws();
    let v = p.value()?;
    p.skip_ws();
    if p.pos != p.src.len() {
        return Err(p.error("unexpected content after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> ParseError {
        let pos = pos.min(self.src.len());
        let before = &self.src[..pos];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Count characters, not bytes, so the column matches an editor's (a character cut at
        // `pos` counts as one, as it would decoded lossily).
        let column = crate::text::char_count(&before[line_start..]) + 1;
        ParseError { line, column, message: message.into() }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, lit: &str, v: Value) -> Result<Value, ParseError> {
        if self.src[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
            Ok(v)
        } else {
            Err(self.error(format!("expected `{lit}`")))
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            None => Err(self.error("unexpected end of input, expected a value")),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b) => Err(self.error(format!("unexpected character {}, expected a value", show_byte(b)))),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Value, ParseError>) -> Result<Value, ParseError> {
        if self.depth >= self.max_depth {
            return Err(self.error(format!("nesting deeper than {} levels", self.max_depth)));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn object(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // {
        let mut obj = Object::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(obj));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.value()?;
            obj.insert(key, v);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(obj));
                }
                _ => return Err(self.error("expected `,` or `}` in object")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // [
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]` in array")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after `.`"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        // The slice is ASCII by construction, a JSON number.
        let text = std::str::from_utf8(&self.src[start..self.pos]).map_err(|_| self.error_at(start, "bad number"))?;
        Ok(Value::Number(super::number::decimal(text)))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
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
            // The input is a &str, and we only stop on ASCII bytes, so the run is valid UTF-8.
            out.push_str(std::str::from_utf8(&self.src[run_start..self.pos]).map_err(|_| self.error("invalid UTF-8"))?);
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(b) => return Err(self.error(format!("control character {} must be escaped in a string", show_byte(b)))),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let Some(b) = self.peek() else {
            return Err(self.error("unterminated escape"));
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
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) && self.src[self.pos..].starts_with(b"\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if (0xDC00..0xE000).contains(&lo) {
                        let cp = 0x10000 + ((hi as u32 - 0xD800) << 10) + (lo as u32 - 0xDC00);
                        char::from_u32(cp).unwrap_or('\u{FFFD}')
                    } else {
                        // Lone high surrogate followed by another escape: keep the second.
                        self.pos = save;
                        '\u{FFFD}'
                    }
                } else {
                    // Rust strings cannot hold lone surrogates; JavaScript's can.
                    // They are replaced, as TextDecoder would.
                    char::from_u32(hi as u32).unwrap_or('\u{FFFD}')
                }
            }
            other => return Err(self.error_at(self.pos - 1, format!("unknown escape `\\{}`", other as char))),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let Some(hex) = self.src.get(self.pos..self.pos + 4) else {
            return Err(self.error("expected four hex digits after `\\u`"));
        };
        let mut n: u16 = 0;
        for &h in hex {
            let d = (h as char).to_digit(16).ok_or_else(|| self.error("expected four hex digits after `\\u`"))?;
            n = n * 16 + d as u16;
        }
        self.pos += 4;
        Ok(n)
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
