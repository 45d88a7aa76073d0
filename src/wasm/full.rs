//! What only the full build (Node, workerd, the CLI) exports: compiling manifests, and GrowthBook's
//! stand-alone helpers (`growthbook.*`, `evalCondition` without a payload), with AES for encrypted
//! payloads. The browser builds do not export them (js/hearth.js says which build has them).

use super::{error, parse_json, regex::JsRegexEngine};
use crate::condition;
use crate::growthbook::{self, hash};
use crate::json::{self, Value};
use crate::manifest::Manifest;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsError;

/// Validates a JSON manifest and compiles it (`Manifest::compile`): bytes every build loads.
#[wasm_bindgen(js_name = compileManifest)]
pub fn compile_manifest(text: &str) -> Result<Vec<u8>, JsError> {
    Manifest::compile(text, &JsRegexEngine).map_err(|issues| error::from_issues("invalid manifest", &issues))
}

#[wasm_bindgen(js_name = evalCondition)]
pub fn eval_condition(attributes: &str, condition: &str, saved_groups: &str) -> Result<bool, JsError> {
    let attributes = parse_json("attributes", attributes)?;
    let cond = parse_json("condition", condition)?;
    let groups = parse_json("saved groups", saved_groups)?;
    Ok(condition::eval_condition(&attributes, &cond, &groups, &JsRegexEngine))
}

#[wasm_bindgen(js_name = gbHash)]
pub fn gb_hash(seed: &str, value: &str, version: f64) -> Option<f64> {
    hash::hash(seed, value, version)
}

fn ranges_json(ranges: &[hash::Range]) -> String {
    Value::Array(ranges.iter().map(|(s, e)| Value::Array(vec![Value::Number(*s), Value::Number(*e)])).collect()).to_json()
}

fn numbers_from(v: &Value) -> Vec<f64> {
    v.as_array().map(|a| a.iter().map(json::js::to_number).collect()).unwrap_or_default()
}

#[wasm_bindgen(js_name = gbBucketRanges)]
pub fn gb_bucket_ranges(num_variations: u32, coverage: f64, weights: Option<String>) -> Result<String, JsError> {
    let weights = weights.map(|w| parse_json("weights", &w)).transpose()?.map(|w| numbers_from(&w));
    Ok(ranges_json(&hash::bucket_ranges(num_variations as usize, coverage, weights.as_deref())))
}

#[wasm_bindgen(js_name = gbChooseVariation)]
pub fn gb_choose_variation(n: f64, ranges: &str) -> Result<i32, JsError> {
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
    let v = parse_json("namespace", namespace)?;
    match v.as_array() {
        Some([id, start, end, ..]) => {
            Ok(hash::in_namespace(hash_value, &json::js::to_string(id), json::js::to_number(start), json::js::to_number(end)))
        }
        _ => Err(error::message("a namespace is [id, start, end]")),
    }
}

#[wasm_bindgen(js_name = gbEqualWeights)]
pub fn gb_equal_weights(n: i32) -> String {
    Value::Array(hash::equal_weights(n.max(0) as usize).into_iter().map(Value::Number).collect()).to_json()
}

#[wasm_bindgen(js_name = gbQueryStringOverride)]
pub fn gb_query_string_override(id: &str, url: &str, num_variations: u32) -> Option<u32> {
    hash::query_string_override(id, url, num_variations as usize).map(|v| v as u32)
}

#[wasm_bindgen(js_name = gbDecrypt)]
pub fn gb_decrypt(encrypted: &str, key: &str) -> Result<String, JsError> {
    growthbook::decrypt(encrypted, key).map_err(|e| error::message(format!("cannot decrypt: {e}")))
}
