//! The on-device profile: decay, bounds, consent gates, visitor rights and
//! the storage codec, including hostile bytes.

use hearth::consent::policy::{decide, Capabilities, Choices, Signals};
use hearth::host::NativeRegexEngine;
use hearth::manifest::Manifest;
use hearth::profile::{self, decode, encode, CodecError, Event, Profile, PromotionEvent, RecordError, MAX_ENCODED_BYTES};
use proptest::prelude::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_780_000_000_000; // 2026-05-28

fn manifest() -> Manifest {
    let text = r#"{
      "hearth": 1,
      "profile": { "halfLifeDays": 10, "recentItems": 20, "retentionDays": 90 },
      "taxonomy": { "tags": {
        "running": { "label": "Running" }, "camping": { "label": "Camping" },
        "health": { "label": "Health", "sensitive": true },
        "pregnancy": { "label": "Pregnancy", "sensitive": true, "learn": true }
      } },
      "slots": { "hero": { "strategy": "bandit", "variants": [{ "id": "a" }, { "id": "b" }] } },
      "placements": { "bar": {} },
      "promotions": { "sale": { "placement": "bar" } },
      "catalog": { "items": [
        { "id": "shoe", "title": "Trail shoe", "tags": ["running"] },
        { "id": "tent", "title": "Tent", "tags": ["camping"] },
        { "id": "vitamins", "tags": ["health", "running"] },
        { "id": "maternity", "tags": ["pregnancy"] }
      ] }
    }"#;
    Manifest::parse(text, &NativeRegexEngine).unwrap_or_else(|e| panic!("{e}"))
}

fn everything() -> Capabilities {
    decide(&Signals { choices: Some(Choices { store: true, content: true, promotions: true, measure: true }), ..Default::default() })
        .capabilities
}

fn view(item: &str) -> Event {
    Event::View { item: item.into() }
}

#[test]
fn affinities_decay_with_the_manifest_half_life() {
    let m = manifest();
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(7, T0);
    p.record(&view("shoe"), &m, T0, can, false).unwrap();
    assert_eq!(p.affinity("running", T0, &m), 1.0);
    assert!((p.affinity("running", T0 + 10 * DAY, &m) - 0.5).abs() < 1e-6);
    assert!((p.affinity("running", T0 + 20 * DAY, &m) - 0.25).abs() < 1e-6);
    // New evidence adds to the decayed score.
    p.record(&Event::Purchase { item: "shoe".into() }, &m, T0 + 10 * DAY, can, false).unwrap();
    assert!((p.affinity("running", T0 + 10 * DAY, &m) - 6.5).abs() < 1e-5);
    assert_eq!(p.content.purchases, 1);
}

#[test]
fn only_taxonomy_tags_are_learned_and_sensitive_ones_need_both_manifest_and_consent() {
    let m = manifest();
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(1, T0);
    p.record(&view("vitamins"), &m, T0, can, true).unwrap();
    assert_eq!(p.affinity("health", T0, &m), 0.0, "sensitive and not learnable: never learned");
    assert_eq!(p.affinity("running", T0, &m), 1.0);
    p.record(&view("maternity"), &m, T0, can, false).unwrap();
    assert_eq!(p.affinity("pregnancy", T0, &m), 0.0, "learnable, but no sensitive consent");
    p.record(&view("maternity"), &m, T0, can, true).unwrap();
    assert_eq!(p.affinity("pregnancy", T0, &m), 1.0);
    assert_eq!(
        p.record(&view("https://shop.example/p/1"), &m, T0, can, false),
        Err(RecordError::UnknownItem("https://shop.example/p/1".into()))
    );
    assert_eq!(
        p.record(&Event::SearchCategory { tag: "free text".into() }, &m, T0, can, false),
        Err(RecordError::UnknownTag("free text".into()))
    );
}

#[test]
fn mute_pause_and_forgetting_namespaces() {
    let m = manifest();
    let all = everything();
    let can = all.build_content.unwrap();
    let mut p = Profile::new(1, T0);
    p.record(&view("tent"), &m, T0, can, false).unwrap();
    p.mute("camping");
    assert_eq!(p.affinity("camping", T0, &m), 0.0);
    p.record(&view("tent"), &m, T0, can, false).unwrap();
    assert_eq!(p.affinity("camping", T0, &m), 0.0, "a muted tag is not learned again");
    p.unmute("camping");
    p.pause();
    assert_eq!(p.record(&view("shoe"), &m, T0, can, false), Err(RecordError::Paused));
    p.resume();
    p.record(&view("shoe"), &m, T0, can, false).unwrap();
    p.record_promotion("sale", PromotionEvent::Impression, &m, T0, all.build_promotions.unwrap()).unwrap();
    p.forget_promotions();
    assert!(p.promotions.promotions.is_empty());
    assert!(!p.content.affinities.is_empty());
    p.forget_content();
    assert!(p.content.affinities.is_empty() && p.content.recent.is_empty());
}

#[test]
fn promotion_caps_count_per_day_and_week() {
    let m = manifest();
    let can = everything().build_promotions.unwrap();
    let mut p = Profile::new(1, T0);
    for d in 0..9 {
        for _ in 0..2 {
            p.record_promotion("sale", PromotionEvent::Impression, &m, T0 + d * DAY, can).unwrap();
        }
    }
    let stat = &p.promotions.promotions[0];
    let today = profile::day_of(T0 + 8 * DAY);
    assert_eq!(stat.counts(today), (2, 14));
    assert_eq!(stat.counts(today + 1), (0, 12));
    assert_eq!(stat.lifetime, 18);
    assert_eq!(p.record_promotion("nope", PromotionEvent::Dismiss, &m, T0, can), Err(RecordError::UnknownPromotion("nope".into())));
}

#[test]
fn retention_is_enforced_on_read() {
    let m = manifest();
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(9, T0);
    p.record(&view("shoe"), &m, T0, can, false).unwrap();
    p.enforce_retention(&m, T0 + 91 * DAY);
    assert!(p.content.affinities.is_empty() && p.content.recent.is_empty());
    assert_eq!(p.secret, 9);
}

#[test]
fn export_is_readable() {
    let m = manifest();
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(1, T0);
    p.record(&view("shoe"), &m, T0, can, false).unwrap();
    p.record(&view("shoe"), &m, T0, can, false).unwrap();
    p.record(&view("tent"), &m, T0, can, false).unwrap();
    let doc = p.export(&m, T0);
    let topics = doc.get("topics").unwrap().as_array().unwrap();
    assert_eq!(topics[0].get("label").unwrap().as_str(), Some("Running"));
    assert_eq!(topics[0].get("strength").unwrap().as_f64(), Some(100.0));
    assert_eq!(topics[1].get("strength").unwrap().as_f64(), Some(50.0));
    assert_eq!(doc.get("firstSeen").unwrap().as_str(), Some("2026-05-28"));
    let recent = doc.get("recentItems").unwrap().as_array().unwrap();
    assert_eq!(recent[0].get("title").unwrap().as_str(), Some("Tent"));
    assert_eq!(doc.get("format").unwrap().as_str(), Some("hearth profile v2"));
}

#[test]
fn stays_under_the_size_bound_after_100k_events() {
    let m = manifest();
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(42, T0);
    let items = ["shoe", "tent", "vitamins", "maternity"];
    for i in 0..100_000i64 {
        let t = T0 + i * 60_000;
        let e = match i % 7 {
            0 => Event::Impression { slot: "hero".into(), variant: if i % 2 == 0 { "a" } else { "b" }.into() },
            1 => Event::SlotClick { slot: "hero".into(), variant: "a".into() },
            2 => Event::Purchase { item: items[(i as usize / 7) % 4].into() },
            _ => view(items[i as usize % 4]),
        };
        p.record(&e, &m, t, can, false).unwrap();
    }
    let bytes = encode(&p);
    println!("profile after 100,000 events: {} bytes encoded", bytes.len());
    assert!(bytes.len() < MAX_ENCODED_BYTES, "{}", bytes.len());
    assert_eq!(decode(&bytes).unwrap(), p);
}

/// The worst case the manifest allows: 200 recent items, more tags than
/// the profile keeps, many slot variants, long ids.
#[test]
fn the_hard_bound_holds_in_the_worst_case() {
    let tags: Vec<String> = (0..80).map(|i| format!("\"topic-with-a-long-name-{i:02}\": {{ \"label\": \"Topic {i}\" }}")).collect();
    let items: Vec<String> = (0..400)
        .map(|i| format!("{{ \"id\": \"catalog-item-with-long-id-{i:04}\", \"tags\": [\"topic-with-a-long-name-{:02}\", \"topic-with-a-long-name-{:02}\"] }}", i % 80, (i * 7) % 80))
        .collect();
    let variants: Vec<String> = (0..60).map(|i| format!("{{ \"id\": \"variant-{i}\" }}")).collect();
    let text = format!(
        r#"{{ "hearth": 1, "profile": {{ "recentItems": 200 }}, "taxonomy": {{ "tags": {{ {} }} }},
            "slots": {{ "hero-banner-on-the-home-page": {{ "strategy": "bandit", "variants": [{}] }} }},
            "catalog": {{ "items": [{}] }} }}"#,
        tags.join(","),
        variants.join(","),
        items.join(",")
    );
    let m = Manifest::parse(&text, &NativeRegexEngine).unwrap_or_else(|e| panic!("{e}"));
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(42, T0);
    for i in 0..100_000usize {
        let t = T0 + i as i64 * 60_000;
        let e = if i % 3 == 0 {
            Event::Impression { slot: "hero-banner-on-the-home-page".into(), variant: format!("variant-{}", i % 60) }
        } else {
            Event::Purchase { item: format!("catalog-item-with-long-id-{:04}", (i * 13) % 400) }
        };
        p.record(&e, &m, t, can, false).unwrap();
    }
    let bytes = encode(&p);
    println!("worst-case profile after 100,000 events: {} bytes encoded (bound {MAX_ENCODED_BYTES})", bytes.len());
    assert!(bytes.len() <= MAX_ENCODED_BYTES, "{}", bytes.len());
    let back = decode(&bytes).unwrap();
    // What had to go to fit is the oldest recent items; the rest is intact.
    assert_eq!(back.content.affinities, p.content.affinities);
    assert!(back.content.recent.len() < p.content.recent.len());
    assert_eq!(back.content.recent[..], p.content.recent[..back.content.recent.len()]);
}

#[test]
fn foreign_newer_and_damaged_data_is_rejected_with_a_reason() {
    assert_eq!(decode(b""), Err(CodecError::Foreign));
    assert_eq!(decode(b"{\"json\":true}"), Err(CodecError::Foreign));
    assert_eq!(decode(b"hp\x09rest"), Err(CodecError::NewerVersion(9)));
    let mut bytes = encode(&Profile::new(5, T0));
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    assert_eq!(decode(&bytes), Err(CodecError::Checksum));
    assert!(decode(&encode(&Profile::new(5, T0))[..10]).is_err());
}

/// `bytes` with its checksum made right again, so the field reader itself sees the damage.
fn reframed(mut bytes: Vec<u8>) -> Vec<u8> {
    let n = bytes.len() - 4;
    let sum = bytes[..n].iter().fold(0x811c_9dc5u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    bytes[n..].copy_from_slice(&sum.to_le_bytes());
    bytes
}

#[test]
fn a_damaged_field_is_named_with_its_byte_and_the_first_problem_wins() {
    let m = manifest();
    let can = everything().build_content.unwrap();
    let mut p = Profile::new(5, T0);
    p.record(&view("tent"), &m, T0, can, false).unwrap();
    let good = encode(&p);
    assert_eq!(decode(&good).unwrap(), p);
    let body = good.len() - 4;

    // Cut anywhere: never read as a profile, and the problem is at or before the cut.
    for cut in 3..body {
        let mut b = good[..cut].to_vec();
        b.extend_from_slice(&[0; 4]);
        match decode(&reframed(b)) {
            Err(CodecError::Malformed { offset, .. }) => assert!(offset <= cut, "cut at {cut}: problem at {offset}"),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // One byte too many.
    let mut long = good[..body].to_vec();
    long.extend_from_slice(&[0, 0, 0, 0, 0]);
    assert_eq!(decode(&reframed(long)), Err(CodecError::Malformed { offset: body, what: "unexpected bytes after the profile" }));

    // The recent item's kind byte follows its length-prefixed id.
    let kind = good.windows(5).position(|w| w == b"\x04tent").expect("the recent item is stored") + 5;
    assert_eq!(good[kind], 0, "viewed");
    let mut bad_kind = good.clone();
    bad_kind[kind] = 9;
    assert_eq!(decode(&reframed(bad_kind.clone())), Err(CodecError::Malformed { offset: kind + 1, what: "recent kind" }));
    // A problem earlier in the format is the one reported: the flags (paused) come before.
    // After the magic and version (3 bytes) and the secret (8): five varints (first seen, last
    // seen, last event, visits, sessions), then the flags.
    let mut flags = 3 + 8;
    for _ in 0..5 {
        while good[flags] & 0x80 != 0 {
            flags += 1;
        }
        flags += 1;
    }
    assert_eq!(good[flags], 0, "not paused");
    bad_kind[flags] = 2;
    assert_eq!(decode(&reframed(bad_kind)), Err(CodecError::Malformed { offset: flags + 1, what: "flags" }));
}

fn arb_event() -> impl Strategy<Value = Event> {
    let item = prop::sample::select(vec!["shoe", "tent", "vitamins", "maternity"]);
    prop_oneof![
        item.clone().prop_map(|i| Event::View { item: i.into() }),
        item.clone().prop_map(|i| Event::Click { item: i.into() }),
        item.clone().prop_map(|i| Event::AddToCart { item: i.into() }),
        item.prop_map(|i| Event::Purchase { item: i.into() }),
        prop::sample::select(vec!["running", "camping"]).prop_map(|t| Event::SearchCategory { tag: t.into() }),
        prop::sample::select(vec!["a", "b"]).prop_map(|v| Event::Impression { slot: "hero".into(), variant: v.into() }),
    ]
}

proptest! {
    #[test]
    fn codec_round_trips(events in prop::collection::vec((arb_event(), 0i64..400), 0..200), secret in any::<u64>(), muted in prop::collection::vec("[a-z]{1,12}", 0..5)) {
        let m = manifest();
        let can = everything().build_content.unwrap();
        let mut p = Profile::new(secret, T0);
        for (e, day) in &events {
            p.record(e, &m, T0 + day * DAY, can, true).unwrap();
        }
        for t in &muted {
            p.mute(t);
        }
        let bytes = encode(&p);
        prop_assert!(bytes.len() <= MAX_ENCODED_BYTES);
        prop_assert_eq!(decode(&bytes).unwrap(), p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode(&bytes);
        // With a valid checksum, so the field parser itself sees the garbage.
        let mut framed = b"hp\x01".to_vec();
        framed.extend_from_slice(&bytes);
        let sum = framed.iter().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193));
        framed.extend_from_slice(&sum.to_le_bytes());
        let _ = decode(&framed);
    }

    #[test]
    fn decay_is_monotone_and_halves_per_half_life(days in 0i64..3650) {
        let m = manifest();
        let can = everything().build_content.unwrap();
        let mut p = Profile::new(1, T0);
        p.record(&view("shoe"), &m, T0, can, false).unwrap();
        let a = p.affinity("running", T0 + days * DAY, &m);
        let b = p.affinity("running", T0 + (days + 10) * DAY, &m);
        prop_assert!(b <= a);
        prop_assert!((b - a / 2.0).abs() <= 1e-6 * a.max(1e-30) + 1e-30);
    }
}

/// A profile stored by the first format (v1, before the consent record),
/// kept as bytes in tests/data/profile/v1.hex: it must still load, and the
/// next write stores the current format.
#[test]
fn a_v1_profile_migrates() {
    let hex = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/profile/v1.hex")).unwrap();
    let bytes: Vec<u8> = (0..hex.trim().len()).step_by(2).map(|i| u8::from_str_radix(&hex.trim()[i..i + 2], 16).unwrap()).collect();
    assert_eq!(bytes[2], 1, "the fixture is v1");
    let p = decode(&bytes).unwrap();
    assert_eq!(p.secret, 0x1234_5678_9abc_def0);
    assert_eq!(p.consent, None, "v1 had no consent record");
    assert_eq!(p.content.recent[0].item, "tent-2p");
    assert_eq!(p.muted, ["hiking"]);
    assert_eq!(p.sticky, [("exp".to_owned(), "b".to_owned())]);
    assert!(p.promotions.promotions[0].dismissed_day.is_some());
    let again = encode(&p);
    assert_eq!(again[2], hearth::profile::FORMAT_VERSION);
    assert_eq!(decode(&again).unwrap(), p);
}
