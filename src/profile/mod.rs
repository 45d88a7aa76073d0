//! The on-device profile: what hearth learns about one visitor, bounded,
//! decaying, and restricted to the manifest's taxonomy.
//!
//! Nothing free-form is kept: no URLs, titles, search text, IPs or user
//! agents; events name catalog items and taxonomy tags, and both must exist
//! in the manifest. Times are kept at day granularity. Every write takes a
//! capability from [`crate::consent`], so the profile cannot learn without
//! the consent that allows it.

mod codec;

pub use codec::{decode, encode, CodecError, FORMAT_VERSION, MAX_ENCODED_BYTES};

use crate::consent::policy::{BuildContent, BuildPromotions};
use crate::json::{Object, Value};
use crate::manifest::Manifest;
use crate::time::{format_day, DAY_MS};

/// Most tag affinities kept; the weakest go first.
pub const MAX_AFFINITIES: usize = 48;
/// Most (slot, variant) feedback counters kept.
pub const MAX_SLOT_STATS: usize = 48;
/// Most promotions tracked for caps and cooldowns.
pub const MAX_PROMOTIONS: usize = 32;
/// Most muted tags.
pub const MAX_MUTED: usize = 48;
/// Affinities below this are forgotten.
const MIN_SCORE: f32 = 0.01;

/// What the visitor did. Items, tags, slots and promotions are ids from the
/// manifest; anything else is rejected by [`Profile::record`].
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    View {
        item: String,
    },
    Click {
        item: String,
    },
    AddToCart {
        item: String,
    },
    Purchase {
        item: String,
    },
    /// Browsing or searching within a taxonomy category (never the search text).
    SearchCategory {
        tag: String,
    },
    /// A slot variant was shown (bandit impressions).
    Impression {
        slot: String,
        variant: String,
    },
    /// A slot variant was clicked (bandit successes).
    SlotClick {
        slot: String,
        variant: String,
    },
}

impl Event {
    /// How much the event says about interest in the item's tags.
    fn weight(&self) -> f32 {
        match self {
            Event::View { .. } => 1.0,
            Event::SearchCategory { .. } => 1.0,
            Event::Click { .. } => 2.0,
            Event::AddToCart { .. } => 4.0,
            Event::Purchase { .. } => 6.0,
            Event::Impression { .. } | Event::SlotClick { .. } => 0.0,
        }
    }
}

/// Promotion feedback (a separate namespace, needing promotion consent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromotionEvent {
    Impression,
    Dismiss,
    Conversion,
}

/// A decayed interest in one taxonomy tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Affinity {
    pub tag: String,
    /// The score as of `day`; read it through [`Profile::affinity`].
    pub score: f32,
    pub day: i32,
}

/// How a recent item was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Viewed = 0,
    Clicked = 1,
    Carted = 2,
    Purchased = 3,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recent {
    pub item: String,
    pub seen: Seen,
    pub day: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlotStat {
    pub slot: String,
    pub variant: String,
    pub impressions: u32,
    pub clicks: u32,
}

/// Frequency-cap and cooldown state for one promotion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromotionStat {
    pub id: String,
    /// Impressions on `day` and in the 7 days ending on it.
    pub day: i32,
    pub today: u32,
    /// Impressions per day for the last 7 days, `[0]` = `day`.
    pub week: [u16; 7],
    pub lifetime: u32,
    pub dismissed_day: Option<i32>,
    pub converted_day: Option<i32>,
}

/// The content namespace (TCF purposes 5/6).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentProfile {
    pub affinities: Vec<Affinity>,
    pub recent: Vec<Recent>,
    pub slot_stats: Vec<SlotStat>,
    pub purchases: u32,
}

/// The promotion namespace (TCF purposes 3/4).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromotionProfile {
    pub promotions: Vec<PromotionStat>,
}

/// One visitor's profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Seeds this visitor's decisions (with slot and epoch), so a reload
    /// does not flip the page. Comes from the host's random source once.
    pub secret: u64,
    pub first_seen_day: i32,
    pub last_seen_day: i32,
    /// Epoch minutes of the last event, for sessions.
    pub last_event_minute: i64,
    pub visits: u32,
    pub sessions: u32,
    pub content: ContentProfile,
    pub promotions: PromotionProfile,
    /// Experiment key -> variation key.
    pub sticky: Vec<(String, String)>,
    /// Traits the visitor declared (not signed claims).
    pub traits: Vec<(String, String)>,
    pub muted: Vec<String>,
    /// Paused: nothing is learned until resumed; what is held stays.
    pub paused: bool,
    /// What consent allowed when this profile was last stored, and since when.
    pub consent: Option<ConsentRecord>,
}

/// The consent a stored profile was kept under: the capability names
/// granted (see `Capabilities::granted`) as bits, and the day consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentRecord {
    /// Bit `i` for the `i`-th of [`ConsentRecord::NAMES`].
    pub granted: u8,
    pub day: i32,
}

impl ConsentRecord {
    pub const NAMES: [&'static str; 6] = ["store", "buildContent", "useContent", "buildPromotions", "usePromotions", "measure"];

    pub fn new(granted: &[&str], day: i32) -> ConsentRecord {
        let bits = Self::NAMES.iter().enumerate().filter(|(_, n)| granted.contains(n)).fold(0u8, |b, (i, _)| b | 1 << i);
        ConsentRecord { granted: bits, day }
    }

    pub fn names(&self) -> Vec<&'static str> {
        Self::NAMES.iter().enumerate().filter(|(i, _)| self.granted & (1 << i) != 0).map(|(_, n)| *n).collect()
    }
}

/// Why an event was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    UnknownItem(String),
    UnknownTag(String),
    UnknownSlot(String),
    UnknownPromotion(String),
    Paused,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::UnknownItem(i) => write!(f, "unknown catalog item `{i}`"),
            RecordError::UnknownTag(t) => write!(f, "unknown taxonomy tag `{t}`"),
            RecordError::UnknownSlot(s) => write!(f, "unknown slot or variant `{s}`"),
            RecordError::UnknownPromotion(p) => write!(f, "unknown promotion `{p}`"),
            RecordError::Paused => f.write_str("learning is paused"),
        }
    }
}

impl std::error::Error for RecordError {}

/// Days since the epoch for `ms`.
pub fn day_of(ms: i64) -> i32 {
    ms.div_euclid(DAY_MS) as i32
}

fn decayed(score: f32, from_day: i32, to_day: i32, half_life_days: f64) -> f32 {
    let age = f64::from((to_day - from_day).max(0));
    // The engine's own exp2: the same digits natively and in Wasm (std's is each platform's libm).
    (f64::from(score) * crate::decide::rng::exp2(-age / half_life_days)) as f32
}

impl Profile {
    /// A new, empty profile seeded with `secret` (from the host's randomness).
    pub fn new(secret: u64, now_ms: i64) -> Profile {
        let day = day_of(now_ms);
        Profile { secret, first_seen_day: day, last_seen_day: day, ..Profile::default() }
    }

    /// The decayed affinity for `tag` on `now_ms`, 0 when unknown or muted.
    pub fn affinity(&self, tag: &str, now_ms: i64, m: &Manifest) -> f32 {
        if self.muted.iter().any(|t| t == tag) {
            return 0.0;
        }
        self.content
            .affinities
            .iter()
            .find(|a| a.tag == tag)
            .map_or(0.0, |a| decayed(a.score, a.day, day_of(now_ms), m.profile.half_life_days))
    }

    /// All affinities on `now_ms`, strongest first, muted tags left out.
    pub fn affinities(&self, now_ms: i64, m: &Manifest) -> Vec<(String, f32)> {
        let today = day_of(now_ms);
        // One pass (tags are unique in the list): this is on every decision's path.
        let mut out: Vec<(String, f32)> = self
            .content
            .affinities
            .iter()
            .filter(|a| !self.muted.contains(&a.tag))
            .map(|a| (a.tag.clone(), decayed(a.score, a.day, today, m.profile.half_life_days)))
            .filter(|(_, s)| *s > 0.0)
            .collect();
        crate::sort::sort_by(&mut out, |a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Counts a visit: a new session after the manifest's inactivity gap.
    fn touch(&mut self, now_ms: i64, m: &Manifest) {
        let minute = now_ms.div_euclid(60_000);
        if self.sessions == 0 || minute - self.last_event_minute > i64::from(m.profile.session_minutes) {
            self.sessions = self.sessions.saturating_add(1);
        }
        let day = day_of(now_ms);
        if self.visits == 0 || day != self.last_seen_day {
            self.visits = self.visits.saturating_add(1);
        }
        self.last_event_minute = minute;
        self.last_seen_day = self.last_seen_day.max(day);
    }

    /// Learns from a content event. Needs [`BuildContent`]. Tags outside the
    /// taxonomy, sensitive tags (unless the manifest allows the tag and
    /// `sensitive` consent was given) and muted tags are not learned.
    pub fn record(&mut self, event: &Event, m: &Manifest, now_ms: i64, _can: BuildContent, sensitive: bool) -> Result<(), RecordError> {
        if self.paused {
            return Err(RecordError::Paused);
        }
        let day = day_of(now_ms);
        let tags: Vec<String> = match event {
            Event::View { item } | Event::Click { item } | Event::AddToCart { item } | Event::Purchase { item } => {
                m.catalog.get(item).ok_or_else(|| RecordError::UnknownItem(item.clone()))?.tags.clone()
            }
            Event::SearchCategory { tag } => {
                m.taxonomy.get(tag).ok_or_else(|| RecordError::UnknownTag(tag.clone()))?;
                vec![tag.clone()]
            }
            Event::Impression { slot, variant } | Event::SlotClick { slot, variant } => {
                let known = m.slot(slot).is_some_and(|s| s.variants.iter().any(|v| &v.id == variant));
                if !known {
                    return Err(RecordError::UnknownSlot(format!("{slot}/{variant}")));
                }
                self.slot_feedback(slot, variant, matches!(event, Event::SlotClick { .. }));
                self.touch(now_ms, m);
                return Ok(());
            }
        };
        self.touch(now_ms, m);
        let w = event.weight();
        for tag in &tags {
            let learnable = match m.taxonomy.get(tag) {
                Some(t) => !t.sensitive || (t.learnable && sensitive),
                // Without a taxonomy every catalog tag is ordinary.
                None => m.taxonomy.tags.is_empty(),
            };
            if learnable && !self.muted.contains(tag) {
                self.learn(tag, w, day, m.profile.half_life_days);
            }
        }
        let seen = match event {
            Event::View { .. } => Some(Seen::Viewed),
            Event::Click { .. } => Some(Seen::Clicked),
            Event::AddToCart { .. } => Some(Seen::Carted),
            Event::Purchase { .. } => Some(Seen::Purchased),
            _ => None,
        };
        if let (Some(seen), Event::View { item } | Event::Click { item } | Event::AddToCart { item } | Event::Purchase { item }) =
            (seen, event)
        {
            if seen == Seen::Purchased {
                self.content.purchases = self.content.purchases.saturating_add(1);
            }
            self.remember(item, seen, day, m.profile.recent_items as usize);
        }
        Ok(())
    }

    fn learn(&mut self, tag: &str, w: f32, day: i32, half_life: f64) {
        let list = &mut self.content.affinities;
        match list.iter_mut().find(|a| a.tag == tag) {
            Some(a) => {
                a.score = decayed(a.score, a.day, day, half_life) + w;
                a.day = a.day.max(day);
            }
            None => list.push(Affinity { tag: tag.to_owned(), score: w, day }),
        }
        if list.len() > MAX_AFFINITIES {
            // Forget the weakest (as of today).
            if let Some(i) = (0..list.len()).min_by(|&i, &j| {
                decayed(list[i].score, list[i].day, day, half_life).total_cmp(&decayed(list[j].score, list[j].day, day, half_life))
            }) {
                list.remove(i);
            }
        }
    }

    fn remember(&mut self, item: &str, seen: Seen, day: i32, keep: usize) {
        let recent = &mut self.content.recent;
        // The strongest way an item was seen sticks.
        let seen = match recent.iter().position(|r| r.item == item) {
            Some(i) => {
                let old = recent.remove(i);
                if (old.seen as u8) > (seen as u8) {
                    old.seen
                } else {
                    seen
                }
            }
            None => seen,
        };
        recent.insert(0, Recent { item: item.to_owned(), seen, day });
        recent.truncate(keep);
    }

    fn slot_feedback(&mut self, slot: &str, variant: &str, click: bool) {
        let stats = &mut self.content.slot_stats;
        let i = match stats.iter().position(|s| s.slot == slot && s.variant == variant) {
            Some(i) => i,
            None => {
                if stats.len() >= MAX_SLOT_STATS {
                    stats.remove(0);
                }
                stats.push(SlotStat { slot: slot.to_owned(), variant: variant.to_owned(), impressions: 0, clicks: 0 });
                stats.len() - 1
            }
        };
        let s = &mut stats[i];
        if click {
            s.clicks = s.clicks.saturating_add(1);
        } else {
            s.impressions = s.impressions.saturating_add(1);
        }
    }

    /// Records promotion feedback (caps and cooldowns). Needs [`BuildPromotions`].
    pub fn record_promotion(
        &mut self,
        id: &str,
        what: PromotionEvent,
        m: &Manifest,
        now_ms: i64,
        _can: BuildPromotions,
    ) -> Result<(), RecordError> {
        if self.paused {
            return Err(RecordError::Paused);
        }
        if !m.promotions.iter().any(|p| p.id == id) {
            return Err(RecordError::UnknownPromotion(id.to_owned()));
        }
        let day = day_of(now_ms);
        let list = &mut self.promotions.promotions;
        let i = match list.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => {
                if list.len() >= MAX_PROMOTIONS {
                    list.remove(0);
                }
                list.push(PromotionStat { id: id.to_owned(), day, ..Default::default() });
                list.len() - 1
            }
        };
        let p = &mut list[i];
        p.roll_to(day);
        match what {
            PromotionEvent::Impression => {
                p.today = p.today.saturating_add(1);
                p.week[0] = p.week[0].saturating_add(1);
                p.lifetime = p.lifetime.saturating_add(1);
            }
            PromotionEvent::Dismiss => p.dismissed_day = Some(day),
            PromotionEvent::Conversion => p.converted_day = Some(day),
        }
        Ok(())
    }

    /// Drops what the manifest's retention no longer allows (done on every read).
    pub fn enforce_retention(&mut self, m: &Manifest, now_ms: i64) {
        let today = day_of(now_ms);
        let oldest = today - m.profile.retention_days as i32;
        let half = m.profile.half_life_days;
        self.content.recent.retain(|r| r.day >= oldest);
        self.content.recent.truncate(m.profile.recent_items as usize);
        self.content.affinities.retain(|a| a.day >= oldest && decayed(a.score, a.day, today, half) >= MIN_SCORE);
        self.promotions.promotions.retain(|p| p.day >= oldest || p.dismissed_day.is_some_and(|d| d >= oldest));
        if self.last_seen_day < oldest {
            // Nothing recent enough: start over, keeping only the seed.
            *self = Profile::new(self.secret, now_ms);
        }
    }

    /// Stops learning; what is held stays (and is still used, if consent allows).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Mutes a tag: its affinity is forgotten and it is not learned again.
    pub fn mute(&mut self, tag: &str) {
        self.content.affinities.retain(|a| a.tag != tag);
        if !self.muted.iter().any(|t| t == tag) {
            if self.muted.len() >= MAX_MUTED {
                self.muted.remove(0);
            }
            self.muted.push(tag.to_owned());
        }
    }

    pub fn unmute(&mut self, tag: &str) {
        self.muted.retain(|t| t != tag);
    }

    /// Deletes the content namespace (a content-consent downgrade).
    pub fn forget_content(&mut self) {
        self.content = ContentProfile::default();
    }

    /// Deletes the promotion namespace (a promotion-consent downgrade).
    pub fn forget_promotions(&mut self) {
        self.promotions = PromotionProfile::default();
    }

    /// A document a person can read: topics with labels and strengths,
    /// counters, days, and what is muted. Used by `export()` and the
    /// "Your data" panel.
    pub fn export(&self, m: &Manifest, now_ms: i64) -> Value {
        let mut doc = Object::new();
        doc.insert("format", Value::String(format!("hearth profile v{FORMAT_VERSION}")));
        doc.insert("firstSeen", Value::String(format_day(i64::from(self.first_seen_day))));
        doc.insert("lastSeen", Value::String(format_day(i64::from(self.last_seen_day))));
        doc.insert("visits", Value::Number(f64::from(self.visits)));
        doc.insert("sessions", Value::Number(f64::from(self.sessions)));
        doc.insert("purchases", Value::Number(f64::from(self.content.purchases)));
        doc.insert("paused", Value::Bool(self.paused));
        let top = self.affinities(now_ms, m);
        let max = top.first().map_or(1.0, |(_, s)| *s).max(f32::MIN_POSITIVE);
        let topics = top
            .iter()
            .map(|(tag, score)| {
                let mut t = Object::new();
                t.insert("tag", Value::String(tag.clone()));
                t.insert("label", Value::String(m.taxonomy.get(tag).map_or_else(|| tag.clone(), |t| t.label.clone())));
                // 0-100, relative to the strongest topic, for people.
                t.insert("strength", Value::Number(f64::from((score / max * 100.0).round())));
                t.insert("score", Value::Number((f64::from(*score) * 1000.0).round() / 1000.0));
                Value::Object(t)
            })
            .collect();
        doc.insert("topics", Value::Array(topics));
        let recent = self
            .content
            .recent
            .iter()
            .map(|r| {
                let mut o = Object::new();
                o.insert("item", Value::String(r.item.clone()));
                let title = m.catalog.get(&r.item).and_then(|i| i.title.clone());
                o.insert("title", title.map_or(Value::Null, Value::String));
                o.insert("seen", Value::String(["viewed", "clicked", "added to cart", "purchased"][r.seen as usize].to_owned()));
                o.insert("day", Value::String(format_day(i64::from(r.day))));
                Value::Object(o)
            })
            .collect();
        doc.insert("recentItems", Value::Array(recent));
        doc.insert("muted", Value::Array(self.muted.iter().cloned().map(Value::String).collect()));
        let promos = self
            .promotions
            .promotions
            .iter()
            .map(|p| {
                let mut o = Object::new();
                o.insert("promotion", Value::String(p.id.clone()));
                o.insert("shown", Value::Number(f64::from(p.lifetime)));
                o.insert("dismissed", p.dismissed_day.map_or(Value::Null, |d| Value::String(format_day(i64::from(d)))));
                o.insert("converted", p.converted_day.map_or(Value::Null, |d| Value::String(format_day(i64::from(d)))));
                Value::Object(o)
            })
            .collect();
        doc.insert("promotions", Value::Array(promos));
        let pairs = |xs: &[(String, String)]| Value::Object(xs.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect());
        doc.insert("stickyAssignments", pairs(&self.sticky));
        doc.insert("declaredTraits", pairs(&self.traits));
        Value::Object(doc)
    }
}

impl PromotionStat {
    /// Moves the day/week windows forward to `day`.
    fn roll_to(&mut self, day: i32) {
        if day <= self.day {
            return;
        }
        let shift = (day - self.day) as usize;
        if shift >= 7 {
            self.week = [0; 7];
        } else {
            self.week.rotate_right(shift);
            self.week[..shift].fill(0);
        }
        self.today = 0;
        self.day = day;
    }

    /// Impressions today and in the last 7 days, as of `day`.
    pub fn counts(&self, day: i32) -> (u32, u32) {
        let mut p = self.clone();
        p.roll_to(day);
        (p.today, p.week.iter().map(|&n| u32::from(n)).sum())
    }
}
