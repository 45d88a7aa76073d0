//! Services the host platform provides to the pure core.
//!
//! The core never links a regex engine of its own into the Wasm build: the
//! browser and workerd already have one (`RegExp`), with exactly the semantics
//! GrowthBook's JavaScript SDK uses. Natively, `regex-lite` stands in.

use std::rc::Rc;

/// A compiled regular expression.
pub trait Regex {
    /// `RegExp.prototype.test`: does the pattern match anywhere in `haystack`?
    fn test(&self, haystack: &str) -> bool;
}

/// Compiles patterns. Implementations must bound their own resource use
/// (pattern size, compiled size) and return `Err` rather than panic.
pub trait RegexEngine {
    /// Compiles `pattern` (JavaScript syntax), case-insensitively if asked.
    fn compile(&self, pattern: &str, case_insensitive: bool) -> Result<Rc<dyn Regex>, String>;
}

/// The nearest `f64` to a decimal literal (see `json::number`, which asks
/// only for the inputs its own exact path cannot do). In Wasm the host's
/// `parseFloat`, which rounds correctly in every JavaScript engine; natively
/// std's parser, which does too. Either way, the same bits.
#[cfg(target_arch = "wasm32")]
pub(crate) fn parse_float(text: &str) -> f64 {
    js_sys::parse_float(text)
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn parse_float(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// `String(n)` for a positive finite number that is not a small integer
/// (see `json::write::write_js_number`): the host's `Number#toString`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn number_to_string(n: f64, out: &mut String) {
    if let Ok(s) = js_sys::Number::from(n).to_string_with_radix(10) {
        out.push_str(&String::from(s));
    }
}

/// `toLowerCase` for text that is not all ASCII (see `json::js::to_lower_case`).
/// In Wasm the host's own, which is exactly what GrowthBook's JS SDK does, and
/// spares the build std's 11 KB case table; natively std's. Both apply
/// Unicode's full lowercase mapping, final sigma included; they could differ
/// only on letters one Unicode version has and the other lacks.
#[cfg(target_arch = "wasm32")]
pub(crate) fn to_lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn to_lowercase(text: &str) -> String {
    text.to_lowercase()
}

/// Does `signature` (64 bytes, decoded from `signature_b64`) sign `message`
/// under the Ed25519 `public_key` (32 bytes)? `None`: the browser's build
/// has not been told. That build has no Ed25519 of its own (8.5 KB gzip):
/// the host verifies with WebCrypto, which is asynchronous, before deciding,
/// and reports each result through [`vouch`]. A page can vouch for anything
/// it likes; so can any script on the visitor's own device. The edge's full
/// build never listens: it verifies every signature itself.
#[cfg(feature = "full")]
pub(crate) fn ed25519_verify(public_key: &[u8], message: &str, _signature_b64: &str, signature: &[u8]) -> Option<bool> {
    let (Ok(key), Ok(sig)) = (ed25519_compact::PublicKey::from_slice(public_key), ed25519_compact::Signature::from_slice(signature)) else {
        return Some(false);
    };
    Some(key.verify(message.as_bytes(), &sig).is_ok())
}

#[cfg(not(feature = "full"))]
pub(crate) fn ed25519_verify(public_key: &[u8], message: &str, signature_b64: &str, _signature: &[u8]) -> Option<bool> {
    vouched::VOUCHED.with_borrow(|v| v.iter().find(|(k, m, s, _)| k == public_key && m == message && s == signature_b64).map(|e| e.3))
}

/// How many results [`vouch`] has recorded so far, so that a page prepared
/// before the latest is prepared again; always 0 in the full build.
pub fn vouches() -> u64 {
    #[cfg(not(feature = "full"))]
    return vouched::COUNT.get();
    #[cfg(feature = "full")]
    0
}

/// Records what the host's own verification of a claim (`payload.signature`,
/// base64url) under `public_key` found, for the browser build's
/// [`ed25519_verify`]; the last 256 are kept. The full build ignores it.
pub fn vouch(public_key: &[u8], claim: &str, valid: bool) {
    #[cfg(not(feature = "full"))]
    if let Some((message, signature)) = claim.trim().split_once('.') {
        vouched::VOUCHED.with_borrow_mut(|v| {
            v.retain(|(k, m, s, _)| !(k == public_key && m == message && s == signature));
            if v.len() == 256 {
                v.remove(0);
            }
            v.push((public_key.to_vec(), message.to_owned(), signature.to_owned(), valid));
        });
        vouched::COUNT.set(vouched::COUNT.get() + 1);
    }
    #[cfg(feature = "full")]
    let _ = (public_key, claim, valid);
}

#[cfg(not(feature = "full"))]
mod vouched {
    use std::cell::{Cell, RefCell};

    type Entry = (Vec<u8>, String, String, bool);

    thread_local! {
        pub(super) static VOUCHED: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
        pub(super) static COUNT: Cell<u64> = const { Cell::new(0) };
    }
}

/// Longest pattern any engine is asked to compile; longer ones fail to
/// compile (and so never match), bounding hostile manifests.
pub const MAX_PATTERN_LEN: usize = 4096;

#[cfg(feature = "native")]
mod native {
    use super::*;

    /// `regex-lite`: small, linear-time, no look-around or back-references.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct NativeRegexEngine;

    struct Compiled(regex_lite::Regex);

    impl Regex for Compiled {
        fn test(&self, haystack: &str) -> bool {
            self.0.is_match(haystack)
        }
    }

    impl RegexEngine for NativeRegexEngine {
        fn compile(&self, pattern: &str, case_insensitive: bool) -> Result<Rc<dyn Regex>, String> {
            if pattern.len() > MAX_PATTERN_LEN {
                return Err(format!("pattern longer than {MAX_PATTERN_LEN} bytes"));
            }
            regex_lite::RegexBuilder::new(pattern)
                .case_insensitive(case_insensitive)
                .size_limit(1 << 20)
                .nest_limit(64)
                .build()
                .map(|r| Rc::new(Compiled(r)) as Rc<dyn Regex>)
                .map_err(|e| e.to_string())
        }
    }
}

#[cfg(feature = "native")]
pub use native::NativeRegexEngine;

/// An engine that compiles nothing: every `$regex` condition is false. Used
/// where no regex engine is available; never silently in a normal build.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRegexEngine;

impl RegexEngine for NoRegexEngine {
    fn compile(&self, _pattern: &str, _ci: bool) -> Result<Rc<dyn Regex>, String> {
        Err("no regex engine on this host".into())
    }
}

#[cfg(all(test, not(feature = "full")))]
mod browser_build_tests {
    use super::*;

    #[test]
    fn signatures_count_only_once_the_host_has_vouched() {
        let (key, other) = ([7u8; 32], [8u8; 32]);
        assert_eq!(ed25519_verify(&key, "payload", "sig", &[0; 64]), None);
        let before = vouches();
        vouch(&key, " payload.sig ", true);
        assert_eq!(vouches(), before + 1);
        assert_eq!(ed25519_verify(&key, "payload", "sig", &[0; 64]), Some(true));
        assert_eq!(ed25519_verify(&other, "payload", "sig", &[0; 64]), None, "another manifest's key");
        assert_eq!(ed25519_verify(&key, "payload", "other", &[0; 64]), None, "another signature");
        vouch(&key, "payload.sig", false);
        assert_eq!(ed25519_verify(&key, "payload", "sig", &[0; 64]), Some(false), "the latest result counts");
        // Bounded: the oldest results go first.
        for i in 0..300 {
            vouch(&key, &format!("p{i}.s"), true);
        }
        assert_eq!(vouched::VOUCHED.with_borrow(Vec::len), 256);
        assert_eq!(ed25519_verify(&key, "payload", "sig", &[0; 64]), None);
        assert_eq!(ed25519_verify(&key, "p299", "s", &[0; 64]), Some(true));
    }
}
