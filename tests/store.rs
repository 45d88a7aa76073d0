//! Storage: the consent gate, faults and degradation, erase, the profile's
//! slot, and the cookie digest, including hostile input.

use std::cell::RefCell;
use std::rc::Rc;

use hearth::consent::policy::{decide, Capabilities, Choices, Signals, Store};
use hearth::profile::{self, CodecError, Profile};
use hearth::store::*;
use proptest::prelude::*;

const T0: i64 = 1_780_000_000_000;

fn cap() -> Store {
    decide(&Signals { choices: Some(Choices { store: true, ..Default::default() }), ..Default::default() }).capabilities.store.unwrap()
}

/// What a test can see and switch in a [`Faulty`] backend.
#[derive(Default)]
struct State {
    data: MemoryStore,
    on_read: Option<StoreError>,
    on_write: Option<StoreError>,
    on_remove: Option<StoreError>,
    calls: u32,
}

/// A backend that fails on command; the test keeps a handle to its state.
#[derive(Clone, Default)]
struct Faulty(Rc<RefCell<State>>);

impl Faulty {
    fn with(pairs: &[(&str, &str)]) -> Faulty {
        let f = Faulty::default();
        for (k, v) in pairs {
            f.0.borrow_mut().data.set(k, v).unwrap();
        }
        f
    }
    fn value(&self, key: &str) -> Option<String> {
        self.0.borrow().data.get(key).unwrap()
    }
    fn keys(&self) -> Vec<String> {
        self.0.borrow().data.keys().unwrap()
    }
}

impl Backend for Faulty {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut s = self.0.borrow_mut();
        s.calls += 1;
        s.on_read.clone().map_or_else(|| s.data.get(key), Err)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut s = self.0.borrow_mut();
        s.calls += 1;
        s.on_write.clone().map_or_else(|| s.data.set(key, value), Err)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        let mut s = self.0.borrow_mut();
        s.calls += 1;
        s.on_remove.clone().map_or_else(|| s.data.remove(key), Err)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut s = self.0.borrow_mut();
        s.calls += 1;
        s.on_read.clone().map_or_else(|| s.data.keys(), Err)
    }
}

const FAULTS: [StoreError; 3] = [StoreError::QuotaExceeded, StoreError::SecurityError, StoreError::Unavailable];

#[test]
fn nothing_reaches_the_backend_without_consent() {
    let f = Faulty::with(&[("hearth:profile", "x")]);
    let mut s = Storage::new(f.clone());
    // Before consent and after a refusal there is no `Store` to pass.
    for signals in [
        Signals::default(),
        Signals { choices: Some(Choices::default()), ..Default::default() },
        Signals { withdrawn: true, ..Default::default() },
    ] {
        let caps: Capabilities = decide(&signals).capabilities;
        assert!(caps.store.is_none());
        if let Some(c) = caps.store {
            s.set(c, "profile", "y");
        }
    }
    assert_eq!((s.backend_calls(), f.0.borrow().calls), (0, 0));
    // With consent, every backend call is counted.
    assert_eq!(s.get(cap(), "profile").as_deref(), Some("x"));
    s.set(cap(), "a", "1");
    s.remove(cap(), "a");
    assert_eq!((s.backend_calls(), f.0.borrow().calls), (3, 3));
    assert_eq!(f.keys(), ["hearth:profile"], "keys are always prefixed");
}

#[test]
fn a_failed_write_degrades_to_memory_and_loses_nothing() {
    for fault in FAULTS {
        let f = Faulty::with(&[("hearth:profile", "old"), ("hearth:other", "kept")]);
        let mut s = Storage::new(f.clone());
        s.set(cap(), "fresh", "1");
        assert!(s.degraded().is_none());
        f.0.borrow_mut().on_write = Some(fault.clone());
        s.set(cap(), "profile", "new");
        assert_eq!(s.degraded(), Some(&fault), "{fault}");
        // Read your writes from the overlay; the backend's old value is untouched.
        assert_eq!(s.get(cap(), "profile").as_deref(), Some("new"));
        assert_eq!(f.value("hearth:profile").as_deref(), Some("old"));
        assert_eq!(s.get(cap(), "other").as_deref(), Some("kept"));
        assert_eq!(s.get(cap(), "fresh").as_deref(), Some("1"));
        // For the rest of the page no write goes to the backend, even if it recovers.
        f.0.borrow_mut().on_write = None;
        let calls = f.0.borrow().calls;
        s.set(cap(), "later", "2");
        assert_eq!(f.0.borrow().calls, calls);
        assert_eq!(s.get(cap(), "later").as_deref(), Some("2"));
        assert_eq!(f.value("hearth:later"), None);
        // The first reason is the one reported.
        f.0.borrow_mut().on_read = Some(StoreError::Other("late".into()));
        assert_eq!(s.get(cap(), "missing"), None);
        assert_eq!(s.degraded(), Some(&fault));
    }
}

#[test]
fn a_throwing_read_degrades_and_later_writes_stay_readable() {
    for fault in FAULTS {
        let f = Faulty::with(&[("hearth:profile", "old")]);
        f.0.borrow_mut().on_read = Some(fault.clone());
        let mut s = Storage::new(f.clone());
        assert_eq!(s.get(cap(), "profile"), None);
        assert_eq!(s.degraded().map(|e| e.to_string()), Some(fault.to_string()));
        s.set(cap(), "profile", "new");
        assert_eq!(s.get(cap(), "profile").as_deref(), Some("new"));
        assert_eq!(f.value("hearth:profile").as_deref(), Some("old"));
    }
}

#[test]
fn removing_while_degraded_hides_the_key_and_tries_the_backend() {
    let f = Faulty::with(&[("hearth:a", "1"), ("hearth:b", "2")]);
    let mut s = Storage::new(f.clone());
    f.0.borrow_mut().on_write = Some(StoreError::QuotaExceeded);
    s.set(cap(), "a", "x");
    s.remove(cap(), "a");
    s.remove(cap(), "b");
    assert_eq!((s.get(cap(), "a"), s.get(cap(), "b")), (None, None));
    assert_eq!(f.keys(), Vec::<String>::new(), "deleting still reaches the backend");
    // A remove that throws still hides the key for this page.
    let f = Faulty::with(&[("hearth:a", "1")]);
    f.0.borrow_mut().on_remove = Some(StoreError::SecurityError);
    let mut s = Storage::new(f.clone());
    s.remove(cap(), "a");
    assert_eq!(s.get(cap(), "a"), None);
    assert_eq!(s.degraded(), Some(&StoreError::SecurityError));
}

#[test]
fn erase_removes_exactly_the_hearth_keys_without_consent() {
    let f = Faulty::with(&[("hearth:profile", "p"), ("hearth:digest", "d"), ("theme", "dark"), ("hearthstone", "x"), ("x:hearth:y", "z")]);
    let mut s = Storage::new(f.clone());
    s.set(cap(), "seen", "1");
    f.0.borrow_mut().on_write = Some(StoreError::QuotaExceeded);
    s.set(cap(), "overlay-only", "2");
    // No `Store` needed: a visitor who withdrew consent can still erase.
    let erased = s.erase();
    assert_eq!(erased.removed, ["hearth:digest", "hearth:overlay-only", "hearth:profile", "hearth:seen"]);
    assert_eq!(erased.failed, None);
    assert_eq!(f.keys(), ["hearthstone", "theme", "x:hearth:y"]);
    assert_eq!(s.get(cap(), "overlay-only"), None);
    assert_eq!(s.get(cap(), "profile"), None);
    assert_eq!(s.erase().removed, Vec::<String>::new(), "erase is idempotent");
}

#[test]
fn an_erase_that_cannot_finish_says_so_and_hides_everything() {
    let f = Faulty::with(&[("hearth:profile", "p"), ("theme", "dark")]);
    let mut s = Storage::new(f.clone());
    f.0.borrow_mut().on_remove = Some(StoreError::SecurityError);
    let erased = s.erase();
    assert_eq!((erased.removed.len(), erased.failed), (0, Some(StoreError::SecurityError)));
    assert_eq!(s.get(cap(), "profile"), None, "nothing of hearth reads back on this page");
    s.set(cap(), "after", "1");
    assert_eq!(s.get(cap(), "after").as_deref(), Some("1"));
    let f = Faulty::with(&[("hearth:profile", "p")]);
    f.0.borrow_mut().on_read = Some(StoreError::Unavailable);
    let mut s = Storage::new(f);
    assert_eq!(s.erase().failed, Some(StoreError::Unavailable));
    assert_eq!(s.get(cap(), "profile"), None);
}

#[test]
fn profiles_round_trip_and_corruption_resets_with_a_reason() {
    let mut s = Storage::new(MemoryStore::new());
    assert_eq!(load_profile(&mut s, cap()), Ok(None));
    let mut p = Profile::new(42, T0);
    p.sticky.push(("exp".into(), "b".into()));
    save_profile(&mut s, cap(), &p);
    assert_eq!(load_profile(&mut s, cap()), Ok(Some(p.clone())));

    let good = s.get(cap(), PROFILE).unwrap();
    let mut flipped = good.clone().into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let bad = [
        ("not base64 at all!", "not base64"),
        ("aGVsbG8gd29ybGQ=", "not a hearth profile"),
        (std::str::from_utf8(&flipped).unwrap(), "checksum"),
        (&good[..good.len() / 2], "profile"),
    ];
    for (stored, why) in bad {
        s.set(cap(), PROFILE, stored);
        let err = load_profile(&mut s, cap()).unwrap_err();
        assert!(err.to_string().contains(why), "{stored}: {err}");
        assert_eq!(s.get(cap(), PROFILE), None, "the corrupted key is removed");
        assert_eq!(load_profile(&mut s, cap()), Ok(None), "and the next load starts fresh");
    }
    s.set(cap(), PROFILE, &"A".repeat(100_000));
    assert!(matches!(load_profile(&mut s, cap()), Err(ProfileReset::TooLarge(100_000))));
    // Another app's data under our key, or a damaged codec payload: both named.
    s.set(cap(), PROFILE, "AAAA");
    assert_eq!(load_profile(&mut s, cap()), Err(ProfileReset::Codec(CodecError::Foreign)));
    let _ = profile::FORMAT_VERSION;
}

#[test]
fn saving_a_profile_on_a_full_disk_keeps_the_old_one() {
    let f = Faulty::default();
    let mut s = Storage::new(f.clone());
    let old = Profile::new(1, T0);
    save_profile(&mut s, cap(), &old);
    let stored = f.value("hearth:profile");
    f.0.borrow_mut().on_write = Some(StoreError::QuotaExceeded);
    let mut new = old.clone();
    new.visits = 7;
    save_profile(&mut s, cap(), &new);
    assert_eq!(load_profile(&mut s, cap()), Ok(Some(new)));
    assert_eq!(f.value("hearth:profile"), stored);
    assert_eq!(s.degraded().unwrap().to_string(), "storage quota exceeded");
}

fn digest() -> Digest {
    let caps =
        decide(&Signals { choices: Some(Choices { store: true, content: true, ..Default::default() }), ..Default::default() }).capabilities;
    Digest {
        id: *b"0123456789abcdef",
        sticky: vec![("checkout-test".into(), "b".into()), ("hero".into(), "control".into())],
        affinities: vec![("running".into(), 15), ("camping".into(), 4)],
        consent: ConsentState::of(&caps, 20_600),
    }
}

#[test]
fn the_digest_round_trips_and_is_cookie_safe() {
    let d = digest();
    let v = encode_digest(cap(), &d);
    assert!(v.len() < 100 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{v}");
    let back = decode_digest(&v).unwrap();
    assert_eq!(back, d);
    assert_eq!(back.consent.granted(), ["store", "buildContent", "useContent"]);
    assert_eq!(back.id_text(), "MDEyMzQ1Njc4OWFiY2RlZg");
}

#[test]
fn the_digest_stays_under_a_kilobyte() {
    let mut d = digest();
    d.sticky = (0..200).map(|i| (format!("experiment-with-a-long-name-{i:03}"), format!("variation-{i}"))).collect();
    d.affinities = (0..40).map(|i| (format!("tag-{i:02}"), (i % 20) as u8)).collect();
    let v = encode_digest(cap(), &d);
    assert!(v.len() <= MAX_DIGEST_LEN && format!("{DIGEST_COOKIE}={v}").len() < 1024, "{}", v.len());
    let back = decode_digest(&v).unwrap();
    // Affinities are shed before sticky entries; the first sticky entries survive.
    assert!(back.affinities.is_empty() && !back.sticky.is_empty() && back.sticky.len() < MAX_DIGEST_STICKY);
    assert_eq!(back.sticky[..], d.sticky[..back.sticky.len()]);
    // Without pressure: top tags, strongest first, clamped to 15.
    d.sticky.truncate(2);
    let back = decode_digest(&encode_digest(cap(), &d)).unwrap();
    assert_eq!(back.affinities.len(), MAX_DIGEST_TAGS);
    assert!(back.affinities.iter().all(|(_, s)| *s == 15));
    // Fields too long to be real are left out, not cut.
    d.sticky = vec![("x".repeat(65), "a".into()), ("ok".into(), "b".into())];
    assert_eq!(decode_digest(&encode_digest(cap(), &d)).unwrap().sticky, [("ok".to_owned(), "b".to_owned())]);
}

#[test]
fn bad_digests_are_rejected_with_a_reason() {
    let v = encode_digest(cap(), &digest());
    let mut tampered = v.clone().into_bytes();
    tampered[30] = if tampered[30] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).unwrap();
    // A well-formed v2 value (valid checksum, unknown version).
    let v2 = {
        let mut b = base64url_decode(&v);
        b[0] = 2;
        let n = b.len() - 4;
        let sum = b[..n].iter().fold(0x811c_9dc5u32, |h, x| (h ^ u32::from(*x)).wrapping_mul(0x0100_0193));
        b[n..].copy_from_slice(&sum.to_le_bytes());
        base64url(&b)
    };
    let cases: [(&str, DigestError, &str); 7] = [
        ("", DigestError::Empty, "empty"),
        (&tampered, DigestError::Checksum, "tampered"),
        (&v[..v.len() - 3], DigestError::Checksum, "checksum"),
        ("AAAAA", DigestError::Truncated, "truncated"),
        ("hearth=abc; Path=/", DigestError::NotBase64 { offset: 6 }, "base64url"),
        (&v2, DigestError::Version(2), "v2"),
        (&"A".repeat(4097), DigestError::Oversize(4097), "4096"),
    ];
    for (input, err, why) in cases {
        let got = decode_digest(input).unwrap_err();
        assert_eq!(got, err, "{input}");
        assert!(got.to_string().starts_with("cookie digest ignored: ") && got.to_string().contains(why), "{got}");
    }
}

#[test]
fn cookie_headers_are_secure_and_erasable() {
    let h = set_cookie(cap(), &digest(), 30 * 86_400);
    assert!(h.starts_with("hearth=") && h.ends_with("; Max-Age=2592000; Path=/; Secure; SameSite=Lax"), "{h}");
    let value = h["hearth=".len()..h.find(';').unwrap()].to_owned();
    assert_eq!(decode_digest(&value).unwrap(), digest());
    assert!(set_cookie(cap(), &digest(), u32::MAX).contains(&format!("Max-Age={MAX_AGE_SECS};")));
    assert_eq!(delete_cookie(), "hearth=; Max-Age=0; Path=/; Secure; SameSite=Lax");
}

fn base64url(b: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits: Vec<bool> = b.iter().flat_map(|x| (0..8).rev().map(move |i| x >> i & 1 == 1)).collect();
    bits.chunks(6).map(|c| A[c.iter().enumerate().fold(0, |n, (i, on)| n | usize::from(*on) << (5 - i))] as char).collect()
}

fn base64url_decode(s: &str) -> Vec<u8> {
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits: Vec<bool> = s.chars().flat_map(|c| (0..6).rev().map(move |i| A.find(c).unwrap() >> i & 1 == 1)).collect();
    bits.chunks_exact(8).map(|c| c.iter().fold(0u8, |n, on| n << 1 | u8::from(*on))).collect()
}

proptest! {
    #[test]
    fn decode_digest_never_panics(s in ".{0,200}", b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_digest(&s);
        // Valid base64url of arbitrary bytes reaches the field decoder.
        let _ = decode_digest(&base64url(&b));
    }

    #[test]
    fn digests_round_trip(
        id in any::<[u8; 16]>(), bits in 0u8..64, day in any::<i32>(),
        sticky in proptest::collection::vec(("[a-z0-9-]{1,20}", "[a-z]{1,10}"), 0..10),
        tags in proptest::collection::vec(("[a-z]{1,12}", 0u8..=15), 0..8),
    ) {
        let mut d = Digest { id, sticky, affinities: tags, consent: ConsentState { bits, day } };
        d.affinities.sort_by_key(|a| std::cmp::Reverse(a.1));
        let v = encode_digest(cap(), &d);
        prop_assert!(v.len() <= MAX_DIGEST_LEN);
        prop_assert_eq!(decode_digest(&v).unwrap(), d);
    }

    #[test]
    fn load_profile_never_panics(stored in ".{0,300}", b in proptest::collection::vec(any::<u8>(), 0..300)) {
        for value in [stored, base64_std::encode(&b), base64_std::encode(&[b"hp\x01".as_slice(), &b].concat())] {
            let mut s = Storage::new(MemoryStore::new());
            s.set(cap(), PROFILE, &value);
            if load_profile(&mut s, cap()).is_err() {
                prop_assert_eq!(s.get(cap(), PROFILE), None);
            }
        }
    }
}

/// Standard base64 for the tests (the crate's own encoder is private).
mod base64_std {
    pub fn encode(b: &[u8]) -> String {
        let mut s = super::base64url(b).replace('-', "+").replace('_', "/");
        while !s.len().is_multiple_of(4) {
            s.push('=');
        }
        s
    }
}
