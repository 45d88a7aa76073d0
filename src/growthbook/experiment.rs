//! Experiments: definition, assignment (`runExperiment`) and results, step
//! for step as the JS SDK's `core.ts` does it.

use super::context::{Context, StickyDoc};
use super::hash::{self, Range};
use super::url::{self, UrlTarget, UrlTargetKind};
use super::{Payload, Stack};
use crate::condition::{Condition, SavedGroups};
use crate::host::RegexEngine;
use crate::json::{js, write_json_string, Object, Value};

/// Per-variation metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// The variation key (`meta.key || String(index)`).
    pub key: Option<String>,
    pub name: Option<String>,
    /// Passthrough variations enroll the visitor but serve the default.
    pub passthrough: bool,
}

/// A hash-based inclusion filter (what namespaces became).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub seed: String,
    pub ranges: Vec<Range>,
    pub hash_version: f64,
    pub attribute: Option<String>,
}

/// A prerequisite: feature `id` must satisfy `condition` (over `{value}`).
#[derive(Clone)]
pub struct ParentCondition {
    pub id: String,
    pub condition: Condition,
    /// A failing gate blocks the whole feature, not only this rule.
    pub gate: bool,
}

/// A compiled experiment definition.
#[derive(Clone)]
pub struct Experiment {
    pub key: String,
    pub variations: Vec<Value>,
    pub weights: Option<Vec<f64>>,
    pub coverage: Option<f64>,
    pub ranges: Option<Vec<Range>>,
    pub meta: Option<Vec<Meta>>,
    pub filters: Option<Vec<Filter>>,
    pub seed: Option<String>,
    pub url_patterns: Option<Vec<UrlTarget>>,
    pub condition: Option<Condition>,
    pub parent_conditions: Option<Vec<ParentCondition>>,
    pub namespace: Option<(String, f64, f64)>,
    /// `"force" in experiment`: the forced variation index.
    pub force: Option<f64>,
    pub hash_attribute: Option<String>,
    pub fallback_attribute: Option<String>,
    pub hash_version: f64,
    pub disable_sticky_bucketing: bool,
    pub bucket_version: f64,
    pub min_bucket_version: f64,
    pub inactive: bool,
    pub status: Option<String>,
    pub persist_query_string: bool,
    pub groups: Option<Vec<String>>,
    /// Contextual bandit routing, set per evaluation for bandit rules.
    pub bandit: Option<BanditInfo>,
}

/// What a contextual bandit adds to a result.
#[derive(Debug, Clone, PartialEq)]
pub struct BanditInfo {
    pub leaf_id: Value,
    pub variation_weights: Vec<f64>,
    pub bandit_version: Option<Value>,
}

impl BanditInfo {
    /// `"leafId":..,"variationWeights":[..][,"banditVersion":..]`, as the JS
    /// SDK puts them on results (and, braced, on the experiment).
    fn write_fields(&self, out: &mut String) {
        out.push_str("\"leafId\":");
        self.leaf_id.write_json(out);
        out.push_str(",\"variationWeights\":");
        write_numbers(&self.variation_weights, out);
        if let Some(v) = &self.bandit_version {
            out.push_str(",\"banditVersion\":");
            v.write_json(out);
        }
    }

    /// The fields as one JSON object.
    pub fn write_json(&self, out: &mut String) {
        out.push('{');
        self.write_fields(out);
        out.push('}');
    }
}

/// The outcome of running an experiment for one visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentResult {
    pub value: Value,
    pub variation_id: usize,
    pub key: String,
    pub name: Option<String>,
    pub in_experiment: bool,
    pub hash_used: bool,
    pub hash_attribute: String,
    pub hash_value: Value,
    pub feature_id: Option<String>,
    pub bucket: Option<f64>,
    pub passthrough: bool,
    pub sticky_bucket_used: bool,
    pub bandit: Option<BanditInfo>,
}

impl ExperimentResult {
    /// The result as JSON, with the JS SDK's field names.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"value\":");
        self.value.write_json(out);
        out.push_str(",\"variationId\":");
        push_num(self.variation_id as f64, out);
        out.push_str(",\"key\":");
        write_json_string(&self.key, out);
        if let Some(n) = &self.name {
            out.push_str(",\"name\":");
            write_json_string(n, out);
        }
        out.push_str(",\"inExperiment\":");
        out.push_str(bool_str(self.in_experiment));
        out.push_str(",\"hashUsed\":");
        out.push_str(bool_str(self.hash_used));
        out.push_str(",\"hashAttribute\":");
        write_json_string(&self.hash_attribute, out);
        out.push_str(",\"hashValue\":");
        self.hash_value.write_json(out);
        out.push_str(",\"featureId\":");
        match &self.feature_id {
            Some(f) => write_json_string(f, out),
            None => out.push_str("null"),
        }
        if let Some(b) = self.bucket {
            out.push_str(",\"bucket\":");
            push_num(b, out);
        }
        if self.passthrough {
            out.push_str(",\"passthrough\":true");
        }
        out.push_str(",\"stickyBucketUsed\":");
        out.push_str(bool_str(self.sticky_bucket_used));
        if let Some(cb) = &self.bandit {
            out.push(',');
            cb.write_fields(out);
        }
        out.push('}');
    }

    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(192);
        self.write_json(&mut s);
        s
    }

    /// A compact form for the JS layer, which builds the result object
    /// itself rather than `JSON.parse` it: `C`, then `\x01`-separated value
    /// JSON, variationId, key, name (empty: none), inExperiment, hashUsed
    /// (0/1), hashAttribute, hashValue JSON, featureId (empty: null, else `s`
    /// and the id), bucket (empty: none), passthrough, stickyBucketUsed (0/1),
    /// and the bandit fields as a JSON object (empty: none). JSON text never
    /// holds a raw `\x01`; when one of the strings does, the JSON form is
    /// written instead (it starts with `{`).
    pub fn write_compact(&self, out: &mut String) {
        let strings = [Some(self.key.as_str()), self.name.as_deref(), Some(self.hash_attribute.as_str()), self.feature_id.as_deref()];
        if strings.iter().flatten().any(|s| s.contains('\u{1}')) {
            return self.write_json(out);
        }
        const SEP: char = '\u{1}';
        out.push('C');
        out.push(SEP);
        self.value.write_json(out);
        out.push(SEP);
        push_num(self.variation_id as f64, out);
        out.push(SEP);
        out.push_str(&self.key);
        out.push(SEP);
        out.push_str(self.name.as_deref().unwrap_or(""));
        for flag in [self.in_experiment, self.hash_used] {
            out.push(SEP);
            out.push(if flag { '1' } else { '0' });
        }
        out.push(SEP);
        out.push_str(&self.hash_attribute);
        out.push(SEP);
        self.hash_value.write_json(out);
        out.push(SEP);
        if let Some(f) = &self.feature_id {
            out.push('s');
            out.push_str(f);
        }
        out.push(SEP);
        if let Some(b) = self.bucket {
            push_num(b, out);
        }
        for flag in [self.passthrough, self.sticky_bucket_used] {
            out.push(SEP);
            out.push(if flag { '1' } else { '0' });
        }
        out.push(SEP);
        if let Some(cb) = &self.bandit {
            cb.write_json(out);
        }
    }
}

pub(super) fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

pub(super) fn push_num(n: f64, out: &mut String) {
    Value::Number(n).write_json(out);
}

pub(super) fn write_numbers(xs: &[f64], out: &mut String) {
    out.push('[');
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_num(*x, out);
    }
    out.push(']');
}

/// `hashVersion || default`, with a non-number version matching no known
/// algorithm (the JS SDK's `hash` then returns `null`).
pub(super) fn version_or(v: Option<&Value>, default: f64) -> f64 {
    match v {
        Some(x) if js::truthy(x) => match x {
            Value::Number(n) => *n,
            _ => f64::NAN,
        },
        _ => default,
    }
}

fn string_field(o: &Object, k: &str) -> Option<String> {
    match o.get(k) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(v) if js::truthy(v) => Some(js::to_string(v).into_owned()),
        _ => None,
    }
}

fn numbers(v: Option<&Value>) -> Option<Vec<f64>> {
    v.and_then(Value::as_array).map(|a| a.iter().map(js::to_number).collect())
}

pub(super) fn ranges(v: Option<&Value>) -> Option<Vec<Range>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .map(|r| match r.as_array() {
                Some([s, e, ..]) => (js::to_number(s), js::to_number(e)),
                _ => (f64::NAN, f64::NAN),
            })
            .collect()
    })
}

pub(super) fn range(v: Option<&Value>) -> Option<Range> {
    match v.and_then(Value::as_array) {
        Some([s, e, ..]) => Some((js::to_number(s), js::to_number(e))),
        Some(_) => Some((f64::NAN, f64::NAN)),
        None => None,
    }
}

pub(super) fn filters(v: Option<&Value>) -> Option<Vec<Filter>> {
    let a = v?.as_array()?;
    Some(
        a.iter()
            .map(|f| {
                let o = f.as_object().cloned().unwrap_or_default();
                Filter {
                    seed: o.get("seed").map(|s| js::to_string(s).into_owned()).unwrap_or_else(|| "undefined".into()),
                    ranges: ranges(o.get("ranges")).unwrap_or_default(),
                    hash_version: version_or(o.get("hashVersion"), 2.0),
                    attribute: string_field(&o, "attribute"),
                }
            })
            .collect(),
    )
}

pub(super) fn parent_conditions(v: Option<&Value>, regex: &dyn RegexEngine) -> Option<Vec<ParentCondition>> {
    let a = v?.as_array()?;
    Some(
        a.iter()
            .map(|p| {
                let o = p.as_object().cloned().unwrap_or_default();
                ParentCondition {
                    id: o.get("id").map(|s| js::to_string(s).into_owned()).unwrap_or_default(),
                    // `parentCondition.condition || {}`
                    condition: o
                        .get("condition")
                        .filter(|c| js::truthy(c))
                        .map_or_else(Condition::always, |c| Condition::compile(c, regex)),
                    gate: o.get("gate").is_some_and(js::truthy),
                }
            })
            .collect(),
    )
}

impl Experiment {
    /// Compiles an experiment definition with the JS SDK's tolerance:
    /// missing or ill-typed fields take their defaults.
    pub fn compile(v: &Value, regex: &dyn RegexEngine) -> Experiment {
        let empty = Object::new();
        let o = v.as_object().unwrap_or(&empty);
        let meta = o.get("meta").and_then(Value::as_array).map(|a| {
            a.iter()
                .map(|m| {
                    let m = m.as_object().cloned().unwrap_or_default();
                    Meta {
                        key: string_field(&m, "key"),
                        name: string_field(&m, "name"),
                        passthrough: m.get("passthrough").is_some_and(js::truthy),
                    }
                })
                .collect()
        });
        let url_patterns = o.get("urlPatterns").and_then(Value::as_array).map(|a| {
            a.iter()
                .map(|t| {
                    let t = t.as_object().cloned().unwrap_or_default();
                    let pattern = t.get("pattern").map(|p| js::to_string(p).into_owned()).unwrap_or_default();
                    let kind = match t.get("type").and_then(Value::as_str) {
                        Some("regex") => {
                            // The SDK escapes bare `/` first; in a RegExp source that changes nothing.
                            UrlTargetKind::Regex(regex.compile(&pattern, false).ok())
                        }
                        Some("simple") => UrlTargetKind::Simple(pattern),
                        _ => UrlTargetKind::Unknown,
                    };
                    UrlTarget { include: !matches!(t.get("include"), Some(Value::Bool(false))), kind }
                })
                .collect()
        });
        let namespace = match o.get("namespace").and_then(Value::as_array) {
            Some([id, s, e, ..]) => Some((js::to_string(id).into_owned(), js::to_number(s), js::to_number(e))),
            _ => None,
        };
        Experiment {
            key: o.get("key").map(|k| js::to_string(k).into_owned()).unwrap_or_default(),
            variations: o.get("variations").and_then(Value::as_array).map(<[Value]>::to_vec).unwrap_or_default(),
            weights: numbers(o.get("weights")),
            coverage: o.get("coverage").map(js::to_number),
            ranges: ranges(o.get("ranges")),
            meta,
            filters: filters(o.get("filters")),
            seed: string_field(o, "seed"),
            url_patterns,
            condition: o.get("condition").filter(|c| js::truthy(c)).map(|c| Condition::compile(c, regex)),
            parent_conditions: parent_conditions(o.get("parentConditions"), regex),
            namespace,
            force: o.contains_key("force").then(|| o.get("force").map_or(f64::NAN, js::to_number)),
            hash_attribute: string_field(o, "hashAttribute"),
            fallback_attribute: string_field(o, "fallbackAttribute"),
            hash_version: version_or(o.get("hashVersion"), 1.0),
            disable_sticky_bucketing: o.get("disableStickyBucketing").is_some_and(js::truthy),
            bucket_version: o.get("bucketVersion").map_or(0.0, js::to_number),
            min_bucket_version: o.get("minBucketVersion").map_or(0.0, js::to_number),
            inactive: matches!(o.get("active"), Some(Value::Bool(false))),
            status: o.get("status").and_then(Value::as_str).map(str::to_owned),
            persist_query_string: o.get("persistQueryString").is_some_and(js::truthy),
            groups: o.get("groups").and_then(Value::as_array).map(|a| a.iter().map(|g| js::to_string(g).into_owned()).collect()),
            bandit: None,
        }
    }

    /// `getAutoExperimentChangeType(exp) === "redirect"`.
    pub fn is_redirect(&self) -> bool {
        self.url_patterns.is_some() && self.variations.iter().any(|v| v.as_object().is_some_and(|o| o.contains_key("urlRedirect")))
    }

    fn sticky_on(&self, ctx: &Context) -> bool {
        ctx.sticky.is_some() && !self.disable_sticky_bucketing
    }
}

/// `getHashAttribute(ctx, attr, fallback)`: the attribute's value if truthy,
/// else the fallback's; `""` when neither is set.
pub(super) fn hash_attribute<'a>(ctx: &'a Context, attr: Option<&'a str>, fallback: Option<&'a str>) -> (&'a str, &'a Value) {
    static EMPTY: Value = Value::String(String::new());
    let name = attr.unwrap_or("id");
    if let Some(v) = ctx.attribute(name).filter(|v| js::truthy(v)) {
        return (name, v);
    }
    if let Some(fb) = fallback {
        if let Some(v) = ctx.attribute(fb).filter(|v| js::truthy(v)) {
            return (fb, v);
        }
    }
    (name, &EMPTY)
}

/// The SDK's `toString`: strings as they are, anything else as JSON.
pub(super) fn sdk_to_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_json(),
    }
}

fn sticky_experiment_key(key: &str, version: f64) -> String {
    let mut s = String::with_capacity(key.len() + 4);
    s.push_str(key);
    s.push_str("__");
    crate::json::write_js_number(if version.is_nan() || version == 0.0 { 0.0 } else { version }, &mut s);
    s
}

impl Payload {
    /// `isFilteredOut(filters, ctx)`.
    pub(super) fn filtered_out(filters: &[Filter], ctx: &Context) -> bool {
        filters.iter().any(|f| {
            let (_, value) = hash_attribute(ctx, f.attribute.as_deref(), None);
            if !js::truthy(value) {
                return true;
            }
            match hash::hash(&f.seed, &js::to_string(value), f.hash_version) {
                None => true,
                Some(n) => !f.ranges.iter().any(|r| hash::in_range(n, *r)),
            }
        })
    }

    /// Runs an experiment for the visitor (`runExperiment`), updating sticky
    /// buckets in `ctx` when they are on.
    ///
    /// `stack` holds the features being evaluated (for prerequisite cycles);
    /// each prerequisite starts from a copy of it, as in the SDK.
    pub fn run_experiment(&self, exp: &Experiment, feature: Option<&str>, ctx: &mut Context, stack: &[&str]) -> ExperimentResult {
        let not_in = |ctx: &Context| result(ctx, exp, -1, feature, How::Unhashed);
        let n_variations = exp.variations.len();
        // 1-2. Too few variations, or a disabled context.
        if n_variations < 2 || !ctx.enabled {
            return not_in(ctx);
        }
        // 2.6. URL targeting.
        if let Some(patterns) = &exp.url_patterns {
            if !url::is_url_targeted(&ctx.url, patterns) {
                return not_in(ctx);
            }
        }
        // 3. Forced from the query string.
        if let Some(v) = hash::query_string_override(&exp.key, &ctx.url, n_variations) {
            return result(ctx, exp, v as i64, feature, How::Unhashed);
        }
        // 4. Forced in the context.
        if let Some(v) = ctx.forced_variations.get(&exp.key) {
            let index = forced_index(v);
            return result(ctx, exp, index, feature, How::Unhashed);
        }
        // 5. Drafts and inactive experiments.
        if exp.status.as_deref() == Some("draft") || exp.inactive {
            return not_in(ctx);
        }
        // 6. The hash attribute must have a value.
        let sticky_on = exp.sticky_on(ctx);
        let fallback = if sticky_on { exp.fallback_attribute.as_deref() } else { None };
        // Owned: evaluating prerequisites and persisting sticky buckets change `ctx`.
        let (hash_attr, hash_value) = match hash_attribute(ctx, exp.hash_attribute.as_deref(), fallback) {
            (_, v) if !js::truthy(v) => return not_in(ctx),
            (a, v) => (a.to_owned(), v.clone()),
        };
        let mut assigned: i64 = -1;
        let mut found_sticky = false;
        let mut version_blocked = false;
        if sticky_on {
            let (v, blocked) = sticky_variation(ctx, exp);
            found_sticky = v >= 0;
            assigned = v;
            version_blocked = blocked;
        }
        if !found_sticky {
            // 7. Filters, or the older namespaces.
            if let Some(filters) = &exp.filters {
                if Self::filtered_out(filters, ctx) {
                    return not_in(ctx);
                }
            } else if let Some((id, start, end)) = &exp.namespace {
                if !hash::in_namespace(&js::to_string(&hash_value), id, *start, *end) {
                    return not_in(ctx);
                }
            }
            // 8. Targeting condition.
            if let Some(c) = &exp.condition {
                if !c.eval(&ctx.attributes, &self.saved_groups) {
                    return not_in(ctx);
                }
            }
            // 8.05. Prerequisites.
            if let Some(parents) = &exp.parent_conditions {
                for p in parents {
                    let mut from: Stack<'_> = stack.to_vec();
                    let parent = self.eval_feature_in(&p.id, ctx, &mut from);
                    if parent.source == super::Source::CyclicPrerequisite
                        || !prerequisite_passes(&p.condition, &parent.value, &self.saved_groups)
                    {
                        return not_in(ctx);
                    }
                }
            }
            // 8.1. Required groups.
            if let Some(groups) = &exp.groups {
                if !groups.iter().any(|g| ctx.groups.get(g).is_some_and(js::truthy)) {
                    return not_in(ctx);
                }
            }
        }
        // 9. Hash, then pick the variation.
        let Some(n) = hash::hash(exp.seed.as_deref().unwrap_or(&exp.key), &js::to_string(&hash_value), exp.hash_version) else {
            return not_in(ctx);
        };
        if !found_sticky {
            assigned = match &exp.ranges {
                Some(r) => hash::choose_variation(n, r),
                None => hash::choose_variation(n, &hash::bucket_ranges(n_variations, exp.coverage.unwrap_or(1.0), exp.weights.as_deref())),
            };
        }
        // 9.5. A blocked sticky-bucket version unenrolls.
        if version_blocked {
            return result(ctx, exp, -1, feature, How::StickyBlocked);
        }
        // 10. Not covered.
        if assigned < 0 {
            return not_in(ctx);
        }
        // 11. A forced variation.
        if let Some(f) = exp.force {
            return result(ctx, exp, if f.is_nan() { -1 } else { f as i64 }, feature, How::Unhashed);
        }
        // 12. QA mode and stopped experiments.
        if ctx.qa_mode || exp.status.as_deref() == Some("stopped") {
            return not_in(ctx);
        }
        // 13. Enrolled.
        let result = result(ctx, exp, assigned, feature, How::Hashed { bucket: n, sticky: found_sticky });
        // 13.5. Persist the sticky bucket.
        if sticky_on {
            let attr_value = sdk_to_string(&hash_value);
            let doc_key = format!("{hash_attr}||{attr_value}");
            let exp_key = sticky_experiment_key(&exp.key, exp.bucket_version);
            if let Some(docs) = ctx.sticky.as_mut() {
                let doc = docs.get_or_insert_with(doc_key, || StickyDoc {
                    attribute_name: hash_attr.to_owned(),
                    attribute_value: attr_value,
                    assignments: Object::new(),
                });
                let new = Value::String(result.key.clone());
                if doc.assignments.get(&exp_key) != Some(&new) {
                    doc.assignments.insert(exp_key, new);
                }
            }
        }
        result
    }
}

/// How a result came about, for `getExperimentResult`.
#[derive(Clone, Copy)]
enum How {
    /// Not hashed: forced, excluded, or not enrolled.
    Unhashed,
    /// Unenrolled because a blocked sticky-bucket version was found.
    StickyBlocked,
    /// Hashed into bucket `n`, possibly from a sticky bucket.
    Hashed { bucket: f64, sticky: bool },
}

/// `getExperimentResult(ctx, experiment, index, ...)`: an index outside the
/// variations means "not in the experiment", served variation 0.
fn result(ctx: &Context, exp: &Experiment, index: i64, feature: Option<&str>, how: How) -> ExperimentResult {
    let (index, in_experiment) = if index < 0 || index as usize >= exp.variations.len() { (0, false) } else { (index as usize, true) };
    let fallback = if exp.sticky_on(ctx) { exp.fallback_attribute.as_deref() } else { None };
    let (hash_attribute, hash_value) = hash_attribute(ctx, exp.hash_attribute.as_deref(), fallback);
    let meta = exp.meta.as_ref().and_then(|m| m.get(index));
    let key = meta.and_then(|m| m.key.clone()).unwrap_or_else(|| index.to_string());
    let (hash_used, bucket, sticky_used) = match how {
        How::Unhashed => (false, None, false),
        How::StickyBlocked => (false, None, true),
        How::Hashed { bucket, sticky } => (true, Some(bucket), sticky),
    };
    ExperimentResult {
        value: exp.variations.get(index).cloned().unwrap_or_default(),
        variation_id: index,
        key,
        name: meta.and_then(|m| m.name.clone()),
        in_experiment,
        hash_used,
        hash_attribute: hash_attribute.to_owned(),
        hash_value: hash_value.clone(),
        feature_id: feature.map(str::to_owned),
        bucket,
        passthrough: meta.is_some_and(|m| m.passthrough),
        sticky_bucket_used: sticky_used,
        bandit: exp.bandit.clone().filter(|_| hash_used && in_experiment),
    }
}

/// A forced variation from the context: its index, or -1 when unusable.
fn forced_index(v: &Value) -> i64 {
    let n = js::to_number(v);
    if n.is_finite() && n.fract() == 0.0 {
        n as i64
    } else {
        -1
    }
}

/// `evalCondition({ value }, condition, savedGroups)` for a prerequisite.
pub(super) fn prerequisite_passes(condition: &Condition, value: &Value, groups: &SavedGroups) -> bool {
    let mut o = Object::with_capacity(1);
    o.insert("value", value.clone());
    condition.eval(&Value::Object(o), groups)
}

/// `getStickyBucketVariation`: the stored variation index (or -1), and
/// whether an older, blocked bucket version was found.
fn sticky_variation(ctx: &Context, exp: &Experiment) -> (i64, bool) {
    let Some(docs) = &ctx.sticky else { return (-1, false) };
    let (attr, value) = hash_attribute(ctx, Some(exp.hash_attribute.as_deref().unwrap_or("id")), None);
    let hash_key = format!("{attr}||{}", sdk_to_string(value));
    let (fb_attr, fb_value) = hash_attribute(ctx, exp.fallback_attribute.as_deref(), None);
    let fallback_key = js::truthy(fb_value).then(|| format!("{fb_attr}||{}", sdk_to_string(fb_value)));
    // The hash attribute's document wins over the fallback's.
    let mut assignments = Object::new();
    for key in [fallback_key.as_deref(), Some(hash_key.as_str())].into_iter().flatten() {
        if let Some(doc) = docs.get(key) {
            for (k, v) in doc.assignments.iter() {
                assignments.insert(k, v.clone());
            }
        }
    }
    if exp.min_bucket_version > 0.0 {
        let mut i = 0.0;
        while i < exp.min_bucket_version {
            if assignments.contains_key(&sticky_experiment_key(&exp.key, i)) {
                return (-1, true);
            }
            i += 1.0;
        }
    }
    let Some(Value::String(variation_key)) = assignments.get(&sticky_experiment_key(&exp.key, exp.bucket_version)) else {
        return (-1, false);
    };
    let index = exp.meta.as_deref().unwrap_or_default().iter().position(|m| m.key.as_deref() == Some(variation_key.as_str()));
    (index.map_or(-1, |i| i as i64), false)
}
