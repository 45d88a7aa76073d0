//! Device storage behind consent: a small key/value trait, a wrapper that
//! only opens with the `Store` capability and survives a throwing backend,
//! the profile's slot in it, and the cookie digest for the edge.
//!
//! Every hearth key starts with [`PREFIX`], so [`Storage::erase`] removes all
//! of them and nothing else. Callers never see the backend: the [`Storage`]
//! wrapper owns it, and each read, write and remove takes a
//! [`Store`] value that only [`crate::consent::policy`] can construct, so
//! without consent nothing reaches localStorage, by construction.
//!
//! When the backend throws (quota exceeded, SecurityError, private mode,
//! storage switched off), the wrapper keeps the first reason, stops writing
//! to the backend and serves writes from an in-memory overlay for the rest of
//! the page. A failed write never touches what was already stored.

mod digest;
mod memory;

pub use digest::{decode_digest, delete_cookie, encode_digest, set_cookie, ConsentState, Digest, DigestError};
pub use digest::{DIGEST_COOKIE, MAX_AGE_SECS, MAX_DIGEST_LEN, MAX_DIGEST_STICKY, MAX_DIGEST_TAGS, MAX_INPUT_LEN};
pub use memory::MemoryStore;

use crate::map::SortedMap;
use std::fmt;

use crate::consent::policy::Store;
use crate::profile::{self, CodecError, Profile};

/// Every key hearth writes starts with this.
pub const PREFIX: &str = "hearth:";
/// The profile's key name (stored as `hearth:profile`).
pub const PROFILE: &str = "profile";

/// Why the backend refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The origin's storage quota is used up.
    QuotaExceeded,
    /// The browser forbids storage here (blocked cookies, sandboxed frame).
    SecurityError,
    /// No storage at all (private mode, storage switched off, not a browser).
    Unavailable,
    Other(String),
}

impl StoreError {
    /// From a thrown `DOMException`'s `name` and `message`, as browsers spell them.
    pub fn from_dom(name: &str, message: &str) -> StoreError {
        match name {
            "QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED" => StoreError::QuotaExceeded,
            "SecurityError" => StoreError::SecurityError,
            "InvalidStateError" | "NotSupportedError" | "UnknownError" => StoreError::Unavailable,
            _ => StoreError::Other(format!("{name}: {message}")),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::QuotaExceeded => f.write_str("storage quota exceeded"),
            StoreError::SecurityError => f.write_str("storage is blocked by the browser (SecurityError)"),
            StoreError::Unavailable => f.write_str("storage is unavailable (private mode or switched off)"),
            StoreError::Other(m) => write!(f, "storage failed: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// String keys to string values: what localStorage and cookies hold.
pub trait Backend {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str) -> Result<(), StoreError>;
    /// Every key the backend holds, hearth's or not.
    fn keys(&self) -> Result<Vec<String>, StoreError>;
}

impl<B: Backend + ?Sized> Backend for Box<B> {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        (**self).get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        (**self).set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        (**self).remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        (**self).keys()
    }
}

/// What [`Storage::erase`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Full keys removed (backend and overlay), sorted.
    pub removed: Vec<String>,
    /// Set when some backend key could not be removed; those keys are
    /// hidden for the rest of the page and the caller should say so.
    pub failed: Option<StoreError>,
}

/// The only way to device storage. See the module docs.
pub struct Storage<B> {
    backend: B,
    /// Once degraded: writes live here; `None` hides a key the backend may still hold.
    overlay: SortedMap<String, Option<String>>,
    degraded: Option<StoreError>,
    /// After an erase that could not finish: the backend is never read again.
    sealed: bool,
    calls: u32,
}

fn full(name: &str) -> String {
    format!("{PREFIX}{name}")
}

impl<B: Backend> Storage<B> {
    /// Wraps `backend` without touching it.
    pub fn new(backend: B) -> Storage<B> {
        Storage { backend, overlay: SortedMap::new(), degraded: None, sealed: false, calls: 0 }
    }

    /// How many times the backend was called (0 until consent, and after a refusal).
    pub fn backend_calls(&self) -> u32 {
        self.calls
    }

    /// Why storage fell back to memory for this page, if it did (the first fault only).
    pub fn degraded(&self) -> Option<&StoreError> {
        self.degraded.as_ref()
    }

    fn fault(&mut self, e: StoreError) {
        self.degraded.get_or_insert(e);
    }

    /// Reads `hearth:<name>`: the overlay first, then the backend (a fault reads as absent).
    pub fn get(&mut self, _: Store, name: &str) -> Option<String> {
        let key = full(name);
        if let Some(v) = self.overlay.get(&key) {
            return v.clone();
        }
        if self.sealed {
            return None;
        }
        self.calls += 1;
        self.backend.get(&key).unwrap_or_else(|e| {
            self.fault(e);
            None
        })
    }

    /// Writes `hearth:<name>`. After a fault, to the overlay only: the
    /// backend keeps its old value and reads see the new one.
    pub fn set(&mut self, _: Store, name: &str, value: &str) {
        let key = full(name);
        if self.degraded.is_none() {
            self.calls += 1;
            match self.backend.set(&key, value) {
                Ok(()) => return,
                Err(e) => self.fault(e),
            }
        }
        self.overlay.insert(key, Some(value.to_owned()));
    }

    /// Removes `hearth:<name>`. Deleting is attempted on the backend even
    /// when degraded (it cannot lose anything), and hidden in the overlay.
    pub fn remove(&mut self, _: Store, name: &str) {
        let key = full(name);
        self.calls += 1;
        if let Err(e) = self.backend.remove(&key) {
            self.fault(e);
        }
        if self.degraded.is_some() {
            self.overlay.insert(key, None);
        }
    }

    /// Removes every hearth key from the backend and the overlay, and
    /// returns them. Needs no capability on purpose: a visitor who withdrew
    /// consent (so holds no `Store`) must still be able to have their data
    /// deleted, and deleting is always allowed (GDPR art. 17; ePrivacy 5(3)
    /// restricts storing and reading, and removal only ends storage). It
    /// touches the backend, so call it on an explicit erase or a storage
    /// downgrade, not on a first refusal where nothing was ever stored.
    pub fn erase(&mut self) -> Erased {
        let mut removed: Vec<String> = self.overlay.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| k.clone()).collect();
        self.overlay.clear();
        let mut failed = None;
        self.calls += 1;
        match self.backend.keys() {
            Ok(keys) => {
                for k in keys.into_iter().filter(|k| k.starts_with(PREFIX)) {
                    self.calls += 1;
                    match self.backend.remove(&k) {
                        Ok(()) => removed.push(k),
                        Err(e) => {
                            failed.get_or_insert(e);
                        }
                    }
                }
            }
            Err(e) => failed = Some(e),
        }
        if let Some(e) = &failed {
            self.sealed = true;
            self.fault(e.clone());
        }
        crate::sort::sort(&mut removed);
        removed.dedup();
        Erased { removed, failed }
    }
}

/// Why a stored profile was discarded (and its key removed): start afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileReset {
    /// Far larger than any profile hearth writes.
    TooLarge(usize),
    NotBase64(String),
    Codec(CodecError),
}

impl fmt::Display for ProfileReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stored profile was discarded: ")?;
        match self {
            ProfileReset::TooLarge(n) => write!(f, "{n} characters is too large to be a hearth profile"),
            ProfileReset::NotBase64(why) => write!(f, "not base64 ({why})"),
            ProfileReset::Codec(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ProfileReset {}

/// Reads the stored profile: `Ok(None)` when there is none, `Err` (with the
/// key already removed) when it was corrupted or foreign.
pub fn load_profile<B: Backend>(s: &mut Storage<B>, cap: Store) -> Result<Option<Profile>, ProfileReset> {
    let Some(text) = s.get(cap, PROFILE) else { return Ok(None) };
    let read = if text.len() > 2 * profile::MAX_ENCODED_BYTES {
        Err(ProfileReset::TooLarge(text.len()))
    } else {
        crate::base64::decode(&text)
            .map_err(|e| ProfileReset::NotBase64(e.to_string()))
            .and_then(|b| profile::decode(&b).map_err(ProfileReset::Codec))
    };
    read.map(Some).inspect_err(|_| s.remove(cap, PROFILE))
}

/// Writes the profile (base64 of [`profile::encode`]).
pub fn save_profile<B: Backend>(s: &mut Storage<B>, cap: Store, p: &Profile) {
    s.set(cap, PROFILE, &crate::base64::encode(&profile::encode(p)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_exceptions_map_to_kinds() {
        assert_eq!(StoreError::from_dom("QuotaExceededError", ""), StoreError::QuotaExceeded);
        assert_eq!(StoreError::from_dom("SecurityError", "denied"), StoreError::SecurityError);
        assert_eq!(StoreError::from_dom("TypeError", "x is null").to_string(), "storage failed: TypeError: x is null");
    }
}
