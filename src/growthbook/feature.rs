//! Features: rules (force, rollout, experiment, contextual bandit) and
//! prerequisites, evaluated as the JS SDK's `evalFeature`.

use super::context::Context;
use super::experiment::{
    self, bool_str, hash_attribute, prerequisite_passes, BanditInfo, Experiment, ExperimentResult, Filter, ParentCondition,
};
use super::hash::{self, Range};
use super::{Payload, Stack};
use crate::condition::Condition;
use crate::host::RegexEngine;
use crate::json::{js, write_json_string, Object, Value};
use std::rc::Rc;

/// Where a feature's value came from. The discriminants are part of the
/// compact result format (see [`FeatureResult::write_compact`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    UnknownFeature = 0,
    DefaultValue,
    Force,
    Override,
    Experiment,
    Prerequisite,
    CyclicPrerequisite,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::UnknownFeature => "unknownFeature",
            Source::DefaultValue => "defaultValue",
            Source::Force => "force",
            Source::Override => "override",
            Source::Experiment => "experiment",
            Source::Prerequisite => "prerequisite",
            Source::CyclicPrerequisite => "cyclicPrerequisite",
        }
    }
}

/// A compiled feature.
#[derive(Clone)]
pub struct Feature {
    pub default_value: Value,
    pub rules: Vec<Rule>,
}

#[derive(Clone)]
pub struct Rule {
    pub id: String,
    pub parent_conditions: Option<Vec<ParentCondition>>,
    pub filters: Option<Vec<Filter>>,
    pub condition: Option<Condition>,
    pub kind: RuleKind,
}

#[derive(Clone)]
pub enum RuleKind {
    /// Serve `value` to everyone matching, or to a hashed share of them.
    Force(Box<Rollout>),
    /// Run an experiment built from the rule. `echo` is that experiment as
    /// the JS SDK reports it in `FeatureResult.experiment`, serialized once.
    /// `echo_id` indexes [`Payload::experiment_echo`], so the JS layer can
    /// parse each echo once instead of on every evaluation.
    Experiment { exp: Box<Experiment>, echo: Object, echo_json: Rc<str>, echo_id: u32, bandit: Option<String> },
    /// Neither `force` nor variations: skipped.
    Invalid,
}

#[derive(Clone)]
pub struct Rollout {
    pub value: Value,
    pub seed: Option<String>,
    pub hash_attribute: Option<String>,
    pub fallback_attribute: Option<String>,
    pub disable_sticky_bucketing: bool,
    pub range: Option<Range>,
    pub coverage: Option<f64>,
    pub hash_version: f64,
}

/// The outcome of evaluating a feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureResult {
    pub value: Value,
    pub source: Source,
    pub rule_id: String,
    /// The experiment (as the JS SDK echoes it).
    pub experiment: Option<Echo>,
    pub experiment_result: Option<ExperimentResult>,
}

/// The experiment a feature result came from, serialized. `id` is set when
/// it is the rule's fixed definition (shared by every evaluation), and
/// `None` when it was built for this evaluation (contextual bandits).
#[derive(Debug, Clone, PartialEq)]
pub struct Echo {
    pub id: Option<u32>,
    pub json: Rc<str>,
}

impl FeatureResult {
    fn new(value: Value, source: Source) -> FeatureResult {
        FeatureResult { value, source, rule_id: String::new(), experiment: None, experiment_result: None }
    }

    pub fn on(&self) -> bool {
        js::truthy(&self.value)
    }

    /// The result as the JS SDK's `FeatureResult`, as JSON.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"value\":");
        self.value.write_json(out);
        out.push_str(",\"on\":");
        out.push_str(bool_str(self.on()));
        out.push_str(",\"off\":");
        out.push_str(bool_str(!self.on()));
        out.push_str(",\"source\":\"");
        out.push_str(self.source.as_str());
        out.push_str("\",\"ruleId\":");
        write_json_string(&self.rule_id, out);
        if let Some(e) = &self.experiment {
            out.push_str(",\"experiment\":");
            out.push_str(&e.json);
        }
        if let Some(r) = &self.experiment_result {
            out.push_str(",\"experimentResult\":");
            r.write_json(out);
        }
        out.push('}');
    }

    /// A compact form for the JS layer, which builds the result object
    /// itself instead of running `JSON.parse` over the whole envelope:
    /// `<source digit><ruleId length in UTF-16 units>,<ruleId><value JSON>`,
    /// then, for experiment results, `\0<echo id or experiment JSON>\0<experimentResult>` (the
    /// result in [`ExperimentResult::write_compact`]'s form).
    /// `\0` cannot occur in JSON text (control characters are escaped), and the
    /// rule id is skipped by its length, so the parts split unambiguously.
    pub fn write_compact(&self, out: &mut String) {
        out.push((b'0' + self.source as u8) as char);
        experiment::push_num(self.rule_id.encode_utf16().count() as f64, out);
        out.push(',');
        out.push_str(&self.rule_id);
        self.value.write_json(out);
        if let (Some(e), Some(r)) = (&self.experiment, &self.experiment_result) {
            out.push('\0');
            match e.id {
                Some(id) => experiment::push_num(f64::from(id), out),
                None => out.push_str(&e.json),
            }
            out.push('\0');
            r.write_compact(out);
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(96);
        self.write_json(&mut s);
        s
    }
}

/// The fields `evalFeature` copies from a rule into the experiment it
/// runs, in its order, each with the test it copies under.
const COPIED: [(&str, Copy); 16] = [
    ("coverage", Copy::Present),
    ("weights", Copy::Truthy),
    ("hashAttribute", Copy::Truthy),
    ("fallbackAttribute", Copy::Truthy),
    ("disableStickyBucketing", Copy::Truthy),
    ("bucketVersion", Copy::Present),
    ("minBucketVersion", Copy::Present),
    ("namespace", Copy::Truthy),
    ("meta", Copy::Truthy),
    ("ranges", Copy::Truthy),
    ("name", Copy::Truthy),
    ("phase", Copy::Truthy),
    ("seed", Copy::Truthy),
    ("hashVersion", Copy::Truthy),
    ("filters", Copy::Truthy),
    ("condition", Copy::Truthy),
];

#[derive(Clone, Copy)]
enum Copy {
    /// `"k" in rule`, and `rule.k !== undefined` (the same test on JSON,
    /// which has no `undefined`)
    Present,
    /// `if (rule.k)`
    Truthy,
}

impl Feature {
    pub fn compile(id: &str, v: &Value, regex: &dyn RegexEngine) -> Feature {
        let empty = Object::new();
        let o = v.as_object().unwrap_or(&empty);
        let rules = o.get("rules").and_then(Value::as_array).unwrap_or_default();
        Feature {
            default_value: o.get("defaultValue").cloned().unwrap_or(Value::Null),
            rules: rules.iter().map(|r| Rule::compile(id, r, regex)).collect(),
        }
    }
}

impl Rule {
    fn compile(feature: &str, v: &Value, regex: &dyn RegexEngine) -> Rule {
        let empty = Object::new();
        let o = v.as_object().unwrap_or(&empty);
        let kind = if o.contains_key("force") {
            RuleKind::Force(Box::new(Rollout {
                value: o.get("force").cloned().unwrap_or_default(),
                seed: o.get("seed").filter(|s| js::truthy(s)).map(|s| js::to_string(s).into_owned()),
                hash_attribute: o.get("hashAttribute").filter(|s| js::truthy(s)).map(|s| js::to_string(s).into_owned()),
                fallback_attribute: o.get("fallbackAttribute").filter(|s| js::truthy(s)).map(|s| js::to_string(s).into_owned()),
                disable_sticky_bucketing: o.get("disableStickyBucketing").is_some_and(js::truthy),
                range: experiment::range(o.get("range")),
                coverage: o.get("coverage").map(js::to_number),
                hash_version: experiment::version_or(o.get("hashVersion"), 1.0),
            }))
        } else {
            // Contextual bandit rules carry their variations under
            // `contextualVariations` so that older SDKs skip them.
            let variations =
                o.get("contextualVariations").filter(|v| !v.is_null()).or_else(|| o.get("variations").filter(|v| !v.is_null()));
            match variations {
                Some(variations) if js::truthy(variations) => {
                    let mut echo = Object::new();
                    echo.insert("variations", variations.clone());
                    echo.insert("key", o.get("key").filter(|k| js::truthy(k)).cloned().unwrap_or_else(|| feature.into()));
                    for (k, test) in COPIED {
                        let copy = match test {
                            Copy::Present => o.contains_key(k),
                            Copy::Truthy => o.get(k).is_some_and(js::truthy),
                        };
                        if let (true, Some(v)) = (copy, o.get(k)) {
                            echo.insert(k, v.clone());
                        }
                    }
                    let exp = Experiment::compile(&Value::Object(echo.clone()), regex);
                    let echo_json = echo.to_json().into();
                    let bandit = o.get("contextualBanditRef").filter(|r| js::truthy(r)).map(|r| js::to_string(r).into_owned());
                    // The id is assigned by `Payload::compile`.
                    RuleKind::Experiment { exp: Box::new(exp), echo, echo_json, echo_id: 0, bandit }
                }
                _ => RuleKind::Invalid,
            }
        };
        Rule {
            id: o.get("id").map(|i| js::to_string(i).into_owned()).unwrap_or_default(),
            parent_conditions: experiment::parent_conditions(o.get("parentConditions"), regex),
            filters: experiment::filters(o.get("filters")),
            condition: o.get("condition").filter(|c| js::truthy(c)).map(|c| Condition::compile(c, regex)),
            kind,
        }
    }
}

impl Payload {
    /// Evaluates feature `id` for the visitor (`evalFeature`).
    pub fn eval_feature(&self, id: &str, ctx: &mut Context) -> FeatureResult {
        self.eval_feature_in(id, ctx, &mut Stack::new())
    }

    pub(super) fn eval_feature_in<'a>(&'a self, id: &'a str, ctx: &mut Context, stack: &mut Stack<'a>) -> FeatureResult {
        if stack.contains(&id) {
            return FeatureResult::new(Value::Null, Source::CyclicPrerequisite);
        }
        stack.push(id);
        if let Some(v) = ctx.forced_features.get(id) {
            return FeatureResult::new(v.clone(), Source::Override);
        }
        let Some(feature) = self.features.get(id) else {
            return FeatureResult::new(Value::Null, Source::UnknownFeature);
        };
        // Prerequisites each start from the features evaluated so far (the
        // SDK copies the set); copied only when a rule has any.
        let evaluated = if feature.rules.iter().any(|r| r.parent_conditions.is_some()) { stack.clone() } else { Vec::new() };
        'rules: for rule in &feature.rules {
            if let Some(parents) = &rule.parent_conditions {
                for p in parents {
                    stack.clone_from(&evaluated);
                    let parent = self.eval_feature_in(&p.id, ctx, stack);
                    if parent.source == Source::CyclicPrerequisite {
                        return FeatureResult::new(Value::Null, Source::CyclicPrerequisite);
                    }
                    if !prerequisite_passes(&p.condition, &parent.value, &self.saved_groups) {
                        if p.gate {
                            return FeatureResult::new(Value::Null, Source::Prerequisite);
                        }
                        continue 'rules;
                    }
                }
            }
            if let Some(filters) = &rule.filters {
                if Self::filtered_out(filters, ctx) {
                    continue;
                }
            }
            match &rule.kind {
                RuleKind::Invalid => continue,
                RuleKind::Force(r) => {
                    if let Some(c) = &rule.condition {
                        if !c.eval(&ctx.attributes, &self.saved_groups) {
                            continue;
                        }
                    }
                    if !self.in_rollout(ctx, id, r) {
                        continue;
                    }
                    let mut res = FeatureResult::new(r.value.clone(), Source::Force);
                    res.rule_id = rule.id.clone();
                    return res;
                }
                RuleKind::Experiment { exp, echo, echo_json, echo_id, bandit } => {
                    let routed = bandit.as_deref().and_then(|b| self.route_bandit(b, exp, echo, ctx));
                    let exp = routed.as_ref().map_or(&**exp, |(e, _)| e);
                    let result = self.run_experiment(exp, Some(id), ctx, stack);
                    if result.in_experiment && !result.passthrough {
                        let bandit = exp.bandit.clone();
                        let echo = match (routed, bandit) {
                            (Some((_, mut json)), Some(cb)) if result.hash_used => {
                                // The SDK keeps `contextualBandit` on the experiment only when hashed in.
                                json.pop();
                                json.push_str(",\"contextualBandit\":");
                                cb.write_json(&mut json);
                                json.push('}');
                                Echo { id: None, json: json.into() }
                            }
                            (Some((_, json)), _) => Echo { id: None, json: json.into() },
                            (None, _) => Echo { id: Some(*echo_id), json: echo_json.clone() },
                        };
                        return FeatureResult {
                            value: result.value.clone(),
                            source: Source::Experiment,
                            rule_id: rule.id.clone(),
                            experiment: Some(echo),
                            experiment_result: Some(result),
                        };
                    }
                }
            }
        }
        FeatureResult::new(feature.default_value.clone(), Source::DefaultValue)
    }

    /// `isIncludedInRollout`.
    fn in_rollout(&self, ctx: &Context, feature: &str, r: &Rollout) -> bool {
        if r.range.is_none() && r.coverage.is_none() {
            return true;
        }
        if r.range.is_none() && r.coverage == Some(0.0) {
            return false;
        }
        let fallback = if ctx.sticky.is_some() && !r.disable_sticky_bucketing { r.fallback_attribute.as_deref() } else { None };
        let (_, value) = hash_attribute(ctx, r.hash_attribute.as_deref(), fallback);
        if !js::truthy(value) {
            return false;
        }
        let Some(n) = hash::hash(r.seed.as_deref().unwrap_or(feature), &js::to_string(value), r.hash_version) else {
            return false;
        };
        match (r.range, r.coverage) {
            (Some(range), _) => hash::in_range(n, range),
            (None, Some(c)) => n <= c,
            (None, None) => true,
        }
    }

    /// `buildContextualBanditExperiment`: routes the visitor to the first
    /// matching leaf's weights, or the fallback leaf (-1). `None` when the
    /// referenced bandit is not in the payload (aggregate weights apply).
    fn route_bandit(&self, reference: &str, exp: &Experiment, echo: &Object, ctx: &Context) -> Option<(Experiment, String)> {
        let def = self.bandits.get(reference)?;
        let leaf = def.contexts.iter().find(|leaf| leaf.condition.eval(&ctx.attributes, &self.saved_groups));
        let mut exp = exp.clone();
        let mut echo = echo.clone();
        let info = match leaf {
            Some(leaf) => {
                exp.weights = Some(leaf.weights.iter().map(js::to_number).collect());
                echo.insert("weights", Value::Array(leaf.weights.clone()));
                BanditInfo { leaf_id: leaf.leaf_id.clone(), variation_weights: Vec::new(), bandit_version: def.version.clone() }
            }
            None => BanditInfo { leaf_id: Value::Number(-1.0), variation_weights: Vec::new(), bandit_version: def.version.clone() },
        };
        let weights = exp.weights.clone().unwrap_or_else(|| hash::equal_weights(exp.variations.len()));
        exp.bandit = Some(BanditInfo { variation_weights: weights, ..info });
        Some((exp, Value::Object(echo).to_json()))
    }
}
