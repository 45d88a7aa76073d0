//! Manifest parsing and validation: every problem, with its path.

use hearth::host::NativeRegexEngine;
use hearth::manifest::{Manifest, Strategy};

fn sample() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/manifest.sample.json")).unwrap()
}

fn errors(text: &str) -> Vec<String> {
    match Manifest::parse(text, &NativeRegexEngine) {
        Ok(_) => vec![],
        Err(issues) => issues.iter().map(|i| i.to_string()).collect(),
    }
}

/// The sample manifest with one JSON pointer-ish edit applied via serde_json.
fn edit(f: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&sample()).unwrap();
    f(&mut v);
    v.to_string()
}

#[test]
fn sample_manifest_is_valid_and_complete() {
    let m = Manifest::parse(&sample(), &NativeRegexEngine).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.format, Some(1));
    assert_eq!(m.taxonomy.tags.len(), 6);
    assert!(m.taxonomy.get("health").unwrap().sensitive);
    let hero = m.slot("hero").unwrap();
    assert_eq!(hero.strategy, Strategy::Affinity);
    assert_eq!(hero.variants[hero.default_variant].id, "classic");
    assert_eq!(m.catalog.factor_dims, 4);
    assert_eq!(m.catalog.items[0].artworks.len(), 2);
    assert_eq!(m.promotions.len(), 2);
    assert_eq!(m.promotions[0].caps.per_day, Some(2));
    assert_eq!(m.promotions[0].dayparts[0].days, vec![5, 6, 0]);
    assert_eq!(m.priors.popularity.get("shoe-ridge"), Some(&120.0));
    assert_eq!(m.claims.as_ref().unwrap().public_key.len(), 32);
    // Every kind of part: counts, plurals, a singular, and the two parenthesized extras.
    assert_eq!(
        m.summary(),
        "hearth manifest v1 `trailhead-outfitters`: 2 features, 6 tags (1 sensitive), 2 segments, 2 slots, 2 promotions, \
         4 catalog items (2 artworks), 1 recommendation list"
    );
}

#[test]
fn reports_every_error_with_its_path() {
    let text = edit(|v| {
        v["slots"]["hero"]["variants"][2]["weight"] = 1.5.into();
        v["slots"]["hero"]["default"] = "nope".into();
        v["slots"]["hero"]["strategy"] = "magic".into();
        v["slots"]["hero"]["variants"][1]["tags"] = serde_json::json!(["trail-runing"]);
        v["promotions"]["spring-sale"]["placement"] = "promo-bra".into();
        v["promotions"]["spring-sale"]["window"]["start"] = "2026-02-30".into();
        v["catalog"]["items"][1]["factors"] = serde_json::json!([1, 2]);
        v["priors"]["slots"]["hero"]["ghost"] = serde_json::json!({"alpha": 1, "beta": -2});
        v["segments"]["trail-fan"]["condition"] = serde_json::json!({"visits": {"$in": 3}});
        v["profile"]["halfLifeDay"] = 10.into();
    });
    let errs = errors(&text);
    let expect = [
        "slots.hero.variants[2].weight: must be between 0 and 1",
        "slots.hero.default: unknown variant `nope` (variants: classic, trail, camp)",
        "slots.hero.strategy: unknown strategy `magic` (expected one of experiment, rules, affinity, bandit)",
        "slots.hero.variants[1].tags[0]: unknown tag `trail-runing`: not in taxonomy.tags (did you mean `trail-running`?)",
        "promotions.spring-sale.placement: unknown placement `promo-bra` (declare it under placements)",
        "promotions.spring-sale.window.start: `2026-02-30`: no such day",
        "catalog.items[1].factors: has 2 numbers; catalog.factors says 4",
        "priors.slots.hero.ghost: unknown variant `ghost` of slot `hero`",
        "priors.slots.hero.ghost.beta: must be between 0.000001 and 1000000000",
        "profile.halfLifeDay: unknown field (did you mean `halfLifeDays`?)",
    ];
    for e in expect {
        assert!(errs.iter().any(|x| x == e), "missing `{e}` in:\n{}", errs.join("\n"));
    }
    assert!(
        errs.iter().any(|x| x.starts_with("segments.trail-fan.condition.visits.$in")),
        "condition errors carry their path:\n{}",
        errs.join("\n")
    );
    assert_eq!(errs.len(), expect.len() + 1, "{}", errs.join("\n"));
}

#[test]
fn json_syntax_errors_name_line_and_column() {
    let errs = errors("{\n  \"hearth\": 1,\n  \"slots\": {,}\n}");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("invalid JSON at line 3, column 13"), "{}", errs[0]);
}

#[test]
fn newer_format_is_refused_with_advice() {
    let errs = errors(r#"{"hearth": 2}"#);
    assert_eq!(errs, ["hearth: format version 2 is newer than this engine reads (1); upgrade hearth"]);
}

#[test]
fn bare_growthbook_payload_is_tolerant() {
    let m = Manifest::parse(
        r#"{"status":200,"features":{"f":{"defaultValue":1}},"dateUpdated":"2024-01-01","somethingNew":true}"#,
        &NativeRegexEngine,
    )
    .unwrap();
    assert_eq!(m.format, None);
    assert!(m.summary().starts_with("GrowthBook payload: 1 feature"), "{}", m.summary());
}

#[test]
fn wrong_types_everywhere_are_reported_not_panicked() {
    for doc in [
        "[]",
        "null",
        r#"{"hearth": 1, "slots": []}"#,
        r#"{"hearth": 1, "slots": {"a": {"strategy": "rules", "variants": {}}}}"#,
        r#"{"hearth": 1, "catalog": {"items": [1, {"id": 2}]}}"#,
        r#"{"hearth": 1, "taxonomy": {"tags": {"a": {"label": "A", "parent": "a"}}}}"#,
        r#"{"hearth": "1"}"#,
        r#"{"hearth": 1, "promotions": {"p": {"placement": "x", "dayparts": [{"days": ["funday"], "from": "25:00"}]}}}"#,
    ] {
        assert!(!errors(doc).is_empty(), "{doc} should be rejected");
    }
    let loop_errs =
        errors(r#"{"hearth": 1, "taxonomy": {"tags": {"a": {"label": "A", "parent": "b"}, "b": {"label": "B", "parent": "a"}}}}"#);
    assert!(loop_errs.iter().any(|e| e.contains("loops back")), "{loop_errs:?}");
}
