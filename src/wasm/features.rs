//! What the features and full builds add to the page build's exports: JSON documents (hearth
//! manifests and GrowthBook payloads, `validate`), the manifest's summary, and GrowthBook
//! features, experiments and conditions. The page build (built without the `growthbook` feature)
//! does not export them at all, so neither its Wasm nor its wasm-bindgen glue carries them;
//! js/hearth.js says which build has what is missing.

use super::{error, parse_json, regex::JsRegexEngine, WasmEngine};
use crate::condition::Condition;
use crate::growthbook::{self, Context, Experiment};
use crate::manifest::Manifest;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsError;

fn compile_experiment(text: &str) -> Result<Experiment, JsError> {
    let v = parse_json("experiment", text)?;
    if v.as_object().is_none() {
        return Err(error::message(format!("an experiment must be an object, found {}", v.type_name())));
    }
    Ok(Experiment::compile(&v, &JsRegexEngine))
}

#[wasm_bindgen]
impl WasmEngine {
    /// Parses and validates `text`; the error lists every problem. Not in the page build, which
    /// loads hearth manifests compiled (`loadCompiled`).
    pub fn load(text: &str, decryption_key: Option<String>) -> Result<WasmEngine, JsError> {
        let manifest = Manifest::parse_with_key(text, decryption_key.as_deref(), &JsRegexEngine)
            .map_err(|issues| error::from_issues("invalid manifest", &issues))?;
        Ok(WasmEngine { manifest: Rc::new(manifest) })
    }

    /// A one-line description of what the manifest holds (`Manifest::summary`): a developer's
    /// diagnostic, like `validate`, so not in the page build.
    pub fn summary(&self) -> String {
        self.manifest.summary()
    }

    /// The experiment definition a feature result's numeric `experiment` refers to (JSON).
    #[wasm_bindgen(js_name = experimentEcho)]
    pub fn experiment_echo(&self, id: u32) -> Option<String> {
        self.manifest.growthbook.experiment_echo(id).map(str::to_owned)
    }

    /// Evaluates a compiled condition against attributes (JSON) with the payload's saved groups.
    #[wasm_bindgen(js_name = evalCondition)]
    pub fn eval_condition(&self, attributes: &str, condition: &WasmCondition) -> Result<bool, JsError> {
        let attributes = parse_json("attributes", attributes)?;
        Ok(condition.cond.eval(&attributes, self.manifest.growthbook.saved_groups()))
    }

    /// Compiles an experiment definition (JSON) for `WasmVisitor.runCompiled`.
    pub fn experiment(&self, experiment: &str) -> Result<WasmExperiment, JsError> {
        Ok(WasmExperiment { exp: compile_experiment(experiment)? })
    }

    /// Compiles a condition (JSON) for `WasmVisitor.evalCompiled`.
    pub fn condition(&self, condition: &str) -> Result<WasmCondition, JsError> {
        Ok(WasmCondition { cond: Condition::compile(&parse_json("condition", condition)?, &JsRegexEngine) })
    }

    /// The position of feature `key`, or -1 when the payload has no such feature.
    #[wasm_bindgen(js_name = featureIndex)]
    pub fn feature_index(&self, key: &str) -> i32 {
        self.manifest.growthbook.feature_index(key).map_or(-1, |i| i as i32)
    }

    /// A visitor from a `VisitorContext` document (JSON).
    pub fn visitor(&self, context: &str) -> Result<WasmVisitor, JsError> {
        let v = parse_json("visitor context", context)?;
        let mut ctx = Context::from_value(&v).map_err(|issues| error::from_issues("invalid visitor context", &issues))?;
        self.manifest.growthbook.retain_visitor_sticky_docs(&mut ctx);
        Ok(WasmVisitor { manifest: self.manifest.clone(), ctx, out: String::with_capacity(256) })
    }
}

/// An experiment definition compiled once, to run for many visitors.
#[wasm_bindgen]
pub struct WasmExperiment {
    exp: Experiment,
}

/// A condition compiled once, to evaluate for many visitors.
#[wasm_bindgen]
pub struct WasmCondition {
    cond: Condition,
}

/// One visitor's evaluation state.
#[wasm_bindgen]
pub struct WasmVisitor {
    manifest: Rc<Manifest>,
    ctx: Context,
    /// The last result, read by JS straight from Wasm memory: returning a
    /// `String` through wasm-bindgen costs an allocation, a copy and a
    /// `TextDecoder` call per result, which was most of a feature evaluation.
    out: String,
}

impl WasmVisitor {
    fn payload(&self) -> &growthbook::Payload {
        &self.manifest.growthbook
    }

    fn out_location(&self) -> f64 {
        super::out_location(&self.out)
    }
}

#[wasm_bindgen]
impl WasmVisitor {
    /// Evaluates the `index`-th feature (see `WasmEngine.featureIndex`) and
    /// leaves the result in the compact form of `FeatureResult::write_compact`
    /// in Wasm memory; returns its packed location (see `out_location`).
    #[wasm_bindgen(js_name = evalFeatureAt)]
    pub fn eval_feature_at(&mut self, index: u32) -> f64 {
        let payload = &self.manifest.growthbook;
        let id = payload.feature_id(index as usize).unwrap_or_default();
        self.out.clear();
        payload.eval_feature(id, &mut self.ctx).write_compact(&mut self.out);
        self.out_location()
    }

    /// Like `evalFeatureAt`, for a feature named by id (unknown ids, forced features).
    #[wasm_bindgen(js_name = evalFeatureKey)]
    pub fn eval_feature_key(&mut self, key: &str) -> f64 {
        self.out.clear();
        self.manifest.growthbook.eval_feature(key, &mut self.ctx).write_compact(&mut self.out);
        self.out_location()
    }

    /// Runs a compiled experiment (see `WasmEngine.experiment`); the result
    /// (in `ExperimentResult::write_compact`'s form) is left in Wasm memory,
    /// at the packed location returned.
    #[wasm_bindgen(js_name = runCompiled)]
    pub fn run_compiled(&mut self, experiment: &WasmExperiment) -> f64 {
        self.out.clear();
        self.manifest.growthbook.run(&experiment.exp, &mut self.ctx).write_compact(&mut self.out);
        self.out_location()
    }

    /// Evaluates a compiled condition (see `WasmEngine.condition`).
    #[wasm_bindgen(js_name = evalCompiled)]
    pub fn eval_compiled(&self, condition: &WasmCondition) -> bool {
        condition.cond.eval(&self.ctx.attributes, self.payload().saved_groups())
    }

    #[wasm_bindgen(js_name = setAttributes)]
    pub fn set_attributes(&mut self, attributes: &str) -> Result<(), JsError> {
        let v = parse_json("attributes", attributes)?;
        self.ctx.set_attributes(v).map_err(error::message)
    }

    pub fn attributes(&self) -> String {
        self.ctx.attributes.to_json()
    }

    #[wasm_bindgen(js_name = setUrl)]
    pub fn set_url(&mut self, url: &str) {
        url.clone_into(&mut self.ctx.url);
    }
}

/// GrowthBook's URL redirects and sticky-bucket documents: the full build's (an edge or server
/// that redirects and keeps sticky buckets), not the browser builds'.
#[cfg(feature = "full")]
#[wasm_bindgen]
impl WasmVisitor {
    #[wasm_bindgen(js_name = urlRedirects)]
    pub fn url_redirects(&mut self) -> String {
        let mut out = String::from("[");
        for (i, r) in self.manifest.growthbook.url_redirects(&mut self.ctx).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            r.write_json(&mut out);
        }
        out.push(']');
        out
    }

    #[wasm_bindgen(js_name = stickyBucketAssignmentDocs)]
    pub fn sticky_bucket_assignment_docs(&self) -> String {
        match &self.ctx.sticky {
            Some(docs) => growthbook::sticky_docs_value(docs).to_json(),
            None => "{}".to_owned(),
        }
    }
}

/// Every problem in a manifest as `[{path, message}]` JSON (`[]` when valid).
#[wasm_bindgen]
pub fn validate(text: &str) -> String {
    match Manifest::parse(text, &JsRegexEngine) {
        Ok(_) => "[]".to_owned(),
        Err(issues) => error::issues_json(&issues),
    }
}
