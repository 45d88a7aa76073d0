//! Bad input is normal input: arbitrary text and arbitrary JSON into every
//! parser that takes input from a page, a cookie or a manifest author. Each
//! must return a value or a typed error; none may panic.

use hearth::consent::{decode_gpp, decode_tc_string, signals};
use hearth::decide::Request;
use hearth::growthbook::{self, hash, url::Url, Experiment, Payload};
use hearth::host::NativeRegexEngine;
use hearth::json::{self, Object, Value};
use hearth::manifest::Manifest;
use proptest::prelude::*;

/// Arbitrary JSON values, biased toward the keys these parsers look for.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("hearth".to_owned()),
        Just("slots".to_owned()),
        Just("variants".to_owned()),
        Just("features".to_owned()),
        Just("rules".to_owned()),
        Just("condition".to_owned()),
        Just("$in".to_owned()),
        Just("attributes".to_owned()),
        Just("choices".to_owned()),
        Just("url".to_owned()),
        "[a-z$]{0,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Object>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn text_parsers_never_panic(s in "\\PC{0,80}") {
        let _ = json::parse(&s);
        let _ = Manifest::parse(&s, &NativeRegexEngine);
        let _ = decode_tc_string(&s);
        let _ = decode_gpp(&s);
        let _ = Url::parse(&s, None);
        let _ = hash::query_string_override("t", &s, 3);
        let _ = hash::parse_int(&s);
        let _ = hearth::time::parse_iso(&s);
        let _ = growthbook::decrypt(&s, &s);
        let _ = hearth::base64::decode(&s);
        let _ = hearth::base64::decode_url(&s);
        let _ = hearth::store::decode_digest(&s);
        let _ = growthbook::url::merge_query_strings(&s, &s);
    }

    #[test]
    fn json_documents_never_panic(v in arb_json(), attrs in arb_json()) {
        let _ = Manifest::from_value(&v, None, &NativeRegexEngine);
        let _ = signals::read(&v);
        let _ = Request::from_value(&v);
        let _ = hearth::decide::Context::from_value(&v, 1_780_000_000_000);
        let ctx = growthbook::Context::from_value(&v);
        // Conditions and payloads with the JS SDK's tolerance: compiled and run on anything.
        let _ = hearth::condition::eval_condition(&attrs, &v, &v, &NativeRegexEngine);
        let mut issues = hearth::diag::Issues::new();
        let payload = Payload::compile(&v, &NativeRegexEngine, &mut issues);
        let mut c = ctx.unwrap_or_default();
        let _ = c.set_attributes(attrs);
        let _ = payload.run(&Experiment::compile(&v, &NativeRegexEngine), &mut c);
        for id in ["", "features", "rules", "x"] {
            let _ = payload.eval_feature(id, &mut c).to_json();
        }
        let _ = payload.url_redirects(&mut c);
    }
}
