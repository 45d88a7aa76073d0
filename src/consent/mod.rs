//! Consent signals: IAB TCF v2 TC strings and GPP strings, decoded.
//!
//! These are the inputs the consent policy reads; this module only decodes
//! them, faithfully and defensively. Both formats arrive from page script
//! (`__tcfapi`, `__gpp`, cookies), so any string may be malformed or hostile:
//! the decoders never panic, allocate no more than the input justifies, and
//! return a typed error naming the segment, field and bit where decoding
//! stopped. A string that fails to decode must be treated as "no consent"
//! by the caller, never as a partial grant.

mod bits;
pub mod gpp;
pub mod policy;
pub mod signals;
pub mod tcf;

pub use gpp::{GppError, GppSection, GppString, Notice, OptOut, UsSection, UspV1};
pub use tcf::{IdSet, PubRestriction, PublisherTc, RestrictionType, TcSegment, TcString, TcfError, VendorSet};

/// Decodes a TCF v2 TC string (`core[.disclosedVendors][.allowedVendors][.publisherTC]`).
///
/// Version 1 strings are rejected with [`TcfError::UnsupportedVersion`]:
/// they predate TCF v2's purposes and cannot express today's choices.
pub fn decode_tc_string(s: &str) -> Result<TcString, TcfError> {
    tcf::decode(s)
}

/// Decodes a GPP string (`header~section~…`). Sections hearth does not
/// understand are kept as [`GppSection::Other`]; a malformed section it does
/// understand fails the whole string, since a half-read signal is not safe
/// to act on.
pub fn decode_gpp(s: &str) -> Result<GppString, GppError> {
    gpp::decode(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Test-only encoder: `(value, width)` fields, MSB first, as base64url.
    pub(crate) fn enc(fields: &[(u64, u32)]) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits: Vec<u8> = Vec::new();
        for &(v, n) in fields {
            bits.extend((0..n).rev().map(|i| (v >> i & 1) as u8));
        }
        bits.chunks(6).map(|c| ALPHABET[(0..6).fold(0, |acc, i| acc << 1 | usize::from(*c.get(i).unwrap_or(&0)))] as char).collect()
    }

    /// A core segment up to (not including) the vendor sections.
    fn core_head() -> Vec<(u64, u32)> {
        vec![
            (2, 6),                 // version
            (15_900_000_000, 36),   // created
            (15_900_000_000, 36),   // lastUpdated
            (7, 12),                // cmpId
            (1, 12),                // cmpVersion
            (1, 6),                 // consentScreen
            (4, 6),                 // E
            (13, 6),                // N
            (48, 12),               // vendorListVersion
            (4, 6),                 // tcfPolicyVersion
            (0, 1),                 // isServiceSpecific
            (0, 1),                 // useNonStandardTexts
            (0b1000_0000_0000, 12), // special feature 1
            (0b0000_1100_0000_0000_0000_0000, 24),
            (0, 24),
            (0, 1),
            (3, 6), // D
            (4, 6), // E
        ]
    }

    fn tc(vendor_parts: &[(u64, u32)]) -> String {
        let mut f = core_head();
        f.extend_from_slice(vendor_parts);
        enc(&f)
    }

    const EMPTY_SET: [(u64, u32); 2] = [(0, 16), (0, 1)];

    #[test]
    fn decodes_a_hand_built_core() {
        let mut parts = vec![(10, 16), (1, 1), (2, 12), (1, 1), (3, 16), (5, 16), (0, 1), (9, 16)]; // consents: ranges 3-5, 9
        parts.extend_from_slice(&[(70, 16), (0, 1)]); // LI: bit field of 70
        parts.extend((1..=70).map(|id| (u64::from(id == 64 || id == 65 || id == 70), 1)));
        parts.extend_from_slice(&[(1, 12), (4, 6), (0, 2), (1, 12), (1, 1), (60, 16), (65_535, 16)]); // P4 not allowed for 60..65535
        let t = decode_tc_string(&tc(&parts)).unwrap();
        assert_eq!(t.created_ms, 1_590_000_000_000);
        assert_eq!((t.cmp_id, t.consent_language(), t.publisher_cc(), t.tcf_policy_version), (7, "EN", "DE", 4));
        assert!(t.special_feature_opt_in(1) && !t.special_feature_opt_in(2));
        assert_eq!(t.purposes_consent.iter().collect::<Vec<_>>(), [5, 6]);
        assert!(t.purpose_consent(5) && !t.purpose_consent(1) && !t.purpose_consent(0) && !t.purpose_consent(200));
        assert_eq!(t.vendor_consents.iter().collect::<Vec<_>>(), [3, 4, 5, 9]);
        assert_eq!(t.vendor_legitimate_interests.iter().collect::<Vec<_>>(), [64, 65, 70]);
        assert!(t.vendor_consent(4) && !t.vendor_consent(6) && !t.vendor_consent(0) && !t.vendor_consent(u16::MAX));
        assert_eq!(t.publisher_restriction(4, 60), Some(RestrictionType::NotAllowed));
        assert_eq!(t.publisher_restriction(4, 65_535), Some(RestrictionType::NotAllowed));
        assert_eq!(t.publisher_restriction(4, 59), None);
        assert_eq!(t.publisher_restriction(3, 60), None);
    }

    #[test]
    fn wide_ranges_are_cheap_and_exact() {
        let parts = [(65_535, 16), (1, 1), (3, 12), (1, 1), (1, 16), (65_535, 16), (1, 1), (63, 16), (129, 16), (0, 1), (7, 16)];
        let mut p = parts.to_vec();
        p.extend_from_slice(&EMPTY_SET);
        p.push((0, 12));
        let t = decode_tc_string(&tc(&p)).unwrap();
        assert_eq!(t.vendor_consents.len(), 65_535);
        assert!(t.vendor_consent(1) && t.vendor_consent(64) && t.vendor_consent(65_535));
    }

    #[test]
    fn malformed_strings_say_what_and_where() {
        let v1 = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
        let e = decode_tc_string(&v1[..36]).unwrap_err();
        assert_eq!(e.to_string(), "TC string core segment: truncated at bit 213 reading vendor consents (needs 16 more bits, has 3)");
        let e = decode_tc_string("BOhwdphOxFC7tAHABBFRC--AAAAuhr_7").unwrap_err();
        assert_eq!(e, TcfError::UnsupportedVersion(1));
        assert_eq!(e.to_string(), "TC string: version 1 is not supported (only TCF v2 strings are)");
        assert_eq!(decode_tc_string(""), Err(TcfError::Empty { segment_index: 0 }));
        assert_eq!(decode_tc_string(&format!("{v1}.")), Err(TcfError::Empty { segment_index: 1 }));
        assert_eq!(decode_tc_string("COty+n4"), Err(TcfError::BadCharacter { offset: 4, ch: '+' }));
        assert_eq!(decode_tc_string(&format!("{v1}.AAAA")), Err(TcfError::UnknownSegment { segment_index: 1, segment_type: 0 }));
        assert_eq!(decode_tc_string(&format!("{v1}.IABu.IABu")), Err(TcfError::DuplicateSegment(TcSegment::DisclosedVendors)));
        // A range past maxVendorId, a zero id, a backwards range.
        for (parts, reason) in [
            ([(10, 16), (1, 1), (1, 12), (1, 1), (5, 16), (11, 16)], "range goes past maxVendorId"),
            ([(10, 16), (1, 1), (1, 12), (0, 1), (0, 16), (0, 0)], "vendor id 0"),
            ([(10, 16), (1, 1), (1, 12), (1, 1), (6, 16), (5, 16)], "range ends before it starts"),
        ] {
            let mut p = parts.to_vec();
            p.extend_from_slice(&EMPTY_SET);
            p.push((0, 12));
            match decode_tc_string(&tc(&p)) {
                Err(TcfError::Invalid { segment: TcSegment::Core, field: "vendor consents", at: 242, reason: r }) => assert_eq!(r, reason),
                other => panic!("{reason}: {other:?}"),
            }
        }
        let mut p = vec![(10, 16), (1, 1), (1, 12), (1, 1), (5, 16), (11, 16)];
        p.extend_from_slice(&EMPTY_SET);
        assert_eq!(
            decode_tc_string(&tc(&p)).unwrap_err().to_string(),
            "TC string core segment: vendor consents at bit 242: range goes past maxVendorId"
        );
        // A bit field longer than the string: fails up front, without reading on.
        let e = decode_tc_string(&tc(&[(60_000, 16), (0, 1)])).unwrap_err();
        assert!(matches!(e, TcfError::Truncated { field: "vendor consents", at: 230, needs: 60_000, .. }), "{e:?}");
        // Letters outside A-Z.
        let mut f = core_head();
        f[16] = (30, 6);
        f.extend_from_slice(&EMPTY_SET);
        f.extend_from_slice(&EMPTY_SET);
        f.push((0, 12));
        assert!(matches!(decode_tc_string(&enc(&f)), Err(TcfError::Invalid { field: "publisherCC", at: 201, .. })));
    }

    #[test]
    fn optional_segments() {
        let base = "CQSbk4AQSbk4AEsACBENAHEgAIwAAEPgAAqIAAAAAAAA";
        // Publisher TC with two custom purposes: consent to #2, LI for #1.
        let pub_tc = enc(&[(3, 3), (0b11 << 22, 24), (0, 24), (2, 6), (0b01, 2), (0b10, 2)]);
        let t = decode_tc_string(&format!("{base}.IABu.{pub_tc}")).unwrap();
        let p = t.publisher_tc.unwrap();
        assert_eq!(p.purposes_consent.iter().collect::<Vec<_>>(), [1, 2]);
        assert_eq!((p.num_custom_purposes, p.custom_purposes_consent, p.custom_purposes_li_transparency), (2, IdSet(0b10), IdSet(0b01)));
        assert_eq!(t.disclosed_vendors.unwrap().iter().collect::<Vec<_>>(), [1, 2, 3]);
        assert!(t.allowed_vendors.is_none());
        let short = enc(&[(3, 3), (0, 24), (0, 24), (63, 6)]);
        assert!(matches!(
            decode_tc_string(&format!("{base}.{short}")),
            Err(TcfError::Truncated { segment: TcSegment::PublisherTc, field: "customPurposesConsent", .. })
        ));
    }

    #[test]
    fn gpp_headers_and_sections() {
        let g = decode_gpp("DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN").unwrap();
        assert_eq!(g.section_ids, [2, 6]);
        assert_eq!(g.tcf_eu_v2().map(|t| t.cmp_id), Some(31));
        assert_eq!(g.usp_v1().map(|u| (u.notice, u.opt_out_sale, u.lspa_covered)), Some((Some(true), Some(false), Some(false))));
        assert_eq!(g.section(6).map(GppSection::id), Some(6));
        // Section 5 (TCF Canada) is kept raw.
        let g = decode_gpp("DBABjw~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN").unwrap();
        assert!(matches!(g.section(5), Some(GppSection::Other { id: 5, raw }) if raw.starts_with("CPXx")));
        assert_eq!(decode_gpp("DBABM"), Err(GppError::SectionCount { declared: 1, present: 0 }));
        assert_eq!(decode_gpp("DBABM~a~b"), Err(GppError::SectionCount { declared: 1, present: 2 }));
        assert_eq!(decode_gpp(""), Err(GppError::Empty { section_index: 0 }));
        assert_eq!(decode_gpp("DBACNY~~1YNN"), Err(GppError::Empty { section_index: 1 }));
        assert_eq!(decode_gpp("ABABM~x"), Err(GppError::UnsupportedHeader { header_type: 0, version: 1 }));
        assert_eq!(decode_gpp("DBABM~CPXx+"), Err(GppError::BadCharacter { offset: 10, ch: '+' }));
        assert!(matches!(decode_gpp("DBABM~BOhwdphOxFC7tAHABBFRC"), Err(GppError::TcfEuV2(TcfError::UnsupportedVersion(1)))));
        let e = decode_gpp("DBABTA~1YNX").unwrap_err(); // id 6
        assert_eq!(e.to_string(), "GPP section 6: uspv1 at bit 3: not Y, N or -");
        let e = decode_gpp("DB").unwrap_err();
        assert_eq!(e.to_string(), "GPP header: truncated at bit 12 reading section ids (needs 12 more bits, has 0)");
        // A range of 1..=40000 sections with one section present is refused before expanding.
        let header = enc(&[(3, 6), (1, 6), (1, 12), (1, 1), (0b11, 2), (0b000_0000_0000_0000_0000_0011, 23)]);
        assert!(matches!(
            decode_gpp(&format!("{header}~x")),
            Err(GppError::SectionCount { present: 1, .. }) | Err(GppError::Invalid { .. })
        ));
    }

    #[test]
    fn usnat_with_gpc() {
        // usnat v1: every notice provided (1), sale opt-out 2 (did not opt out), sharing 1, targeted 2,
        // 12 sensitive + 2 child + personal = 0, MSPA covered yes (1), modes 0.
        let mut f = vec![(1, 6)];
        f.extend([(1, 2); 6]);
        f.extend([(2, 2), (1, 2), (2, 2)]);
        f.extend([(0, 2); 15]);
        f.extend([(1, 2), (0, 2), (0, 2)]);
        let core = enc(&f);
        let gpc = enc(&[(1, 2), (1, 1)]);
        let header = enc(&[(3, 6), (1, 6), (1, 12), (0, 1), (0b01011, 5)]); // Fibonacci 7 = 2 + 5 -> 01011
        let g = decode_gpp(&format!("{header}~{core}.{gpc}")).unwrap();
        let u = g.us(7).unwrap();
        assert_eq!(u.version, 1);
        assert_eq!(u.sharing_notice, Some(Notice::Provided));
        assert_eq!(u.sensitive_data_processing_opt_out_notice, Some(Notice::Provided));
        assert_eq!(
            (u.sale_opt_out, u.sharing_opt_out, u.targeted_advertising_opt_out),
            (Some(OptOut::DidNotOptOut), Some(OptOut::OptedOut), Some(OptOut::DidNotOptOut))
        );
        assert_eq!((u.sensitive_data_processing.len(), u.known_child_sensitive_data_consents.len()), (12, 2));
        assert_eq!((u.mspa_covered_transaction, u.gpc), (1, Some(true)));
        // Without the GPC subsection, and truncated.
        assert_eq!(decode_gpp(&format!("{header}~{core}")).unwrap().us(7).unwrap().gpc, None);
        assert!(matches!(decode_gpp(&format!("{header}~{}", &core[..5])), Err(GppError::Truncated { section_id: 7, .. })));
        // Version 3 is not known.
        assert!(matches!(decode_gpp(&format!("{header}~D")), Err(GppError::Invalid { section_id: 7, field: "version", .. })));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = decode_tc_string(&s);
            let _ = decode_gpp(&s);
        }

        #[test]
        fn plausible_tc_strings_never_panic(s in "C[A-Za-z0-9_-]{0,400}(\\.[A-Za-z0-9_-]{0,60}){0,4}") {
            let _ = decode_tc_string(&s);
        }

        #[test]
        fn plausible_gpp_strings_never_panic(s in "DB[A-Za-z0-9_-]{1,8}(~[A-Za-z0-9_.-]{0,80}){0,5}") {
            let _ = decode_gpp(&s);
        }

        #[test]
        fn mutated_vectors_never_panic(cut in 0usize..200, at in 0usize..200, c in "[A-Za-z0-9_.~-]") {
            for base in [
                "CPi8wgAPi8wgAAOACBENCuCoAP_AAEfAACiQJHNd_H__bX9n-f7_6ft0eY1f9_r37uQzDhfNk-8F3L_W_LwX_2E7NF36tq4KmR4ku1LBIUNtHMnUDUm",
                "CQSbk4AQSbk4AEsACBENAHEgALwAAAAAAAqIABMAAAAIgACAAIAA.IABM.YAAAAAAAAAAA",
                "DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN",
                "DBABBg~BVqqqqpY.YA",
            ] {
                let mut s: String = base.chars().take(cut).collect();
                if at < s.len() {
                    s.replace_range(at..=at, &c);
                }
                let _ = decode_tc_string(&s);
                let _ = decode_gpp(&s);
            }
        }
    }
}
