//! Promotions for a placement: eligibility, then caps and cooldowns, then
//! ranking by priority × expected value, one per exclusion group, at most
//! `maxPerPage`.
//!
//! Consent: a contextual promotion (`usesProfile: false`) is evaluated
//! against a document with an empty `profile` (and segments re-evaluated
//! without it), so it can never read the content profile. A profile-based
//! promotion needs promotion consent ([`UsePromotions`]) and sees the same
//! document slots do. Frequency caps and cooldowns are always honored when
//! the promotion profile holds data: they only ever show *less*, and that
//! data exists only if it was recorded with consent (a downgrade erases it).
//!
//! [`UsePromotions`]: crate::consent::policy::UsePromotions

use super::explain::Because;
use super::strategy::top_tag;
use super::{DecideError, Visit};
use crate::json::{js, Value};
use crate::manifest::{Daypart, Promotion};
use crate::profile::day_of;

/// The claim trait that holds the visitor's birth month (1-12).
pub const BIRTH_MONTH_TRAIT: &str = "birthMonth";

/// Why a promotion was not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Skip {
    /// Profile-based, and promotion consent was not given.
    NoPromotionConsent,
    Condition,
    /// Outside `window`.
    Window,
    /// Outside every daypart (local time).
    Daypart,
    /// Not the visitor's birth month, or no verified `birthMonth` claim.
    BirthdayMonth,
    /// A claim in `requiresClaims` is missing or did not verify.
    MissingClaim,
    CapPerDay,
    CapPerWeek,
    CapLifetime,
    DismissCooldown,
    ConversionCooldown,
    /// Another promotion of its exclusion group ranked higher.
    ExclusionGroup,
    /// The placement's `maxPerPage` was reached.
    MaxPerPage,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::NoPromotionConsent => "no-promotion-consent",
            Skip::Condition => "condition",
            Skip::Window => "window",
            Skip::Daypart => "daypart",
            Skip::BirthdayMonth => "birthday-month",
            Skip::MissingClaim => "missing-claim",
            Skip::CapPerDay => "cap-per-day",
            Skip::CapPerWeek => "cap-per-week",
            Skip::CapLifetime => "cap-lifetime",
            Skip::DismissCooldown => "dismiss-cooldown",
            Skip::ConversionCooldown => "conversion-cooldown",
            Skip::ExclusionGroup => "exclusion-group",
            Skip::MaxPerPage => "max-per-page",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped<'m> {
    pub promotion: &'m str,
    pub why: Skip,
}

#[derive(Clone)]
pub struct PromotionPick<'m> {
    pub promotion: &'m Promotion,
    /// priority × expected value.
    pub score: f64,
    pub because: Because<'m>,
}

impl std::fmt::Debug for PromotionPick<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromotionPick")
            .field("promotion", &self.promotion.id)
            .field("score", &self.score)
            .field("because", &self.because)
            .finish()
    }
}

/// The promotions to show in one placement, best first, and what was left out.
#[derive(Debug, Clone)]
pub struct Promotions<'m> {
    pub placement: &'m str,
    pub chosen: Vec<PromotionPick<'m>>,
    pub skipped: Vec<Skipped<'m>>,
}

impl<'a> Visit<'a> {
    /// Chooses the promotions for `placement`.
    pub fn promotions(&self, placement: &str) -> Result<Promotions<'a>, DecideError> {
        let m = self.m;
        let pl = m.placements.iter().find(|p| p.id == placement).ok_or_else(|| DecideError::UnknownPlacement(placement.to_owned()))?;
        let mut skipped = Vec::new();
        let mut ranked: Vec<PromotionPick<'a>> = Vec::new();
        for p in m.promotions.iter().filter(|p| p.placement == placement) {
            match self.eligible(p) {
                Err(why) => skipped.push(Skipped { promotion: &p.id, why }),
                Ok(because) => ranked.push(PromotionPick { promotion: p, score: self.promotion_score(p), because }),
            }
        }
        // Stable: equal scores keep manifest order.
        crate::sort::sort_by(&mut ranked, |a, b| b.score.total_cmp(&a.score));
        let max = pl.max_per_page.max(1) as usize;
        let mut chosen: Vec<PromotionPick<'a>> = Vec::with_capacity(max.min(ranked.len()));
        for pick in ranked {
            let group = pick.promotion.exclusion_group.as_deref();
            let why = if chosen.len() >= max {
                Some(Skip::MaxPerPage)
            } else if group.is_some() && chosen.iter().any(|c| c.promotion.exclusion_group.as_deref() == group) {
                Some(Skip::ExclusionGroup)
            } else {
                None
            };
            match why {
                Some(why) => skipped.push(Skipped { promotion: &pick.promotion.id, why }),
                None => chosen.push(pick),
            }
        }
        Ok(Promotions { placement: &pl.id, chosen, skipped })
    }

    /// priority × expected value, where the expected value is `value` times
    /// the conversion prior's mean when `priors.promotions` has one (else
    /// `value`). Unusable numbers (NaN, negative) rank as 0.
    fn promotion_score(&self, p: &Promotion) -> f64 {
        let ok = |x: f64| if x.is_finite() && x >= 0.0 { x } else { 0.0 };
        let rate = match self.m.priors.promotions.get(&p.id) {
            Some(b) if b.alpha.is_finite() && b.beta.is_finite() && b.alpha > 0.0 && b.beta > 0.0 => b.alpha / (b.alpha + b.beta),
            Some(_) => 0.0,
            None => 1.0,
        };
        ok(p.priority) * ok(p.value) * rate
    }

    fn eligible(&self, p: &'a Promotion) -> Result<Because<'a>, Skip> {
        if p.uses_profile && self.caps.use_promotions.is_none() {
            return Err(Skip::NoPromotionConsent);
        }
        let now = self.ctx.now_ms;
        if p.starts_at.is_some_and(|s| now < s) || p.ends_at.is_some_and(|e| now >= e) {
            return Err(Skip::Window);
        }
        let local = self.ctx.local();
        if !p.dayparts.is_empty() && !p.dayparts.iter().any(|d| in_daypart(d, local.weekday, local.minute_of_day)) {
            return Err(Skip::Daypart);
        }
        if !p.requires_claims.iter().all(|c| self.p.claims.iter().any(|v| &v.trait_name == c)) {
            return Err(Skip::MissingClaim);
        }
        if p.birthday_month {
            let month = self.p.claims.iter().find(|c| c.trait_name == BIRTH_MONTH_TRAIT).map(|c| js::to_number(&c.value));
            if month != Some(f64::from(local.month)) {
                return Err(Skip::BirthdayMonth);
            }
        }
        if !p.condition.is_always() {
            let doc: &Value = if p.uses_profile { self.document() } else { self.contextual_doc().0 };
            if !p.condition.eval(doc, self.m.growthbook.saved_groups()) {
                return Err(Skip::Condition);
            }
        }
        self.caps_allow(p)?;
        Ok(if p.birthday_month {
            Because::Birthday
        } else if let Some(c) = p.requires_claims.first() {
            Because::Claim(c)
        } else if p.uses_profile {
            top_tag(self, &p.tags).map_or(Because::ThisPage, |t| Because::Interest(self.label(t)))
        } else if p.condition.is_always() && p.dayparts.is_empty() {
            Because::Everyone
        } else {
            Because::ThisPage
        })
    }

    fn caps_allow(&self, p: &Promotion) -> Result<(), Skip> {
        let Some(st) = self.profile.promotions.promotions.iter().find(|s| s.id == p.id) else { return Ok(()) };
        let today = day_of(self.ctx.now_ms);
        let (day, week) = st.counts(today);
        let over = |cap: Option<u32>, n: u32| cap.is_some_and(|c| n >= c);
        if over(p.caps.per_day, day) {
            return Err(Skip::CapPerDay);
        }
        if over(p.caps.per_week, week) {
            return Err(Skip::CapPerWeek);
        }
        if over(p.caps.lifetime, st.lifetime) {
            return Err(Skip::CapLifetime);
        }
        let cooling = |d: Option<i32>, days: u32| d.is_some_and(|d| days > 0 && i64::from(today) - i64::from(d) < i64::from(days));
        if cooling(st.dismissed_day, p.cooldown.after_dismiss_days) {
            return Err(Skip::DismissCooldown);
        }
        if cooling(st.converted_day, p.cooldown.after_conversion_days) {
            return Err(Skip::ConversionCooldown);
        }
        Ok(())
    }
}

/// In `d` on `weekday` at `minute`; a window whose end is before its start
/// runs past midnight (`22:00`-`02:00`).
fn in_daypart(d: &Daypart, weekday: u8, minute: u16) -> bool {
    if !d.days.contains(&weekday) {
        return false;
    }
    if d.from_minute <= d.to_minute {
        minute >= d.from_minute && minute < d.to_minute
    } else {
        minute >= d.from_minute || minute < d.to_minute
    }
}
