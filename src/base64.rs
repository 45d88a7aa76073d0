//! Base64, once: the standard alphabet with `atob`'s forgiving decoding (for
//! GrowthBook's encrypted payloads, manifest keys and stored profiles) and
//! unpadded base64url (cookies, signed claims).

use std::fmt;

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Why a text is not base64.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base64Error {
    /// A character outside the alphabet, at this byte offset.
    BadCharacter { offset: usize, ch: char },
    /// `=` other than up to two at the very end.
    BadPadding,
    /// A length no encoder produces (one character too many).
    Truncated,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base64Error::BadCharacter { offset, ch } => {
                write!(f, "invalid character {} at offset {offset}", crate::json::quoted(ch.encode_utf8(&mut [0; 4])))
            }
            Base64Error::BadPadding => f.write_str("misplaced `=` padding"),
            Base64Error::Truncated => f.write_str("truncated (length is not valid for base64)"),
        }
    }
}

impl std::error::Error for Base64Error {}

/// Standard base64 with `=` padding, as `btoa` writes it.
pub fn encode(bytes: &[u8]) -> String {
    encode_with(bytes, STANDARD, true)
}

/// base64url without padding.
pub fn encode_url(bytes: &[u8]) -> String {
    encode_with(bytes, URL, false)
}

fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=c.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * i)) as usize & 63]));
        }
        if pad {
            for _ in c.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

fn sextet(c: u8, alphabet: &[u8; 64]) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        _ if c == alphabet[62] => Some(62),
        _ if c == alphabet[63] => Some(63),
        _ => None,
    }
}

/// Packs sextets into bytes; a final partial group keeps its whole bytes.
fn pack(sextets: &[u8]) -> Result<Vec<u8>, Base64Error> {
    if sextets.len() % 4 == 1 {
        return Err(Base64Error::Truncated);
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (j, v)| n | u32::from(*v) << (18 - 6 * j));
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..chunk.len() - 1]);
    }
    Ok(out)
}

/// Decodes standard base64 as `atob` does: ASCII whitespace is ignored,
/// padding is optional, anything else outside the alphabet is an error.
pub fn decode(s: &str) -> Result<Vec<u8>, Base64Error> {
    let mut sextets = Vec::with_capacity(s.len());
    for (i, c) in s.bytes().enumerate() {
        match c {
            b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' => continue,
            b'=' => {
                // Up to two `=` at the very end (ignoring whitespace).
                let rest = s.as_bytes()[i..].iter().copied().filter(|b| !b.is_ascii_whitespace());
                let pad = rest.clone().count();
                if pad > 2 || rest.into_iter().any(|b| b != b'=') || !(sextets.len() + pad).is_multiple_of(4) {
                    return Err(Base64Error::BadPadding);
                }
                break;
            }
            _ => sextets.push(sextet(c, STANDARD).ok_or(Base64Error::BadCharacter { offset: i, ch: char::from(c) })?),
        }
    }
    pack(&sextets)
}

/// Decodes base64url, strictly: no whitespace, trailing `=` tolerated.
pub fn decode_url(s: &str) -> Result<Vec<u8>, Base64Error> {
    let s = s.trim_end_matches('=');
    let sextets: Vec<u8> = s
        .bytes()
        .enumerate()
        .map(|(offset, c)| sextet(c, URL).ok_or(Base64Error::BadCharacter { offset, ch: char::from(c) }))
        .collect::<Result<_, _>>()?;
    pack(&sextets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_matches_btoa_and_atob() {
        assert_eq!(encode(b"hello"), "aGVsbG8=");
        assert_eq!(encode(b"hi"), "aGk=");
        assert_eq!(encode(b"abc"), "YWJj");
        assert_eq!(decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode(" aGVs\nbG8= ").unwrap(), b"hello");
        assert_eq!(decode("aGVsbG8=="), Err(Base64Error::BadPadding));
        assert_eq!(decode("a"), Err(Base64Error::Truncated));
        assert!(decode("a=b=").is_err());
        assert_eq!(decode("aGV*"), Err(Base64Error::BadCharacter { offset: 3, ch: '*' }));
    }

    #[test]
    fn url_round_trips_and_is_strict() {
        assert_eq!(encode_url(&[0xfb, 0xff]), "-_8");
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
            assert_eq!(decode_url(&encode_url(&bytes)).unwrap(), bytes);
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(decode_url("a"), Err(Base64Error::Truncated));
        assert!(decode_url("ab+c").is_err());
        assert!(decode_url("ab c").is_err());
    }
}
