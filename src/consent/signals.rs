//! Reading the consent document a host passes in (from the page, a CMP or
//! request headers) into [`Signals`] for the policy.
//!
//! ```json
//! { "tcString": "CP...", "tcfPurposes": [1, 5, 6], "gpp": "DBAB...", "gpc": true, "dnt": false,
//!   "consentMode": { "ad_personalization": "denied", "personalization_storage": "granted" },
//!   "choices": { "store": true, "content": true, "promotions": false, "measure": false, "sensitive": false },
//!   "withdrawn": false }
//! ```
//!
//! Every field is optional. A TC or GPP string that does not decode counts as
//! no signal from that source (never as a partial grant), and the reason is
//! returned so the host can log it. `tcfPurposes` is the CMP's own reading of
//! the TC string (the purposes with consent); a string that decodes wins.
//! Builds without the `full` feature (the browser's) decode no strings: see
//! `strings` below for how they read them.

use super::policy::{Choices, ConsentMode, ModeState, Signals, TcfPurposes};
#[cfg(feature = "full")]
use super::{decode_gpp, decode_tc_string, GppSection, OptOut, TcString};
use crate::diag::{self, Issues};
use crate::json::{Object, Value};

/// The signals, whether the visitor's explicit choices cover sensitive
/// topics, and the problems with signals that were ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    pub signals: Signals,
    pub sensitive: bool,
    pub ignored: Vec<String>,
}

#[cfg(feature = "full")]
fn purposes(tc: &TcString) -> TcfPurposes {
    TcfPurposes::from_purposes((1u8..=24).filter(|p| tc.purpose_consent(*p)).map(u16::from))
}

/// Reads a consent document. Wrong types are errors (the host's bug);
/// undecodable consent strings are ignored with a reason (the visitor's
/// CMP may write anything).
pub fn read(doc: &Value) -> Result<Read, Issues> {
    let mut issues = Issues::new();
    let mut out = Read::default();
    let empty = Object::new();
    let o = match doc {
        Value::Object(o) => o,
        Value::Null => &empty,
        other => {
            issues.push("", diag::found("consent must be an object", other));
            return Err(issues);
        }
    };
    let flag = |k: &str, issues: &mut Issues| match o.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            issues.push(k, diag::found("must be true or false", other));
            false
        }
    };
    out.signals.gpc = flag("gpc", &mut issues);
    out.signals.dnt = flag("dnt", &mut issues);
    out.signals.withdrawn = flag("withdrawn", &mut issues);
    let text = |k: &str, issues: &mut Issues| match o.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            issues.push(k, diag::found("must be a string", other));
            None
        }
    };
    // The CMP's own decoding (`TCData.purpose.consents`), for builds without
    // the string decoders (the browser's); a TC string that decodes wins.
    if let Some(v) = o.get("tcfPurposes").filter(|v| !v.is_null()) {
        out.signals.tcf = tcf_purposes(v, &mut issues);
    }
    let tc = text("tcString", &mut issues);
    let gpp = text("gpp", &mut issues);
    strings(tc, gpp, &mut out);
    if let Some(v) = o.get("consentMode").filter(|v| !v.is_null()) {
        out.signals.consent_mode = consent_mode(v, &mut issues);
    }
    if let Some(v) = o.get("choices").filter(|v| !v.is_null()) {
        let (choices, sensitive) = choices(v, &mut issues);
        out.signals.choices = Some(choices);
        out.sensitive = sensitive;
    }
    for k in o.keys() {
        if !KNOWN.contains(&k) {
            issues.push(k, format!("unknown field (expected one of {})", KNOWN.join(", ")));
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues)
    }
}

const KNOWN: [&str; 8] = ["tcString", "tcfPurposes", "gpp", "gpc", "dnt", "consentMode", "choices", "withdrawn"];

/// `tcfPurposes`: the purpose numbers (1-24) the visitor consented to.
fn tcf_purposes(v: &Value, issues: &mut Issues) -> Option<TcfPurposes> {
    let numbers = v.as_array().and_then(|a| {
        a.iter().map(|p| p.as_f64().filter(|p| p.fract() == 0.0 && (1.0..=24.0).contains(p)).map(|p| p as u16)).collect::<Option<Vec<_>>>()
    });
    if numbers.is_none() {
        issues.push("tcfPurposes", "must be an array of TCF purpose numbers (1-24)");
    }
    numbers.map(TcfPurposes::from_purposes)
}

/// Reads the TC and GPP strings into `out`; undecodable ones are ignored, with the reason.
#[cfg(feature = "full")]
fn strings(tc: Option<String>, gpp: Option<String>, out: &mut Read) {
    if let Some(tc) = tc {
        match decode_tc_string(&tc) {
            Ok(tc) => out.signals.tcf = Some(purposes(&tc)),
            Err(e) => out.ignored.push(format!("tcString ignored: {e}")),
        }
    }
    if let Some(gpp) = gpp {
        match decode_gpp(&gpp) {
            Err(e) => out.ignored.push(format!("gpp ignored: {e}")),
            Ok(g) => {
                for section in &g.sections {
                    match section {
                        GppSection::TcfEuV2(tc) if out.signals.tcf.is_none() => out.signals.tcf = Some(purposes(tc)),
                        GppSection::UspV1(u) if u.opt_out_sale == Some(true) => out.signals.us_opt_out = true,
                        GppSection::Us(us) => {
                            let opted = |x: Option<OptOut>| x == Some(OptOut::OptedOut);
                            if opted(us.sale_opt_out)
                                || opted(us.sharing_opt_out)
                                || opted(us.targeted_advertising_opt_out)
                                || us.gpc == Some(true)
                            {
                                out.signals.us_opt_out = true;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// The browser's build has no string decoders (they are 9 KB of its download;
/// the CMP on the page has decoded the string already). A string it cannot
/// read must never be taken as a grant: a TC string without
/// `tcfPurposes` grants nothing, and a GPP string counts as an opt-out.
#[cfg(not(feature = "full"))]
fn strings(tc: Option<String>, gpp: Option<String>, out: &mut Read) {
    if tc.is_some() && out.signals.tcf.is_none() {
        out.signals.tcf = Some(TcfPurposes::default());
        out.ignored.push(
            "tcString not decoded in this build: read as no TCF purposes; pass tcfPurposes (the CMP's TCData.purpose.consents)".into(),
        );
    }
    if gpp.is_some() {
        out.signals.us_opt_out = true;
        out.ignored.push("gpp not decoded in this build: read as an opt-out".into());
    }
}

fn consent_mode(v: &Value, issues: &mut Issues) -> ConsentMode {
    let mut m = ConsentMode::default();
    let Some(o) = v.as_object() else {
        issues.push("consentMode", diag::found("must be an object", v));
        return m;
    };
    for (k, v) in o.iter() {
        let path = diag::key("consentMode", k);
        let state = match v.as_str() {
            Some("granted") => ModeState::Granted,
            Some("denied") => ModeState::Denied,
            _ => {
                issues.push(path, "must be \"granted\" or \"denied\"");
                continue;
            }
        };
        match k {
            "ad_personalization" => m.ad_personalization = Some(state),
            "ad_user_data" => m.ad_user_data = Some(state),
            "analytics_storage" => m.analytics_storage = Some(state),
            "personalization_storage" => m.personalization_storage = Some(state),
            "functionality_storage" => m.functionality_storage = Some(state),
            // Consent Mode has other keys (ad_storage, security_storage) hearth does not need.
            "ad_storage" | "security_storage" => {}
            _ => issues.push(path, "not a Consent Mode v2 key"),
        }
    }
    m
}

fn choices(v: &Value, issues: &mut Issues) -> (Choices, bool) {
    let mut c = Choices::default();
    let mut sensitive = false;
    let Some(o) = v.as_object() else {
        issues.push("choices", diag::found("must be an object", v));
        return (c, sensitive);
    };
    for (k, v) in o.iter() {
        let path = diag::key("choices", k);
        let Some(b) = v.as_bool() else {
            issues.push(path, diag::found("must be true or false", v));
            continue;
        };
        match k {
            "store" => c.store = b,
            "content" => c.content = b,
            "promotions" => c.promotions = b,
            "measure" => c.measure = b,
            "sensitive" => sensitive = b,
            _ => issues.push(path, "unknown choice (expected store, content, promotions, measure, sensitive)"),
        }
    }
    (c, sensitive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn r(text: &str) -> Result<Read, Issues> {
        read(&parse(text).unwrap())
    }

    #[test]
    fn reads_every_source() {
        let got = r(r#"{"gpc": true, "choices": {"store": true, "content": true, "sensitive": true},
                        "consentMode": {"ad_personalization": "denied", "ad_storage": "granted"}}"#)
        .unwrap();
        assert!(got.signals.gpc && got.sensitive);
        assert_eq!(got.signals.choices, Some(Choices { store: true, content: true, ..Default::default() }));
        assert_eq!(got.signals.consent_mode.ad_personalization, Some(ModeState::Denied));
        assert_eq!(r("null").unwrap(), Read::default());
    }

    #[test]
    fn tcf_purposes_are_read_and_a_decoded_string_wins() {
        assert_eq!(r(r#"{"tcfPurposes": [1, 5, 6]}"#).unwrap().signals.tcf, Some(TcfPurposes::from_purposes([1, 5, 6])));
        let e = r(r#"{"tcfPurposes": [0, 25]}"#).unwrap_err();
        assert!(e.to_string().contains("tcfPurposes: must be an array of TCF purpose numbers"), "{e}");
        assert!(r(r#"{"tcfPurposes": "1,5"}"#).is_err());
        #[cfg(feature = "full")]
        {
            // tests/data/consent's content_personalisation_only: purposes 1, 5 and 6; the list says 2.
            let tc = "CQSbk4AQSbk4AEsACBENAHEgAIwAAEPgAAqIAAAAAAAA.IABu.cYAAAAAAAAAA";
            let read = r(&format!(r#"{{"tcString": "{tc}", "tcfPurposes": [2]}}"#)).unwrap();
            assert_eq!(read.signals.tcf, Some(TcfPurposes::from_purposes([1, 5, 6])), "{read:?}");
            let read = r(r#"{"tcString": "garbage", "tcfPurposes": [2]}"#).unwrap();
            assert_eq!(read.signals.tcf, Some(TcfPurposes::from_purposes([2])), "{read:?}");
        }
    }

    #[test]
    #[cfg(feature = "full")] // the browser build decodes no strings: tests/js/browser-build.test.mjs
    fn a_bad_consent_string_is_no_signal_with_a_reason() {
        let got = r(r#"{"tcString": "not a tc string", "gpp": "~~~"}"#).unwrap();
        assert_eq!(got.signals.tcf, None);
        assert_eq!(got.ignored.len(), 2);
        assert!(got.ignored[0].starts_with("tcString ignored: "), "{:?}", got.ignored);
    }

    #[test]
    fn a_us_section_with_gpc_set_is_an_opt_out() {
        // usca: sale and sharing "did not opt out", GPC field set.
        let got = r(r#"{"gpp": "DBABBg~BVqqqqpY.YA"}"#).unwrap();
        assert!(got.signals.us_opt_out, "{got:?}");
    }

    #[test]
    fn wrong_types_are_reported_with_paths() {
        let e =
            r(r#"{"gpc": "yes", "choices": {"store": 1, "cookies": true}, "consentMode": {"ad_personalization": "maybe"}, "extra": 1}"#)
                .unwrap_err();
        let msgs: Vec<String> = e.iter().map(|i| i.to_string()).collect();
        assert!(msgs.contains(&"gpc: must be true or false, found string".to_owned()), "{msgs:?}");
        assert!(msgs.contains(&"choices.store: must be true or false, found number".to_owned()), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("choices.cookies: unknown choice")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("consentMode.ad_personalization")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("extra: unknown field")), "{msgs:?}");
    }
}
