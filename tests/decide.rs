//! Decisions: strategies, consent fallbacks, artwork, promotions, signed
//! claims, recommendations, feedback, determinism and bad input.

use ed25519_compact::{KeyPair, Seed};
use hearth::consent::policy::{decide as consent, Capabilities, Choices, Signals};
use hearth::decide::claims::{base64url_encode, ClaimProblem};
use hearth::decide::{promotion_feedback, slot_feedback, Because, Code, Context, DecideError, Device, NotLearned, Outcome, Skip, Visit};
use hearth::host::NativeRegexEngine;
use hearth::json::{Object, Value};
use hearth::manifest::{Beta, Manifest};
use hearth::profile::{Event, Profile, PromotionEvent};
use proptest::prelude::*;

const DAY: i64 = 86_400_000;
/// 2026-05-28T10:00:00Z, a Thursday.
const T0: i64 = 1_779_962_400_000;

fn caps(content: bool, promotions: bool, measure: bool) -> Capabilities {
    consent(&Signals { choices: Some(Choices { store: true, content, promotions, measure }), ..Default::default() }).capabilities
}

fn all() -> Capabilities {
    caps(true, true, true)
}

fn keypair() -> KeyPair {
    KeyPair::from_seed(Seed::new([7u8; 32]))
}

fn std_base64(bytes: &[u8]) -> String {
    let mut s: String = base64url_encode(bytes)
        .chars()
        .map(|c| {
            if c == '-' {
                '+'
            } else if c == '_' {
                '/'
            } else {
                c
            }
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

fn claim_with(kp: &KeyPair, payload: &str) -> String {
    let p = base64url_encode(payload.as_bytes());
    let sig = kp.sk.sign(p.as_bytes(), None);
    format!("{p}.{}", base64url_encode(sig.as_ref()))
}

fn claim(payload: &str) -> String {
    claim_with(&keypair(), payload)
}

fn manifest_text() -> String {
    let key = std_base64(keypair().pk.as_ref());
    let mut grid = String::new();
    for i in 0..50 {
        let (a, b) = if i % 2 == 0 { ("trail", "road") } else { ("road", "camping") };
        grid.push_str(&format!(
            r#",{{"id":"g{i}","title":"Grid {i}","tags":["{a}"],"artworks":[{{"id":"plain","content":{{"src":"/{i}/plain.jpg"}}}},{{"id":"a-{a}","tags":["{a}"]}},{{"id":"b-{b}","tags":["{b}"]}}]}}"#
        ));
    }
    format!(
        r#"{{
      "hearth": 1,
      "taxonomy": {{ "tags": {{
        "trail": {{ "label": "Trail running" }}, "road": {{ "label": "Road running" }},
        "camping": {{ "label": "Camping" }}, "kids": {{ "label": "Children", "sensitive": true }}
      }} }},
      "segments": {{
        "trail-fan": {{ "condition": {{ "profile.affinity.trail": {{ "$gte": 0.4 }} }} }},
        "gold": {{ "condition": {{ "claims.loyaltyTier": "gold" }} }}
      }},
      "slots": {{
        "hero": {{ "strategy": "affinity", "exploration": 0.2, "variants": [
          {{ "id": "generic", "content": {{ "title": "Gear for every path" }} }},
          {{ "id": "trail", "tags": ["trail"], "content": {{ "title": "Own the trail" }} }},
          {{ "id": "road", "tags": ["road"], "content": {{ "title": "Faster on the road" }} }},
          {{ "id": "mobile", "condition": {{ "context.device": "mobile" }}, "content": {{ "title": "Shop on the go" }} }}
        ] }},
        "split": {{ "strategy": "experiment", "experiment": {{ "key": "hero-test" }}, "variants": [
          {{ "id": "control", "weight": 0.5 }}, {{ "id": "treatment", "weight": 0.5 }}
        ] }},
        "banner": {{ "strategy": "rules", "default": "plain", "variants": [
          {{ "id": "spring", "condition": {{ "context.utmCampaign": "spring" }} }},
          {{ "id": "trail-page", "condition": {{ "context.path": {{ "$regex": "^/c/trail" }} }} }},
          {{ "id": "fan", "condition": {{ "segments": "trail-fan" }} }},
          {{ "id": "plain" }}
        ] }},
        "offer": {{ "strategy": "bandit", "variants": [ {{ "id": "a" }}, {{ "id": "b" }}, {{ "id": "c" }} ] }},
        "weekend": {{ "strategy": "affinity", "condition": {{ "context.weekday": {{ "$in": [0, 6] }} }},
          "variants": [ {{ "id": "w0" }}, {{ "id": "w1", "tags": ["trail"] }} ] }}
      }},
      "placements": {{ "bar": {{ "maxPerPage": 2 }}, "side": {{}} }},
      "promotions": {{
        "sale": {{ "placement": "bar", "priority": 1, "value": 10 }},
        "free-ship": {{ "placement": "bar", "priority": 2, "value": 4, "exclusionGroup": "shipping",
          "caps": {{ "perDay": 2, "lifetime": 5 }}, "cooldown": {{ "afterDismissDays": 7 }} }},
        "ship-10": {{ "placement": "bar", "priority": 1, "value": 3, "exclusionGroup": "shipping" }},
        "night": {{ "placement": "bar", "priority": 9, "dayparts": [{{ "days": ["thu"], "from": "22:00", "to": "02:00" }}] }},
        "summer": {{ "placement": "bar", "priority": 9, "window": {{ "start": "2026-06-01", "end": "2026-09-01" }} }},
        "birthday": {{ "placement": "side", "priority": 5, "birthdayMonth": true }},
        "gold-only": {{ "placement": "side", "priority": 3, "requiresClaims": ["loyaltyTier"], "condition": {{ "segments": "gold" }} }},
        "for-trail": {{ "placement": "side", "priority": 1, "usesProfile": true, "tags": ["trail"],
          "condition": {{ "profile.affinity.trail": {{ "$gt": 0 }} }} }},
        "sneaky": {{ "placement": "side", "priority": 1, "condition": {{ "profile.affinity.trail": {{ "$gt": 0 }} }} }}
      }},
      "catalog": {{ "factors": 2, "items": [
        {{ "id": "shoe", "title": "Trail shoe", "tags": ["trail"], "factors": [1, 0],
          "artworks": [ {{ "id": "default" }}, {{ "id": "mud", "tags": ["trail"] }}, {{ "id": "track", "tags": ["road"] }} ] }},
        {{ "id": "vest", "title": "Trail vest", "tags": ["trail"], "factors": [0.9, 0.1] }},
        {{ "id": "poles", "title": "Poles", "tags": ["trail", "camping"], "factors": [0.8, 0.2] }},
        {{ "id": "racer", "title": "Road racer", "tags": ["road"], "factors": [0, 1] }},
        {{ "id": "tent", "title": "Tent", "tags": ["camping"], "factors": [0.1, 0.9] }},
        {{ "id": "stove", "title": "Stove", "tags": ["camping"], "factors": [0.2, 0.8] }}
        {grid}
      ] }},
      "recommendations": {{
        "home": {{ "k": 3, "exclude": ["viewed"] }},
        "diverse": {{ "k": 3, "exclude": ["purchased"], "maxPerTag": 1 }},
        "mmr": {{ "k": 3, "mmrLambda": 0.3 }}
      }},
      "priors": {{
        "slots": {{ "offer": {{ "a": {{ "alpha": 2, "beta": 20 }}, "b": {{ "alpha": 8, "beta": 20 }}, "c": {{ "alpha": 1, "beta": 30 }} }} }},
        "promotions": {{ "sale": {{ "alpha": 1, "beta": 9 }} }},
        "popularity": {{ "tent": 900, "racer": 500, "shoe": 100 }}
      }},
      "claims": {{ "publicKey": "{key}", "traits": ["loyaltyTier", "birthMonth", "member"] }}
    }}"#
    )
}

fn manifest() -> Manifest {
    Manifest::parse(&manifest_text(), &NativeRegexEngine).unwrap_or_else(|e| panic!("{e}"))
}

/// A profile that has looked at trail gear a lot and road gear a little.
fn trail_fan(m: &Manifest) -> Profile {
    let can = all().build_content.unwrap();
    let mut p = Profile::new(42, T0 - DAY);
    for item in ["shoe", "vest", "shoe", "poles"] {
        p.record(&Event::View { item: item.into() }, m, T0 - DAY, can, false).unwrap();
    }
    p.record(&Event::View { item: "racer".into() }, m, T0 - DAY, can, false).unwrap();
    p
}

fn ctx() -> Context {
    let mut c = Context::new(T0);
    c.set_url("https://shop.example/home");
    c.device = Device::Desktop;
    c.attributes.insert("id", Value::from("visitor-1"));
    c
}

#[test]
fn unknown_slot_is_a_typed_error_that_says_what_to_do() {
    let m = manifest();
    let p = Profile::new(1, T0);
    let c = ctx();
    let e = Visit::new(&m, &p, &all(), &c).decide("nope").unwrap_err();
    assert!(matches!(e, DecideError::UnknownSlot { .. }));
    let msg = e.to_string();
    assert!(msg.contains("unknown slot `nope`") && msg.contains("hero"), "{msg}");
}

#[test]
fn affinity_follows_the_visitors_interests_with_an_exact_propensity() {
    let m = manifest();
    let p = trail_fan(&m);
    let c = ctx();
    let v = Visit::new(&m, &p, &all(), &c);
    assert_eq!(v.segments(), ["trail-fan"]);
    let mut exploit = 0;
    // Across epochs the choice is the trail variant about 1 - ε + ε/n of the time.
    for epoch in 0..400 {
        let mut c = ctx();
        c.epoch = Some(epoch);
        let d = Visit::new(&m, &p, &all(), &c).decide("hero").unwrap();
        if d.explored {
            assert_eq!(d.because, Because::Exploring);
            assert!((d.propensity - 0.2 / 3.0).abs() < 1e-12, "{d:?}");
        } else {
            assert_eq!(d.variant_id(), "trail");
            assert_eq!(d.reason(), "because you often look at Trail running");
            assert!((d.propensity - (0.8 + 0.2 / 3.0)).abs() < 1e-12);
            exploit += 1;
        }
        assert!(d.codes.contains(Code::Affinity));
        // `mobile` is not eligible on desktop.
        assert_ne!(d.variant_id(), "mobile");
    }
    let share = f64::from(exploit) / 400.0;
    assert!((share - (0.8 + 0.2 / 3.0)).abs() < 0.06, "{share}");
}

#[test]
fn without_content_consent_every_strategy_is_contextual() {
    let m = manifest();
    let p = trail_fan(&m);
    let mut c = ctx();
    let none = Capabilities::none();
    for slot in ["hero", "split", "offer"] {
        let d = Visit::new(&m, &p, &none, &c).decide(slot).unwrap();
        assert!(d.codes.contains(Code::NoContentConsent), "{d:?}");
        assert_eq!(d.index, 0);
        assert_eq!((d.propensity, d.explored, d.because), (1.0, false, Because::Everyone));
    }
    // A contextual variant condition still applies.
    c.device = Device::Mobile;
    let d = Visit::new(&m, &p, &none, &c).decide("hero").unwrap();
    assert_eq!((d.variant_id(), d.because), ("mobile", Because::ThisPage));
    // The profile is invisible to conditions and segments.
    let v = Visit::new(&m, &p, &none, &c);
    assert!(v.segments().is_empty());
    assert_eq!(v.document().get("profile").map(Value::to_json).as_deref(), Some("{}"));
    assert_eq!(v.decide("banner").unwrap().variant_id(), "plain");
}

#[test]
fn experiments_split_like_growthbook() {
    let m = manifest();
    let p = Profile::new(1, T0);
    let mut counts = [0u32; 2];
    for i in 0..2000 {
        let mut c = ctx();
        c.attributes.insert("id", Value::String(format!("u{i}")));
        let d = Visit::new(&m, &p, &all(), &c).decide("split").unwrap();
        assert_eq!(d.propensity, 0.5);
        assert_eq!(d.because, Because::Experiment);
        counts[d.index] += 1;
        // The same id always gets the same variant, whatever the profile secret.
        let other = Profile::new(99, T0);
        assert_eq!(Visit::new(&m, &other, &all(), &c).decide("split").unwrap().index, d.index);
        // hash v2 of ("hero-test", id) decides, as in the SDK.
        let n = hearth::growthbook::hash::hash("hero-test", &format!("u{i}"), 2.0).unwrap();
        assert_eq!(d.index, usize::from(n >= 0.5));
    }
    assert!(counts.iter().all(|&n| (900..1100).contains(&n)), "{counts:?}");
    let mut c = ctx();
    c.attributes = Object::new();
    let d = Visit::new(&m, &p, &all(), &c).decide("split").unwrap();
    assert!(d.codes.contains(Code::NoHashAttribute) && d.codes.contains(Code::NotInExperiment));
    assert_eq!(d.variant_id(), "control");
}

#[test]
fn rules_take_the_first_match_over_context_profile_and_segments() {
    let m = manifest();
    let fan = trail_fan(&m);
    let fresh = Profile::new(3, T0);
    let mut c = ctx();
    assert_eq!(Visit::new(&m, &fresh, &all(), &c).decide("banner").unwrap().variant_id(), "plain");
    assert_eq!(Visit::new(&m, &fan, &all(), &c).decide("banner").unwrap().variant_id(), "fan");
    c.set_url("https://shop.example/c/trail/shoes");
    assert_eq!(Visit::new(&m, &fresh, &all(), &c).decide("banner").unwrap().variant_id(), "trail-page");
    c.set_url("https://shop.example/c/trail?utm_campaign=spring");
    let d = Visit::new(&m, &fresh, &all(), &c).decide("banner").unwrap();
    assert_eq!((d.variant_id(), d.because, d.propensity), ("spring", Because::ThisPage, 1.0));
    assert!(d.codes.contains(Code::RuleMatched));
}

#[test]
fn a_slot_whose_condition_fails_shows_its_default_with_a_reason() {
    let m = manifest();
    let p = trail_fan(&m);
    let c = ctx(); // Thursday
    let d = Visit::new(&m, &p, &all(), &c).decide("weekend").unwrap();
    assert_eq!(d.variant_id(), "w0");
    assert!(d.codes.contains(Code::SlotConditionFalse) && d.codes.contains(Code::Default));
    let mut sat = ctx();
    sat.now_ms = T0 + 2 * DAY;
    assert!(!Visit::new(&m, &p, &all(), &sat).decide("weekend").unwrap().codes.contains(Code::SlotConditionFalse));
}

#[test]
fn the_bandit_learns_from_the_visitors_own_clicks() {
    let m = manifest();
    let can = all();
    // Priors favour `b`.
    let fresh = Profile::new(5, T0);
    let mut wins = [0u32; 3];
    for epoch in 0..300 {
        let mut c = ctx();
        c.epoch = Some(epoch);
        let d = Visit::new(&m, &fresh, &can, &c).decide("offer").unwrap();
        assert!(d.propensity > 0.0 && d.propensity <= 1.0);
        wins[d.index] += 1;
    }
    assert!(wins[1] > wins[0] && wins[1] > wins[2], "{wins:?}");
    // This visitor clicks `c` every time.
    let mut p = Profile::new(5, T0);
    for _ in 0..30 {
        assert!(slot_feedback(&mut p, &m, "offer", "c", Outcome::Exposure, T0, &can).learned.is_ok());
        slot_feedback(&mut p, &m, "offer", "c", Outcome::Click, T0, &can);
    }
    let c = ctx();
    let d = Visit::new(&m, &p, &can, &c).decide("offer").unwrap();
    assert_eq!((d.variant_id(), d.because, d.explored), ("c", Because::YourClicks, false));
    assert!(d.codes.contains(Code::OwnFeedback) && d.codes.contains(Code::Bandit));
    assert!(d.propensity > 0.95, "{}", d.propensity);
}

#[test]
fn decisions_are_byte_identical_for_the_same_inputs() {
    let m = manifest();
    let p = trail_fan(&m);
    let c = ctx();
    let run = || {
        let v = Visit::new(&m, &p, &all(), &c);
        let mut out = String::new();
        for d in v.decide_all() {
            out.push_str(&d.to_json());
            out.push('\n');
        }
        for a in v.artworks(&["shoe", "g1", "g2"]).into_iter().flatten() {
            out.push_str(&a.artwork.id);
            out.push_str(&format!(" {:?}\n", a.propensity.to_bits()));
        }
        for r in v.recommend("home", None).unwrap() {
            out.push_str(&r.item.id);
            out.push_str(&format!(" {:?}\n", r.score.to_bits()));
        }
        out
    };
    let first = run();
    for _ in 0..5 {
        assert_eq!(run(), first);
    }
    // Pinned, so a change to the generator, the seeding or the hashing is noticed
    // (and the Node and Chromium runs can be compared with it).
    let m2 = manifest();
    let d = Visit::new(&m2, &p, &all(), &c).decide("offer").unwrap();
    assert_eq!(d.to_json(), Visit::new(&m, &p, &all(), &c).decide("offer").unwrap().to_json());
    assert!(first.contains(r#""slot":"hero","variant":"trail""#), "{first}");
}

#[test]
fn a_reload_in_the_same_epoch_shows_the_same_page() {
    let m = manifest();
    let p = Profile::new(11, T0);
    let mut seen = std::collections::BTreeSet::new();
    for hour in 0..12 {
        let mut c = ctx();
        c.now_ms = T0 + hour * 3_600_000 / 2; // same local day
        seen.insert(Visit::new(&m, &p, &all(), &c).decide("offer").unwrap().to_json());
    }
    assert_eq!(seen.len(), 1);
}

#[test]
fn artwork_follows_interests_and_fills_a_grid_in_one_call() {
    let m = manifest();
    let p = trail_fan(&m);
    let c = ctx();
    let v = Visit::new(&m, &p, &all(), &c);
    let a = v.artwork("shoe").unwrap();
    if !a.explored {
        assert_eq!(a.artwork.id, "mud");
        assert_eq!(a.because.text(), "because you often look at Trail running");
    }
    let ids: Vec<String> = (0..50).map(|i| format!("g{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let grid = v.artworks(&refs);
    assert_eq!(grid.len(), 50);
    let trail_art = grid.iter().flatten().filter(|a| a.artwork.tags.iter().any(|t| t == "trail")).count();
    // Every item offers a trail artwork or a road one; a trail fan mostly gets trail where there is one.
    assert!(trail_art >= 22, "{trail_art}");
    assert!(grid.iter().flatten().all(|a| a.propensity > 0.0 && a.propensity <= 1.0));
    assert!(matches!(v.artwork("tent"), Err(DecideError::NoArtwork(_))));
    assert!(matches!(v.artwork("nope"), Err(DecideError::UnknownItem(_))));
    let none = Capabilities::none();
    let v = Visit::new(&m, &p, &none, &c);
    assert_eq!(v.artwork("shoe").unwrap().artwork.id, "default");
}

fn chosen(v: &Visit<'_>, placement: &str) -> Vec<String> {
    v.promotions(placement).unwrap().chosen.iter().map(|p| p.promotion.id.clone()).collect()
}

#[test]
fn promotions_rank_by_priority_times_value_one_per_group_at_most_n() {
    let m = manifest();
    let p = Profile::new(1, T0);
    let c = ctx();
    let v = Visit::new(&m, &p, &all(), &c);
    let r = v.promotions("bar").unwrap();
    // free-ship 2×4 = 8 beats ship-10 (same group); sale 1 × 10 × 0.1 = 1.
    assert_eq!(
        chosen(&v, "bar"),
        ["free-ship", "ship-10"].iter().take(1).map(|s| s.to_string()).chain(["sale".to_string()]).collect::<Vec<_>>()
    );
    let why = |id: &str| r.skipped.iter().find(|s| s.promotion == id).map(|s| s.why);
    assert_eq!(why("ship-10"), Some(Skip::ExclusionGroup));
    assert_eq!(why("summer"), Some(Skip::Window));
    assert_eq!(why("night"), Some(Skip::Daypart));
    assert!(matches!(v.promotions("nope"), Err(DecideError::UnknownPlacement(_))));
    // Dayparts are in local time and may run past midnight: Thursday 23:30 at +13:30.
    let mut late = ctx();
    late.utc_offset_minutes = 13 * 60 + 30;
    assert_eq!(chosen(&Visit::new(&m, &p, &all(), &late), "bar")[0], "night");
    // Summer window.
    let mut june = ctx();
    june.now_ms = T0 + 10 * DAY;
    assert_eq!(chosen(&Visit::new(&m, &p, &all(), &june), "bar")[0], "summer");
}

#[test]
fn caps_and_cooldowns_come_from_the_promotion_profile() {
    let m = manifest();
    let can = all();
    let mut p = Profile::new(1, T0);
    for _ in 0..2 {
        let f = promotion_feedback(&mut p, &m, "free-ship", Outcome::Exposure, T0, &can);
        assert!(f.learned.is_ok() && f.may_measure());
    }
    let c = ctx();
    let r = Visit::new(&m, &p, &can, &c).promotions("bar").unwrap();
    assert_eq!(r.skipped.iter().find(|s| s.promotion == "free-ship").map(|s| s.why), Some(Skip::CapPerDay));
    assert_eq!(r.chosen[0].promotion.id, "ship-10");
    // Next day the daily cap resets; a dismissal starts a 7-day cooldown.
    let mut next = ctx();
    next.now_ms = T0 + DAY;
    assert_eq!(chosen(&Visit::new(&m, &p, &can, &next), "bar")[0], "free-ship");
    promotion_feedback(&mut p, &m, "free-ship", Outcome::Dismiss, T0 + DAY, &can);
    let r = Visit::new(&m, &p, &can, &next).promotions("bar").unwrap();
    assert_eq!(r.skipped.iter().find(|s| s.promotion == "free-ship").map(|s| s.why), Some(Skip::DismissCooldown));
    let mut later = ctx();
    later.now_ms = T0 + 9 * DAY;
    assert!(chosen(&Visit::new(&m, &p, &can, &later), "bar").contains(&"free-ship".to_owned()));
    // Lifetime cap of 5.
    for d in 10..13 {
        promotion_feedback(&mut p, &m, "free-ship", Outcome::Exposure, T0 + d * DAY, &can);
    }
    later.now_ms = T0 + 20 * DAY;
    let r = Visit::new(&m, &p, &can, &later).promotions("bar").unwrap();
    assert_eq!(r.skipped.iter().find(|s| s.promotion == "free-ship").map(|s| s.why), Some(Skip::CapLifetime));
}

#[test]
fn profile_based_promotions_need_promotion_consent_and_contextual_ones_never_see_the_profile() {
    let m = manifest();
    let p = trail_fan(&m);
    let c = ctx();
    let why = |caps: &Capabilities, id: &str| {
        Visit::new(&m, &p, caps, &c).promotions("side").unwrap().skipped.iter().find(|s| s.promotion == id).map(|s| s.why)
    };
    let content_only = caps(true, false, false);
    assert_eq!(why(&content_only, "for-trail"), Some(Skip::NoPromotionConsent));
    // `sneaky` is contextual but its condition reads the profile: it never matches.
    assert_eq!(why(&all(), "sneaky"), Some(Skip::Condition));
    let v = Visit::new(&m, &p, &all(), &c);
    let r = v.promotions("side").unwrap();
    assert_eq!(r.chosen[0].promotion.id, "for-trail");
    assert_eq!(r.chosen[0].because.text(), "because you often look at Trail running");
}

#[test]
fn signed_claims_unlock_promotions_and_bad_ones_are_ignored_with_a_reason() {
    let m = manifest();
    let p = Profile::new(1, T0);
    let exp = T0 / 1000 + 3600;
    let mut c = ctx();
    c.claims = vec![
        claim(&format!(r#"{{"trait":"loyaltyTier","value":"gold","exp":{exp},"sub":"visitor-1"}}"#)),
        claim(&format!(r#"{{"trait":"birthMonth","value":5,"exp":{exp}}}"#)),
    ];
    let v = Visit::new(&m, &p, &all(), &c);
    assert!(v.rejected_claims().is_empty(), "{:?}", v.rejected_claims());
    assert_eq!(v.verified_claims().len(), 2);
    assert_eq!(v.segments(), ["gold"]);
    let side = v.promotions("side").unwrap();
    let ids: Vec<&str> = side.chosen.iter().map(|p| p.promotion.id.as_str()).collect();
    assert_eq!(ids, ["birthday"]); // maxPerPage 1; birthday (5) outranks gold-only (3)
    assert_eq!(side.chosen[0].because, Because::Birthday);
    assert_eq!(side.skipped.iter().find(|s| s.promotion == "gold-only").map(|s| s.why), Some(Skip::MaxPerPage));

    let other = KeyPair::from_seed(Seed::new([8u8; 32]));
    let good = claim(&format!(r#"{{"trait":"loyaltyTier","value":"gold","exp":{exp}}}"#));
    let (payload, sig) = good.split_once('.').unwrap();
    let tampered = format!("{}.{sig}", base64url_encode(format!(r#"{{"trait":"loyaltyTier","value":"platinum","exp":{exp}}}"#).as_bytes()));
    let cases = [
        (claim_with(&other, &format!(r#"{{"trait":"loyaltyTier","value":"gold","exp":{exp}}}"#)), ClaimProblem::BadSignature),
        (tampered, ClaimProblem::BadSignature),
        (payload.to_owned(), ClaimProblem::Unsigned),
        (claim(&format!(r#"{{"trait":"loyaltyTier","value":"gold","exp":{}}}"#, T0 / 1000 - 1)), ClaimProblem::Expired),
        (claim(&format!(r#"{{"trait":"vip","value":true,"exp":{exp}}}"#)), ClaimProblem::UndeclaredTrait),
        (claim(&format!(r#"{{"trait":"loyaltyTier","value":"gold","exp":{exp},"sub":"someone-else"}}"#)), ClaimProblem::OtherVisitor),
        (claim(r#"{"trait":"loyaltyTier","value":"gold"}"#), ClaimProblem::Malformed),
        ("!!!.???".to_owned(), ClaimProblem::Malformed),
        ("x".repeat(5000), ClaimProblem::TooLarge),
    ];
    for (raw, problem) in cases {
        let mut c = ctx();
        c.claims = vec![raw.clone()];
        let v = Visit::new(&m, &p, &all(), &c);
        assert!(v.verified_claims().is_empty(), "{raw}");
        assert_eq!(v.rejected_claims()[0].problem, problem, "{raw}");
        assert!(v.rejected_claims()[0].problem.to_string().starts_with("ignored: "));
        assert!(v.segments().is_empty());
        let side = v.promotions("side").unwrap();
        assert_eq!(side.skipped.iter().find(|s| s.promotion == "gold-only").map(|s| s.why), Some(Skip::MissingClaim));
    }
}

#[test]
fn recommendations_use_history_factors_exclusions_and_diversity() {
    let m = manifest();
    let p = trail_fan(&m);
    let c = ctx();
    let v = Visit::new(&m, &p, &all(), &c);
    let home = v.recommend("home", None).unwrap();
    let ids: Vec<&str> = home.iter().map(|r| r.item.id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    // Viewed items are excluded; trail gear the visitor has not seen comes first.
    for seen in ["shoe", "vest", "poles", "racer"] {
        assert!(!ids.contains(&seen), "{ids:?}");
    }
    // The tent's factors are closest to the road racer the visitor viewed.
    assert_eq!(ids[0], "tent");
    assert_eq!(home[0].because.text(), "because you viewed Road racer");
    // Unseen trail gear, by tags.
    assert!(
        home.iter().any(|r| r.item.tags.iter().any(|t| t == "trail") && r.because.text().starts_with("because you viewed ")),
        "{ids:?}"
    );
    // Diversity: at most one item per tag.
    let diverse = v.recommend("diverse", Some(4)).unwrap();
    let mut tags: Vec<&str> = diverse.iter().flat_map(|r| r.item.tags.iter().map(String::as_str)).collect();
    let n = tags.len();
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), n, "{tags:?}");
    // MMR spreads the top over tags.
    let mmr = v.recommend("mmr", None).unwrap();
    let first_tags: std::collections::BTreeSet<&str> = mmr.iter().flat_map(|r| r.item.tags.iter().map(String::as_str)).collect();
    assert!(first_tags.len() >= 2, "{first_tags:?}");
    // Cold start: popularity, with its reason.
    let fresh = Profile::new(9, T0);
    let cold = Visit::new(&m, &fresh, &all(), &c).recommend("home", None).unwrap();
    assert_eq!(cold.iter().map(|r| r.item.id.as_str()).collect::<Vec<_>>(), ["tent", "racer", "shoe"]);
    assert_eq!(cold[0].because, Because::Popular);
    // Without consent the profile is not used at all.
    let none = Capabilities::none();
    let anon = Visit::new(&m, &p, &none, &c).recommend("home", None).unwrap();
    assert_eq!(anon[0].item.id, "tent");
    assert!(anon[0].codes.contains(Code::NoContentConsent));
    assert!(matches!(v.recommend("nope", None), Err(DecideError::UnknownList(_))));
}

#[test]
fn factor_fold_in_finds_neighbours_without_shared_tags() {
    // Items whose tags say nothing; only the factors relate them.
    let text = r#"{ "hearth": 1, "catalog": { "factors": 3, "items": [
        { "id": "a1", "title": "A one", "factors": [1, 0, 0] }, { "id": "a2", "factors": [0.95, 0.05, 0] },
        { "id": "b1", "factors": [0, 1, 0] }, { "id": "b2", "factors": [0, 0.9, 0.1] },
        { "id": "c1", "factors": [0, 0, 1] } ] },
      "recommendations": { "next": { "k": 2, "exclude": ["viewed"] } },
      "priors": { "popularity": { "c1": 100, "b1": 50 } } }"#;
    let m = Manifest::parse(text, &NativeRegexEngine).unwrap();
    let mut p = Profile::new(1, T0);
    p.record(&Event::View { item: "a1".into() }, &m, T0, all().build_content.unwrap(), false).unwrap();
    let c = ctx();
    let r = Visit::new(&m, &p, &all(), &c).recommend("next", None).unwrap();
    assert_eq!(r[0].item.id, "a2");
    assert_eq!(r[0].because.text(), "because you viewed A one");
    assert!(r[0].codes.contains(Code::Factors));
}

#[test]
fn empty_catalog_is_a_typed_error() {
    let m = Manifest::parse(r#"{ "hearth": 1, "recommendations": { "home": {} } }"#, &NativeRegexEngine).unwrap();
    let p = Profile::new(1, T0);
    let c = ctx();
    let e = Visit::new(&m, &p, &all(), &c).recommend("home", None).unwrap_err();
    assert_eq!(e, DecideError::EmptyCatalog);
    assert!(e.to_string().contains("catalog.items"));
}

#[test]
fn feedback_needs_the_right_capability_and_measure_is_separate() {
    let m = manifest();
    let mut p = Profile::new(1, T0);
    let f = slot_feedback(&mut p, &m, "offer", "a", Outcome::Exposure, T0, &Capabilities::none());
    assert_eq!((f.learned.clone(), f.may_measure()), (Err(NotLearned::NoConsent), false));
    let measure_only =
        consent(&Signals { choices: Some(Choices { measure: true, ..Default::default() }), ..Default::default() }).capabilities;
    let f = slot_feedback(&mut p, &m, "offer", "a", Outcome::Click, T0, &measure_only);
    assert_eq!((f.learned.clone(), f.may_measure()), (Err(NotLearned::NoConsent), true));
    assert!(p.content.slot_stats.is_empty());
    let learn_only = caps(true, true, false);
    let f = slot_feedback(&mut p, &m, "offer", "a", Outcome::Exposure, T0, &learn_only);
    assert_eq!((f.learned.clone(), f.may_measure()), (Ok(()), false));
    assert_eq!(p.content.slot_stats[0].impressions, 1);
    assert!(matches!(slot_feedback(&mut p, &m, "offer", "zz", Outcome::Exposure, T0, &learn_only).learned, Err(NotLearned::Rejected(_))));
    assert_eq!(slot_feedback(&mut p, &m, "offer", "a", Outcome::Dismiss, T0, &learn_only).learned, Err(NotLearned::NotTracked));
    let f = promotion_feedback(&mut p, &m, "sale", Outcome::Conversion, T0, &caps(true, false, true));
    assert_eq!((f.learned.clone(), f.may_measure()), (Err(NotLearned::NoConsent), true));
    promotion_feedback(&mut p, &m, "sale", Outcome::Conversion, T0, &learn_only).learned.unwrap();
    assert_eq!(p.promotions.promotions[0].converted_day, Some(hearth::profile::day_of(T0)));
    let _ = PromotionEvent::Impression;
}

#[test]
fn bad_numbers_in_a_hand_built_manifest_or_profile_give_defaults_with_reasons() {
    let mut m = manifest();
    // NaN and negative weights, out-of-range priors and exploration, a bad default index.
    for s in &mut m.slots {
        for (i, v) in s.variants.iter_mut().enumerate() {
            v.weight = if i % 2 == 0 { f64::NAN } else { -1.0 };
        }
        s.exploration = f64::INFINITY;
        s.default_variant = 99;
    }
    for b in m.priors.variants.values_mut() {
        *b = Beta { alpha: -1.0, beta: f64::NAN };
    }
    m.priors.promotions.insert("sale".into(), Beta { alpha: f64::INFINITY, beta: 0.0 });
    for p in &mut m.promotions {
        p.priority = f64::NAN;
    }
    let mut p = trail_fan(&m);
    p.content.affinities[0].score = f32::NAN;
    p.content.affinities[1].score = -5.0;
    let c = ctx();
    let v = Visit::new(&m, &p, &all(), &c);
    for slot in ["hero", "split", "banner", "offer", "weekend"] {
        let d = v.decide(slot).unwrap();
        assert!(d.propensity > 0.0 && d.propensity <= 1.0, "{d:?}");
        // (`weekend`'s condition is false on a Thursday: no variant is looked at.)
        assert!(d.codes.contains(Code::InvalidWeight) || slot == "weekend", "{d:?}");
    }
    // Positive weights again, priors still broken: the bandit says so.
    let mut m2 = manifest();
    for b in m2.priors.variants.values_mut() {
        *b = Beta { alpha: 0.0, beta: f64::INFINITY };
    }
    let v2 = Visit::new(&m2, &p, &all(), &c);
    assert!(v2.decide("offer").unwrap().codes.contains(Code::InvalidPrior));
    assert!(v.promotions("bar").is_ok());
    assert!(v.recommend("home", None).is_ok());
    // A slot without variants is an error, not a panic.
    m.slots[0].variants.clear();
    let v = Visit::new(&m, &p, &all(), &c);
    assert_eq!(v.decide("hero").unwrap_err(), DecideError::EmptySlot("hero".into()));
}

fn arb_profile() -> impl Strategy<Value = Profile> {
    let tags = prop::sample::select(vec!["trail", "road", "camping", "kids", "unknown-tag"]);
    let affinity = (tags.clone(), prop::num::f32::ANY, -1000i32..30_000).prop_map(|(t, s, d)| hearth::profile::Affinity {
        tag: t.into(),
        score: s,
        day: d,
    });
    let stat = (
        prop::sample::select(vec!["offer", "hero", "x"]),
        prop::sample::select(vec!["a", "b", "c", "trail", "zz"]),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(s, v, i, c)| hearth::profile::SlotStat { slot: s.into(), variant: v.into(), impressions: i, clicks: c });
    (any::<u64>(), prop::collection::vec(affinity, 0..8), prop::collection::vec(stat, 0..6), prop::collection::vec(tags, 0..3)).prop_map(
        |(secret, affinities, slot_stats, muted)| {
            let mut p = Profile::new(secret, T0);
            p.content.affinities = affinities;
            p.content.slot_stats = slot_stats;
            p.muted = muted.into_iter().map(str::to_owned).collect();
            p
        },
    )
}

fn arb_context() -> impl Strategy<Value = Context> {
    (any::<i64>(), any::<i32>(), ".{0,12}", prop::option::of(any::<u64>()), prop::option::of("[a-z0-9]{0,6}"), prop::option::of(".{0,40}"))
        .prop_map(|(now, off, path, epoch, id, claim)| {
            let mut c = Context::new(now / 4);
            c.utc_offset_minutes = off;
            c.path = path;
            c.epoch = epoch;
            if let Some(id) = id {
                c.attributes.insert("id", Value::String(id));
            }
            c.claims = claim.into_iter().collect();
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn decide_never_panics_and_stays_in_bounds(p in arb_profile(), c in arb_context(), content in any::<bool>(), promos in any::<bool>()) {
        let m = manifest();
        let can = caps(content, promos, false);
        let v = Visit::new(&m, &p, &can, &c);
        for s in &m.slots {
            let d = v.decide(&s.id).unwrap();
            prop_assert!(d.propensity > 0.0 && d.propensity <= 1.0, "{:?}", d);
            prop_assert!(s.variants.iter().any(|x| x.id == d.variant.id));
            prop_assert_eq!(&s.variants[d.index].id, &d.variant.id);
            prop_assert_eq!(d.to_json(), Visit::new(&m, &p, &can, &c).decide(&s.id).unwrap().to_json());
        }
        let _ = v.promotions("bar").unwrap();
        let _ = v.recommend("home", None).unwrap();
        let _ = v.artworks(&["shoe", "g0", "tent"]);
    }
}

/// A per-tag cap must not cut the list short when more items exist further
/// down, and a muted topic's items are neither folded in nor cited.
#[test]
fn per_tag_caps_backfill_and_muted_items_are_not_cited() {
    let items: Vec<String> = (0..60)
        .map(|i| {
            format!(
                r#"{{"id":"i{i}","title":"Item {i}","tags":["{}"]}}"#,
                if i < 40 {
                    "a"
                } else if i < 50 {
                    "b"
                } else {
                    "c"
                }
            )
        })
        .collect();
    let text = format!(
        r#"{{"hearth":1,"taxonomy":{{"tags":{{"a":{{"label":"A"}},"b":{{"label":"B"}},"c":{{"label":"C"}}}}}},
           "catalog":{{"items":[{}]}},"recommendations":{{"r":{{"k":8,"maxPerTag":3}}}}}}"#,
        items.join(",")
    );
    let m = hearth::manifest::Manifest::parse(&text, &hearth::host::NativeRegexEngine).unwrap();
    let caps = hearth::consent::policy::decide(&hearth::consent::policy::Signals {
        choices: Some(hearth::consent::policy::Choices { store: true, content: true, promotions: false, measure: false }),
        ..Default::default()
    })
    .capabilities;
    let now = 1_780_000_000_000;
    let mut p = hearth::profile::Profile::new(1, now);
    for i in 0..5 {
        p.record(&hearth::profile::Event::View { item: format!("i{i}") }, &m, now, caps.build_content.unwrap(), false).unwrap();
    }
    let ctx = hearth::decide::Context::new(now);
    let v = hearth::decide::Visit::new(&m, &p, &caps, &ctx);
    let recs = v.recommend("r", None).unwrap();
    assert_eq!(recs.len(), 8, "three per tag from three tags still fills 8");
    p.mute("a");
    let v = hearth::decide::Visit::new(&m, &p, &caps, &ctx);
    for r in v.recommend("r", None).unwrap() {
        assert!(!r.because.text().contains("Item "), "a muted topic's item is cited: {}", r.because.text());
    }
}

/// Everything a page can ask of the test manifest, as the page answer's text.
fn whole_page(m: &Manifest, p: &Profile, caps: &Capabilities, c: &Context) -> String {
    let req = hearth::decide::Request {
        slots: None,
        artworks: vec!["shoe".into(), "g3".into()],
        placements: vec!["bar".into(), "side".into()],
        lists: vec![("home".into(), None), ("mmr".into(), None)],
    };
    Visit::new(m, p, caps, c).answer(&req)
}

#[test]
fn decisions_hold_until_the_next_minute_a_window_edge_or_a_claim_expiry() {
    // `summer` closes 30 s past T0 here, mid-minute.
    let text =
        manifest_text().replace(r#""start": "2026-06-01", "end": "2026-09-01""#, r#""start": "2026-05-01", "end": "2026-05-28T10:00:30Z""#);
    let m = Manifest::parse(&text, &NativeRegexEngine).unwrap();
    let p = Profile::new(1, T0);
    let mut c = ctx();
    c.now_ms = T0 + 1_000;
    assert_eq!(Visit::new(&m, &p, &all(), &c).stable_until(), T0 + 30_000, "the window's end");
    let before = whole_page(&m, &p, &all(), &c);
    let chosen = |page: &str, id: &str| page.contains(&format!(r#"{{"promotion":"{id}","content""#));
    assert!(chosen(&before, "summer"), "{before}");
    c.now_ms = T0 + 29_999;
    assert_eq!(whole_page(&m, &p, &all(), &c), before, "nothing changes before it");
    c.now_ms = T0 + 30_000;
    let after = whole_page(&m, &p, &all(), &c);
    assert!(!chosen(&after, "summer"), "the window closed: {after}");
    assert_eq!(Visit::new(&m, &p, &all(), &c).stable_until(), T0 + 60_000, "then the next minute");

    // A claim that expires mid-minute.
    let m = manifest();
    c.now_ms = T0 + 1_000;
    c.claims = vec![claim(&format!(r#"{{"trait":"loyaltyTier","value":"gold","exp":{}}}"#, (T0 + 20_500) as f64 / 1000.0))];
    let v = Visit::new(&m, &p, &all(), &c);
    assert_eq!(v.stable_until(), T0 + 20_500, "the claim's expiry");
    assert!(chosen(&whole_page(&m, &p, &all(), &c), "gold-only"));
    c.now_ms = T0 + 20_500;
    assert!(!chosen(&whole_page(&m, &p, &all(), &c), "gold-only"), "expired with its claim");
}

proptest! {
    /// Whatever the instant, offset, device and consent, the whole page answer at `now` is the
    /// answer just before `stable_until` (dayparts, weekday rules, epochs, windows, caps).
    #[test]
    fn the_whole_page_is_the_same_until_stable_until(
        at in 0i64..(21 * DAY), offset in -840i32..=840, mobile in any::<bool>(), fan in any::<bool>(), content in any::<bool>(),
    ) {
        let m = manifest();
        let p = if fan { trail_fan(&m) } else { Profile::new(7, T0) };
        let caps = caps(content, true, true);
        let mut c = ctx();
        c.now_ms = T0 + at;
        c.utc_offset_minutes = offset;
        c.device = if mobile { Device::Mobile } else { Device::Desktop };
        let until = Visit::new(&m, &p, &caps, &c).stable_until();
        prop_assert!(until > c.now_ms && until - c.now_ms <= 60_000);
        let now = whole_page(&m, &p, &caps, &c);
        c.now_ms = until - 1;
        prop_assert_eq!(whole_page(&m, &p, &caps, &c), now);
    }
}
