//! The same manifest, profile, context and seed give the same page answer
//! everywhere. This native run is the reference: it checks its answer against
//! tests/data/determinism/expected.json, which the Node, Chromium and workerd
//! runs check too. `UPDATE_GOLDEN=1 cargo test --test determinism` rewrites
//! it after an intended change to decisions.

use hearth::consent::signals;
use hearth::decide::{Context, Request, Visit};
use hearth::host::NativeRegexEngine;
use hearth::json::{self, Value};
use hearth::manifest::Manifest;
use hearth::profile::Event;
use hearth::session::Session;
use hearth::store::MemoryStore;

fn data(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn event(e: &Value) -> Event {
    let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap().to_owned();
    match e.get("type").and_then(Value::as_str).unwrap() {
        "view" => Event::View { item: s("item") },
        "purchase" => Event::Purchase { item: s("item") },
        "search" => Event::SearchCategory { tag: s("tag") },
        "impression" => Event::Impression { slot: s("slot"), variant: s("variant") },
        "slotClick" => Event::SlotClick { slot: s("slot"), variant: s("variant") },
        other => panic!("scenario event type {other}"),
    }
}

/// Runs the scenario exactly as the JS API does.
fn answer() -> String {
    let m = Manifest::parse(&data("docs/manifest.sample.json"), &NativeRegexEngine).unwrap();
    let sc = json::parse(&data("tests/data/determinism/scenario.json")).unwrap();
    let now = sc.get("now").unwrap().as_f64().unwrap() as i64;
    let secret = sc.get("secret").unwrap().as_array().unwrap();
    let secret = (secret[0].as_f64().unwrap() as u64) << 32 | secret[1].as_f64().unwrap() as u64;
    let mut s = Session::new(MemoryStore::new(), secret, now);
    let read = signals::read(sc.get("consent").unwrap()).unwrap();
    s.set_consent(&read.signals, read.sensitive, &m, now);
    for e in sc.get("events").unwrap().as_array().unwrap() {
        s.record(&event(e), &m, now).unwrap();
    }
    let req = Request::from_value(sc.get("request").unwrap()).unwrap();
    let ctx = Context::from_value(sc.get("context").unwrap(), now).unwrap();
    let caps = *s.capabilities();
    let profile = s.profile(&m, now);
    Visit::new(&m, profile, &caps, &ctx).answer(&req)
}

#[test]
fn the_native_answer_is_the_reference() {
    let got = answer();
    assert_eq!(got, answer(), "two runs in one process differ");
    let path = format!("{}/tests/data/determinism/expected.json", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, format!("{got}\n")).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("expected.json (run with UPDATE_GOLDEN=1 to create it)");
    assert_eq!(got, want.trim_end(), "decisions changed; if intended, rerun with UPDATE_GOLDEN=1");
    // The scenario exercises what it should: a personalized hero, recommendations, artwork.
    let v = json::parse(&got).unwrap();
    assert!(v.get("slots").and_then(|s| s.get("hero")).and_then(|h| h.get("variant")).is_some());
    assert!(!v.get("recommendations").unwrap().get("home").unwrap().as_array().unwrap().is_empty());
}
