//! Feedback: what the visitor did with a decision updates the profile (bandit
//! counts, promotion caps and cooldowns) when consent allows learning, and
//! may be reported to the host page only with measurement consent.
//!
//! The two are independent: a visitor may allow learning on the device but
//! not measurement, or the reverse. The returned [`Feedback`] carries the
//! [`Measure`] capability itself when a callback may fire, so the facade
//! cannot fire one without it.

use crate::consent::policy::{Capabilities, Measure};
use crate::manifest::Manifest;
use crate::profile::{Event, Profile, PromotionEvent, RecordError};

/// What happened to a shown slot variant or promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It was shown (call once per decision actually rendered).
    Exposure,
    Click,
    Conversion,
    Dismiss,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        ["exposure", "click", "conversion", "dismiss"][self as usize]
    }
}

/// Why the profile did not learn from the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotLearned {
    /// The capability to learn (content or promotions) was not granted.
    NoConsent,
    /// The profile keeps nothing for this outcome (a slot dismissal, a promotion click).
    NotTracked,
    /// The profile refused it (unknown id, paused).
    Rejected(RecordError),
}

/// The result of reporting an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub learned: Result<(), NotLearned>,
    /// `Some` when a measurement callback may fire.
    pub measure: Option<Measure>,
}

impl Feedback {
    pub fn may_measure(&self) -> bool {
        self.measure.is_some()
    }
}

/// Feedback on a slot variant: exposures are bandit impressions, clicks and
/// conversions are bandit successes (a conversion without a recorded click
/// still counts once; report either, not both, per exposure).
pub fn slot_feedback(
    profile: &mut Profile,
    m: &Manifest,
    slot: &str,
    variant: &str,
    outcome: Outcome,
    now_ms: i64,
    caps: &Capabilities,
) -> Feedback {
    let event = match outcome {
        Outcome::Exposure => Some(Event::Impression { slot: slot.to_owned(), variant: variant.to_owned() }),
        Outcome::Click | Outcome::Conversion => Some(Event::SlotClick { slot: slot.to_owned(), variant: variant.to_owned() }),
        Outcome::Dismiss => None,
    };
    let learned = match (event, caps.build_content) {
        (None, _) => Err(NotLearned::NotTracked),
        (Some(_), None) => Err(NotLearned::NoConsent),
        (Some(e), Some(can)) => profile.record(&e, m, now_ms, can, false).map_err(NotLearned::Rejected),
    };
    Feedback { learned, measure: caps.measure }
}

/// Feedback on a promotion: exposures count toward caps; dismissals and
/// conversions start their cooldowns.
pub fn promotion_feedback(
    profile: &mut Profile,
    m: &Manifest,
    promotion: &str,
    outcome: Outcome,
    now_ms: i64,
    caps: &Capabilities,
) -> Feedback {
    let event = match outcome {
        Outcome::Exposure => Some(PromotionEvent::Impression),
        Outcome::Dismiss => Some(PromotionEvent::Dismiss),
        Outcome::Conversion => Some(PromotionEvent::Conversion),
        Outcome::Click => None,
    };
    let learned = match (event, caps.build_promotions) {
        (None, _) => Err(NotLearned::NotTracked),
        (Some(_), None) => Err(NotLearned::NoConsent),
        (Some(e), Some(can)) => profile.record_promotion(promotion, e, m, now_ms, can).map_err(NotLearned::Rejected),
    };
    Feedback { learned, measure: caps.measure }
}
