//! Consent, profile and storage together: nothing stored before consent,
//! downgrades delete at once, erase removes everything.

use hearth::consent::policy::{Choices, Signals};
use hearth::host::NativeRegexEngine;
use hearth::manifest::Manifest;
use hearth::profile::Event;
use hearth::session::{NotLearned, Session};
use hearth::store::{Backend, StoreError};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

const T0: i64 = 1_780_000_000_000;

/// A backend the test can look into while the session owns it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<BTreeMap<String, String>>>);

impl Backend for Shared {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.0.borrow().keys().cloned().collect())
    }
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/manifest.sample.json")).unwrap();
    Manifest::parse(&text, &NativeRegexEngine).unwrap()
}

fn choices(store: bool, content: bool, promotions: bool) -> Signals {
    Signals { choices: Some(Choices { store, content, promotions, measure: false }), ..Default::default() }
}

fn view(item: &str) -> Event {
    Event::View { item: item.into() }
}

#[test]
fn nothing_touches_storage_before_consent_or_after_a_refusal() {
    let m = manifest();
    let disk = Shared::default();
    let mut s = Session::new(disk.clone(), 1, T0);
    assert_eq!(s.record(&view("shoe-ridge"), &m, T0), Err(NotLearned::NoConsent));
    s.set_consent(&choices(false, false, false), false, &m, T0);
    assert_eq!(s.record(&view("shoe-ridge"), &m, T0), Err(NotLearned::NoConsent));
    s.export(&m, T0);
    assert_eq!(s.storage_calls(), 0);
    assert!(disk.0.borrow().is_empty());
    // Content consent without storage: learned for this page, in memory only.
    s.set_consent(&choices(false, true, false), false, &m, T0);
    s.record(&view("shoe-ridge"), &m, T0).unwrap();
    assert_eq!(s.storage_calls(), 0);
    assert_eq!(s.export(&m, T0).get("storedWhere").unwrap().as_str(), Some("in memory for this page only"));
}

#[test]
fn storage_consent_persists_and_a_later_page_reads_it_back() {
    let m = manifest();
    let disk = Shared::default();
    let mut s = Session::new(disk.clone(), 1, T0);
    s.set_consent(&choices(true, true, false), false, &m, T0);
    s.record(&view("shoe-ridge"), &m, T0).unwrap();
    assert_eq!(disk.0.borrow().keys().collect::<Vec<_>>(), ["hearth:profile"]);

    let mut next = Session::new(disk.clone(), 2, T0 + 1000);
    next.set_consent(&choices(true, true, false), false, &m, T0 + 1000);
    let topics = next.export(&m, T0 + 1000);
    let topics = topics.get("topics").unwrap().as_array().unwrap();
    assert_eq!(topics[0].get("label").unwrap().as_str(), Some("Trail running"));
}

#[test]
fn downgrades_delete_the_namespace_at_once() {
    let m = manifest();
    let disk = Shared::default();
    let mut s = Session::new(disk.clone(), 1, T0);
    s.set_consent(&choices(true, true, true), false, &m, T0);
    s.record(&view("shoe-ridge"), &m, T0).unwrap();
    s.record_promotion("spring-sale", hearth::profile::PromotionEvent::Impression, &m, T0).unwrap();
    let change = s.set_consent(&choices(true, true, false), false, &m, T0);
    assert!(change.deleted.promotions && !change.deleted.content);
    assert!(s.profile(&m, T0).promotions.promotions.is_empty());
    assert!(!s.profile(&m, T0).content.affinities.is_empty());
    // What is stored was rewritten without the promotion namespace.
    let mut reread = Session::new(disk.clone(), 9, T0);
    reread.set_consent(&choices(true, true, true), false, &m, T0);
    assert!(reread.profile(&m, T0).promotions.promotions.is_empty());

    let change = s.set_consent(&choices(false, true, false), false, &m, T0);
    assert!(change.deleted.storage);
    assert!(disk.0.borrow().is_empty(), "losing storage consent deletes what was stored");
}

#[test]
fn erase_removes_everything_and_returns_what_it_removed() {
    let m = manifest();
    let disk = Shared::default();
    disk.0.borrow_mut().insert("other-app".into(), "keep me".into());
    let mut s = Session::new(disk.clone(), 1, T0);
    s.set_consent(&choices(true, true, true), false, &m, T0);
    s.record(&view("tent-2p"), &m, T0).unwrap();
    let erased = s.erase(T0);
    assert_eq!(erased.removed, ["hearth:profile"]);
    assert_eq!(disk.0.borrow().keys().collect::<Vec<_>>(), ["other-app"]);
    assert!(s.capabilities().granted().is_empty(), "consent is undetermined again");
    assert_eq!(s.record(&view("tent-2p"), &m, T0), Err(NotLearned::NoConsent));
    let doc = s.export(&m, T0);
    assert!(doc.get("topics").unwrap().as_array().unwrap().is_empty());
}

#[test]
fn a_corrupt_stored_profile_is_reset_with_a_reason() {
    let m = manifest();
    let disk = Shared::default();
    disk.0.borrow_mut().insert("hearth:profile".into(), "definitely not a profile".into());
    let mut s = Session::new(disk.clone(), 1, T0);
    let change = s.set_consent(&choices(true, true, false), false, &m, T0);
    let why = change.reset.expect("a reason");
    assert!(why.starts_with("stored profile was discarded"), "{why}");
    s.record(&view("tent-2p"), &m, T0).unwrap();
    assert_ne!(disk.0.borrow().get("hearth:profile").map(String::as_str), Some("definitely not a profile"));
}

#[test]
fn mute_and_pause_persist() {
    let m = manifest();
    let disk = Shared::default();
    let mut s = Session::new(disk.clone(), 1, T0);
    s.set_consent(&choices(true, true, false), false, &m, T0);
    s.record(&view("tent-2p"), &m, T0).unwrap();
    s.mute("camping");
    s.pause();
    let mut next = Session::new(disk.clone(), 1, T0);
    next.set_consent(&choices(true, true, false), false, &m, T0);
    let doc = next.export(&m, T0);
    assert_eq!(doc.get("muted").unwrap().as_array().unwrap().len(), 1);
    assert_eq!(doc.get("paused").unwrap().as_bool(), Some(true));
    assert!(matches!(next.record(&view("tent-2p"), &m, T0), Err(NotLearned::Invalid(_))));
}

#[test]
fn the_edge_digest_needs_store_consent_and_round_trips() {
    let m = manifest();
    let mut s = Session::new(hearth::store::MemoryStore::new(), 1, T0);
    assert_eq!(s.digest_cookie(&m, T0, [7; 16]), None, "no cookie without store consent");
    s.set_consent(&choices(true, true, false), false, &m, T0);
    for _ in 0..3 {
        s.record(&view("shoe-ridge"), &m, T0).unwrap();
    }
    s.record(&view("tent-2p"), &m, T0).unwrap();
    let cookie = s.digest_cookie(&m, T0, [7; 16]).unwrap();
    assert!(cookie.starts_with("hearth=") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"), "{cookie}");
    let value = cookie.trim_start_matches("hearth=").split(';').next().unwrap();
    let mut edge = Session::new(hearth::store::MemoryStore::new(), 2, T0);
    edge.set_consent(&choices(true, true, false), false, &m, T0);
    edge.load_digest(value, &m, T0).unwrap();
    let top = edge.profile(&m, T0).affinities(T0, &m);
    assert_eq!(top[0].0, "trail-running");
    assert!(edge.load_digest("tampered-garbage", &m, T0).is_err());
    // The same visitor keeps the same id.
    assert_eq!(edge.digest_cookie(&m, T0, [9; 16]).unwrap().split(';').next(), cookie.split(';').next());
}
