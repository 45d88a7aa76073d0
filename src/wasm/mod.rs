//! The wasm-bindgen facade: converts values and maps errors, nothing more.
//!
//! Values cross the boundary as JSON text. That is deliberate: one
//! `JSON.stringify`/`JSON.parse` pair in the JS layer (js/hearth.js) is
//! faster than walking JS objects field by field through the bindings, and
//! it keeps serde out of the bundle. Every export returns `Result` rather
//! than panicking, because under `panic = "abort"` a panic reaches JS as an
//! opaque `RuntimeError: unreachable`.

mod error;
#[cfg(feature = "growthbook")]
mod features;
#[cfg(feature = "full")]
mod full;
mod local_storage;
mod regex;
mod session;

use crate::json::{self, Value};
use crate::manifest::Manifest;
use regex::JsRegexEngine;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsError;

fn parse_json(what: &str, text: &str) -> Result<Value, JsError> {
    json::parse(text).map_err(|e| error::message(format!("{what}: {e}")))
}

/// A loaded manifest (or, in the features and full builds, a GrowthBook payload: `features.rs`).
#[wasm_bindgen]
pub struct WasmEngine {
    manifest: Rc<Manifest>,
}

#[wasm_bindgen]
impl WasmEngine {
    /// Reads a compiled manifest (`compileManifest`); the error says what is wrong with the bytes.
    #[wasm_bindgen(js_name = loadCompiled)]
    pub fn load_compiled(bytes: &[u8]) -> Result<WasmEngine, JsError> {
        let manifest =
            Manifest::from_compiled(bytes, &JsRegexEngine).map_err(|issues| error::from_issues("invalid compiled manifest", &issues))?;
        Ok(WasmEngine { manifest: Rc::new(manifest) })
    }

    /// The manifest's names for people (`Manifest::labels_json`).
    pub fn labels(&self) -> String {
        self.manifest.labels_json()
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

    /// A visitor session: consent, profile and storage (`"localStorage"` or
    /// `"memory"`). `secret_hi`/`secret_lo` come from the host's randomness.
    pub fn session(&self, storage: &str, secret_hi: u32, secret_lo: u32, now: f64) -> Result<session::WasmSession, JsError> {
        session::WasmSession::new(self.manifest.clone(), storage, u64::from(secret_hi) << 32 | u64::from(secret_lo), now)
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
