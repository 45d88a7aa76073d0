//! The wasm-bindgen facade: converts values and maps errors, nothing more.
//!
//! Values cross the boundary as JSON text. That is deliberate: one
//! `JSON.stringify`/`JSON.parse` pair in the JS layer (js/hearth.js) is
//! faster than walking JS objects field by field through the bindings, and
//! it keeps serde out of the bundle. Every export returns `Result` rather
//! than panicking, because under `panic = "abort"` a panic reaches JS as an
//! opaque `RuntimeError: unreachable`.

mod error;
mod local_storage;
mod regex;
mod session;

use crate::condition::{self, Condition};
use crate::growthbook::{self, hash, sticky_docs_value, Context, Experiment};
use crate::json::{self, Value};
use crate::manifest::Manifest;
use regex::JsRegexEngine;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsError;

fn parse_json(what: &str, text: &str) -> Result<Value, JsError> {
    json::parse(text).map_err(|e| error::message(format!("{what}: {e}")))
}

/// A loaded manifest or GrowthBook payload.
#[wasm_bindgen]
pub struct WasmEngine {
    manifest: Rc<Manifest>,
}

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
    /// loads hearth manifests compiled (`loadCompiled`) and evaluates no GrowthBook payload.
    pub fn load(text: &str, decryption_key: Option<String>) -> Result<WasmEngine, JsError> {
        error::json_documents("a JSON manifest")?;
        let manifest = Manifest::parse_with_key(text, decryption_key.as_deref(), &JsRegexEngine)
            .map_err(|issues| error::from_issues("invalid manifest", &issues))?;
        Ok(WasmEngine { manifest: Rc::new(manifest) })
    }

    /// Reads a compiled manifest (`compileManifest`); the error says what is wrong with the bytes.
    #[wasm_bindgen(js_name = loadCompiled)]
    pub fn load_compiled(bytes: &[u8]) -> Result<WasmEngine, JsError> {
        let manifest =
            Manifest::from_compiled(bytes, &JsRegexEngine).map_err(|issues| error::from_issues("invalid compiled manifest", &issues))?;
        Ok(WasmEngine { manifest: Rc::new(manifest) })
    }

    pub fn summary(&self) -> String {
        self.manifest.summary()
    }

    /// The manifest's names for people (`Manifest::labels_json`).
    pub fn labels(&self) -> String {
        self.manifest.labels_json()
    }

    /// The experiment definition a feature result's numeric `experiment` refers to (JSON).
    #[wasm_bindgen(js_name = experimentEcho)]
    pub fn experiment_echo(&self, id: u32) -> Option<String> {
        self.manifest.growthbook.experiment_echo(id).map(str::to_owned)
    }

    /// Evaluates a compiled condition against attributes (JSON) with the payload's saved groups.
    #[wasm_bindgen(js_name = evalCondition)]
    pub fn eval_condition(&self, attributes: &str, condition: &WasmCondition) -> Result<bool, JsError> {
        error::growthbook("evalCondition")?;
        let attributes = parse_json("attributes", attributes)?;
        Ok(condition.cond.eval(&attributes, self.manifest.growthbook.saved_groups()))
    }

    /// Compiles an experiment definition (JSON) for `WasmVisitor.runCompiled`.
    pub fn experiment(&self, experiment: &str) -> Result<WasmExperiment, JsError> {
        error::growthbook("run")?;
        Ok(WasmExperiment { exp: compile_experiment(experiment)? })
    }

    /// Compiles a condition (JSON) for `WasmVisitor.evalCompiled`.
    pub fn condition(&self, condition: &str) -> Result<WasmCondition, JsError> {
        error::growthbook("evalCondition")?;
        Ok(WasmCondition { cond: Condition::compile(&parse_json("condition", condition)?, &JsRegexEngine) })
    }

    /// The position of slot `id` in the manifest, or -1.
    #[wasm_bindgen(js_name = slotIndex)]
    pub fn slot_index(&self, id: &str) -> i32 {
        self.manifest.slots.iter().position(|s| s.id == id).map_or(-1, |i| i as i32)
    }

    /// A slot's variants as JSON `[{id, content}]`, for JS to read compact
    /// decisions against; `undefined` for an unknown slot.
    #[wasm_bindgen(js_name = slotVariants)]
    pub fn slot_variants(&self, slot: &str) -> Option<String> {
        let s = self.manifest.slot(slot)?;
        Some(id_content_list(s.variants.iter().map(|v| (&v.id, &v.content))))
    }

    /// The catalog position of item `id`, or -1 when the catalog has no such item.
    #[wasm_bindgen(js_name = itemIndex)]
    pub fn item_index(&self, id: &str) -> i32 {
        self.manifest.catalog.position(id).map_or(-1, |i| i as i32)
    }

    /// The artworks of the item at catalog `position` as JSON `[{id, content}]`,
    /// for JS to read artwork records against.
    #[wasm_bindgen(js_name = itemArtworks)]
    pub fn item_artworks(&self, position: u32) -> String {
        let list = self.manifest.catalog.items.get(position as usize).map_or(&[][..], |it| &it.artworks[..]);
        id_content_list(list.iter().map(|a| (&a.id, &a.content)))
    }

    /// The manifest's Ed25519 key for signed claims (32 bytes), for the host's
    /// own verification (js/hearth.js `verifyClaims`); `undefined` without one.
    #[wasm_bindgen(js_name = claimsKey)]
    pub fn claims_key(&self) -> Option<Vec<u8>> {
        self.manifest.claims.as_ref().map(|c| c.public_key.clone())
    }

    /// What the host's WebCrypto found for `claim` under this manifest's key:
    /// how the browser build, which has no Ed25519, learns it (see
    /// `host::vouch`). The full build ignores it and verifies itself.
    #[wasm_bindgen(js_name = vouchClaim)]
    pub fn vouch_claim(&self, claim: &str, valid: bool) {
        if let Some(c) = &self.manifest.claims {
            crate::host::vouch(&c.public_key, claim, valid);
        }
    }

    /// The position of feature `key`, or -1 when the payload has no such feature.
    #[wasm_bindgen(js_name = featureIndex)]
    pub fn feature_index(&self, key: &str) -> i32 {
        self.manifest.growthbook.feature_index(key).map_or(-1, |i| i as i32)
    }

    /// A visitor session: consent, profile and storage (`"localStorage"` or
    /// `"memory"`). `secret_hi`/`secret_lo` come from the host's randomness.
    pub fn session(&self, storage: &str, secret_hi: u32, secret_lo: u32, now: f64) -> Result<session::WasmSession, JsError> {
        session::WasmSession::new(self.manifest.clone(), storage, u64::from(secret_hi) << 32 | u64::from(secret_lo), now)
    }

    /// A visitor from a `VisitorContext` document (JSON).
    pub fn visitor(&self, context: &str) -> Result<WasmVisitor, JsError> {
        error::growthbook("hearth.visitor")?;
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
        out_location(&self.out)
    }
}

#[wasm_bindgen]
impl WasmVisitor {
    /// Evaluates the `index`-th feature (see `WasmEngine.featureIndex`) and
    /// leaves the result in the compact form of `FeatureResult::write_compact`
    /// in Wasm memory; returns its packed location (see `out_location`).
    #[wasm_bindgen(js_name = evalFeatureAt)]
    pub fn eval_feature_at(&mut self, index: u32) -> f64 {
        if !growthbook::EVALUATES {
            return 0.0; // unreachable: the page build makes no visitors (`WasmEngine::visitor` refuses)
        }
        let payload = &self.manifest.growthbook;
        let id = payload.feature_id(index as usize).unwrap_or_default();
        self.out.clear();
        payload.eval_feature(id, &mut self.ctx).write_compact(&mut self.out);
        self.out_location()
    }

    /// Like `evalFeatureAt`, for a feature named by id (unknown ids, forced features).
    #[wasm_bindgen(js_name = evalFeatureKey)]
    pub fn eval_feature_key(&mut self, key: &str) -> f64 {
        if !growthbook::EVALUATES {
            return 0.0; // unreachable: the page build makes no visitors (`WasmEngine::visitor` refuses)
        }
        self.out.clear();
        self.manifest.growthbook.eval_feature(key, &mut self.ctx).write_compact(&mut self.out);
        self.out_location()
    }

    /// Runs a compiled experiment (see `WasmEngine.experiment`); the result
    /// (in `ExperimentResult::write_compact`'s form) is left in Wasm memory,
    /// at the packed location returned.
    #[wasm_bindgen(js_name = runCompiled)]
    pub fn run_compiled(&mut self, experiment: &WasmExperiment) -> f64 {
        if !growthbook::EVALUATES {
            return 0.0; // unreachable: the page build makes no visitors (`WasmEngine::visitor` refuses)
        }
        self.out.clear();
        self.manifest.growthbook.run(&experiment.exp, &mut self.ctx).write_compact(&mut self.out);
        self.out_location()
    }

    /// Evaluates a compiled condition (see `WasmEngine.condition`).
    #[wasm_bindgen(js_name = evalCompiled)]
    pub fn eval_compiled(&self, condition: &WasmCondition) -> bool {
        if !growthbook::EVALUATES {
            return false; // unreachable, as above: no visitor, no compiled condition
        }
        condition.cond.eval(&self.ctx.attributes, self.payload().saved_groups())
    }

    #[wasm_bindgen(js_name = urlRedirects)]
    pub fn url_redirects(&mut self) -> Result<String, JsError> {
        error::full("visitor.urlRedirects")?;
        let mut out = String::from("[");
        for (i, r) in self.manifest.growthbook.url_redirects(&mut self.ctx).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            r.write_json(&mut out);
        }
        out.push(']');
        Ok(out)
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

    #[wasm_bindgen(js_name = stickyBucketAssignmentDocs)]
    pub fn sticky_bucket_assignment_docs(&self) -> Result<String, JsError> {
        error::full("visitor.stickyBucketAssignmentDocs")?;
        Ok(match &self.ctx.sticky {
            Some(docs) => sticky_docs_value(docs).to_json(),
            None => "{}".to_owned(),
        })
    }
}

/// `[{id, content}]` as JSON: what JS keeps of a slot's variants or an item's artworks.
fn id_content_list<'a>(list: impl Iterator<Item = (&'a String, &'a crate::json::Object)>) -> String {
    let list = list
        .map(|(id, content)| {
            let mut o = crate::json::Object::with_capacity(2);
            o.insert("id", Value::String(id.clone()));
            o.insert("content", Value::Object(content.clone()));
            Value::Object(o)
        })
        .collect();
    Value::Array(list).to_json()
}

/// Where a result buffer is and how long, packed in one number,
/// `ptr * 2^21 + len` (exact in an f64 for any 32-bit pointer), so one call
/// returns both and JS reads the text from a view of Wasm memory.
pub(crate) fn out_location(out: &str) -> f64 {
    let len = out.len().min((1 << 21) - 1) as f64;
    (out.as_ptr() as usize as f64) * 2_097_152.0 + len
}

/// The Wasm memory, so JS can read results in place (see `WasmVisitor::out_location`).
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Every problem in a manifest as `[{path, message}]` JSON (`[]` when valid). Not in the page
/// build (as `WasmEngine::load`).
#[wasm_bindgen]
pub fn validate(text: &str) -> Result<String, JsError> {
    error::json_documents("validate")?;
    Ok(match Manifest::parse(text, &JsRegexEngine) {
        Ok(_) => "[]".to_owned(),
        Err(issues) => error::issues_json(&issues),
    })
}

/// Validates a JSON manifest and compiles it (`Manifest::compile`): bytes every build loads.
#[wasm_bindgen(js_name = compileManifest)]
pub fn compile_manifest(text: &str) -> Result<Vec<u8>, JsError> {
    #[cfg(feature = "full")]
    {
        Manifest::compile(text, &JsRegexEngine).map_err(|issues| error::from_issues("invalid manifest", &issues))
    }
    #[cfg(not(feature = "full"))]
    {
        let _ = text;
        error::full("Hearth.compile").map(|()| Vec::new())
    }
}

#[wasm_bindgen(js_name = evalCondition)]
pub fn eval_condition(attributes: &str, condition: &str, saved_groups: &str) -> Result<bool, JsError> {
    error::full("evalCondition (without a payload)")?;
    let attributes = parse_json("attributes", attributes)?;
    let cond = parse_json("condition", condition)?;
    let groups = parse_json("saved groups", saved_groups)?;
    Ok(condition::eval_condition(&attributes, &cond, &groups, &JsRegexEngine))
}

#[wasm_bindgen(js_name = gbHash)]
pub fn gb_hash(seed: &str, value: &str, version: f64) -> Result<Option<f64>, JsError> {
    error::full("growthbook.hash")?;
    Ok(hash::hash(seed, value, version))
}

fn ranges_json(ranges: &[hash::Range]) -> String {
    Value::Array(ranges.iter().map(|(s, e)| Value::Array(vec![Value::Number(*s), Value::Number(*e)])).collect()).to_json()
}

fn numbers_from(v: &Value) -> Vec<f64> {
    v.as_array().map(|a| a.iter().map(json::js::to_number).collect()).unwrap_or_default()
}

#[wasm_bindgen(js_name = gbBucketRanges)]
pub fn gb_bucket_ranges(num_variations: u32, coverage: f64, weights: Option<String>) -> Result<String, JsError> {
    error::full("growthbook.bucketRanges")?;
    let weights = weights.map(|w| parse_json("weights", &w)).transpose()?.map(|w| numbers_from(&w));
    Ok(ranges_json(&hash::bucket_ranges(num_variations as usize, coverage, weights.as_deref())))
}

#[wasm_bindgen(js_name = gbChooseVariation)]
pub fn gb_choose_variation(n: f64, ranges: &str) -> Result<i32, JsError> {
    error::full("growthbook.chooseVariation")?;
    let v = parse_json("ranges", ranges)?;
    let ranges: Vec<hash::Range> = v
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let r = numbers_from(r);
            (r.first().copied().unwrap_or(f64::NAN), r.get(1).copied().unwrap_or(f64::NAN))
        })
        .collect();
    Ok(hash::choose_variation(n, &ranges) as i32)
}

#[wasm_bindgen(js_name = gbInNamespace)]
pub fn gb_in_namespace(hash_value: &str, namespace: &str) -> Result<bool, JsError> {
    error::full("growthbook.inNamespace")?;
    let v = parse_json("namespace", namespace)?;
    match v.as_array() {
        Some([id, start, end, ..]) => {
            Ok(hash::in_namespace(hash_value, &json::js::to_string(id), json::js::to_number(start), json::js::to_number(end)))
        }
        _ => Err(error::message("a namespace is [id, start, end]")),
    }
}

#[wasm_bindgen(js_name = gbEqualWeights)]
pub fn gb_equal_weights(n: i32) -> Result<String, JsError> {
    error::full("growthbook.equalWeights")?;
    Ok(Value::Array(hash::equal_weights(n.max(0) as usize).into_iter().map(Value::Number).collect()).to_json())
}

#[wasm_bindgen(js_name = gbQueryStringOverride)]
pub fn gb_query_string_override(id: &str, url: &str, num_variations: u32) -> Result<Option<u32>, JsError> {
    error::full("growthbook.queryStringOverride")?;
    Ok(hash::query_string_override(id, url, num_variations as usize).map(|v| v as u32))
}

#[wasm_bindgen(js_name = gbDecrypt)]
pub fn gb_decrypt(encrypted: &str, key: &str) -> Result<String, JsError> {
    error::full("growthbook.decrypt")?;
    growthbook::decrypt(encrypted, key).map_err(|e| error::message(format!("cannot decrypt: {e}")))
}
