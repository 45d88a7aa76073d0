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
    cached: Option<CachedPage>,
}

impl WasmSession {
    pub(super) fn new(manifest: Rc<Manifest>, storage: &str, secret: u64, now: f64) -> Result<WasmSession, JsError> {
        let backend: Box<dyn Backend> = match storage {
            "localStorage" => Box::new(LocalStorage),
            "memory" => Box::new(MemoryStore::new()),
            other => {
                return Err(error::message(format!("storage must be \"localStorage\" or \"memory\", not {}", crate::json::quoted(other))))
            }
        };
        Ok(WasmSession { manifest, session: Session::new(backend, secret, now as i64), cached: None })
    }
}

/// One page view, prepared once (see `decide::Prepared`): each call then
/// only decides.
#[wasm_bindgen]
pub struct WasmPage {
    manifest: Rc<Manifest>,
    profile: Profile,
    caps: crate::consent::policy::Capabilities,
    ctx: decide::Context,
    prepared: Prepared,
    /// The last call's records (one for `decideAt`, one per item for `artworksAt`).
    records: Vec<DecisionRecord>,
    out: String,
}

/// One slot decision as numbers, read by JS straight from Wasm memory
/// (`readDecision` in js/hearth.js, which knows this layout): no text to
/// write or decode on the hot path. The reason's manifest text is pointed
/// to, not copied: it lives as long as the manifest, which every page and
/// session holds.
#[repr(C)]
struct DecisionRecord {
    /// Byte 0.
    propensity: f64,
    /// Byte 8: the variant's index in the slot.
    index: u32,
    /// Byte 12: `Codes::bits`.
    codes: u32,
    /// Bytes 16 and 20: the reason's manifest text (`Because::parts`).
    text_ptr: u32,
    text_len: u32,
    /// Byte 24: the strategy's index in `Strategy::NAMES`; 25: explored (0/1);
    /// 26: the reason's kind (an index into `BECAUSE_TEXTS`).
    strategy: u8,
    explored: u8,
    because: u8,
}

// js/hearth.js reads records 32 bytes apart.
const _: () = assert!(std::mem::size_of::<DecisionRecord>() == 32);

impl DecisionRecord {
    fn new(index: usize, propensity: f64, explored: bool, because: decide::Because, codes: decide::Codes, strategy: u8) -> DecisionRecord {
        let (kind, text) = because.parts();
        DecisionRecord {
            propensity,
            index: index as u32,
            codes: codes.bits(),
            text_ptr: text.as_ptr() as usize as u32,
            text_len: text.len() as u32,
            strategy,
            explored: u8::from(explored),
            because: kind as u8,
        }
    }
}

impl WasmPage {
    fn new(manifest: Rc<Manifest>, profile: Profile, caps: crate::consent::policy::Capabilities, ctx: decide::Context) -> WasmPage {
        let prepared = Prepared::new(&manifest, &profile, &caps, &ctx);
        WasmPage { manifest, profile, caps, ctx, prepared, records: Vec::new(), out: String::new() }
    }

    fn visit(&self) -> Visit<'_> {
        Visit::with(&self.manifest, &self.profile, &self.caps, &self.ctx, &self.prepared)
    }
}

#[wasm_bindgen]
impl WasmPage {
    /// Epoch ms until which this page's decisions hold if nothing but the
    /// clock changes (`Visit::stable_until`).
    #[wasm_bindgen(js_name = stableUntil)]
    pub fn stable_until(&self) -> f64 {
        self.visit().stable_until() as f64
    }

    /// Answers a page request (see `WasmSession.page`) against the prepared view.
    pub fn answer(&self, request: &str) -> Result<String, JsError> {
        let req = Request::from_value(&parse_json("page request", request)?).map_err(|i| error::from_issues("invalid page request", &i))?;
        Ok(self.visit().answer(&req))
    }

    /// Decides the `index`-th slot of the manifest (see `WasmEngine.slotIndex`)
    /// into a `DecisionRecord` and returns the record's address; or, for an
    /// index out of range or a failed decision, minus the packed location of
    /// the error message (see `WasmVisitor::out_location`).
    #[wasm_bindgen(js_name = decideAt)]
    pub fn decide_at(&mut self, index: u32) -> f64 {
        let m: &Manifest = &self.manifest;
        let slot = m.slots.get(index as usize).map_or("", |s| s.id.as_str());
        self.records.clear();
        match Visit::with(m, &self.profile, &self.caps, &self.ctx, &self.prepared).decide(slot) {
            Ok(d) => {
                self.records.push(DecisionRecord::new(d.index, d.propensity, d.explored, d.because, d.codes, d.strategy as u8));
                self.records.as_ptr() as usize as f64
            }
            Err(e) => fail(&mut self.out, &e),
        }
    }

    /// Decides the artwork of each catalog item at `positions` (see
    /// `WasmEngine.itemIndex`) into consecutive `DecisionRecord`s (`index`:
    /// the artwork's in the item) and returns the first one's address; or, if
    /// one fails (a position out of range, an item without artworks), minus
    /// the packed location of its error message.
    #[wasm_bindgen(js_name = artworksAt)]
    pub fn artworks_at(&mut self, positions: &[u32]) -> f64 {
        let visit = Visit::with(&self.manifest, &self.profile, &self.caps, &self.ctx, &self.prepared);
        self.records.clear();
        for &p in positions {
            match visit.artwork_at(p as usize) {
                Ok(a) => self.records.push(DecisionRecord::new(a.index, a.propensity, a.explored, a.because, a.codes, 0)),
                Err(e) => return fail(&mut self.out, &e),
            }
        }
        self.records.as_ptr() as usize as f64
    }
}

/// Leaves `e`'s message in `out`; minus its packed location (see `WasmPage.decideAt`).
fn fail(out: &mut String, e: &decide::DecideError) -> f64 {
    out.clear();
    out.push_str(&e.to_string());
    -super::out_location(out)
}

/// The names `DecisionRecord`'s numbers stand for, as JSON
/// `{strategies, codes, because}` (read once by js/hearth.js).
#[wasm_bindgen(js_name = decisionVocabulary)]
pub fn decision_vocabulary() -> String {
    let list = |names: &[&str]| Value::Array(names.iter().map(|n| Value::from(*n)).collect());
    let mut o = Object::with_capacity(3);
    o.insert("strategies", list(&crate::manifest::Strategy::NAMES));
    o.insert("codes", list(&decide::CODE_NAMES));
    o.insert("because", list(&decide::BECAUSE_TEXTS));
    Value::Object(o).to_json()
}

/// The page a session last prepared for `WasmSession.decideAt`, and what it
/// was prepared from: it stands while the context text, the instant and the
/// session's generation stay the same.
struct CachedPage {
    context: String,
    now: f64,
    /// The session's generation and `host::vouches()` when it was prepared.
    generation: (u64, u64),
    page: WasmPage,
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

impl WasmSession {
    /// The page prepared for `context` (undefined: the last one's) at `now`,
    /// prepared again when either or the session's generation changed.
    fn cached_page(&mut self, context: Option<String>, now: f64) -> Result<&mut WasmPage, JsError> {
        // A claim vouched for since (the browser build) changes what the page may use.
        let generation = (self.session.generation(), crate::host::vouches());
        let cached = match self.cached.take() {
            Some(c) if c.now == now && c.generation == generation && context.as_ref().is_none_or(|t| *t == c.context) => c,
            old => {
                let Some(text) = context.or(old.map(|c| c.context)) else {
                    return Err(error::message("no page context yet".to_owned()));
                };
                CachedPage { page: self.prepare(&text, now)?, context: text, now, generation }
            }
        };
        Ok(&mut self.cached.insert(cached).page)
    }
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
        Ok(WasmPage::new(self.manifest.clone(), profile, caps, ctx))
    }

    /// `WasmPage.decideAt` on a page prepared for `context` at `now`, kept
    /// while neither they nor the session change. `context` undefined means
    /// the same text as the last call's.
    #[wasm_bindgen(js_name = decideAt)]
    pub fn decide_at(&mut self, index: u32, context: Option<String>, now: f64) -> Result<f64, JsError> {
        Ok(self.cached_page(context, now)?.decide_at(index))
    }

    /// `WasmPage.artworksAt` on the page `decideAt` keeps.
    #[wasm_bindgen(js_name = artworksAt)]
    pub fn artworks_at(&mut self, positions: &[u32], context: Option<String>, now: f64) -> Result<f64, JsError> {
        Ok(self.cached_page(context, now)?.artworks_at(positions))
    }

    /// Calls made to the storage backend so far (privacy tests assert 0 before consent).
    #[wasm_bindgen(js_name = storageCalls)]
    pub fn storage_calls(&self) -> u32 {
        self.session.storage_calls()
    }
}

/// The edge's digest cookie: the full build's (workerd, Node), not the browser builds'.
#[cfg(feature = "full")]
#[wasm_bindgen]
impl WasmSession {
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
}
