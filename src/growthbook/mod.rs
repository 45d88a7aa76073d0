//! GrowthBook SDK payloads, evaluated on device with the JS SDK's exact
//! semantics (`@growthbook/growthbook` 1.8, conformance spec 0.8.0): an
//! existing GrowthBook setup runs in hearth unchanged.
//!
//! [`Payload::compile`] reads a payload once (features, auto experiments,
//! saved groups, contextual bandits), compiling every condition and URL
//! pattern; evaluation against a visitor [`Context`] then does no parsing.

mod context;
mod crypto;
mod experiment;
mod feature;
pub mod hash;
pub mod url;

pub use context::{sticky_docs_value, Context, StickyDoc};
pub use crypto::{decrypt, DecryptError};
pub use experiment::{BanditInfo, Experiment, ExperimentResult, Filter, Meta, ParentCondition};
pub use feature::{Echo, Feature, FeatureResult, Rule, RuleKind, Source};

use crate::condition::{Condition, SavedGroups};
use crate::diag::{self, Issues};
use crate::host::RegexEngine;
use crate::json::{js, write_json_string, Value};
use crate::map::SortedMap;

/// Features evaluated so far in one top-level call (cycle detection for
/// prerequisites, as the JS SDK's `ctx.stack.evaluatedFeatures`).
pub type Stack<'a> = Vec<&'a str>;

/// Whether this build evaluates features and experiments: every build but the browser's page
/// build (Wasm without the `growthbook` feature; Cargo.toml says why).
pub const EVALUATES: bool = cfg!(any(feature = "growthbook", not(target_arch = "wasm32")));

/// A compiled GrowthBook payload.
#[derive(Clone, Default)]
pub struct Payload {
    features: SortedMap<String, Feature>,
    experiments: Vec<Experiment>,
    saved_groups: SavedGroups,
    bandits: SortedMap<String, Bandit>,
    /// How many auto experiments the payload has (`experiments` is empty where they are not
    /// evaluated: the page build).
    experiment_count: usize,
    /// The serialized experiment of every experiment rule, by `echo_id`.
    echoes: Vec<std::rc::Rc<str>>,
    /// Feature ids in order, for [`Payload::feature_id`].
    ids: Vec<String>,
}

/// A contextual bandit definition: the first leaf whose condition matches
/// the visitor gives the variation weights.
#[derive(Clone)]
struct Bandit {
    version: Option<Value>,
    contexts: Vec<Leaf>,
}

#[derive(Clone)]
struct Leaf {
    leaf_id: Value,
    condition: Condition,
    weights: Vec<Value>,
}

/// A URL redirect the visitor's auto experiments ask for.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    pub experiment: String,
    pub in_experiment: bool,
    pub url_redirect: String,
    /// `url_redirect`, with the current URL's query merged in when the
    /// experiment has `persistQueryString`.
    pub url_with_params: String,
}

impl Redirect {
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"experiment\":");
        write_json_string(&self.experiment, out);
        out.push_str(",\"inExperiment\":");
        out.push_str(experiment::bool_str(self.in_experiment));
        out.push_str(",\"urlRedirect\":");
        write_json_string(&self.url_redirect, out);
        out.push_str(",\"urlWithParams\":");
        write_json_string(&self.url_with_params, out);
        out.push('}');
    }
}

impl Payload {
    /// Compiles a (decrypted) payload. Only structural problems are reported
    /// (a section of the wrong type); inside features and experiments the
    /// JS SDK's tolerance applies, so a payload that works with GrowthBook
    /// works here.
    pub fn compile(doc: &Value, regex: &dyn RegexEngine, issues: &mut Issues) -> Payload {
        let mut p = Payload::default();
        let Some(o) = doc.as_object() else {
            issues.push("", diag::found("a GrowthBook payload must be an object", doc));
            return p;
        };
        let section = |k: &str, want_array: bool, issues: &mut Issues| -> Option<&Value> {
            let v = o.get(k).filter(|v| !v.is_null())?;
            let ok = if want_array { v.as_array().is_some() } else { v.as_object().is_some() };
            if !ok {
                issues.push(k, format!("must be {}, found {}", if want_array { "an array" } else { "an object" }, v.type_name()));
                return None;
            }
            Some(v)
        };
        // The page build (no `growthbook` feature, Wasm) evaluates no features or experiments:
        // it notes their ids and count (for `summary`), and compiles only the saved groups that
        // hearth's own conditions use. `EVALUATES` is a constant, so the rest is not in it.
        if !EVALUATES {
            if let Some(features) = section("features", false, issues).and_then(Value::as_object) {
                p.ids = features.iter().filter(|(_, f)| f.as_object().is_some()).map(|(id, _)| id.to_owned()).collect();
                crate::sort::sort(&mut p.ids);
            }
            p.experiment_count = section("experiments", true, issues).and_then(Value::as_array).map_or(0, <[Value]>::len);
            if let Some(groups) = section("savedGroups", false, issues) {
                p.saved_groups = SavedGroups::compile(groups, regex);
            }
            return p;
        }
        if let Some(features) = section("features", false, issues).and_then(Value::as_object) {
            // Collected, then sorted once (the keys are distinct).
            let mut compiled = Vec::with_capacity(features.len());
            for (id, f) in features.iter() {
                if !f.is_null() && f.as_object().is_none() {
                    issues.push(diag::key("features", id), diag::found("must be an object", f));
                    continue;
                }
                // `if (!ctx.global.features[id])`: a null feature is unknown.
                if f.as_object().is_some() {
                    compiled.push((id.to_owned(), Feature::compile(id, f, regex)));
                }
            }
            p.features = compiled.into_iter().collect();
        }
        p.ids = p.features.keys().cloned().collect();
        for rule in p.features.values_mut().flat_map(|f| f.rules.iter_mut()) {
            if let RuleKind::Experiment { echo_json, echo_id, .. } = &mut rule.kind {
                *echo_id = p.echoes.len() as u32;
                p.echoes.push(echo_json.clone());
            }
        }
        if let Some(exps) = section("experiments", true, issues).and_then(Value::as_array) {
            p.experiments = exps.iter().map(|e| Experiment::compile(e, regex)).collect();
        }
        p.experiment_count = p.experiments.len();
        if let Some(groups) = section("savedGroups", false, issues) {
            p.saved_groups = SavedGroups::compile(groups, regex);
        }
        if let Some(bandits) = section("contextualBandits", false, issues).and_then(Value::as_object) {
            let mut all = Vec::with_capacity(bandits.len());
            for (id, b) in bandits.iter() {
                let Some(b) = b.as_object() else { continue };
                let contexts = b.get("contexts").and_then(Value::as_array).unwrap_or_default();
                let contexts = contexts
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|c| Leaf {
                        leaf_id: c.get("leafId").cloned().unwrap_or_default(),
                        condition: c
                            .get("condition")
                            .filter(|c| js::truthy(c))
                            .map_or_else(Condition::always, |c| Condition::compile(c, regex)),
                        weights: c.get("weights").and_then(Value::as_array).map(<[Value]>::to_vec).unwrap_or_default(),
                    })
                    .collect();
                all.push((id.to_owned(), Bandit { version: b.get("banditVersion").cloned(), contexts }));
            }
            p.bandits = all.into_iter().collect();
        }
        p
    }

    pub fn feature_count(&self) -> usize {
        self.ids.len()
    }

    pub fn experiment_count(&self) -> usize {
        self.experiment_count
    }

    pub fn feature_ids(&self) -> impl Iterator<Item = &str> {
        self.features.keys().map(String::as_str)
    }

    /// The id of the `i`-th feature (in id order), so a host can name a
    /// feature by number instead of passing its id on every call.
    pub fn feature_id(&self, i: usize) -> Option<&str> {
        self.ids.get(i).map(String::as_str)
    }

    /// The position of feature `id` in id order.
    pub fn feature_index(&self, id: &str) -> Option<usize> {
        self.ids.binary_search_by(|k| k.as_str().cmp(id)).ok()
    }

    /// The experiment a feature result's `experiment` id refers to (JSON).
    pub fn experiment_echo(&self, id: u32) -> Option<&str> {
        self.echoes.get(id as usize).map(|e| &**e)
    }

    pub fn saved_groups(&self) -> &SavedGroups {
        &self.saved_groups
    }

    /// Keeps only the sticky-bucket documents that belong to this visitor:
    /// those of the identifier attributes the payload's experiments hash on,
    /// with the visitor's values (what the JS SDK's sticky-bucket service
    /// loads). A document for another id must not leak into this visitor.
    pub fn retain_visitor_sticky_docs(&self, ctx: &mut Context) {
        let mut attrs: Vec<&str> = Vec::new();
        let rule_exps = self.features.values().flat_map(|f| &f.rules).filter_map(|r| match &r.kind {
            RuleKind::Experiment { exp, .. } => Some(&**exp),
            _ => None,
        });
        for exp in rule_exps.chain(&self.experiments) {
            attrs.push(exp.hash_attribute.as_deref().unwrap_or("id"));
            attrs.extend(exp.fallback_attribute.as_deref());
        }
        let keys: Vec<String> = attrs
            .iter()
            .map(|a| {
                let (_, v) = experiment::hash_attribute(ctx, Some(a), None);
                format!("{a}||{}", experiment::sdk_to_string(v))
            })
            .collect();
        if let Some(docs) = ctx.sticky.as_mut() {
            docs.retain(|k, _| keys.contains(k));
        }
    }

    /// Runs an inline experiment (the JS SDK's `gb.run(experiment)`).
    pub fn run(&self, exp: &Experiment, ctx: &mut Context) -> ExperimentResult {
        self.run_experiment(exp, None, ctx, &[])
    }

    /// The payload's redirect experiments, run in order for the visitor's
    /// URL; like the SDK, the first one the visitor is enrolled in wins.
    pub fn url_redirects(&self, ctx: &mut Context) -> Vec<Redirect> {
        let mut out = Vec::new();
        for exp in &self.experiments {
            let result = self.run(exp, ctx);
            if !result.in_experiment || !exp.is_redirect() {
                continue;
            }
            if let Some(target) = result.value.get("urlRedirect").filter(|u| js::truthy(u)) {
                let target = js::to_string(target).into_owned();
                let with_params = if exp.persist_query_string { url::merge_query_strings(&ctx.url, &target) } else { target.clone() };
                // A redirect to a URL the experiment targets again would loop.
                if !url::is_url_targeted(&with_params, exp.url_patterns.as_deref().unwrap_or_default()) {
                    out.push(Redirect {
                        experiment: exp.key.clone(),
                        in_experiment: true,
                        url_redirect: target,
                        url_with_params: with_params,
                    });
                }
            }
            break;
        }
        out
    }
}
