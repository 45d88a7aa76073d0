//! A page's worth of decisions in one call, as the DOM layer and the edge
//! need them: every slot, artwork, promotion placement and recommendation
//! list on the page, decided against one prepared [`Visit`], and written
//! as one stable JSON document (same inputs, same bytes, on every target).

use super::{ArtworkChoice, Context, DecideError, Device, Promotions, Recommendation, Referrer, Visit};
use crate::decide::explain::write_codes;
use crate::diag::{self, Issues};
use crate::json::{write_js_number, write_json_string, Value};

/// What a page asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// Slot ids; `None` decides every slot of the manifest.
    pub slots: Option<Vec<String>>,
    pub artworks: Vec<String>,
    pub placements: Vec<String>,
    /// (list id, k); `None` takes the list's own k.
    pub lists: Vec<(String, Option<usize>)>,
}

fn strings(v: Option<&Value>, path: &str, issues: &mut Issues) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, x)| match x {
                Value::String(s) => Some(s.clone()),
                other => {
                    issues.push(format!("{path}[{i}]"), diag::found("must be a string", other));
                    None
                }
            })
            .collect(),
        Some(other) => {
            issues.push(path, diag::found("must be an array of strings", other));
            Vec::new()
        }
    }
}

impl Request {
    /// `{slots?: [id] | "all", artworks?: [item], promotions?: [placement], recommend?: [{list, k?}]}`.
    pub fn from_value(v: &Value) -> Result<Request, Issues> {
        let mut issues = Issues::new();
        let mut r = Request::default();
        let Some(o) = v.as_object() else {
            issues.push("", diag::found("a page request must be an object", v));
            return Err(issues);
        };
        r.slots = match o.get("slots") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::String(s)) if s == "all" => None,
            other => Some(strings(other, "slots", &mut issues)),
        };
        r.artworks = strings(o.get("artworks"), "artworks", &mut issues);
        r.placements = strings(o.get("promotions"), "promotions", &mut issues);
        if let Some(lists) = o.get("recommend").filter(|v| !v.is_null()) {
            match lists.as_array() {
                None => issues.push("recommend", "must be an array of {list, k}"),
                Some(a) => {
                    for (i, l) in a.iter().enumerate() {
                        let list = l.get("list").and_then(Value::as_str);
                        let k = match l.get("k") {
                            None | Some(Value::Null) => Ok(None),
                            Some(Value::Number(n)) if n.fract() == 0.0 && (1.0..=100.0).contains(n) => Ok(Some(*n as usize)),
                            Some(_) => Err(()),
                        };
                        match (list, k) {
                            (Some(list), Ok(k)) => r.lists.push((list.to_owned(), k)),
                            (None, _) => issues.push(format!("recommend[{i}].list"), "must be a string"),
                            (_, Err(())) => issues.push(format!("recommend[{i}].k"), "must be a whole number between 1 and 100"),
                        }
                    }
                }
            }
        }
        for k in o.keys() {
            if !["slots", "artworks", "promotions", "recommend"].contains(&k) {
                issues.push(k, "unknown field (expected slots, artworks, promotions, recommend)");
            }
        }
        if issues.is_empty() {
            Ok(r)
        } else {
            Err(issues)
        }
    }
}

impl Context {
    /// Reads a page context document:
    /// `{url?, path?, referrer?, utcOffsetMinutes?, device? | userAgent?, locale?, country?, attributes?, claims?, epoch?}`.
    /// `now_ms` is the host's clock. A value of the wrong type is an error; a
    /// malformed locale or country is dropped (see [`Context`]).
    pub fn from_value(v: &Value, now_ms: i64) -> Result<Context, Issues> {
        let mut issues = Issues::new();
        let mut c = Context::new(now_ms);
        let empty = crate::json::Object::new();
        let o = match v {
            Value::Object(o) => o,
            Value::Null => &empty,
            other => {
                issues.push("", diag::found("a page context must be an object", other));
                return Err(issues);
            }
        };
        let mut text = |k: &str| match o.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                issues.push(k, diag::found("must be a string", other));
                None
            }
        };
        let url = text("url");
        let path = text("path");
        let referrer = text("referrer");
        let device = text("device");
        let user_agent = text("userAgent");
        c.locale = text("locale").filter(|l| is_locale(l));
        c.country = text("country").map(|s| s.to_ascii_uppercase()).filter(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()));
        if let Some(u) = &url {
            c.set_url(u);
        }
        if let Some(p) = path {
            c.path = p;
        }
        if let Some(r) = referrer {
            let own = url
                .as_deref()
                .and_then(|u| crate::text::split_once(u, "://"))
                .map_or("", |(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
            c.referrer = Referrer::classify(&r, own);
        }
        c.device = match (device.as_deref(), user_agent) {
            (Some("mobile"), _) => Device::Mobile,
            (Some("tablet"), _) => Device::Tablet,
            (Some("desktop"), _) => Device::Desktop,
            (Some(other), _) => {
                issues.push("device", format!("must be mobile, tablet or desktop, not {}", crate::json::quoted(other)));
                Device::Unknown
            }
            (None, Some(ua)) => Device::from_user_agent(&ua),
            (None, None) => Device::Unknown,
        };
        match o.get("utcOffsetMinutes") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.is_finite() => c.utc_offset_minutes = n.clamp(-840.0, 840.0) as i32,
            Some(other) => issues.push("utcOffsetMinutes", diag::found("must be a number", other)),
        }
        match o.get("attributes") {
            None | Some(Value::Null) => {}
            Some(Value::Object(a)) => c.attributes = a.clone(),
            Some(other) => issues.push("attributes", diag::found("must be an object", other)),
        }
        c.claims = strings(o.get("claims"), "claims", &mut issues);
        match o.get("epoch") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => c.epoch = Some(*n as u64),
            Some(_) => issues.push("epoch", "must be a whole number"),
        }
        for k in o.keys() {
            if !CONTEXT_KEYS.contains(&k) {
                issues.push(k, format!("unknown field (expected one of {})", CONTEXT_KEYS.join(", ")));
            }
        }
        if issues.is_empty() {
            Ok(c)
        } else {
            Err(issues)
        }
    }
}

const CONTEXT_KEYS: [&str; 11] =
    ["url", "path", "referrer", "utcOffsetMinutes", "device", "userAgent", "locale", "country", "attributes", "claims", "epoch"];

/// A plausible BCP 47 tag: letters, digits and hyphens, 2-35 characters.
fn is_locale(s: &str) -> bool {
    (2..=35).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && s.as_bytes()[0].is_ascii_alphabetic()
}

fn error(e: &DecideError, out: &mut String) {
    out.push_str("{\"error\":");
    write_json_string(&e.to_string(), out);
    out.push('}');
}

fn artwork_json(a: &ArtworkChoice, out: &mut String) {
    out.push_str("{\"artwork\":");
    write_json_string(&a.artwork.id, out);
    out.push_str(",\"content\":");
    a.artwork.content.write_json(out);
    out.push_str(",\"reason\":");
    write_json_string(&a.because.text(), out);
    write_codes(&a.codes, out);
    out.push_str(",\"propensity\":");
    write_js_number(a.propensity, out);
    out.push_str(",\"explored\":");
    out.push_str(if a.explored { "true" } else { "false" });
    out.push('}');
}

fn promotions_json(p: &Promotions, out: &mut String) {
    out.push_str("{\"chosen\":[");
    for (i, c) in p.chosen.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"promotion\":");
        write_json_string(&c.promotion.id, out);
        out.push_str(",\"content\":");
        c.promotion.content.write_json(out);
        out.push_str(",\"score\":");
        write_js_number(c.score, out);
        out.push_str(",\"reason\":");
        write_json_string(&c.because.text(), out);
        out.push('}');
    }
    out.push_str("],\"skipped\":[");
    for (i, s) in p.skipped.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"promotion\":");
        write_json_string(s.promotion, out);
        out.push_str(",\"why\":\"");
        out.push_str(s.why.as_str());
        out.push_str("\"}");
    }
    out.push_str("]}");
}

fn recommendations_json(r: &[Recommendation], out: &mut String) {
    out.push('[');
    for (i, x) in r.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"item\":");
        write_json_string(&x.item.id, out);
        out.push_str(",\"title\":");
        match &x.item.title {
            Some(t) => write_json_string(t, out),
            None => out.push_str("null"),
        }
        out.push_str(",\"content\":");
        x.item.content.write_json(out);
        out.push_str(",\"score\":");
        write_js_number((x.score * 1e6).round() / 1e6, out);
        out.push_str(",\"reason\":");
        write_json_string(&x.because.text(), out);
        write_codes(&x.codes, out);
        out.push('}');
    }
    out.push(']');
}

/// `"key":` then `f` for each entry, as a JSON object.
fn object<T>(entries: &[T], key: impl Fn(&T) -> &str, out: &mut String, mut f: impl FnMut(&T, &mut String)) {
    out.push('{');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(key(e), out);
        out.push(':');
        f(e, out);
    }
    out.push('}');
}

impl Visit<'_> {
    /// Answers a page request as one JSON document:
    /// `{slots: {id: decision | {error}}, artworks: {item: choice | {error}},
    ///   promotions: {placement: {chosen, skipped} | {error}}, recommendations: {list: [items] | {error}},
    ///   segments: [ids], rejectedClaims: [{index, trait, problem}]}`.
    pub fn answer(&self, r: &Request) -> String {
        let mut out = String::with_capacity(512);
        out.push_str("{\"slots\":");
        let slot_ids: Vec<String> = match &r.slots {
            Some(ids) => ids.clone(),
            None => self.m.slots.iter().map(|s| s.id.clone()).collect(),
        };
        object(
            &slot_ids,
            |s| s,
            &mut out,
            |id, out| match self.decide(id) {
                Ok(d) => out.push_str(&d.to_json()),
                Err(e) => error(&e, out),
            },
        );
        out.push_str(",\"artworks\":");
        object(
            &r.artworks,
            |s| s,
            &mut out,
            |id, out| match self.artwork(id) {
                Ok(a) => artwork_json(&a, out),
                Err(e) => error(&e, out),
            },
        );
        out.push_str(",\"promotions\":");
        object(
            &r.placements,
            |s| s,
            &mut out,
            |id, out| match self.promotions(id) {
                Ok(p) => promotions_json(&p, out),
                Err(e) => error(&e, out),
            },
        );
        out.push_str(",\"recommendations\":");
        object(
            &r.lists,
            |(l, _)| l,
            &mut out,
            |(l, k), out| match self.recommend(l, *k) {
                Ok(rs) => recommendations_json(&rs, out),
                Err(e) => error(&e, out),
            },
        );
        out.push_str(",\"segments\":[");
        for (i, s) in self.segments().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(s, &mut out);
        }
        out.push_str("],\"rejectedClaims\":[");
        for (i, c) in self.rejected_claims().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"index\":");
            write_js_number(c.index as f64, &mut out);
            out.push_str(",\"trait\":");
            match &c.trait_name {
                Some(t) => write_json_string(t, &mut out),
                None => out.push_str("null"),
            }
            out.push_str(",\"problem\":");
            write_json_string(&c.problem.to_string(), &mut out);
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}
