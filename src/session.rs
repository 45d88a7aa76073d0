//! One visitor on one page: consent, profile and storage held together, so
//! the rules between them live in one place.
//!
//! * Nothing touches storage until consent grants `store`; the first read
//!   happens when it does (loading what an earlier page stored).
//! * Learning needs `buildContent` / `buildPromotions`; without `store` it
//!   lives in memory for the page only.
//! * A downgrade deletes the affected namespace at once, in memory and in
//!   storage; an upgrade starts learning from then on.
//! * `erase` removes every stored key and every in-memory trace and returns
//!   what it removed; consent goes back to undetermined, so nothing is
//!   written again until the visitor consents anew.

use crate::consent::policy::{self, Capabilities, Decision, Downgrade, Signals};
use crate::json::{Object, Value};
use crate::manifest::Manifest;
use crate::profile::{Event, Profile, PromotionEvent, RecordError};
use crate::store::{self, Backend, ConsentState, Digest, DigestError, Erased, Storage};
use crate::time::format_day;

/// What a consent change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentChange {
    pub decision: Decision,
    pub deleted: Downgrade,
    /// A stored profile could not be read and was discarded (with why).
    pub reset: Option<String>,
}

/// Why an event was not learned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotLearned {
    /// Consent does not allow building this profile: the event is dropped.
    NoConsent,
    Invalid(RecordError),
}

impl std::fmt::Display for NotLearned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotLearned::NoConsent => f.write_str("not learned: consent does not allow building a profile"),
            NotLearned::Invalid(e) => write!(f, "not learned: {e}"),
        }
    }
}

impl std::error::Error for NotLearned {}

pub struct Session<B: Backend> {
    storage: Storage<B>,
    decision: Decision,
    profile: Profile,
    /// Whether storage was read since `store` was granted.
    loaded: bool,
    /// An explicit consent covers the manifest's learnable sensitive tags.
    sensitive: bool,
    /// The day consent was last set (for the export's consent record).
    consent_day: Option<i64>,
    /// The anonymous id of the edge cookie digest, once known.
    digest_id: Option<[u8; 16]>,
    /// Counts the calls that may change what decisions see (see [`Session::generation`]).
    generation: u64,
}

impl<B: Backend> Session<B> {
    /// A session with undetermined consent; touches nothing. `secret` seeds
    /// this visitor's decisions and comes from the host's randomness.
    pub fn new(backend: B, secret: u64, now_ms: i64) -> Session<B> {
        Session {
            storage: Storage::new(backend),
            decision: policy::decide(&Signals::default()),
            profile: Profile::new(secret, now_ms),
            loaded: false,
            sensitive: false,
            consent_day: None,
            digest_id: None,
            generation: 0,
        }
    }

    /// Changes whenever consent, the profile or the visitor's identity may
    /// have changed, so a host may keep work prepared from this session
    /// (a [`Prepared`](crate::decide::Prepared) page) while it stays the same
    /// at the same instant. Retention depends on the instant only.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.decision.capabilities
    }

    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The profile as decisions may read it: retention applied.
    pub fn profile(&mut self, m: &Manifest, now_ms: i64) -> &Profile {
        self.profile.enforce_retention(m, now_ms);
        &self.profile
    }

    /// Storage calls made so far (tests assert 0 before consent).
    pub fn storage_calls(&self) -> u32 {
        self.storage.backend_calls()
    }

    /// Why storage fell back to memory for this page, if it did.
    pub fn storage_degraded(&self) -> Option<String> {
        self.storage.degraded().map(|e| e.to_string())
    }

    /// Applies new consent signals. `sensitive` says an explicit consent
    /// covers the manifest's learnable sensitive tags.
    pub fn set_consent(&mut self, signals: &Signals, sensitive: bool, m: &Manifest, now_ms: i64) -> ConsentChange {
        self.generation += 1;
        let decision = policy::decide(signals);
        let deleted = Downgrade::between(&self.decision.capabilities, &decision.capabilities);
        if deleted.content {
            self.profile.forget_content();
        } else if self.sensitive && !sensitive {
            // The explicit consent for sensitive topics went: so do they.
            let sensitive_tag = |t: &str| m.taxonomy.get(t).is_some_and(|t| t.sensitive);
            self.profile.content.affinities.retain(|a| !sensitive_tag(&a.tag));
        }
        if deleted.promotions {
            self.profile.forget_promotions();
        }
        if deleted.storage {
            self.storage.erase();
            self.loaded = false;
        }
        self.decision = decision;
        self.sensitive = sensitive;
        let day = now_ms.div_euclid(crate::time::DAY_MS);
        self.consent_day = Some(day);
        let mut reset = None;
        let store = self.decision.capabilities.store;
        if let (Some(cap), false) = (store, self.loaded) {
            self.loaded = true;
            match store::load_profile(&mut self.storage, cap) {
                Ok(Some(stored)) => self.adopt(stored),
                Ok(None) => {}
                Err(why) => reset = Some(why.to_string()),
            }
        }
        // What the profile may no longer hold goes (in storage too, below).
        self.trim_to_consent();
        if store.is_some() {
            let granted = self.decision.capabilities.granted();
            if self.profile.consent.map(|c| c.names()) != Some(granted.clone()) {
                self.profile.consent = Some(crate::profile::ConsentRecord::new(&granted, day as i32));
            }
            self.persist();
        }
        ConsentChange { decision: self.decision.clone(), deleted, reset }
    }

    /// Takes over the profile an earlier page stored. It wins over what this
    /// page learned in memory before `store` was allowed, except that a mute
    /// or pause made on this page stands.
    fn adopt(&mut self, stored: Profile) {
        let here = std::mem::replace(&mut self.profile, stored);
        for t in here.muted {
            self.profile.mute(&t);
        }
        self.profile.paused |= here.paused;
    }

    fn trim_to_consent(&mut self) {
        let c = self.decision.capabilities;
        if c.build_content.is_none() && c.use_content.is_none() {
            self.profile.forget_content();
        }
        if c.build_promotions.is_none() && c.use_promotions.is_none() {
            self.profile.forget_promotions();
        }
    }

    fn persist(&mut self) {
        if let Some(cap) = self.decision.capabilities.store {
            store::save_profile(&mut self.storage, cap, &self.profile);
        }
    }

    /// Learns from a content event, if consent allows.
    pub fn record(&mut self, event: &Event, m: &Manifest, now_ms: i64) -> Result<(), NotLearned> {
        self.generation += 1;
        let Some(can) = self.decision.capabilities.build_content else { return Err(NotLearned::NoConsent) };
        self.profile.record(event, m, now_ms, can, self.sensitive).map_err(NotLearned::Invalid)?;
        self.persist();
        Ok(())
    }

    /// Records promotion feedback (caps, cooldowns), if consent allows.
    pub fn record_promotion(&mut self, id: &str, what: PromotionEvent, m: &Manifest, now_ms: i64) -> Result<(), NotLearned> {
        self.generation += 1;
        let Some(can) = self.decision.capabilities.build_promotions else { return Err(NotLearned::NoConsent) };
        self.profile.record_promotion(id, what, m, now_ms, can).map_err(NotLearned::Invalid)?;
        self.persist();
        Ok(())
    }

    pub fn pause(&mut self) {
        self.generation += 1;
        self.profile.pause();
        self.persist();
    }

    pub fn resume(&mut self) {
        self.generation += 1;
        self.profile.resume();
        self.persist();
    }

    pub fn mute(&mut self, tag: &str) {
        self.generation += 1;
        self.profile.mute(tag);
        self.persist();
    }

    pub fn unmute(&mut self, tag: &str) {
        self.generation += 1;
        self.profile.unmute(tag);
        self.persist();
    }

    /// Removes every stored key and in-memory trace; consent returns to
    /// undetermined. Returns the storage keys removed.
    pub fn erase(&mut self, now_ms: i64) -> Erased {
        self.generation += 1;
        let erased = self.storage.erase();
        // A new secret is the host's to give; zero until then means the
        // erased visitor is not linkable to the new one through it.
        self.profile = Profile::new(0, now_ms);
        self.decision = policy::decide(&Signals::default());
        self.loaded = false;
        self.sensitive = false;
        self.consent_day = None;
        self.digest_id = None;
        erased
    }

    /// At the edge: adopts the `hearth` cookie digest (sticky assignments and
    /// coarse affinities) into the in-memory profile. Reading a cookie is a
    /// storage read, so this needs `store` consent (set consent first); a
    /// tampered or garbage cookie is ignored with the reason returned.
    pub fn load_digest(&mut self, cookie: &str, m: &Manifest, now_ms: i64) -> Result<(), DigestError> {
        self.generation += 1;
        if self.decision.capabilities.store.is_none() {
            return Ok(());
        }
        let d = store::decode_digest(cookie)?;
        self.profile.sticky = d.sticky;
        if self.decision.capabilities.use_content.is_some() || self.decision.capabilities.build_content.is_some() {
            let day = now_ms.div_euclid(crate::time::DAY_MS) as i32;
            // Strengths 0-15 become scores; only taxonomy tags are taken.
            self.profile.content.affinities = d
                .affinities
                .into_iter()
                .filter(|(t, _)| m.taxonomy.get(t).is_some())
                .map(|(tag, s)| crate::profile::Affinity { tag, score: f32::from(s) / 3.0, day })
                .collect();
        }
        // The same visitor gets the same decision seed on every request.
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&d.id[..8]);
        self.profile.secret = u64::from_le_bytes(seed);
        self.digest_id = Some(d.id);
        Ok(())
    }

    /// At the edge: the `Set-Cookie` value carrying this visitor's digest, or
    /// `None` without `store` consent (then no cookie may be set). `fresh_id`
    /// is the host's randomness, used when the visitor has no id yet.
    pub fn digest_cookie(&mut self, m: &Manifest, now_ms: i64, fresh_id: [u8; 16]) -> Option<String> {
        self.generation += 1;
        let cap = self.decision.capabilities.store?;
        let top = self.profile.affinities(now_ms, m);
        let max = top.first().map_or(1.0, |(_, s)| *s).max(f32::MIN_POSITIVE);
        let digest = Digest {
            id: *self.digest_id.get_or_insert(fresh_id),
            sticky: self.profile.sticky.clone(),
            affinities: top.iter().take(store::MAX_DIGEST_TAGS).map(|(t, s)| (t.clone(), (s / max * 15.0).round() as u8)).collect(),
            consent: ConsentState::of(&self.decision.capabilities, now_ms.div_euclid(crate::time::DAY_MS) as i32),
        };
        Some(store::set_cookie(cap, &digest, store::MAX_AGE_SECS))
    }

    /// Everything held about the visitor, readable by a person: the profile
    /// export plus the consent record and where it is kept.
    pub fn export(&mut self, m: &Manifest, now_ms: i64) -> Value {
        self.profile.enforce_retention(m, now_ms);
        let mut doc = match self.profile.export(m, now_ms) {
            Value::Object(o) => o,
            _ => Object::new(),
        };
        let mut consent = Object::new();
        consent.insert("allowed", Value::Array(self.decision.capabilities.granted().into_iter().map(Value::from).collect()));
        consent.insert("why", Value::Array(self.decision.reasons.iter().cloned().map(Value::String).collect()));
        // Since when these choices hold: the stored record's day, else this page's.
        let since =
            self.profile.consent.filter(|_| self.decision.capabilities.store.is_some()).map(|c| i64::from(c.day)).or(self.consent_day);
        consent.insert("since", since.map_or(Value::Null, |d| Value::String(format_day(d))));
        doc.insert("consent", Value::Object(consent));
        let kept = match (self.decision.capabilities.store, self.storage.degraded()) {
            (Some(_), None) => "on this device (localStorage)".to_owned(),
            (Some(_), Some(e)) => format!("in memory for this page only: device storage failed ({e})"),
            (None, _) => "in memory for this page only".to_owned(),
        };
        doc.insert("storedWhere", Value::String(kept));
        Value::Object(doc)
    }
}
