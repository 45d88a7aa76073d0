//! The visitor session for JS: consent, profile and storage (see
//! `crate::session`), with values crossing as JSON.

use super::error;
use super::local_storage::LocalStorage;
use super::parse_json;
use crate::consent::signals;
use crate::decide::{self, Prepared, Request, Visit};
use crate::json::{Object, Value};
use crate::manifest::Manifest;
use crate::profile::Profile;
use crate::profile::{Event, PromotionEvent};
use crate::session::{NotLearned, Session};
use crate::store::{Backend, MemoryStore};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsError;

#[wasm_bindgen]
pub struct WasmSession {
    manifest: Rc<Manifest>,
    session: Session<Box<dyn Backend>>,
}

impl WasmSession {
    pub(super) fn new(manifest: Rc<Manifest>, storage: &str, secret: u64, now: f64) -> Result<WasmSession, JsError> {
        let backend: Box<dyn Backend> = match storage {
            "localStorage" => Box::new(LocalStorage),
            "memory" => Box::new(MemoryStore::new()),
            other => return Err(error::message(format!("storage must be \"localStorage\" or \"memory\", not {other:?}"))),
        };
        Ok(WasmSession { manifest, session: Session::new(backend, secret, now as i64) })
    }
}

/// One page view, prepared once (claims verified, the condition document
/// built, segments evaluated): each call then only decides.
#[wasm_bindgen]
pub struct WasmPage {
    manifest: Rc<Manifest>,
    profile: Profile,
    caps: crate::consent::policy::Capabilities,
    ctx: decide::Context,
    prepared: Prepared,
    out: String,
}

#[wasm_bindgen]
impl WasmPage {
    /// Answers a page request (see `WasmSession.page`) against the prepared view.
    pub fn answer(&self, request: &str) -> Result<String, JsError> {
        let req = Request::from_value(&parse_json("page request", request)?).map_err(|i| error::from_issues("invalid page request", &i))?;
        Ok(Visit::with(&self.manifest, &self.profile, &self.caps, &self.ctx, &self.prepared).answer(&req))
    }

    /// One slot's decision in the compact form of `Decision::write_compact`
    /// (the JS layer has the slot's variants from `WasmEngine.slotVariants`),
    /// or `E` and the error message, left in Wasm memory at the packed
    /// location returned (see `WasmVisitor::out_location`).
    pub fn decide(&mut self, slot: &str) -> f64 {
        let v = Visit::with(&self.manifest, &self.profile, &self.caps, &self.ctx, &self.prepared);
        self.out.clear();
        match v.decide(slot) {
            Ok(d) => d.write_compact(&mut self.out),
            Err(e) => {
                self.out.push('E');
                self.out.push_str(&e.to_string());
            }
        }
        super::out_location(&self.out)
    }

    /// `decide` for the `index`-th slot of the manifest (see `WasmEngine.slotIndex`),
    /// so the slot id need not cross the boundary on every call.
    #[wasm_bindgen(js_name = decideAt)]
    pub fn decide_at(&mut self, index: u32) -> f64 {
        let manifest = self.manifest.clone();
        match manifest.slots.get(index as usize) {
            Some(s) => self.decide(&s.id),
            None => self.decide(""),
        }
    }
}

/// `{learned: true}` or `{learned: false, why}`.
fn learned(r: Result<(), NotLearned>) -> String {
    let mut o = Object::new();
    o.insert("learned", Value::Bool(r.is_ok()));
    if let Err(e) = r {
        o.insert("why", Value::String(e.to_string()));
    }
    Value::Object(o).to_json()
}

/// An event document: `{type: "view" | "click" | "addToCart" | "purchase", item}`
/// or `{type: "search", tag}`.
fn event(v: &Value) -> Result<Event, JsError> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let need = |k: &str| s(k).ok_or_else(|| error::message(format!("event: `{k}` must be a string")));
    Ok(match s("type").as_deref() {
        Some("view") => Event::View { item: need("item")? },
        Some("click") => Event::Click { item: need("item")? },
        Some("addToCart") => Event::AddToCart { item: need("item")? },
        Some("purchase") => Event::Purchase { item: need("item")? },
        Some("search") => Event::SearchCategory { tag: need("tag")? },
        Some("impression") => Event::Impression { slot: need("slot")?, variant: need("variant")? },
        Some("slotClick") => Event::SlotClick { slot: need("slot")?, variant: need("variant")? },
        _ => return Err(error::message("event: `type` must be one of view, click, addToCart, purchase, search, impression, slotClick")),
    })
}

#[wasm_bindgen]
impl WasmSession {
    /// Applies a consent document (see `consent::signals`); returns what is
    /// now allowed, why, what was deleted and which signals were ignored.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(&mut self, consent: &str, now: f64) -> Result<String, JsError> {
        let read = signals::read(&parse_json("consent", consent)?).map_err(|i| error::from_issues("invalid consent", &i))?;
        let change = self.session.set_consent(&read.signals, read.sensitive, &self.manifest, now as i64);
        let mut o = Object::new();
        let strings = |xs: Vec<String>| Value::Array(xs.into_iter().map(Value::String).collect());
        o.insert("allowed", Value::Array(change.decision.capabilities.granted().into_iter().map(Value::from).collect()));
        o.insert("why", strings(change.decision.reasons.clone()));
        let d = change.deleted;
        let deleted = [("storage", d.storage), ("content", d.content), ("promotions", d.promotions)];
        o.insert("deleted", Value::Array(deleted.iter().filter(|(_, on)| *on).map(|(n, _)| Value::from(*n)).collect()));
        o.insert("ignored", strings(read.ignored));
        if let Some(reset) = change.reset {
            o.insert("reset", Value::String(reset));
        }
        if let Some(why) = self.session.storage_degraded() {
            o.insert("storageDegraded", Value::String(why));
        }
        Ok(Value::Object(o).to_json())
    }

    /// The capabilities now granted, as a JSON array of names.
    pub fn allowed(&self) -> String {
        Value::Array(self.session.capabilities().granted().into_iter().map(Value::from).collect()).to_json()
    }

    /// Learns from an event (JSON), if consent allows.
    pub fn track(&mut self, event_doc: &str, now: f64) -> Result<String, JsError> {
        let e = event(&parse_json("event", event_doc)?)?;
        Ok(learned(self.session.record(&e, &self.manifest, now as i64)))
    }

    /// Promotion feedback: `kind` is impression, dismiss or conversion.
    pub fn promotion(&mut self, id: &str, kind: &str, now: f64) -> Result<String, JsError> {
        let what = match kind {
            "impression" => PromotionEvent::Impression,
            "dismiss" => PromotionEvent::Dismiss,
            "conversion" => PromotionEvent::Conversion,
            _ => return Err(error::message("promotion feedback is impression, dismiss or conversion")),
        };
        Ok(learned(self.session.record_promotion(id, what, &self.manifest, now as i64)))
    }

    pub fn pause(&mut self) {
        self.session.pause();
    }

    pub fn resume(&mut self) {
        self.session.resume();
    }

    pub fn mute(&mut self, tag: &str) {
        self.session.mute(tag);
    }

    pub fn unmute(&mut self, tag: &str) {
        self.session.unmute(tag);
    }

    /// Everything held about the visitor, as a readable JSON document.
    pub fn export(&mut self, now: f64) -> String {
        self.session.export(&self.manifest, now as i64).to_json()
    }

    /// Removes every stored key and in-memory trace; returns the removed keys (JSON).
    pub fn erase(&mut self, now: f64) -> String {
        let erased = self.session.erase(now as i64);
        let mut o = Object::new();
        o.insert("removed", Value::Array(erased.removed.into_iter().map(Value::String).collect()));
        if let Some(e) = erased.failed {
            o.insert("failed", Value::String(e.to_string()));
        }
        Value::Object(o).to_json()
    }

    /// Decides a page (see `decide::Request`): slots, artworks, promotions
    /// and recommendation lists against one prepared visit; returns JSON.
    pub fn page(&mut self, request: &str, context: &str, now: f64) -> Result<String, JsError> {
        let req = Request::from_value(&parse_json("page request", request)?).map_err(|i| error::from_issues("invalid page request", &i))?;
        let ctx = decide::Context::from_value(&parse_json("page context", context)?, now as i64)
            .map_err(|i| error::from_issues("invalid page context", &i))?;
        let caps = *self.session.capabilities();
        let m = &self.manifest;
        let profile = self.session.profile(m, now as i64);
        Ok(Visit::new(m, profile, &caps, &ctx).answer(&req))
    }

    /// Prepares a page view once (see `WasmPage`): a snapshot of the profile,
    /// consent and page context, for deciding the page in several calls.
    pub fn prepare(&mut self, context: &str, now: f64) -> Result<WasmPage, JsError> {
        let ctx = decide::Context::from_value(&parse_json("page context", context)?, now as i64)
            .map_err(|i| error::from_issues("invalid page context", &i))?;
        let caps = *self.session.capabilities();
        let profile = self.session.profile(&self.manifest, now as i64).clone();
        let prepared = Prepared::new(&self.manifest, &profile, &caps, &ctx);
        Ok(WasmPage { manifest: self.manifest.clone(), profile, caps, ctx, prepared, out: String::new() })
    }

    /// At the edge: adopts the `hearth` cookie (needs store consent; set it
    /// first). Returns `{ok: true}` or `{ignored: reason}`.
    #[wasm_bindgen(js_name = loadDigest)]
    pub fn load_digest(&mut self, cookie: &str, now: f64) -> String {
        let mut o = Object::new();
        match self.session.load_digest(cookie, &self.manifest, now as i64) {
            Ok(()) => o.insert("ok", Value::Bool(true)),
            Err(e) => o.insert("ignored", Value::String(e.to_string())),
        }
        Value::Object(o).to_json()
    }

    /// At the edge: the `Set-Cookie` header value for the visitor's digest,
    /// or undefined without store consent. `id` is 16 random bytes for a new visitor.
    #[wasm_bindgen(js_name = digestCookie)]
    pub fn digest_cookie(&mut self, id: &[u8], now: f64) -> Option<String> {
        let mut fresh = [0u8; 16];
        for (d, s) in fresh.iter_mut().zip(id) {
            *d = *s;
        }
        self.session.digest_cookie(&self.manifest, now as i64, fresh)
    }

    /// Calls made to the storage backend so far (privacy tests assert 0 before consent).
    #[wasm_bindgen(js_name = storageCalls)]
    pub fn storage_calls(&self) -> u32 {
        self.session.storage_calls()
    }
}
