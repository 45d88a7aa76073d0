//! IAB TCF v2 (policy versions 2 to 5, i.e. TCF 2.0 to 2.3) TC strings.
//!
//! A TC string is `core[.segment]*`, each part base64url. The core segment
//! carries the user's choices for purposes and vendors; the optional parts
//! are disclosed vendors (type 1), allowed vendors (type 2, deprecated) and
//! the publisher's own purposes (type 3).
//!
//! The decoder is strict about structure (a field that runs past the end of
//! its segment, a vendor range outside `maxVendorId`, a repeated or unknown
//! segment are all errors: a malformed string must not be read as consent)
//! and lenient about what follows the last field (base64 padding bits, and
//! anything a newer encoder appends). Memory is bounded by the input: vendor
//! sets are bitsets of at most `maxVendorId` ≤ 65535 bits (8 KiB), and
//! publisher restrictions keep their ranges instead of expanding them.

use super::bits::{BitError, Bits};
use std::fmt;

/// Which part of a TC string an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TcSegment {
    Core,
    DisclosedVendors,
    AllowedVendors,
    PublisherTc,
}

impl TcSegment {
    fn name(self) -> &'static str {
        match self {
            TcSegment::Core => "core segment",
            TcSegment::DisclosedVendors => "disclosed vendors segment",
            TcSegment::AllowedVendors => "allowed vendors segment",
            TcSegment::PublisherTc => "publisher TC segment",
        }
    }
}

/// Why a TC string could not be decoded. Bit positions count from the start
/// of the segment named.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TcfError {
    /// The string (or one of its `.`-separated parts) is empty.
    Empty { segment_index: usize },
    /// A character outside base64url, at this byte offset in the whole string.
    BadCharacter { offset: usize, ch: char },
    /// Not a version 2 string. Version 1 (`B…`) strings are obsolete and carry
    /// no TCF v2 purposes, so they are not read as consent at all.
    UnsupportedVersion(u8),
    /// A field starting at bit `at` needs `needs` bits but the segment has only `has` left.
    Truncated { segment: TcSegment, field: &'static str, at: usize, needs: usize, has: usize },
    /// A field holds a value the format does not allow.
    Invalid { segment: TcSegment, field: &'static str, at: usize, reason: &'static str },
    /// An optional segment with a type other than 1, 2 or 3.
    UnknownSegment { segment_index: usize, segment_type: u8 },
    /// The same optional segment appears twice.
    DuplicateSegment(TcSegment),
}

impl fmt::Display for TcfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcfError::Empty { segment_index: 0 } => f.write_str("TC string is empty"),
            TcfError::Empty { segment_index } => write!(f, "TC string: part {segment_index} (after a `.`) is empty"),
            TcfError::BadCharacter { offset, ch } => write!(f, "TC string: {ch:?} at offset {offset} is not base64url"),
            TcfError::UnsupportedVersion(v) => write!(f, "TC string: version {v} is not supported (only TCF v2 strings are)"),
            TcfError::Truncated { segment, field, at, needs, has } => {
                write!(f, "TC string {}: truncated at bit {at} reading {field} (needs {needs} more bits, has {has})", segment.name())
            }
            TcfError::Invalid { segment, field, at, reason } => write!(f, "TC string {}: {field} at bit {at}: {reason}", segment.name()),
            TcfError::UnknownSegment { segment_index, segment_type } => {
                write!(f, "TC string: part {segment_index} has unknown segment type {segment_type}")
            }
            TcfError::DuplicateSegment(s) => write!(f, "TC string: the {} appears twice", s.name()),
        }
    }
}

impl std::error::Error for TcfError {}

/// A set of small ids (purposes 1–24, special features 1–12, custom purposes
/// 1–63) as a bitmask: bit `n - 1` is id `n`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdSet(pub u64);

impl IdSet {
    pub fn contains(self, id: u8) -> bool {
        (1..=64).contains(&id) && self.0 >> (id - 1) & 1 == 1
    }

    /// The ids in ascending order.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (1..=64u8).filter(move |&id| self.contains(id))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A set of vendor ids, 1 to `max_vendor_id`, as a bitset. Whether the string
/// used a bit field or range encoding, the result is the same set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorSet {
    max_vendor_id: u16,
    words: Vec<u64>,
}

impl VendorSet {
    fn with_max(max_vendor_id: u16) -> Self {
        VendorSet { max_vendor_id, words: vec![0; usize::from(max_vendor_id) / 64 + 1] }
    }

    /// Sets `start..=end` a word at a time, so a 65535-wide range costs
    /// about a thousand operations, not 65535.
    fn insert_range(&mut self, start: u16, end: u16) {
        let (mut i, end) = (usize::from(start), usize::from(end));
        while i <= end {
            let (word, lo) = (i / 64, i % 64);
            let hi = if end / 64 == word { end % 64 } else { 63 };
            if let Some(w) = self.words.get_mut(word) {
                *w |= (u64::MAX >> (63 - (hi - lo))) << lo;
            }
            i = (word + 1) * 64;
        }
    }

    /// The highest vendor id the string covers (`maxVendorId`).
    pub fn max_vendor_id(&self) -> u16 {
        self.max_vendor_id
    }

    pub fn contains(&self, id: u16) -> bool {
        self.words.get(usize::from(id) / 64).is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    /// The vendor ids in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (1..=self.max_vendor_id).filter(|&id| self.contains(id))
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }
}

/// What a publisher restriction requires of the vendors it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestrictionType {
    /// 0: the vendors may not process data for this purpose.
    NotAllowed,
    /// 1: only with consent.
    RequireConsent,
    /// 2: only on legitimate interest.
    RequireLegitimateInterest,
    /// 3: undefined by the policy; kept so nothing is silently dropped.
    Undefined,
}

/// One publisher restriction: a purpose, a type, and inclusive vendor ranges
/// (kept as ranges: one entry may cover thousands of vendors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubRestriction {
    pub purpose_id: u8,
    pub restriction_type: RestrictionType,
    pub vendor_ranges: Vec<(u16, u16)>,
}

impl PubRestriction {
    pub fn applies_to(&self, vendor_id: u16) -> bool {
        self.vendor_ranges.iter().any(|&(a, b)| (a..=b).contains(&vendor_id))
    }
}

/// The publisher TC segment (type 3): the publisher's own purposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublisherTc {
    pub purposes_consent: IdSet,
    pub purposes_li_transparency: IdSet,
    /// How many custom purposes the publisher defined (0–63).
    pub num_custom_purposes: u8,
    pub custom_purposes_consent: IdSet,
    pub custom_purposes_li_transparency: IdSet,
}

/// A decoded TC string. Field names follow the TCF spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcString {
    pub version: u8,
    /// `Created`, converted from epoch deciseconds to epoch milliseconds.
    pub created_ms: i64,
    /// `LastUpdated`, epoch milliseconds.
    pub last_updated_ms: i64,
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub consent_screen: u8,
    /// ISO 639-1 code in capitals, e.g. `*b"EN"`.
    pub consent_language: [u8; 2],
    pub vendor_list_version: u16,
    /// 2 = TCF 2.0/2.1, 4 = TCF 2.2, 5 = TCF 2.3.
    pub tcf_policy_version: u8,
    pub is_service_specific: bool,
    /// `UseNonStandardTexts` (called `UseNonStandardStacks` before TCF 2.2).
    pub use_non_standard_texts: bool,
    pub special_feature_opt_ins: IdSet,
    pub purposes_consent: IdSet,
    pub purposes_li_transparency: IdSet,
    pub purpose_one_treatment: bool,
    /// ISO 3166-1 alpha-2, e.g. `*b"DE"`; `AA` means unknown.
    pub publisher_cc: [u8; 2],
    pub vendor_consents: VendorSet,
    pub vendor_legitimate_interests: VendorSet,
    pub publisher_restrictions: Vec<PubRestriction>,
    /// Segment type 1, if present.
    pub disclosed_vendors: Option<VendorSet>,
    /// Segment type 2 (deprecated since TCF 2.2), if present.
    pub allowed_vendors: Option<VendorSet>,
    /// Segment type 3, if present.
    pub publisher_tc: Option<PublisherTc>,
}

impl TcString {
    pub fn purpose_consent(&self, purpose: u8) -> bool {
        self.purposes_consent.contains(purpose)
    }

    pub fn purpose_li_transparency(&self, purpose: u8) -> bool {
        self.purposes_li_transparency.contains(purpose)
    }

    pub fn special_feature_opt_in(&self, feature: u8) -> bool {
        self.special_feature_opt_ins.contains(feature)
    }

    pub fn vendor_consent(&self, vendor_id: u16) -> bool {
        self.vendor_consents.contains(vendor_id)
    }

    pub fn vendor_legitimate_interest(&self, vendor_id: u16) -> bool {
        self.vendor_legitimate_interests.contains(vendor_id)
    }

    /// The restriction the publisher set on `purpose` for `vendor_id`, if any.
    pub fn publisher_restriction(&self, purpose: u8, vendor_id: u16) -> Option<RestrictionType> {
        self.publisher_restrictions.iter().find(|r| r.purpose_id == purpose && r.applies_to(vendor_id)).map(|r| r.restriction_type)
    }

    pub fn consent_language(&self) -> &str {
        std::str::from_utf8(&self.consent_language).unwrap_or("")
    }

    pub fn publisher_cc(&self) -> &str {
        std::str::from_utf8(&self.publisher_cc).unwrap_or("")
    }
}

/// A segment's reader: bit reads that name the segment and field on failure.
struct Seg {
    bits: Bits,
    seg: TcSegment,
}

impl Seg {
    fn fail(&self, e: BitError, field: &'static str) -> TcfError {
        match e {
            BitError::Truncated { at, needs, has } => TcfError::Truncated { segment: self.seg, field, at, needs, has },
            BitError::Overflow { at } => TcfError::Invalid { segment: self.seg, field, at, reason: "value too large" },
        }
    }

    fn invalid(&self, field: &'static str, at: usize, reason: &'static str) -> TcfError {
        TcfError::Invalid { segment: self.seg, field, at, reason }
    }

    fn int(&mut self, n: u32, field: &'static str) -> Result<u64, TcfError> {
        self.bits.int(n).map_err(|e| self.fail(e, field))
    }

    fn u16(&mut self, n: u32, field: &'static str) -> Result<u16, TcfError> {
        self.int(n, field).map(|v| v as u16)
    }

    fn u8(&mut self, n: u32, field: &'static str) -> Result<u8, TcfError> {
        self.int(n, field).map(|v| v as u8)
    }

    fn bool(&mut self, field: &'static str) -> Result<bool, TcfError> {
        self.bits.bool().map_err(|e| self.fail(e, field))
    }

    /// `n` bits where bit `i` (first = 0) is id `i + 1`.
    fn id_set(&mut self, n: u32, field: &'static str) -> Result<IdSet, TcfError> {
        let v = self.int(n, field)?;
        Ok(IdSet(if n == 0 { 0 } else { v.reverse_bits() >> (64 - n) }))
    }

    /// Two letters, each 6 bits with `A` = 0.
    fn letters(&mut self, field: &'static str) -> Result<[u8; 2], TcfError> {
        let at = self.bits.pos();
        let v = self.int(12, field)?;
        let (a, b) = ((v >> 6) as u8, (v & 63) as u8);
        if a > 25 || b > 25 {
            return Err(self.invalid(field, at, "not two letters A-Z"));
        }
        Ok([b'A' + a, b'A' + b])
    }

    /// `MaxVendorId`, `IsRangeEncoding`, then a bit field or range entries.
    fn vendor_set(&mut self, field: &'static str) -> Result<VendorSet, TcfError> {
        let max = self.u16(16, field)?;
        let mut set = VendorSet::with_max(max);
        if !self.bool(field)? {
            let n = usize::from(max);
            self.bits.need(n).map_err(|e| self.fail(e, field))?;
            for id in 1..=max {
                if self.bool(field)? {
                    set.insert_range(id, id);
                }
            }
            return Ok(set);
        }
        let entries = self.u16(12, field)?;
        for _ in 0..entries {
            let at = self.bits.pos();
            let (start, end) = self.range_entry(field)?;
            if end > max {
                return Err(self.invalid(field, at, "range goes past maxVendorId"));
            }
            set.insert_range(start, end);
        }
        Ok(set)
    }

    /// `IsARange`, `StartOrOnlyVendorId`[, `EndVendorId`], checked 1 ≤ start ≤ end.
    fn range_entry(&mut self, field: &'static str) -> Result<(u16, u16), TcfError> {
        let at = self.bits.pos();
        let is_range = self.bool(field)?;
        let start = self.u16(16, field)?;
        let end = if is_range { self.u16(16, field)? } else { start };
        if start == 0 {
            return Err(self.invalid(field, at, "vendor id 0"));
        }
        if end < start {
            return Err(self.invalid(field, at, "range ends before it starts"));
        }
        Ok((start, end))
    }
}

/// Decodes a TC string. See [`crate::consent::decode_tc_string`].
pub fn decode(s: &str) -> Result<TcString, TcfError> {
    let mut offset = 0;
    let mut parts = s.split('.').enumerate().map(|(i, part)| {
        let start = offset;
        offset += part.len() + 1;
        if part.is_empty() {
            return Err(TcfError::Empty { segment_index: i });
        }
        Bits::new(part).map(|b| (i, b)).map_err(|e| TcfError::BadCharacter { offset: start + e.offset, ch: e.ch })
    });
    let (_, core) = parts.next().unwrap_or(Err(TcfError::Empty { segment_index: 0 }))?;
    let mut tc = decode_core(Seg { bits: core, seg: TcSegment::Core })?;
    for part in parts {
        let (index, mut bits) = part?;
        let segment_type = bits.int(3).map_err(|_| TcfError::Empty { segment_index: index })? as u8;
        let seg = match segment_type {
            1 => TcSegment::DisclosedVendors,
            2 => TcSegment::AllowedVendors,
            3 => TcSegment::PublisherTc,
            _ => return Err(TcfError::UnknownSegment { segment_index: index, segment_type }),
        };
        let mut r = Seg { bits, seg };
        let duplicate = match seg {
            TcSegment::DisclosedVendors => tc.disclosed_vendors.replace(r.vendor_set("disclosed vendors")?).is_some(),
            TcSegment::AllowedVendors => tc.allowed_vendors.replace(r.vendor_set("allowed vendors")?).is_some(),
            _ => tc.publisher_tc.replace(decode_publisher_tc(&mut r)?).is_some(),
        };
        if duplicate {
            return Err(TcfError::DuplicateSegment(seg));
        }
    }
    Ok(tc)
}

fn decode_core(mut r: Seg) -> Result<TcString, TcfError> {
    let version = r.u8(6, "version")?;
    if version != 2 {
        return Err(TcfError::UnsupportedVersion(version));
    }
    let created_ms = r.int(36, "created")? as i64 * 100;
    let last_updated_ms = r.int(36, "lastUpdated")? as i64 * 100;
    let cmp_id = r.u16(12, "cmpId")?;
    let cmp_version = r.u16(12, "cmpVersion")?;
    let consent_screen = r.u8(6, "consentScreen")?;
    let consent_language = r.letters("consentLanguage")?;
    let vendor_list_version = r.u16(12, "vendorListVersion")?;
    let tcf_policy_version = r.u8(6, "tcfPolicyVersion")?;
    let is_service_specific = r.bool("isServiceSpecific")?;
    let use_non_standard_texts = r.bool("useNonStandardTexts")?;
    let special_feature_opt_ins = r.id_set(12, "specialFeatureOptIns")?;
    let purposes_consent = r.id_set(24, "purposesConsent")?;
    let purposes_li_transparency = r.id_set(24, "purposesLITransparency")?;
    let purpose_one_treatment = r.bool("purposeOneTreatment")?;
    let publisher_cc = r.letters("publisherCC")?;
    let vendor_consents = r.vendor_set("vendor consents")?;
    let vendor_legitimate_interests = r.vendor_set("vendor legitimate interests")?;
    let count = r.u16(12, "publisher restrictions")?;
    let mut publisher_restrictions = Vec::new();
    for _ in 0..count {
        let purpose_id = r.u8(6, "publisher restrictions")?;
        let restriction_type = match r.u8(2, "publisher restrictions")? {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            2 => RestrictionType::RequireLegitimateInterest,
            _ => RestrictionType::Undefined,
        };
        let entries = r.u16(12, "publisher restrictions")?;
        // Each entry is at least 17 bits, so this cannot over-allocate.
        r.bits.need(usize::from(entries) * 17).map_err(|e| r.fail(e, "publisher restrictions"))?;
        let mut vendor_ranges = Vec::with_capacity(usize::from(entries));
        for _ in 0..entries {
            vendor_ranges.push(r.range_entry("publisher restrictions")?);
        }
        publisher_restrictions.push(PubRestriction { purpose_id, restriction_type, vendor_ranges });
    }
    Ok(TcString {
        version,
        created_ms,
        last_updated_ms,
        cmp_id,
        cmp_version,
        consent_screen,
        consent_language,
        vendor_list_version,
        tcf_policy_version,
        is_service_specific,
        use_non_standard_texts,
        special_feature_opt_ins,
        purposes_consent,
        purposes_li_transparency,
        purpose_one_treatment,
        publisher_cc,
        vendor_consents,
        vendor_legitimate_interests,
        publisher_restrictions,
        disclosed_vendors: None,
        allowed_vendors: None,
        publisher_tc: None,
    })
}

fn decode_publisher_tc(r: &mut Seg) -> Result<PublisherTc, TcfError> {
    let purposes_consent = r.id_set(24, "pubPurposesConsent")?;
    let purposes_li_transparency = r.id_set(24, "pubPurposesLITransparency")?;
    let n = r.u8(6, "numCustomPurposes")?;
    let custom_purposes_consent = r.id_set(u32::from(n), "customPurposesConsent")?;
    let custom_purposes_li_transparency = r.id_set(u32::from(n), "customPurposesLITransparency")?;
    Ok(PublisherTc {
        purposes_consent,
        purposes_li_transparency,
        num_custom_purposes: n,
        custom_purposes_consent,
        custom_purposes_li_transparency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_fill_words_exactly() {
        for (a, b) in [(1u16, 1u16), (63, 64), (64, 127), (1, 200), (127, 129), (65_472, 65_535), (1, 65_535)] {
            let mut set = VendorSet::with_max(65_535);
            set.insert_range(a, b);
            assert_eq!(set.len(), usize::from(b - a) + 1, "{a}..={b}");
            assert!(set.iter().eq(a..=b), "{a}..={b}");
        }
        let set = VendorSet::with_max(0);
        assert!(set.is_empty() && !set.contains(0) && set.iter().next().is_none());
    }

    #[test]
    fn id_sets() {
        let s = IdSet(0b1010);
        assert_eq!(s.iter().collect::<Vec<_>>(), [2, 4]);
        assert!(!s.contains(0) && !s.contains(65) && s.contains(4));
    }
}
