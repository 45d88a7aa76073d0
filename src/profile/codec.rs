//! The profile's storage format: compact, versioned, bounded, checksummed.
//!
//! `"hp"`, a version byte, then varint-encoded fields and length-prefixed
//! strings, then an FNV-1a checksum of everything before it.
//!
//! Versions: v1 (the first) lacks the consent record; v2 appends it. Older
//! versions are read and migrated (the next write stores the current one);
//! a newer version is refused with a reason, so an old engine never
//! misreads data a newer one wrote. Decoding is
//! bounded (every count and string length is capped before anything is
//! allocated) and never panics; corrupted or foreign data is an error that
//! says what and where, and the caller resets that namespace.

use super::*;
use crate::wire::{fnv1a, put_i, put_u, Reader};

/// The format version written today.
pub const FORMAT_VERSION: u8 = 2;
/// The hard upper bound on an encoded profile; [`encode`] sheds the least
/// valuable data (oldest recent items, then the weakest affinities) to stay
/// under it.
pub const MAX_ENCODED_BYTES: usize = 4096;
const MAGIC: &[u8; 2] = b"hp";
const MAX_STR: usize = 128;
const MAX_RECENT: usize = 200;

/// Why stored bytes could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodecError {
    /// Not a hearth profile at all (another app's data, or garbage).
    Foreign,
    /// Written by a newer hearth than this one.
    NewerVersion(u8),
    /// Damaged: the checksum does not match.
    Checksum,
    /// Ends early, or a field is out of its bounds.
    Malformed { offset: usize, what: &'static str },
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodecError::Foreign => f.write_str("not a hearth profile"),
            CodecError::NewerVersion(v) => write!(f, "profile format v{v} is newer than this hearth reads (v{FORMAT_VERSION})"),
            CodecError::Checksum => f.write_str("profile is damaged (checksum mismatch)"),
            CodecError::Malformed { offset, what } => write!(f, "profile is malformed at byte {offset}: {what}"),
        }
    }
}

impl std::error::Error for CodecError {}

struct W(Vec<u8>);

impl W {
    fn u(&mut self, n: u64) {
        put_u(&mut self.0, n);
    }
    fn i(&mut self, n: i64) {
        put_i(&mut self.0, n);
    }
    fn s(&mut self, s: &str) {
        let mut end = s.len().min(MAX_STR);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let s = s.get(..end).unwrap_or_default();
        self.u(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_day(&mut self, d: Option<i32>) {
        match d {
            None => self.0.push(0),
            Some(d) => {
                self.0.push(1);
                self.i(i64::from(d));
            }
        }
    }
}

fn write(p: &Profile) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(512));
    w.0.extend_from_slice(MAGIC);
    w.0.push(FORMAT_VERSION);
    w.0.extend_from_slice(&p.secret.to_le_bytes());
    w.i(i64::from(p.first_seen_day));
    w.i(i64::from(p.last_seen_day));
    w.i(p.last_event_minute);
    w.u(u64::from(p.visits));
    w.u(u64::from(p.sessions));
    w.u(u64::from(p.paused));
    let c = &p.content;
    w.u(c.affinities.len() as u64);
    for a in &c.affinities {
        w.s(&a.tag);
        w.0.extend_from_slice(&a.score.to_le_bytes());
        w.i(i64::from(a.day));
    }
    w.u(c.recent.len() as u64);
    for r in &c.recent {
        w.s(&r.item);
        w.0.push(r.seen as u8);
        w.i(i64::from(r.day));
    }
    w.u(c.slot_stats.len() as u64);
    for s in &c.slot_stats {
        w.s(&s.slot);
        w.s(&s.variant);
        w.u(u64::from(s.impressions));
        w.u(u64::from(s.clicks));
    }
    w.u(u64::from(c.purchases));
    w.u(p.promotions.promotions.len() as u64);
    for s in &p.promotions.promotions {
        w.s(&s.id);
        w.i(i64::from(s.day));
        w.u(u64::from(s.today));
        for n in s.week {
            w.u(u64::from(n));
        }
        w.u(u64::from(s.lifetime));
        w.opt_day(s.dismissed_day);
        w.opt_day(s.converted_day);
    }
    for list in [&p.sticky, &p.traits] {
        w.u(list.len() as u64);
        for (k, v) in list {
            w.s(k);
            w.s(v);
        }
    }
    w.u(p.muted.len() as u64);
    for t in &p.muted {
        w.s(t);
    }
    // v2: the consent record.
    match p.consent {
        None => w.0.push(0),
        Some(c) => {
            w.0.push(1);
            w.0.push(c.granted);
            w.i(i64::from(c.day));
        }
    }
    let sum = fnv1a(&w.0);
    w.0.extend_from_slice(&sum.to_le_bytes());
    w.0
}

/// Encodes `p`, within [`MAX_ENCODED_BYTES`] whatever its history: the
/// oldest recent items, then the oldest bandit counters, then the weakest
/// affinities are dropped until it fits.
pub fn encode(p: &Profile) -> Vec<u8> {
    let mut bytes = write(p);
    if bytes.len() <= MAX_ENCODED_BYTES {
        return bytes;
    }
    let mut p = p.clone();
    while bytes.len() > MAX_ENCODED_BYTES {
        if !p.content.recent.is_empty() {
            p.content.recent.pop();
        } else if !p.content.slot_stats.is_empty() {
            p.content.slot_stats.remove(0);
        } else if !p.content.affinities.is_empty() {
            let weakest =
                (0..p.content.affinities.len()).min_by(|&i, &j| p.content.affinities[i].score.total_cmp(&p.content.affinities[j].score));
            p.content.affinities.remove(weakest.unwrap_or(0));
        } else if !p.promotions.promotions.is_empty() {
            p.promotions.promotions.remove(0);
        } else {
            p.traits.clear();
            p.sticky.clear();
            p.muted.clear();
        }
        bytes = write(&p);
    }
    bytes
}

/// A day number (a zigzag varint within `i32`).
fn day(r: &mut Reader<'_>, what: &'static str) -> i32 {
    let d = r.i(what);
    r.check(i32::try_from(d).is_ok(), d as i32, what)
}

/// A day or none (a tag byte first).
fn opt_day(r: &mut Reader<'_>, what: &'static str) -> Option<i32> {
    match r.byte(what) {
        0 => None,
        1 => Some(day(r, what)),
        _ => {
            r.bad(what);
            None
        }
    }
}

/// Decodes stored bytes. Never panics; see [`CodecError`].
pub fn decode(bytes: &[u8]) -> Result<Profile, CodecError> {
    if bytes.len() < 3 || &bytes[..2] != MAGIC {
        return Err(CodecError::Foreign);
    }
    let version = match bytes[2] {
        v @ 1..=FORMAT_VERSION => v,
        v if v > FORMAT_VERSION => return Err(CodecError::NewerVersion(v)),
        _ => return Err(CodecError::Foreign),
    };
    if bytes.len() < 7 {
        return Err(CodecError::Malformed { offset: bytes.len(), what: "too short" });
    }
    let (body, sum) = bytes.split_at(bytes.len() - 4);
    if fnv1a(body) != u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]) {
        return Err(CodecError::Checksum);
    }
    let mut r = Reader::new(body, 3);
    let mut p = Profile {
        secret: r.take(8, "secret").try_into().map_or(0, u64::from_le_bytes),
        first_seen_day: day(&mut r, "first seen"),
        last_seen_day: day(&mut r, "last seen"),
        last_event_minute: r.i("last event"),
        visits: r.u32("visits"),
        sessions: r.u32("sessions"),
        paused: r.up_to(1, "flags") == 1,
        ..Profile::default()
    };
    for _ in 0..r.up_to(MAX_AFFINITIES as u64, "affinity count") {
        let tag = r.str(MAX_STR, "affinity tag");
        let score = f32::from_le_bytes(r.take(4, "affinity score").try_into().unwrap_or([0; 4]));
        if !score.is_finite() || score < 0.0 {
            r.bad("affinity score");
        }
        p.content.affinities.push(Affinity { tag, score, day: day(&mut r, "affinity day") });
    }
    for _ in 0..r.up_to(MAX_RECENT as u64, "recent count") {
        let item = r.str(MAX_STR, "recent item");
        let seen = match r.byte("recent kind") {
            0 => Seen::Viewed,
            1 => Seen::Clicked,
            2 => Seen::Carted,
            3 => Seen::Purchased,
            _ => {
                r.bad("recent kind");
                Seen::Viewed
            }
        };
        p.content.recent.push(Recent { item, seen, day: day(&mut r, "recent day") });
    }
    for _ in 0..r.up_to(MAX_SLOT_STATS as u64, "slot stat count") {
        p.content.slot_stats.push(SlotStat {
            slot: r.str(MAX_STR, "slot"),
            variant: r.str(MAX_STR, "variant"),
            impressions: r.u32("impressions"),
            clicks: r.u32("clicks"),
        });
    }
    p.content.purchases = r.u32("purchases");
    for _ in 0..r.up_to(MAX_PROMOTIONS as u64, "promotion count") {
        let id = r.str(MAX_STR, "promotion");
        let day = day(&mut r, "promotion day");
        let today = r.u32("promotion today");
        let mut week = [0u16; 7];
        for n in &mut week {
            *n = r.up_to(u64::from(u16::MAX), "promotion week") as u16;
        }
        let lifetime = r.u32("promotion lifetime");
        let dismissed_day = opt_day(&mut r, "dismissed");
        let converted_day = opt_day(&mut r, "converted");
        p.promotions.promotions.push(PromotionStat { id, day, today, week, lifetime, dismissed_day, converted_day });
    }
    for list in [&mut p.sticky, &mut p.traits] {
        for _ in 0..r.up_to(64, "pair count") {
            list.push((r.str(MAX_STR, "key"), r.str(MAX_STR, "value")));
        }
    }
    for _ in 0..r.up_to(MAX_MUTED as u64, "muted count") {
        p.muted.push(r.str(MAX_STR, "muted tag"));
    }
    // v1 has no consent record: it migrates as "not recorded".
    if version >= 2 {
        p.consent = match r.byte("consent record") {
            0 => None,
            1 => {
                let granted = r.byte("consent bits");
                if granted >= 1 << ConsentRecord::NAMES.len() {
                    r.bad("consent bits");
                }
                Some(ConsentRecord { granted, day: day(&mut r, "consent day") })
            }
            _ => {
                r.bad("consent record");
                None
            }
        };
    }
    if r.pos() != body.len() {
        r.bad("unexpected bytes after the profile");
    }
    match r.problem() {
        Some((offset, what)) => Err(CodecError::Malformed { offset, what }),
        None => Ok(p),
    }
}
