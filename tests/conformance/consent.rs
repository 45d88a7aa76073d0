//! TCF and GPP decoding against tests/data/consent/tcf-gpp-vectors.json:
//! every expected field of every vector, one case per vector. A key the
//! runner does not know fails its case, so nothing in the file goes
//! unchecked by accident.

use crate::{data, Suite};
use hearth::consent::{self, GppSection, Notice, OptOut, RestrictionType, TcString, TcfError, VendorSet};
use hearth::json::{self, Object, Value};
use hearth::time;

pub fn run() -> Suite {
    let mut suite = Suite::new("tcf/gpp vectors");
    let doc = json::parse(&data("consent/tcf-gpp-vectors.json")).expect("tcf-gpp-vectors.json is valid JSON");
    for (i, v) in doc.get("upstream_tcf").and_then(Value::as_array).unwrap_or_default().iter().enumerate() {
        let tc = v.get("tc").and_then(Value::as_str).unwrap_or_default();
        let expect = v.get("expect").or_else(|| v.get("observed")).and_then(Value::as_object);
        let outcome = match expect {
            Some(e) => upstream_tcf(tc, e),
            None => Err("no expect/observed object".into()),
        };
        suite.case(format!("upstream_tcf[{i}] {}", short(tc)), outcome);
    }
    for (name, v) in doc.get("generated_policy_v4").and_then(Value::as_object).map(Object::iter).into_iter().flatten() {
        suite.case(format!("generated_policy_v4.{name}"), v.as_object().ok_or_else(|| "not an object".to_string()).and_then(generated));
    }
    for (i, v) in doc.get("upstream_gpp").and_then(Value::as_array).unwrap_or_default().iter().enumerate() {
        let gpp = v.get("gpp").and_then(Value::as_str).unwrap_or_default();
        let outcome = match v.get("expect").and_then(Value::as_object) {
            Some(e) => upstream_gpp(gpp, e),
            None => Err("no expect object".into()),
        };
        suite.case(format!("upstream_gpp[{i}] {}", short(gpp)), outcome);
    }
    suite
}

fn short(s: &str) -> &str {
    s.get(..24).unwrap_or(s)
}

fn ids(v: &Value) -> Option<Vec<u64>> {
    v.as_array()?.iter().map(|n| n.as_f64().map(|f| f as u64)).collect()
}

fn check<T: PartialEq + std::fmt::Debug>(key: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{key}: expected {want:?}, got {got:?}"))
    }
}

fn num(key: &str, got: u64, want: &Value) -> Result<(), String> {
    check(key, Some(got), want.as_f64().map(|f| f as u64))
}

fn list(key: &str, got: impl Iterator<Item = u64>, want: &Value) -> Result<(), String> {
    check(key, Some(got.collect::<Vec<_>>()), ids(want))
}

fn vendors(key: &str, got: Option<&VendorSet>, want: &Value) -> Result<(), String> {
    match got {
        Some(set) => list(key, set.iter().map(u64::from), want),
        None => Err(format!("{key}: segment missing")),
    }
}

fn date(key: &str, got_ms: i64, want: &Value) -> Result<(), String> {
    let want = want.as_str().ok_or_else(|| format!("{key}: not a string"))?;
    check(key, got_ms, time::parse_iso(want)?)
}

fn upstream_tcf(tc: &str, expect: &Object) -> Result<(), String> {
    if let Some(reason) = expect.get("decode") {
        return match consent::decode_tc_string(tc) {
            Err(_) => Ok(()),
            Ok(_) => Err(format!("decoded, but {}", reason.as_str().unwrap_or_default())),
        };
    }
    if expect.get("version").and_then(Value::as_f64) == Some(1.0) {
        // `module_behaviour`: a v1 string is not consent.
        return match consent::decode_tc_string(tc) {
            Err(TcfError::UnsupportedVersion(1)) => Ok(()),
            other => Err(format!("expected UnsupportedVersion(1), got {other:?}")),
        };
    }
    let t = consent::decode_tc_string(tc).map_err(|e| e.to_string())?;
    for (key, want) in expect.iter() {
        tcf_field(&t, key, want)?;
    }
    Ok(())
}

fn tcf_field(t: &TcString, key: &str, want: &Value) -> Result<(), String> {
    match key {
        "version" => num(key, t.version.into(), want),
        "created" => date(key, t.created_ms, want),
        "lastUpdated" => date(key, t.last_updated_ms, want),
        "cmpId" => num(key, t.cmp_id.into(), want),
        "cmpVersion" => num(key, t.cmp_version.into(), want),
        "consentScreen" => num(key, t.consent_screen.into(), want),
        "vendorListVersion" => num(key, t.vendor_list_version.into(), want),
        "tcfPolicyVersion" | "policyVersion" => num(key, t.tcf_policy_version.into(), want),
        "consentLanguage" => check(key, Some(t.consent_language()), want.as_str()),
        "publisherCC" => check(key, Some(t.publisher_cc()), want.as_str()),
        "isServiceSpecific" => check(key, Some(t.is_service_specific), want.as_bool()),
        "purposeOneTreatment" => check(key, Some(t.purpose_one_treatment), want.as_bool()),
        "useNonStandardTexts" => check(key, Some(t.use_non_standard_texts), want.as_bool()),
        "specialFeatureOptIns" | "specialFeatureOptins" => list(key, t.special_feature_opt_ins.iter().map(u64::from), want),
        "purposesConsent" | "purposeConsents" => list(key, t.purposes_consent.iter().map(u64::from), want),
        "purposesLITransparency" | "purposeLI" => list(key, t.purposes_li_transparency.iter().map(u64::from), want),
        "vendorConsents" => vendors(key, Some(&t.vendor_consents), want),
        "vendorLI" => vendors(key, Some(&t.vendor_legitimate_interests), want),
        "vendorConsents_count" => num(key, t.vendor_consents.len() as u64, want),
        "vendorLI_count" => num(key, t.vendor_legitimate_interests.len() as u64, want),
        "disclosedVendors" | "vendorsDisclosed" => vendors(key, t.disclosed_vendors.as_ref(), want),
        "allowedVendors_segmentType2_deprecated" => vendors(key, t.allowed_vendors.as_ref(), want),
        "publisherConsents" => match &t.publisher_tc {
            Some(p) => list(key, p.purposes_consent.iter().map(u64::from), want),
            None => Err("publisherConsents: no publisher TC segment".into()),
        },
        "publisherTC" => {
            check(key, want.as_str(), Some("present, all false"))?;
            let p = t.publisher_tc.as_ref().ok_or("publisherTC: segment missing")?;
            let all_false = p.purposes_consent.is_empty()
                && p.purposes_li_transparency.is_empty()
                && p.num_custom_purposes == 0
                && p.custom_purposes_consent.is_empty()
                && p.custom_purposes_li_transparency.is_empty();
            check(key, all_false, true)
        }
        "pubRestrictionsP4NotAllowed" => {
            let got = t
                .publisher_restrictions
                .iter()
                .filter(|r| r.purpose_id == 4 && r.restriction_type == RestrictionType::NotAllowed)
                .flat_map(|r| r.vendor_ranges.iter().flat_map(|&(a, b)| (a..=b).map(u64::from)));
            list(key, got, want)
        }
        "observed_by_independent_decoder" => {
            // "pubRestrictions: purposes 3,4,5 RestrictionType=1 (require consent) for vendor range 1..1166"
            check(key, want.as_str().is_some_and(|s| s.starts_with("pubRestrictions: purposes 3,4,5 RestrictionType=1")), true)?;
            let got: Vec<_> =
                t.publisher_restrictions.iter().map(|r| (r.purpose_id, r.restriction_type, r.vendor_ranges.clone())).collect();
            let want: Vec<_> = (3..=5).map(|p| (p, RestrictionType::RequireConsent, vec![(1, 1166)])).collect();
            check(key, got, want)?;
            check("publisher_restriction(4, 1166)", t.publisher_restriction(4, 1166), Some(RestrictionType::RequireConsent))?;
            check("publisher_restriction(4, 1167)", t.publisher_restriction(4, 1167), None)
        }
        "note" | "tcString" => Ok(()),
        other => Err(format!("no check for key {other}")),
    }
}

fn generated(v: &Object) -> Result<(), String> {
    let tc = v.get("tcString").and_then(Value::as_str).ok_or("no tcString")?;
    let t = consent::decode_tc_string(tc).map_err(|e| e.to_string())?;
    for (key, want) in v.iter() {
        tcf_field(&t, key, want)?;
    }
    Ok(())
}

fn upstream_gpp(s: &str, expect: &Object) -> Result<(), String> {
    let g = consent::decode_gpp(s).map_err(|e| e.to_string())?;
    let us = || g.sections.iter().find_map(|s| if let GppSection::Us(u) = s { Some(u) } else { None }).ok_or("no US section");
    let opt_out = |want: &Value| match want.as_str() {
        Some("OptedOut") => Some(OptOut::OptedOut),
        Some("DidNotOptOut") => Some(OptOut::DidNotOptOut),
        Some("NotApplicable") => Some(OptOut::NotApplicable),
        _ => None,
    };
    for (key, want) in expect.iter() {
        match key {
            "sectionIds" => list(key, g.section_ids.iter().map(|&i| u64::from(i)), want)?,
            "uspv1" => check(key, g.usp_v1().map(|u| u.to_string()), want.as_str().map(str::to_owned))?,
            "sale_opt_out" => check(key, us()?.sale_opt_out, opt_out(want))?,
            "sharing_opt_out" => check(key, us()?.sharing_opt_out, opt_out(want))?,
            "targeted_advertising_opt_out" => check(key, us()?.targeted_advertising_opt_out, opt_out(want))?,
            "gpc" => check(key, us()?.gpc, want.as_bool())?,
            "all" => {
                check(key, want.as_str(), Some("NotApplicable"))?;
                let u = us()?;
                let notices = [
                    u.sharing_notice,
                    u.sale_opt_out_notice,
                    u.sharing_opt_out_notice,
                    u.targeted_advertising_opt_out_notice,
                    u.sensitive_data_processing_opt_out_notice,
                    u.sensitive_data_limit_use_notice,
                ];
                check("notices", notices.iter().flatten().all(|n| *n == Notice::NotApplicable), true)?;
                let opt_outs = [u.sale_opt_out, u.sharing_opt_out, u.targeted_advertising_opt_out];
                check("opt-outs", opt_outs.iter().flatten().all(|o| *o == OptOut::NotApplicable), true)?;
                let consents =
                    u.sensitive_data_processing.iter().chain(&u.known_child_sensitive_data_consents).chain(&u.personal_data_consents);
                check("consents", consents.copied().all(|c| c == 0), true)?;
                check("mspa modes", (u.mspa_opt_out_option_mode, u.mspa_service_provider_mode), (0, 0))?;
                // The string's MspaCoveredTransaction is 2 ("no"); iab_gpp reads it as a bool, not a NotApplicable enum.
                check("mspaCoveredTransaction", u.mspa_covered_transaction, 2)?;
            }
            "note" => {}
            other => return Err(format!("no check for key {other}")),
        }
    }
    Ok(())
}
