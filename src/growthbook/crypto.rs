//! Decryption of GrowthBook's encrypted payload sections.
//!
//! The SDK encrypts `features` / `savedGroups` / `experiments` with AES-CBC
//! (PKCS#7 padding) and ships `base64(iv) + "." + base64(ciphertext)`; the
//! key is base64 too. The JS SDK uses WebCrypto, which is asynchronous; this
//! is the pure-Rust `aes` + `cbc` pair so a manifest loads synchronously and
//! identically on every target.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use std::fmt;

/// Why a payload section could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecryptError {
    /// The key is not base64, or not 16, 24 or 32 bytes.
    BadKey(String),
    /// The text is not `iv.ciphertext` in base64 with a 16-byte iv.
    Malformed(String),
    /// Padding check failed: wrong key or corrupted ciphertext.
    WrongKeyOrCorrupt,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::BadKey(why) => write!(f, "bad decryption key: {why}"),
            DecryptError::Malformed(why) => write!(f, "malformed encrypted text: {why}"),
            DecryptError::WrongKeyOrCorrupt => f.write_str("wrong decryption key or corrupted data"),
        }
    }
}

impl std::error::Error for DecryptError {}

/// Decrypts `iv.ciphertext` with `key`, returning the UTF-8 text (invalid
/// sequences replaced, as `TextDecoder` does).
pub fn decrypt(encrypted: &str, key: &str) -> Result<String, DecryptError> {
    let key = base64_decode(key).map_err(DecryptError::BadKey)?;
    if !matches!(key.len(), 16 | 24 | 32) {
        return Err(DecryptError::BadKey(format!("an AES key is 16, 24 or 32 bytes, this one is {}", key.len())));
    }
    // `encryptedString.split(".")`: only the first two parts are used.
    let mut parts = encrypted.split('.');
    let iv = parts.next().unwrap_or_default();
    let Some(cipher) = parts.next() else {
        return Err(DecryptError::Malformed("expected `iv.ciphertext`".into()));
    };
    let iv = base64_decode(iv).map_err(|e| DecryptError::Malformed(format!("iv: {e}")))?;
    let mut buf = base64_decode(cipher).map_err(|e| DecryptError::Malformed(format!("ciphertext: {e}")))?;
    let iv: [u8; 16] = iv.try_into().map_err(|iv: Vec<u8>| DecryptError::Malformed(format!("the iv is {} bytes, not 16", iv.len())))?;
    let plain = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv).ok().and_then(|d| d.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv).ok().and_then(|d| d.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv).ok().and_then(|d| d.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()),
        _ => None, // excluded above
    };
    let plain = plain.ok_or(DecryptError::WrongKeyOrCorrupt)?;
    Ok(String::from_utf8_lossy(plain).into_owned())
}

/// Decodes base64 as `atob` does: ASCII whitespace is ignored, padding is
/// optional, anything outside the standard alphabet is an error.
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let mut sextets: Vec<u8> = Vec::with_capacity(s.len());
    for (i, c) in s.bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' => continue,
            b'=' => {
                // Up to two `=` at the very end (ignoring whitespace).
                let rest = s[i..].bytes().filter(|b| !b.is_ascii_whitespace());
                let pad = rest.clone().count();
                if pad > 2 || rest.into_iter().any(|b| b != b'=') || !(sextets.len() + pad).is_multiple_of(4) {
                    return Err("misplaced `=` padding".into());
                }
                break;
            }
            other => return Err(format!("invalid character {:?} at offset {i}", other as char)),
        };
        sextets.push(v);
    }
    if sextets.len() % 4 == 1 {
        return Err("truncated (length is not valid for base64)".into());
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let mut n: u32 = 0;
        for (j, v) in chunk.iter().enumerate() {
            n |= u32::from(*v) << (18 - 6 * j);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_atob() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64_decode(" aGVs\nbG8= ").unwrap(), b"hello");
        assert!(base64_decode("aGVsbG8==").is_err());
        assert!(base64_decode("a").is_err());
        assert!(base64_decode("a=b=").is_err());
        assert!(base64_decode("aGV*").is_err());
    }

    #[test]
    fn decrypts_growthbook_payloads() {
        let text = decrypt(
            "m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj",
            "Zvwv/+uhpFDznZ6SX28Yjg==",
        );
        assert_eq!(text.as_deref(), Ok(r#"{"feature":{"defaultValue":true}}"#));
        assert!(matches!(decrypt("m5ylFM6ndyOJA2OPadubkw==", "Zvwv/+uhpFDznZ6SX28Yjg=="), Err(DecryptError::Malformed(_))));
        assert!(matches!(decrypt("a.b", "abc"), Err(DecryptError::BadKey(_))));
    }
}
