//! Decisions: slot variants, artwork, promotions and recommendations, each
//! with a reason a person can read, machine reason codes and the propensity
//! of the choice (for off-policy evaluation).
//!
//! A [`Visit`] is one page view of one visitor: the manifest, the profile,
//! what consent allows and the [`Context`]. Building it does the per-page work
//! once (claims verified, interest shares; the condition document and
//! segments on first use); each [`Visit::decide`] then only evaluates the slot. Everything is a pure
//! function of (manifest, profile, capabilities, context): the randomness is
//! a PCG32 stream seeded per (profile secret, slot, epoch) ([`rng`]), so a
//! reload in the same epoch shows the same page, on every target.
//!
//! Consent is structural: the profile is read for content decisions only
//! when the capabilities hold [`UseContent`](crate::consent::policy::UseContent),
//! and for profile-based promotions only with
//! [`UsePromotions`](crate::consent::policy::UsePromotions). Without them
//! every strategy falls back to contextual choices (variant conditions over
//! page, time, locale, device; otherwise the default), and the decision says so.
//!
//! The condition document (see `docs/manifest.md`, "Conditions") holds the
//! visitor's attributes at the top level, then `context`, `profile`
//! (`affinity` by tag as the tag's share of the visitor's total interest, 0-1;
//! `visits`, `sessions`, `purchases`), `segments` (ids) and `claims`
//! (verified claims only). hearth's keys win over attributes of the same name.

mod artwork;
pub mod claims;
mod context;
mod explain;
mod feedback;
mod page;
mod promotions;
mod recommend;
pub mod rng;
mod strategy;

pub use artwork::{ArtworkChoice, DEFAULT_ARTWORK_EXPLORATION};
pub use context::{Context, Device, LocalTime, Referrer};
pub use explain::{Because, Code, Codes, Decision, BECAUSE_TEXTS, CODE_NAMES};
pub use feedback::{promotion_feedback, slot_feedback, Feedback, NotLearned, Outcome};
pub use page::Request;
pub use promotions::{PromotionPick, Promotions, Skip, Skipped};
pub use recommend::{Recommendation, FOLD_IN_LAMBDA};

use crate::consent::policy::Capabilities;
use crate::json::{Object, Value};
use crate::manifest::{Manifest, Slot};
use crate::profile::Profile;
use claims::{RejectedClaim, VerifiedClaim};
use std::borrow::Cow;
use std::cell::OnceCell;

/// Why a decision could not be made at all. (Where a sensible default exists,
/// hearth returns it with a reason code instead.)
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecideError {
    /// No slot with this id; `known` lists (some of) the declared ones.
    UnknownSlot {
        slot: String,
        known: String,
    },
    /// The slot has no variants (a manifest built in code, not parsed).
    EmptySlot(String),
    UnknownPlacement(String),
    UnknownList(String),
    UnknownItem(String),
    /// The item exists but has no artworks to choose from.
    NoArtwork(String),
    /// `recommend` over a catalog without items.
    EmptyCatalog,
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecideError::UnknownSlot { slot, known } if known.is_empty() => {
                write!(f, "unknown slot `{slot}`: the manifest declares no slots (add it under `slots`)")
            }
            DecideError::UnknownSlot { slot, known } => write!(f, "unknown slot `{slot}`: declare it under `slots` (declared: {known})"),
            DecideError::EmptySlot(s) => write!(f, "slot `{s}` has no variants; give it at least one"),
            DecideError::UnknownPlacement(p) => write!(f, "unknown placement `{p}`: declare it under `placements`"),
            DecideError::UnknownList(l) => write!(f, "unknown recommendation list `{l}`: declare it under `recommendations`"),
            DecideError::UnknownItem(i) => write!(f, "unknown catalog item `{i}`"),
            DecideError::NoArtwork(i) => write!(f, "catalog item `{i}` has no artworks to choose from"),
            DecideError::EmptyCatalog => f.write_str("the catalog has no items: add `catalog.items` to the manifest"),
        }
    }
}

impl std::error::Error for DecideError {}

/// One page view of one visitor: everything decisions read, prepared once.
pub struct Visit<'a> {
    m: &'a Manifest,
    profile: &'a Profile,
    caps: Capabilities,
    ctx: &'a Context,
    p: Cow<'a, Prepared>,
    /// The document without profile data, for contextual promotions.
    contextual: OnceCell<(Value, Vec<usize>)>,
}

/// The per-page work of a [`Visit`], done once: kept by a host that decides
/// one page in several calls (see [`Visit::with`]). It is a snapshot of the
/// profile, capabilities and context it was prepared from.
#[derive(Debug, Clone)]
pub struct Prepared {
    epoch: u64,
    /// Tag -> share of total interest; empty without content consent.
    shares: Vec<(String, f64)>,
    /// Indices into `shares`, sorted by tag, for [`Visit::share`] without a taxonomy.
    by_tag: Vec<usize>,
    /// Shares by taxonomy position, for catalog-wide ranking ([`Item::tag_ids`](crate::manifest::Item)).
    dense: Vec<f64>,
    /// The condition document for slots (profile only with content consent)
    /// and the segments it matches, built on first use: many pages decide
    /// nothing that has a condition.
    doc: OnceCell<(Value, Vec<usize>)>,
    claims: Vec<VerifiedClaim>,
    rejected: Vec<RejectedClaim>,
}

impl Prepared {
    /// Verifies claims and computes interest shares; the condition document
    /// and segments are built when a decision first needs them.
    pub fn new(m: &Manifest, profile: &Profile, caps: &Capabilities, ctx: &Context) -> Prepared {
        let (claims, rejected) = claims::verify_all(m.claims.as_ref(), ctx);
        let shares = if caps.use_content.is_some() { interest_shares(profile, m, ctx.now_ms) } else { Vec::new() };
        // With a taxonomy, `share` reads `dense`; free-form tags need a sorted index.
        let mut by_tag: Vec<usize> = Vec::new();
        if m.taxonomy.tags.is_empty() {
            by_tag = (0..shares.len()).collect();
            crate::sort::sort_by(&mut by_tag, |&a, &b| shares[a].0.cmp(&shares[b].0));
        }
        let mut dense = vec![0.0; m.taxonomy.tags.len()];
        for (t, share) in &shares {
            if let Some(i) = m.taxonomy.position(t) {
                dense[i] = *share;
            }
        }
        Prepared { epoch: ctx.epoch(), shares, by_tag, dense, doc: OnceCell::new(), claims, rejected }
    }
}

impl<'a> Visit<'a> {
    /// Prepares a page view (see [`Prepared::new`]).
    pub fn new(m: &'a Manifest, profile: &'a Profile, caps: &Capabilities, ctx: &'a Context) -> Visit<'a> {
        let p = Prepared::new(m, profile, caps, ctx);
        Visit { m, profile, caps: *caps, ctx, p: Cow::Owned(p), contextual: OnceCell::new() }
    }

    /// A visit over work prepared earlier from the same manifest, profile,
    /// capabilities and context (each call then only decides).
    pub fn with(m: &'a Manifest, profile: &'a Profile, caps: &Capabilities, ctx: &'a Context, p: &'a Prepared) -> Visit<'a> {
        Visit { m, profile, caps: *caps, ctx, p: Cow::Borrowed(p), contextual: OnceCell::new() }
    }

    /// The first instant after `ctx.now_ms` at which a decision of this visit
    /// could change with the clock alone (the same manifest, profile,
    /// capabilities and context otherwise): the next whole minute (calendar
    /// facts, dayparts, the randomization epoch, daily caps and decay all
    /// change on minute boundaries, offsets being whole minutes), or earlier
    /// when a promotion's window opens or closes or a verified claim expires.
    /// A host may reuse this visit's decisions until then.
    pub fn stable_until(&self) -> i64 {
        const MINUTE_MS: i64 = 60_000;
        let now = self.ctx.now_ms;
        let mut until = now.div_euclid(MINUTE_MS).saturating_add(1).saturating_mul(MINUTE_MS);
        let times = self.m.promotions.iter().flat_map(|p| [p.starts_at, p.ends_at]).flatten();
        for t in times.chain(self.p.claims.iter().map(|c| c.expires_ms)) {
            if t > now && t < until {
                until = t;
            }
        }
        until
    }

    /// Chooses the variant of `slot` for this visitor.
    pub fn decide(&self, slot: &str) -> Result<Decision<'a>, DecideError> {
        let m: &'a Manifest = self.m;
        let s = m.slot(slot).ok_or_else(|| unknown_slot(m, slot))?;
        self.decide_slot(s)
    }

    /// Decides every slot of the manifest, in manifest order.
    pub fn decide_all(&self) -> Vec<Decision<'a>> {
        self.m.slots.iter().filter_map(|s| self.decide_slot(s).ok()).collect()
    }

    fn decide_slot(&self, s: &'a Slot) -> Result<Decision<'a>, DecideError> {
        if s.variants.is_empty() {
            return Err(DecideError::EmptySlot(s.id.clone()));
        }
        Ok(strategy::decide(self, s))
    }

    /// The condition document decisions are evaluated against (for "why this?" panels and debugging).
    pub fn document(&self) -> &Value {
        &self.doc_and_segments().0
    }

    /// Ids of the segments the visitor is in.
    pub fn segments(&self) -> Vec<&'a str> {
        let m: &'a Manifest = self.m;
        self.doc_and_segments().1.iter().map(|&i| m.segments[i].id.as_str()).collect()
    }

    /// The condition document and the segments it matches (see [`Prepared`]).
    fn doc_and_segments(&self) -> &(Value, Vec<usize>) {
        self.p.doc.get_or_init(|| {
            let profile = self.caps.use_content.map(|_| profile_value(self.profile, &self.p.shares));
            document(self.m, self.ctx, profile, &self.p.claims)
        })
    }

    pub fn verified_claims(&self) -> &[VerifiedClaim] {
        &self.p.claims
    }

    /// Claims that were ignored, each with its reason.
    pub fn rejected_claims(&self) -> &[RejectedClaim] {
        &self.p.rejected
    }

    /// The visitor's interests as shares of their total (empty without content consent).
    pub fn interests(&self) -> &[(String, f64)] {
        &self.p.shares
    }

    fn share(&self, tag: &str) -> f64 {
        let p = &self.p;
        if !self.m.taxonomy.tags.is_empty() {
            return self.m.taxonomy.position(tag).and_then(|i| p.dense.get(i)).copied().unwrap_or(0.0);
        }
        match p.by_tag.binary_search_by(|&i| p.shares[i].0.as_str().cmp(tag)) {
            Ok(i) => p.shares[p.by_tag[i]].1,
            Err(_) => 0.0,
        }
    }

    /// The contextual document: no profile, segments re-evaluated without it.
    fn contextual_doc(&self) -> (&Value, &[usize]) {
        if self.caps.use_content.is_none() {
            let (d, s) = self.doc_and_segments();
            return (d, s);
        }
        let (d, s) = self.contextual.get_or_init(|| document(self.m, self.ctx, None, &self.p.claims));
        (d, s)
    }

    /// The summed share of tags, given by name and by taxonomy position
    /// (`tag_ids` of variants, items, artworks).
    fn tags_share(&self, tags: &[String], tag_ids: &[u16]) -> f64 {
        if self.m.taxonomy.tags.is_empty() {
            // Without a taxonomy, tags are free-form: look them up by name.
            tags.iter().map(|t| self.share(t)).sum()
        } else {
            tag_ids.iter().map(|&i| self.p.dense.get(usize::from(i)).copied().unwrap_or(0.0)).sum()
        }
    }

    fn label(&self, tag: &'a str) -> &'a str {
        let m: &'a Manifest = self.m;
        m.taxonomy.get(tag).map_or(tag, |t| t.label.as_str())
    }
}

/// One-shot [`Visit::decide`].
pub fn decide<'a>(
    m: &'a Manifest,
    profile: &'a Profile,
    caps: &Capabilities,
    ctx: &'a Context,
    slot: &str,
) -> Result<Decision<'a>, DecideError> {
    Visit::new(m, profile, caps, ctx).decide(slot)
}

fn unknown_slot(m: &Manifest, slot: &str) -> DecideError {
    let mut known = String::new();
    for (i, s) in m.slots.iter().take(8).enumerate() {
        if i > 0 {
            known.push_str(", ");
        }
        known.push_str(&s.id);
    }
    if m.slots.len() > 8 {
        known.push_str(", ...");
    }
    DecideError::UnknownSlot { slot: slot.to_owned(), known }
}

/// Affinities as shares of the total, strongest first; NaN, infinite and
/// negative scores (a damaged or hand-built profile) count as nothing.
fn interest_shares(profile: &Profile, m: &Manifest, now_ms: i64) -> Vec<(String, f64)> {
    let mut xs: Vec<(String, f64)> =
        profile.affinities(now_ms, m).into_iter().map(|(t, s)| (t, f64::from(s))).filter(|(_, s)| s.is_finite() && *s > 0.0).collect();
    let total: f64 = xs.iter().map(|(_, s)| s).sum();
    if total > 0.0 && total.is_finite() {
        xs.iter_mut().for_each(|(_, s)| *s /= total);
    } else {
        xs.clear();
    }
    xs
}

fn profile_value(p: &Profile, shares: &[(String, f64)]) -> Value {
    let mut o = Object::with_capacity(4);
    o.insert("affinity", Value::Object(Object::from_distinct(shares.iter().map(|(t, s)| (t.clone(), Value::Number(*s))))));
    o.insert("visits", Value::Number(f64::from(p.visits)));
    o.insert("sessions", Value::Number(f64::from(p.sessions)));
    o.insert("purchases", Value::Number(f64::from(p.content.purchases)));
    Value::Object(o)
}

/// Builds the condition document and evaluates segments against it (in
/// manifest order; a segment sees the ones before it).
fn document(m: &Manifest, ctx: &Context, profile: Option<Value>, claims: &[VerifiedClaim]) -> (Value, Vec<usize>) {
    let mut doc = ctx.attributes.clone();
    doc.insert("context", ctx.to_value());
    doc.insert("profile", profile.unwrap_or_else(|| Value::Object(Object::new())));
    doc.insert("claims", Value::Object(claims.iter().map(|c| (c.trait_name.clone(), c.value.clone())).collect()));
    doc.insert("segments", Value::Array(Vec::new()));
    let mut doc = Value::Object(doc);
    let groups = m.growthbook.saved_groups();
    let mut matched = Vec::new();
    for (i, seg) in m.segments.iter().enumerate() {
        if seg.condition.eval(&doc, groups) {
            matched.push(i);
            if let Value::Object(o) = &mut doc {
                if let Some(Value::Array(a)) = o.get_mut("segments") {
                    a.push(Value::String(seg.id.clone()));
                }
            }
        }
    }
    (doc, matched)
}
