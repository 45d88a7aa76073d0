//! `make bench-native`: native benches of the core, no Wasm, no JS.
//!
//!   cargo bench --quiet --bench core
//!
//! Same payload (benches/data/payload.json), visitors (same generator),
//! experiment and condition as benches/js/compare.mjs. One line per bench:
//! `native condition eval: 85 ns/op` (best of 5 runs of >= 200 ms each,
//! after a warm-up).

use hearth::condition::{Condition, SavedGroups};
use hearth::diag::Issues;
use hearth::growthbook::{hash, Context, Experiment, Payload};
use hearth::host::NativeRegexEngine;
use hearth::json::{self, Object, Value};
use hearth::manifest::Manifest;
use std::hint::black_box;
use std::time::{Duration, Instant};

const MIN_RUN: Duration = Duration::from_millis(200);
const RUNS: usize = 5;

/// Times `f(i)` for i in 0.. : warm-up, an iteration count giving >= 200 ms
/// per run, then the best of `RUNS` runs. Prints and returns ns per call.
fn bench<R>(name: &str, mut f: impl FnMut(usize) -> R) -> f64 {
    let mut run = |n: usize| {
        let t = Instant::now();
        for i in 0..n {
            black_box(f(black_box(i)));
        }
        t.elapsed()
    };
    let mut n = 100;
    run(n); // warm-up
    loop {
        let t = run(n);
        if t >= MIN_RUN {
            break;
        }
        let scale = MIN_RUN.as_secs_f64() * 1.1 / t.as_secs_f64().max(1e-9);
        n = ((n as f64 * scale).ceil() as usize).max(n * 2).min(n * 100);
    }
    let best = (0..RUNS).map(|_| run(n)).min().unwrap();
    let ns = best.as_nanos() as f64 / n as f64;
    if ns < 10.0 {
        println!("native {name}: {ns:.1} ns/op");
    } else {
        println!("native {name}: {ns:.0} ns/op");
    }
    ns
}

// ---- visitors: the same deterministic generator as benches/js/compare.mjs ----
const COUNTRIES: [&str; 14] = ["US", "CA", "GB", "IE", "AU", "DE", "FR", "ES", "IT", "NL", "MX", "BR", "JP", "IN"];
const BROWSERS: [&str; 4] = ["chrome", "firefox", "safari", "edge"];
const PLANS: [&str; 5] = ["free", "free", "starter", "pro", "enterprise"];
const PATHS: [&str; 6] = ["", "products/tents", "products/boots", "cart", "checkout", "account"];
const SOURCES: [&str; 4] = ["direct", "newsletter", "search", "social"];
const EMAIL_DOMAINS: [&str; 4] = ["example.com", "example.org", "mail.test", "mail.test"];
const VISITORS: usize = 1000;

struct Visitor {
    attributes: Value,
    url: String,
}

fn generate_visitors() -> Vec<Visitor> {
    let mut s: u32 = 0x2545_f491;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        s
    };
    (0..VISITORS)
        .map(|i| {
            let id = format!("user-{i}");
            let country = COUNTRIES[next() as usize % COUNTRIES.len()];
            let browser = BROWSERS[next() as usize % BROWSERS.len()];
            let major = 1 + next() % 3;
            let minor = next() % 10;
            let patch = next() % 20;
            let plan = PLANS[next() as usize % PLANS.len()];
            let login_count = next() % 40;
            let mobile = next() % 3 == 0;
            let email_kind = next() % 4;
            let consent_kind = next() % 3;
            let device_kind = next() % 5;
            let device = next();
            let path = PATHS[next() as usize % PATHS.len()];
            let source = SOURCES[next() as usize % SOURCES.len()];
            let mut a = Object::new();
            a.insert("id", Value::from(id.as_str()));
            a.insert("country", Value::from(country));
            a.insert("browser", Value::from(browser));
            a.insert("appVersion", Value::from(format!("{major}.{minor}.{patch}")));
            a.insert("plan", Value::from(plan));
            a.insert("loginCount", Value::from(f64::from(login_count)));
            a.insert("mobile", Value::from(mobile));
            a.insert("email", Value::from(format!("{id}@{}", EMAIL_DOMAINS[email_kind as usize])));
            if consent_kind > 0 {
                a.insert("consent", Value::from(if consent_kind == 1 { "all" } else { "essential" }));
            }
            if device_kind > 0 {
                a.insert("deviceId", Value::from(format!("d-{device:x}")));
            }
            Visitor { attributes: Value::Object(a), url: format!("https://shop.example.com/{path}?utm_source={source}") }
        })
        .collect()
}

/// The inline experiment for `run` (as in compare.mjs).
const EXPERIMENT: &str = r#"{
  "key": "pricing-page-test", "name": "Pricing page", "seed": "pricing-2024", "hashAttribute": "id", "hashVersion": 2,
  "variations": ["monthly-first", "annual-first", "comparison-table"], "weights": [0.4, 0.3, 0.3], "coverage": 0.9,
  "meta": [{ "key": "monthly", "name": "Monthly first" }, { "key": "annual", "name": "Annual first" }, { "key": "table", "name": "Comparison table" }],
  "condition": { "country": { "$nin": ["JP", "IN"] }, "appVersion": { "$vgte": "1.5.0" } }
}"#;

/// The condition for `evalCondition` (as in compare.mjs).
const CONDITION: &str = r#"{
  "$and": [
    { "loginCount": { "$gt": 1 } },
    { "$or": [{ "country": { "$in": ["US", "CA", "GB", "DE", "FR"] } }, { "plan": { "$in": ["pro", "enterprise"] } }] }
  ],
  "browser": { "$in": ["chrome", "firefox", "edge"] },
  "email": { "$regex": "^user-\\d+@(example|mail)\\." },
  "appVersion": { "$vgte": "1.2.0" }
}"#;

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn main() {
    let regex = NativeRegexEngine;
    let payload_text = read("benches/data/payload.json");
    let payload_doc = json::parse(&payload_text).expect("payload.json");
    let mut issues = Issues::new();
    let payload = Payload::compile(&payload_doc, &regex, &mut issues);
    assert!(issues.is_empty(), "payload.json: {issues:?}");
    let keys: Vec<String> = payload.feature_ids().map(str::to_owned).collect();
    let groups_doc = payload_doc.get("savedGroups").cloned().unwrap_or_default();
    let groups = SavedGroups::compile(&groups_doc, &regex);

    let visitors = generate_visitors();
    let mut contexts: Vec<Context> = visitors
        .iter()
        .map(|v| {
            let mut o = Object::new();
            o.insert("attributes", v.attributes.clone());
            o.insert("url", Value::from(v.url.as_str()));
            Context::from_value(&Value::Object(o)).expect("visitor context")
        })
        .collect();
    let (nv, nk) = (visitors.len(), keys.len());

    let experiment_doc = json::parse(EXPERIMENT).expect("experiment");
    let experiment = Experiment::compile(&experiment_doc, &regex);
    let condition_doc = json::parse(CONDITION).expect("condition");
    let condition = Condition::compile(&condition_doc, &regex);
    let manifest_text = read("docs/manifest.sample.json");
    Manifest::parse(&manifest_text, &regex).expect("docs/manifest.sample.json");

    println!("native benches: {nv} visitors, {nk} features, best of {RUNS} runs of >= {} ms", MIN_RUN.as_millis());
    bench("condition compile+eval", |i| Condition::compile(&condition_doc, &regex).eval(&visitors[i % nv].attributes, &groups));
    bench("condition eval", |i| condition.eval(&visitors[i % nv].attributes, &groups));
    bench("eval_feature", |i| payload.eval_feature(&keys[i % nk], &mut contexts[i % nv]));
    bench("eval_feature + to_json", |i| payload.eval_feature(&keys[i % nk], &mut contexts[i % nv]).to_json());
    bench("run (compiled experiment)", |i| payload.run(&experiment, &mut contexts[i % nv]));
    let ids: Vec<String> = (0..nv).map(|i| format!("user-{i}")).collect();
    bench("hash v2", |i| hash::hash("pricing-2024", &ids[i % nv], 2.0));
    bench("payload parse+compile", |_| {
        let doc = json::parse(&payload_text).unwrap();
        Payload::compile(&doc, &regex, &mut Issues::new())
    });
    bench("manifest parse (docs/manifest.sample.json)", |_| Manifest::parse(&manifest_text, &regex).is_ok());
}
