//! IAB Global Privacy Platform (GPP) strings.
//!
//! `header~section~section…`: the header (base64url) says which section ids
//! follow, in order, as a Fibonacci-coded range list. Sections hearth reads:
//! TCF EU v2 (id 2, via the TC string decoder), US Privacy v1 (id 6, the
//! four-character `1YNN` string), US national (id 7, versions 1 and 2),
//! California (8) and Connecticut (12). Any other section is kept as its raw
//! text: a section we do not understand is not an error, but it is never
//! silently reinterpreted either.

use super::bits::{BitError, Bits};
use super::tcf::{self, TcString, TcfError};
use std::fmt;

/// GPP section ids.
pub mod section_id {
    pub const TCF_EU_V2: u16 = 2;
    pub const TCF_CA_V1: u16 = 5;
    pub const USP_V1: u16 = 6;
    pub const US_NAT: u16 = 7;
    pub const US_CA: u16 = 8;
    pub const US_CT: u16 = 12;
}

/// Why a GPP string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GppError {
    /// The header (or a section) is empty.
    Empty { section_index: usize },
    /// A character outside base64url, at this byte offset in the whole string.
    BadCharacter { offset: usize, ch: char },
    /// The header's type is not 3 or its version is not 1.
    UnsupportedHeader { header_type: u8, version: u8 },
    /// A field starting at bit `at` needs `needs` bits but only `has` remain. `section_id` 0 is the header.
    Truncated { section_id: u16, field: &'static str, at: usize, needs: usize, has: usize },
    /// A field holds a value the format does not allow. `section_id` 0 is the
    /// header; for the uspv1 section `at` is a character index, not a bit.
    Invalid { section_id: u16, field: &'static str, at: usize, reason: &'static str },
    /// The header lists a different number of sections than the string has.
    SectionCount { declared: usize, present: usize },
    /// The TCF EU v2 section is not a valid TC string.
    TcfEuV2(TcfError),
}

fn where_(f: &mut fmt::Formatter<'_>, section_id: u16) -> fmt::Result {
    if section_id == 0 {
        f.write_str("GPP header")
    } else {
        write!(f, "GPP section {section_id}")
    }
}

impl fmt::Display for GppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GppError::Empty { section_index: 0 } => f.write_str("GPP string is empty"),
            GppError::Empty { section_index } => write!(f, "GPP string: part {section_index} (after a `~`) is empty"),
            GppError::BadCharacter { offset, ch } => write!(f, "GPP string: {ch:?} at offset {offset} is not base64url"),
            GppError::UnsupportedHeader { header_type, version } => {
                write!(f, "GPP header: type {header_type} version {version} is not supported (expected type 3, version 1)")
            }
            GppError::Truncated { section_id, field, at, needs, has } => {
                where_(f, *section_id)?;
                write!(f, ": truncated at bit {at} reading {field} (needs {needs} more bits, has {has})")
            }
            GppError::Invalid { section_id, field, at, reason } => {
                where_(f, *section_id)?;
                write!(f, ": {field} at bit {at}: {reason}")
            }
            GppError::SectionCount { declared, present } => {
                write!(f, "GPP string: the header lists {declared} sections but {present} follow")
            }
            GppError::TcfEuV2(e) => write!(f, "GPP section 2 (tcfeuv2): {e}"),
        }
    }
}

impl std::error::Error for GppError {}

/// A US Privacy (CCPA) v1 string such as `1YNN`. `None` is `-` (not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UspV1 {
    /// Explicit notice / opportunity to opt out given.
    pub notice: Option<bool>,
    /// The user opted out of sale.
    pub opt_out_sale: Option<bool>,
    /// The publisher is a signatory of the LSPA.
    pub lspa_covered: Option<bool>,
}

impl fmt::Display for UspV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |v: Option<bool>| match v {
            Some(true) => 'Y',
            Some(false) => 'N',
            None => '-',
        };
        write!(f, "1{}{}{}", c(self.notice), c(self.opt_out_sale), c(self.lspa_covered))
    }
}

/// A notice field: 0 not applicable, 1 provided, 2 not provided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    NotApplicable,
    Provided,
    NotProvided,
    /// 3, which the spec does not define.
    Invalid,
}

/// An opt-out field: 0 not applicable, 1 opted out, 2 did not opt out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOut {
    NotApplicable,
    OptedOut,
    DidNotOptOut,
    /// 3, which the spec does not define.
    Invalid,
}

impl Notice {
    fn from2(v: u8) -> Self {
        [Notice::NotApplicable, Notice::Provided, Notice::NotProvided, Notice::Invalid][usize::from(v & 3)]
    }
}

impl OptOut {
    fn from2(v: u8) -> Self {
        [OptOut::NotApplicable, OptOut::OptedOut, OptOut::DidNotOptOut, OptOut::Invalid][usize::from(v & 3)]
    }
}

/// A US privacy section (national or state). The sections share most fields;
/// one a section does not have is `None`. The 2-bit consent fields
/// (sensitive data, known child, personal data) keep their raw values because
/// their meaning differs by section (usnat: 1 = no consent, 2 = consent;
/// usca sensitive data: 1 = opted out, 2 = did not opt out); MSPA fields are
/// 0 = not applicable, 1 = yes, 2 = no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsSection {
    pub section_id: u16,
    pub version: u8,
    pub sharing_notice: Option<Notice>,
    pub sale_opt_out_notice: Option<Notice>,
    pub sharing_opt_out_notice: Option<Notice>,
    pub targeted_advertising_opt_out_notice: Option<Notice>,
    pub sensitive_data_processing_opt_out_notice: Option<Notice>,
    pub sensitive_data_limit_use_notice: Option<Notice>,
    pub sale_opt_out: Option<OptOut>,
    pub sharing_opt_out: Option<OptOut>,
    pub targeted_advertising_opt_out: Option<OptOut>,
    pub sensitive_data_processing: Vec<u8>,
    pub known_child_sensitive_data_consents: Vec<u8>,
    pub personal_data_consents: Option<u8>,
    pub mspa_covered_transaction: u8,
    pub mspa_opt_out_option_mode: u8,
    pub mspa_service_provider_mode: u8,
    /// The GPC subsection's flag; `None` when the subsection is absent.
    pub gpc: Option<bool>,
}

/// One section of a GPP string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GppSection {
    TcfEuV2(Box<TcString>),
    UspV1(UspV1),
    /// usnat (7), usca (8), usct (12).
    Us(UsSection),
    /// A section hearth does not decode, as its raw text.
    Other {
        id: u16,
        raw: String,
    },
}

impl GppSection {
    pub fn id(&self) -> u16 {
        match self {
            GppSection::TcfEuV2(_) => section_id::TCF_EU_V2,
            GppSection::UspV1(_) => section_id::USP_V1,
            GppSection::Us(s) => s.section_id,
            GppSection::Other { id, .. } => *id,
        }
    }
}

/// A decoded GPP string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GppString {
    /// The header's version (always 1 today).
    pub version: u8,
    /// The section ids from the header, ascending.
    pub section_ids: Vec<u16>,
    /// The sections, in the same order as `section_ids`.
    pub sections: Vec<GppSection>,
}

impl GppString {
    pub fn section(&self, id: u16) -> Option<&GppSection> {
        self.sections.iter().find(|s| s.id() == id)
    }

    pub fn tcf_eu_v2(&self) -> Option<&TcString> {
        self.sections.iter().find_map(|s| if let GppSection::TcfEuV2(t) = s { Some(&**t) } else { None })
    }

    pub fn usp_v1(&self) -> Option<&UspV1> {
        self.sections.iter().find_map(|s| if let GppSection::UspV1(u) = s { Some(u) } else { None })
    }

    /// The US section with this id (7 usnat, 8 usca, 12 usct).
    pub fn us(&self, id: u16) -> Option<&UsSection> {
        self.sections.iter().find_map(|s| if let GppSection::Us(u) = s { (u.section_id == id).then_some(u) } else { None })
    }
}

/// Reads bits for one GPP part, naming the section and field on failure.
struct Rd {
    bits: Bits,
    id: u16,
}

impl Rd {
    fn fail(&self, e: BitError, field: &'static str) -> GppError {
        match e {
            BitError::Truncated { at, needs, has } => GppError::Truncated { section_id: self.id, field, at, needs, has },
            BitError::Overflow { at } => GppError::Invalid { section_id: self.id, field, at, reason: "value too large" },
        }
    }

    fn u8(&mut self, n: u32, field: &'static str) -> Result<u8, GppError> {
        self.bits.int(n).map(|v| v as u8).map_err(|e| self.fail(e, field))
    }

    fn fib(&mut self, field: &'static str) -> Result<u16, GppError> {
        self.bits.fibonacci().map_err(|e| self.fail(e, field))
    }
}

fn bits(part: &str, offset: usize) -> Result<Bits, GppError> {
    Bits::new(part).map_err(|e| GppError::BadCharacter { offset: offset + e.offset, ch: e.ch })
}

/// Decodes a GPP string. See [`crate::consent::decode_gpp`].
pub fn decode(s: &str) -> Result<GppString, GppError> {
    let mut parts = s.split('~');
    let header = parts.next().unwrap_or_default();
    if header.is_empty() {
        return Err(GppError::Empty { section_index: 0 });
    }
    let mut h = Rd { bits: bits(header, 0)?, id: 0 };
    let header_type = h.u8(6, "type")?;
    let version = h.u8(6, "version")?;
    if header_type != 3 || version != 1 {
        return Err(GppError::UnsupportedHeader { header_type, version });
    }
    let bodies: Vec<&str> = parts.collect();
    let section_ids = section_ids(&mut h, bodies.len())?;
    if section_ids.len() != bodies.len() {
        return Err(GppError::SectionCount { declared: section_ids.len(), present: bodies.len() });
    }
    let mut sections = Vec::with_capacity(bodies.len());
    let mut offset = header.len() + 1;
    for (i, (&id, &body)) in section_ids.iter().zip(&bodies).enumerate() {
        if body.is_empty() {
            return Err(GppError::Empty { section_index: i + 1 });
        }
        sections.push(decode_section(id, body, offset)?);
        offset += body.len() + 1;
    }
    Ok(GppString { version, section_ids, sections })
}

/// `SectionIds`: a 12-bit count, then entries that are either one id or a
/// range, each coded as a Fibonacci offset from the previous id. Stops as
/// soon as there are more ids than sections, so a huge range cannot make it
/// allocate.
fn section_ids(h: &mut Rd, present: usize) -> Result<Vec<u16>, GppError> {
    let count = h.bits.int(12).map_err(|e| h.fail(e, "section ids"))?;
    let mut ids = Vec::new();
    let mut last: u16 = 0;
    for _ in 0..count {
        let at = h.bits.pos();
        let is_range = h.bits.bool().map_err(|e| h.fail(e, "section ids"))?;
        let out_of_range = GppError::Invalid { section_id: 0, field: "section ids", at, reason: "id out of range" };
        let start = last.checked_add(h.fib("section ids")?).ok_or(out_of_range.clone())?;
        let end = if is_range { start.checked_add(h.fib("section ids")?).ok_or(out_of_range)? } else { start };
        let declared = ids.len() + usize::from(end - start) + 1;
        if declared > present {
            return Err(GppError::SectionCount { declared, present });
        }
        ids.extend(start..=end);
        last = end;
    }
    Ok(ids)
}

fn decode_section(id: u16, body: &str, offset: usize) -> Result<GppSection, GppError> {
    use section_id::*;
    Ok(match id {
        TCF_EU_V2 => GppSection::TcfEuV2(Box::new(tcf::decode(body).map_err(|e| match e {
            TcfError::BadCharacter { offset: o, ch } => GppError::BadCharacter { offset: offset + o, ch },
            e => GppError::TcfEuV2(e),
        })?)),
        USP_V1 => GppSection::UspV1(usp_v1(body)?),
        US_NAT | US_CA | US_CT => GppSection::Us(us_section(id, body, offset)?),
        _ => GppSection::Other { id, raw: body.to_owned() },
    })
}

fn usp_v1(body: &str) -> Result<UspV1, GppError> {
    let invalid = |at: usize, reason| GppError::Invalid { section_id: USP, field: "uspv1", at, reason };
    const USP: u16 = section_id::USP_V1;
    let b = body.as_bytes();
    if b.len() != 4 {
        return Err(invalid(0, "not 4 characters"));
    }
    if b.first() != Some(&b'1') {
        return Err(invalid(0, "version is not 1"));
    }
    let flag = |i: usize| match b.get(i).map(u8::to_ascii_uppercase) {
        Some(b'Y') => Ok(Some(true)),
        Some(b'N') => Ok(Some(false)),
        Some(b'-') => Ok(None),
        _ => Err(invalid(i, "not Y, N or -")),
    };
    Ok(UspV1 { notice: flag(1)?, opt_out_sale: flag(2)?, lspa_covered: flag(3)? })
}

/// The core segment's layout for one US section: which fields it has and how
/// many 2-bit entries its list fields hold.
struct Layout {
    sharing_notice: bool,
    sharing_opt_out: bool,
    targeted_advertising: bool,
    sensitive_notices: u8, // 0, or 1 = limit-use only (usca), 2 = both (usnat)
    sensitive: u8,
    child: u8,
    personal_data: bool,
}

fn us_section(id: u16, body: &str, offset: usize) -> Result<UsSection, GppError> {
    let mut segments = body.split('.');
    let core = segments.next().unwrap_or_default();
    let mut r = Rd { bits: bits(core, offset)?, id };
    let version = r.u8(6, "version")?;
    let layout = match (id, version) {
        (section_id::US_NAT, 1) => Layout {
            sharing_notice: true,
            sharing_opt_out: true,
            targeted_advertising: true,
            sensitive_notices: 2,
            sensitive: 12,
            child: 2,
            personal_data: true,
        },
        (section_id::US_NAT, 2) => Layout {
            sharing_notice: true,
            sharing_opt_out: true,
            targeted_advertising: true,
            sensitive_notices: 2,
            sensitive: 16,
            child: 3,
            personal_data: true,
        },
        (section_id::US_CA, 1) => Layout {
            sharing_notice: false,
            sharing_opt_out: true,
            targeted_advertising: false,
            sensitive_notices: 1,
            sensitive: 9,
            child: 2,
            personal_data: true,
        },
        (section_id::US_CT, 1) => Layout {
            sharing_notice: true,
            sharing_opt_out: false,
            targeted_advertising: true,
            sensitive_notices: 0,
            sensitive: 8,
            child: 3,
            personal_data: false,
        },
        _ => return Err(GppError::Invalid { section_id: id, field: "version", at: 0, reason: "unsupported version" }),
    };
    let notice = |r: &mut Rd, present: bool, field| -> Result<Option<Notice>, GppError> {
        if present {
            r.u8(2, field).map(|v| Some(Notice::from2(v)))
        } else {
            Ok(None)
        }
    };
    let sharing_notice = notice(&mut r, layout.sharing_notice, "sharingNotice")?;
    let sale_opt_out_notice = notice(&mut r, true, "saleOptOutNotice")?;
    let sharing_opt_out_notice = notice(&mut r, layout.sharing_opt_out, "sharingOptOutNotice")?;
    let targeted_advertising_opt_out_notice = notice(&mut r, layout.targeted_advertising, "targetedAdvertisingOptOutNotice")?;
    let sensitive_data_processing_opt_out_notice = notice(&mut r, layout.sensitive_notices == 2, "sensitiveDataProcessingOptOutNotice")?;
    let sensitive_data_limit_use_notice = notice(&mut r, layout.sensitive_notices >= 1, "sensitiveDataLimitUseNotice")?;
    let opt_out = |r: &mut Rd, present: bool, field| -> Result<Option<OptOut>, GppError> {
        if present {
            r.u8(2, field).map(|v| Some(OptOut::from2(v)))
        } else {
            Ok(None)
        }
    };
    let sale_opt_out = opt_out(&mut r, true, "saleOptOut")?;
    let sharing_opt_out = opt_out(&mut r, layout.sharing_opt_out, "sharingOptOut")?;
    let targeted_advertising_opt_out = opt_out(&mut r, layout.targeted_advertising, "targetedAdvertisingOptOut")?;
    let list = |r: &mut Rd, n: u8, field| (0..n).map(|_| r.u8(2, field)).collect::<Result<Vec<u8>, _>>();
    let sensitive_data_processing = list(&mut r, layout.sensitive, "sensitiveDataProcessing")?;
    let known_child_sensitive_data_consents = list(&mut r, layout.child, "knownChildSensitiveDataConsents")?;
    let personal_data_consents = if layout.personal_data { Some(r.u8(2, "personalDataConsents")?) } else { None };
    let mspa_covered_transaction = r.u8(2, "mspaCoveredTransaction")?;
    let mspa_opt_out_option_mode = r.u8(2, "mspaOptOutOptionMode")?;
    let mspa_service_provider_mode = r.u8(2, "mspaServiceProviderMode")?;

    // Optional subsections: a 2-bit type, then its fields. Type 1 is GPC;
    // others are skipped (a newer subsection must not invalidate the core).
    let mut gpc = None;
    let mut sub_offset = offset + core.len() + 1;
    for sub in segments {
        let mut s = Rd { bits: bits(sub, sub_offset)?, id };
        sub_offset += sub.len() + 1;
        if s.u8(2, "subsection type")? == 1 {
            gpc = Some(s.u8(1, "gpc")? == 1);
        }
    }
    Ok(UsSection {
        section_id: id,
        version,
        sharing_notice,
        sale_opt_out_notice,
        sharing_opt_out_notice,
        targeted_advertising_opt_out_notice,
        sensitive_data_processing_opt_out_notice,
        sensitive_data_limit_use_notice,
        sale_opt_out,
        sharing_opt_out,
        targeted_advertising_opt_out,
        sensitive_data_processing,
        known_child_sensitive_data_consents,
        personal_data_consents,
        mspa_covered_transaction,
        mspa_opt_out_option_mode,
        mspa_service_provider_mode,
        gpc,
    })
}
