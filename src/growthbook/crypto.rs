//! Decryption of GrowthBook's encrypted payload sections.
//!
//! The SDK encrypts `features` / `savedGroups` / `experiments` with AES-CBC
//! (PKCS#7 padding) and ships `base64(iv) + "." + base64(ciphertext)`; the
//! key is base64 too. The JS SDK uses WebCrypto, which is asynchronous; this
//! is the pure-Rust `aes` + `cbc` pair so a manifest loads synchronously and
//! identically on every target. The browser's build (without the `full`
//! feature) leaves AES out: js/hearth.js's `Hearth.loadAsync` decrypts with
//! WebCrypto there, and `decrypt` says so.

use crate::base64;
#[cfg(feature = "full")]
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
    /// This build has no AES (the browser's: it decrypts with WebCrypto).
    NotInThisBuild,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::BadKey(why) => write!(f, "bad decryption key: {why}"),
            DecryptError::Malformed(why) => write!(f, "malformed encrypted text: {why}"),
            DecryptError::WrongKeyOrCorrupt => f.write_str("wrong decryption key or corrupted data"),
            DecryptError::NotInThisBuild => {
                f.write_str("the browser build decrypts with WebCrypto: load it with `await Hearth.loadAsync(manifest, {decryptionKey})`")
            }
        }
    }
}

impl std::error::Error for DecryptError {}

/// Decrypts `iv.ciphertext` with `key`, returning the UTF-8 text (invalid
/// sequences replaced, as `TextDecoder` does).
pub fn decrypt(encrypted: &str, key: &str) -> Result<String, DecryptError> {
    let key = base64::decode(key).map_err(|e| DecryptError::BadKey(e.to_string()))?;
    if !matches!(key.len(), 16 | 24 | 32) {
        return Err(DecryptError::BadKey(format!("an AES key is 16, 24 or 32 bytes, this one is {}", key.len())));
    }
    // `encryptedString.split(".")`: only the first two parts are used.
    let mut parts = encrypted.split('.');
    let iv = parts.next().unwrap_or_default();
    let Some(cipher) = parts.next() else {
        return Err(DecryptError::Malformed("expected `iv.ciphertext`".into()));
    };
    let iv = base64::decode(iv).map_err(|e| DecryptError::Malformed(format!("iv: {e}")))?;
    let mut buf = base64::decode(cipher).map_err(|e| DecryptError::Malformed(format!("ciphertext: {e}")))?;
    let iv: [u8; 16] = iv.try_into().map_err(|iv: Vec<u8>| DecryptError::Malformed(format!("the iv is {} bytes, not 16", iv.len())))?;
    aes_cbc(&key, iv, &mut buf).map(|plain| String::from_utf8_lossy(plain).into_owned())
}

#[cfg(feature = "full")]
fn aes_cbc<'b>(key: &[u8], iv: [u8; 16], buf: &'b mut [u8]) -> Result<&'b [u8], DecryptError> {
    let plain = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, &iv).ok().and_then(|d| d.decrypt_padded_mut::<Pkcs7>(buf).ok()),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, &iv).ok().and_then(|d| d.decrypt_padded_mut::<Pkcs7>(buf).ok()),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, &iv).ok().and_then(|d| d.decrypt_padded_mut::<Pkcs7>(buf).ok()),
        _ => None, // excluded above
    };
    plain.ok_or(DecryptError::WrongKeyOrCorrupt)
}

#[cfg(not(feature = "full"))]
fn aes_cbc<'b>(_key: &[u8], _iv: [u8; 16], _buf: &'b mut [u8]) -> Result<&'b [u8], DecryptError> {
    Err(DecryptError::NotInThisBuild)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CIPHER: &str = "m5ylFM6ndyOJA2OPadubkw==.Uu7ViqgKEt/dWvCyhI46q088PkAEJbnXKf3KPZjf9IEQQ+A8fojNoxw4wIbPX3aj";
    const KEY: &str = "Zvwv/+uhpFDznZ6SX28Yjg==";

    #[test]
    #[cfg(feature = "full")]
    fn decrypts_growthbook_payloads() {
        assert_eq!(decrypt(CIPHER, KEY).as_deref(), Ok(r#"{"feature":{"defaultValue":true}}"#));
    }

    #[test]
    #[cfg(not(feature = "full"))]
    fn the_browser_build_points_at_webcrypto() {
        assert_eq!(decrypt(CIPHER, KEY), Err(DecryptError::NotInThisBuild));
        assert!(DecryptError::NotInThisBuild.to_string().contains("Hearth.loadAsync"));
    }

    #[test]
    fn malformed_input_is_reported_in_every_build() {
        assert!(matches!(decrypt("m5ylFM6ndyOJA2OPadubkw==", "Zvwv/+uhpFDznZ6SX28Yjg=="), Err(DecryptError::Malformed(_))));
        assert!(matches!(decrypt("a.b", "abc"), Err(DecryptError::BadKey(_))));
    }
}
