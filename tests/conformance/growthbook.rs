//! GrowthBook's SDK conformance cases (tests/data/growthbook/cases.json),
//! run natively against the core, each section asserted the way the JS
//! SDK's own `json.test.ts` asserts it. tests/js/growthbook-cases.mjs runs
//! the same file through the Wasm build.

use crate::{data, Suite};
use hearth::condition;
use hearth::diag::Issues;
use hearth::growthbook::{self, hash, sticky_docs_value, Context, Experiment, Payload};
use hearth::host::NativeRegexEngine;
use hearth::json::{self, Object, Value};

pub fn run() -> Suite {
    let mut suite = Suite::new("growthbook cases");
    let cases = json::parse(&data("growthbook/cases.json")).expect("cases.json is valid JSON");
    for (section, list) in cases.as_object().expect("cases.json is an object").iter() {
        if section == "specVersion" {
            continue;
        }
        for (i, case) in list.as_array().unwrap_or_default().iter().enumerate() {
            let c = case.as_array().unwrap_or_default();
            let label = match c.first() {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_json(),
                None => String::new(),
            };
            let outcome = match section {
                "evalCondition" => eval_condition(c),
                "hash" => hash_case(c),
                "getBucketRange" => bucket_range(c),
                "chooseVariation" => choose_variation(c),
                "getQueryStringOverride" => query_string_override(c),
                "inNamespace" => in_namespace(c),
                "getEqualWeights" => equal_weights(c),
                "decrypt" => decrypt(c),
                "feature" | "contextualBandit" => feature(c),
                "run" => run_case(c),
                "stickyBucket" => sticky_bucket(c),
                "urlRedirect" => url_redirect(c),
                other => Err(format!("no runner for section {other}")),
            };
            suite.case(format!("{section}[{i}] {label}"), outcome);
        }
    }
    suite
}

fn arg(c: &[Value], i: usize) -> &Value {
    const NULL: &Value = &Value::Null;
    c.get(i).unwrap_or(NULL)
}

/// Jest's `toEqual` over JSON: objects compare as unordered maps.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        _ => a == b,
    }
}

fn expect(actual: &Value, expected: &Value) -> Result<(), String> {
    if same(actual, expected) {
        Ok(())
    } else {
        Err(format!("expected {}, got {}", expected.to_json(), actual.to_json()))
    }
}

fn parsed(text: &str) -> Value {
    json::parse(text).unwrap_or_else(|e| Value::String(format!("(unparseable output: {e})")))
}

/// `Math.floor(n * 1e8) / 1e8`, recursively: the JS test's rounding.
fn rounded(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::Number((n * 1e8).floor() / 1e8),
        Value::Array(a) => Value::Array(a.iter().map(rounded).collect()),
        other => other.clone(),
    }
}

fn ranges_value(r: &[hash::Range]) -> Value {
    Value::Array(r.iter().map(|(s, e)| Value::Array(vec![Value::Number(*s), Value::Number(*e)])).collect())
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn eval_condition(c: &[Value]) -> Result<(), String> {
    let got = condition::eval_condition(arg(c, 2), arg(c, 1), arg(c, 4), &NativeRegexEngine);
    expect(&Value::Bool(got), arg(c, 3))
}

fn hash_case(c: &[Value]) -> Result<(), String> {
    let got = hash::hash(arg(c, 0).as_str().unwrap_or_default(), arg(c, 1).as_str().unwrap_or_default(), num(arg(c, 2)));
    expect(&got.map_or(Value::Null, Value::Number), arg(c, 3))
}

fn bucket_range(c: &[Value]) -> Result<(), String> {
    let a = arg(c, 1).as_array().unwrap_or_default();
    let weights: Option<Vec<f64>> = arg(a, 2).as_array().map(|w| w.iter().map(num).collect());
    let got = hash::bucket_ranges(num(arg(a, 0)) as usize, num(arg(a, 1)), weights.as_deref());
    expect(&rounded(&ranges_value(&got)), &rounded(arg(c, 2)))
}

fn choose_variation(c: &[Value]) -> Result<(), String> {
    let ranges: Vec<hash::Range> = arg(c, 2)
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|r| (num(arg(r.as_array().unwrap_or_default(), 0)), num(arg(r.as_array().unwrap_or_default(), 1))))
        .collect();
    expect(&Value::Number(hash::choose_variation(num(arg(c, 1)), &ranges) as f64), arg(c, 3))
}

fn query_string_override(c: &[Value]) -> Result<(), String> {
    let got = hash::query_string_override(
        arg(c, 1).as_str().unwrap_or_default(),
        arg(c, 2).as_str().unwrap_or_default(),
        num(arg(c, 3)) as usize,
    );
    expect(&got.map_or(Value::Null, |v| Value::Number(v as f64)), arg(c, 4))
}

fn in_namespace(c: &[Value]) -> Result<(), String> {
    let ns = arg(c, 2).as_array().unwrap_or_default();
    let got = hash::in_namespace(
        arg(c, 1).as_str().unwrap_or_default(),
        arg(ns, 0).as_str().unwrap_or_default(),
        num(arg(ns, 1)),
        num(arg(ns, 2)),
    );
    expect(&Value::Bool(got), arg(c, 3))
}

fn equal_weights(c: &[Value]) -> Result<(), String> {
    let n = num(arg(c, 0));
    let got = hash::equal_weights(if n > 0.0 { n as usize } else { 0 });
    expect(&rounded(&Value::Array(got.into_iter().map(Value::Number).collect())), &rounded(arg(c, 1)))
}

fn decrypt(c: &[Value]) -> Result<(), String> {
    let got = growthbook::decrypt(arg(c, 1).as_str().unwrap_or_default(), arg(c, 2).as_str().unwrap_or_default());
    expect(&got.map_or(Value::Null, Value::String), arg(c, 3))
}

/// The payload and the visitor context a JS SDK test context holds.
fn setup(ctx: &Value) -> Result<(Payload, Context), String> {
    let o = ctx.as_object().cloned().unwrap_or_default();
    let mut payload = Object::new();
    let mut visitor = Object::new();
    for (k, v) in o.iter() {
        match k {
            "features" | "savedGroups" | "experiments" | "contextualBandits" => payload.insert(k, v.clone()),
            _ => visitor.insert(k, v.clone()),
        }
    }
    let mut issues = Issues::new();
    let p = Payload::compile(&Value::Object(payload), &NativeRegexEngine, &mut issues);
    if !issues.is_empty() {
        return Err(format!("payload rejected: {issues}"));
    }
    let mut c = Context::from_value(&Value::Object(visitor)).map_err(|e| format!("context rejected: {e}"))?;
    p.retain_visitor_sticky_docs(&mut c);
    Ok((p, c))
}

fn feature(c: &[Value]) -> Result<(), String> {
    let (p, mut ctx) = setup(arg(c, 1))?;
    let got = parsed(&p.eval_feature(arg(c, 2).as_str().unwrap_or_default(), &mut ctx).to_json());
    let mut want = Object::new();
    want.insert("ruleId", Value::String(String::new()));
    for (k, v) in arg(c, 3).as_object().cloned().unwrap_or_default() {
        want.insert(k, v);
    }
    expect(&got, &Value::Object(want))
}

fn run_case(c: &[Value]) -> Result<(), String> {
    let (p, mut ctx) = setup(arg(c, 1))?;
    let exp = Experiment::compile(arg(c, 2), &NativeRegexEngine);
    let r = p.run(&exp, &mut ctx);
    let got = Value::Array(vec![r.value.clone(), Value::Bool(r.in_experiment), Value::Bool(r.hash_used)]);
    expect(&got, &Value::Array(vec![arg(c, 3).clone(), arg(c, 4).clone(), arg(c, 5).clone()]))
}

fn sticky_bucket(c: &[Value]) -> Result<(), String> {
    let mut ctx_doc = arg(c, 1).as_object().cloned().unwrap_or_default();
    let docs: Object = arg(c, 2)
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|d| {
            let key = format!(
                "{}||{}",
                d.get("attributeName").and_then(Value::as_str).unwrap_or_default(),
                d.get("attributeValue").and_then(Value::as_str).unwrap_or_default()
            );
            (key, d.clone())
        })
        .collect();
    ctx_doc.insert("stickyBucketAssignmentDocs", Value::Object(docs));
    let (p, mut ctx) = setup(&Value::Object(ctx_doc))?;
    let res = p.eval_feature(arg(c, 3).as_str().unwrap_or_default(), &mut ctx);
    let got = res.experiment_result.map_or(Value::Null, |r| parsed(&r.to_json()));
    expect(&got, arg(c, 4)).map_err(|e| format!("result: {e}"))?;
    let docs = ctx.sticky.as_ref().map(sticky_docs_value).unwrap_or_default();
    expect(&docs, arg(c, 5)).map_err(|e| format!("docs: {e}"))
}

fn url_redirect(c: &[Value]) -> Result<(), String> {
    let (p, mut ctx) = setup(arg(c, 1))?;
    let got: Vec<Value> = p
        .url_redirects(&mut ctx)
        .iter()
        .map(|r| {
            let mut o = Object::new();
            o.insert("inExperiment", Value::Bool(r.in_experiment));
            o.insert("urlRedirect", Value::String(r.url_redirect.clone()));
            o.insert("urlWithParams", Value::String(r.url_with_params.clone()));
            Value::Object(o)
        })
        .collect();
    expect(&Value::Array(got), arg(c, 2))
}
