//! The cookie digest: what the edge needs to personalize the first byte.
//!
//! A compact, versioned, URL-safe value: the anonymous id, sticky
//! assignments, coarse top affinities (0-15) and the consent state.
//! Layout (v1), then unpadded base64url:
//!
//! ```text
//! version(1) id(16) consent-bits(1) day(zigzag varint)
//! n(1) n x [len(1) experiment, len(1) variation]
//! n(1) n x [len(1) tag, strength(1)]
//! fnv1a-32(4, LE) of everything before it
//! ```
//!
//! The checksum is for integrity only (a cookie cut short, mangled by a proxy
//! or edited by hand), not authenticity: anyone can compute it. Nothing in
//! the digest grants anything of value (traits that do are Ed25519-signed
//! claims elsewhere), and its consent bits are a record for the edge, never a
//! capability. A value that fails to decode is ignored with the reason.

use std::fmt;

use crate::base64::{self, Base64Error};
use crate::consent::policy::{Capabilities, Store};
use crate::wire::{fnv1a, put_i};

pub const FORMAT_VERSION: u8 = 1;
/// The cookie's name.
pub const DIGEST_COOKIE: &str = "hearth";
/// The longest value written, so `hearth=<value>` stays under 1 KB.
pub const MAX_DIGEST_LEN: usize = 1000;
/// Longer input is rejected before decoding.
pub const MAX_INPUT_LEN: usize = 4096;
pub const MAX_DIGEST_STICKY: usize = 32;
pub const MAX_DIGEST_TAGS: usize = 8;
/// Browsers cap cookie lifetimes at 400 days; so does [`set_cookie`].
pub const MAX_AGE_SECS: u32 = 400 * 86_400;
/// Longer keys, variations and tags are left out rather than cut.
const MAX_FIELD: usize = 64;
const NAMES: [&str; 6] = ["store", "buildContent", "useContent", "buildPromotions", "usePromotions", "measure"];

/// Which capabilities the visitor granted, and on which day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsentState {
    /// Bit `i` for `NAMES[i]`: store, buildContent, useContent, buildPromotions, usePromotions, measure.
    pub bits: u8,
    /// Days since the epoch.
    pub day: i32,
}

impl ConsentState {
    pub fn of(c: &Capabilities, day: i32) -> ConsentState {
        let bits = c.granted().iter().filter_map(|g| NAMES.iter().position(|n| n == g)).fold(0, |b, i| b | 1 << i);
        ConsentState { bits, day }
    }

    /// The granted capability names, as [`Capabilities::granted`] spells them.
    pub fn granted(&self) -> Vec<&'static str> {
        NAMES.iter().enumerate().filter(|(i, _)| self.bits & 1 << i != 0).map(|(_, n)| *n).collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    /// Random bytes from the host, once per visitor.
    pub id: [u8; 16],
    /// Experiment key -> variation key; later entries are shed first.
    pub sticky: Vec<(String, String)>,
    /// Top tags with a 0-15 strength, strongest kept.
    pub affinities: Vec<(String, u8)>,
    pub consent: ConsentState,
}

impl Digest {
    /// The anonymous id as text (22 base64url characters).
    pub fn id_text(&self) -> String {
        base64::encode_url(&self.id)
    }
}

/// Why a cookie value was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestError {
    Empty,
    Oversize(usize),
    NotBase64 {
        offset: usize,
    },
    Truncated,
    /// Damaged or edited: the checksum does not match.
    Checksum,
    Version(u8),
    Malformed(&'static str),
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cookie digest ignored: ")?;
        match self {
            DigestError::Empty => f.write_str("empty"),
            DigestError::Oversize(n) => write!(f, "{n} characters is over the {MAX_INPUT_LEN} limit"),
            DigestError::NotBase64 { offset } => write!(f, "not base64url at character {offset}"),
            DigestError::Truncated => f.write_str("truncated"),
            DigestError::Checksum => f.write_str("damaged or tampered (checksum mismatch)"),
            DigestError::Version(v) => write!(f, "format v{v}, this hearth reads v{FORMAT_VERSION}"),
            DigestError::Malformed(what) => write!(f, "malformed ({what})"),
        }
    }
}

impl std::error::Error for DigestError {}

fn write(d: &Digest) -> Vec<u8> {
    let mut w = Vec::with_capacity(128);
    w.push(FORMAT_VERSION);
    w.extend_from_slice(&d.id);
    w.push(d.consent.bits & 0x3f);
    put_i(&mut w, i64::from(d.consent.day)); // zigzag: within i32, the same bytes as 32-bit zigzag
    let s = |w: &mut Vec<u8>, s: &str| {
        w.push(s.len() as u8);
        w.extend_from_slice(s.as_bytes());
    };
    w.push(d.sticky.len() as u8);
    for (k, v) in &d.sticky {
        s(&mut w, k);
        s(&mut w, v);
    }
    w.push(d.affinities.len() as u8);
    for (t, strength) in &d.affinities {
        s(&mut w, t);
        w.push(*strength);
    }
    let sum = fnv1a(&w);
    w.extend_from_slice(&sum.to_le_bytes());
    w
}

/// Encodes `d` as a cookie value of at most [`MAX_DIGEST_LEN`] characters:
/// fields over 64 bytes are left out, strengths clamp to 15, the top
/// [`MAX_DIGEST_TAGS`] tags and first [`MAX_DIGEST_STICKY`] assignments are
/// kept, then the weakest tags and then the last assignments are shed
/// until it fits. Writing it needs storage consent.
pub fn encode_digest(_: Store, d: &Digest) -> String {
    let fits = |s: &str| s.len() <= MAX_FIELD;
    let mut d = Digest {
        sticky: d.sticky.iter().filter(|(k, v)| fits(k) && fits(v)).take(MAX_DIGEST_STICKY).cloned().collect(),
        affinities: d.affinities.iter().filter(|(t, _)| fits(t)).map(|(t, s)| (t.clone(), (*s).min(15))).collect(),
        ..d.clone()
    };
    crate::sort::sort_by_key(&mut d.affinities, |a| std::cmp::Reverse(a.1));
    d.affinities.truncate(MAX_DIGEST_TAGS);
    loop {
        let bytes = write(&d);
        if bytes.len().div_ceil(3) * 4 <= MAX_DIGEST_LEN || (d.affinities.is_empty() && d.sticky.is_empty()) {
            return base64::encode_url(&bytes);
        }
        if d.affinities.pop().is_none() {
            d.sticky.pop();
        }
    }
}

fn unbase64url(s: &str) -> Result<Vec<u8>, DigestError> {
    base64::decode_url(s).map_err(|e| match e {
        Base64Error::BadCharacter { offset, .. } => DigestError::NotBase64 { offset },
        _ => DigestError::Truncated,
    })
}

struct R<'a>(&'a [u8]);

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DigestError> {
        if self.0.len() < n {
            return Err(DigestError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn byte(&mut self) -> Result<u8, DigestError> {
        Ok(self.take(1)?[0])
    }
    fn str(&mut self) -> Result<String, DigestError> {
        let n = usize::from(self.byte()?);
        if n > MAX_FIELD {
            return Err(DigestError::Malformed("field too long"));
        }
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| DigestError::Malformed("not UTF-8"))
    }
    fn count(&mut self, max: usize) -> Result<usize, DigestError> {
        let n = usize::from(self.byte()?);
        if n > max {
            return Err(DigestError::Malformed("too many entries"));
        }
        Ok(n)
    }
}

/// Decodes a cookie value. Any error means: ignore the cookie (and say why).
pub fn decode_digest(s: &str) -> Result<Digest, DigestError> {
    if s.is_empty() {
        return Err(DigestError::Empty);
    }
    if s.len() > MAX_INPUT_LEN {
        return Err(DigestError::Oversize(s.len()));
    }
    let bytes = unbase64url(s)?;
    if bytes.len() < 5 {
        return Err(DigestError::Truncated);
    }
    let (body, sum) = bytes.split_at(bytes.len() - 4);
    if fnv1a(body).to_le_bytes() != sum {
        return Err(DigestError::Checksum);
    }
    if body[0] != FORMAT_VERSION {
        return Err(DigestError::Version(body[0]));
    }
    let mut r = R(&body[1..]);
    let id = r.take(16)?.try_into().map_err(|_| DigestError::Truncated)?;
    let bits = r.byte()?;
    if bits & !0x3f != 0 {
        return Err(DigestError::Malformed("unknown consent bits"));
    }
    let (mut n, mut shift) = (0u32, 0);
    loop {
        let b = r.byte()?;
        if shift > 28 {
            return Err(DigestError::Malformed("day out of range"));
        }
        n |= u32::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    let day = (n >> 1) as i32 ^ -((n & 1) as i32);
    let mut sticky = Vec::new();
    for _ in 0..r.count(MAX_DIGEST_STICKY)? {
        sticky.push((r.str()?, r.str()?));
    }
    let mut affinities = Vec::new();
    for _ in 0..r.count(MAX_DIGEST_TAGS)? {
        let tag = r.str()?;
        let strength = r.byte()?;
        if strength > 15 {
            return Err(DigestError::Malformed("strength over 15"));
        }
        affinities.push((tag, strength));
    }
    if !r.0.is_empty() {
        return Err(DigestError::Malformed("trailing bytes"));
    }
    Ok(Digest { id, sticky, affinities, consent: ConsentState { bits, day } })
}

/// A `Set-Cookie` value carrying the digest for `max_age_secs` (capped at
/// 400 days). Not `HttpOnly`: the page must be able to delete it on erase.
pub fn set_cookie(cap: Store, d: &Digest, max_age_secs: u32) -> String {
    cookie(&encode_digest(cap, d), max_age_secs.min(MAX_AGE_SECS))
}

/// The `Set-Cookie` value that deletes the digest (for erase and a storage
/// downgrade; needs no capability, like [`super::Storage::erase`]).
pub fn delete_cookie() -> String {
    cookie("", 0)
}

fn cookie(value: &str, max_age: u32) -> String {
    format!("{DIGEST_COOKIE}={value}; Max-Age={max_age}; Path=/; Secure; SameSite=Lax")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::policy::{decide, Choices, Signals};

    fn cap() -> Store {
        decide(&Signals { choices: Some(Choices { store: true, ..Default::default() }), ..Default::default() }).capabilities.store.unwrap()
    }

    #[test]
    fn day_varint_round_trips_at_the_edges() {
        for day in [0, 1, -1, 20_600, i32::MAX, i32::MIN] {
            let d = Digest { consent: ConsentState { bits: 1, day }, ..Default::default() };
            assert_eq!(decode_digest(&encode_digest(cap(), &d)).unwrap().consent.day, day);
        }
    }

    #[test]
    fn base64url_rejects_impossible_lengths_and_characters() {
        assert_eq!(unbase64url("A"), Err(DigestError::Truncated));
        assert_eq!(unbase64url("AB=C"), Err(DigestError::NotBase64 { offset: 2 }));
        assert_eq!(unbase64url("-_8").unwrap(), [0xfb, 0xff]);
    }
}
