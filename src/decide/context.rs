//! The page-view context: what a decision may know without any profile.
//!
//! Everything here is contextual (page, time, locale, device, a coarse
//! country): usable with no consent at all. The host fills it in; the core
//! never reads a clock, a URL bar or a user agent itself. Values are coarsened
//! on the way in (a referrer becomes a category, a country two letters), so a
//! condition cannot target anything finer.

use crate::json::{Object, Value};
use crate::text;
use crate::time::{civil_from_days, DAY_MS};

/// Where the visitor came from, as a category (never the referring URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Referrer {
    #[default]
    Direct,
    Internal,
    Search,
    Social,
    Email,
    Other,
}

impl Referrer {
    pub fn as_str(self) -> &'static str {
        ["direct", "internal", "search", "social", "email", "other"][self as usize]
    }

    /// Classifies a referrer URL (`document.referrer`) relative to the site's
    /// own host. Only the host is looked at.
    pub fn classify(referrer: &str, own_host: &str) -> Referrer {
        let host = host_of(referrer);
        if host.is_empty() {
            return Referrer::Direct;
        }
        let own = text::trim_start(own_host, "www.");
        if !own.is_empty() && (host == own || host.ends_with(own) && host.as_bytes()[..host.len() - own.len()].ends_with(b".")) {
            return Referrer::Internal;
        }
        // Match whole labels (`google` in `www.google.co.uk`), never substrings.
        let has = |names: &[&str]| host.split('.').any(|label| names.contains(&label));
        if host.starts_with("mail.") || host.starts_with("webmail.") || has(&["outlook", "mail"]) {
            Referrer::Email
        } else if has(&["google", "bing", "duckduckgo", "yandex", "baidu", "ecosia", "qwant", "startpage"])
            || host.starts_with("search.yahoo.")
        {
            Referrer::Search
        } else if has(&["facebook", "instagram", "twitter", "linkedin", "pinterest", "reddit", "tiktok", "youtube"])
            || host == "t.co"
            || host == "x.com"
        {
            Referrer::Social
        } else {
            Referrer::Other
        }
    }
}

/// The lower-cased host of a URL, without `www.` and port.
fn host_of(url: &str) -> String {
    let rest = text::split_once(url, "://").map_or(url, |(_, r)| r);
    let auth = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let host = auth.split(':').next().unwrap_or("");
    text::trim_start(host, "www.").to_ascii_lowercase()
}

/// A coarse device class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Device {
    #[default]
    Unknown,
    Mobile,
    Tablet,
    Desktop,
}

impl Device {
    pub fn as_str(self) -> &'static str {
        ["unknown", "mobile", "tablet", "desktop"][self as usize]
    }

    /// A coarse class from a user-agent string (which is not kept).
    pub fn from_user_agent(ua: &str) -> Device {
        let has = |s: &str| text::contains(ua, s);
        if ua.is_empty() {
            Device::Unknown
        } else if has("iPad") || has("Tablet") || (has("Android") && !has("Mobile")) {
            Device::Tablet
        } else if has("Mobi") || has("iPhone") || has("Android") {
            Device::Mobile
        } else {
            Device::Desktop
        }
    }
}

/// Everything a decision knows about this page view besides the profile.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Now, in epoch milliseconds (the host's clock).
    pub now_ms: i64,
    /// The visitor's UTC offset in minutes (`-new Date().getTimezoneOffset()`),
    /// clamped to ±14 hours. Dayparts and `hour`/`weekday` use local time.
    pub utc_offset_minutes: i32,
    /// The page path (`/c/trail`), without query or fragment.
    pub path: String,
    pub referrer: Referrer,
    pub utm_campaign: Option<String>,
    pub device: Device,
    /// A BCP 47 tag (`en-GB`); anything else is dropped.
    pub locale: Option<String>,
    /// An ISO 3166-1 alpha-2 hint (`GB`); anything else is dropped.
    pub country: Option<String>,
    /// GrowthBook-style attributes (`id`, ...), at the top level of the
    /// condition document.
    pub attributes: Object,
    /// Signed claims the visitor presents (see [`super::claims`]).
    pub claims: Vec<String>,
    /// The randomization epoch. `None`: the visitor's local day, so a reload
    /// the same day shows the same page and tomorrow may explore again.
    pub epoch: Option<u64>,
}

/// Local calendar facts for `now_ms` at the visitor's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// Days since 1970-01-01, local.
    pub day: i64,
    /// 0 = Sunday ... 6 = Saturday.
    pub weekday: u8,
    pub minute_of_day: u16,
    /// 1-12.
    pub month: u8,
}

impl Context {
    /// A context at `now_ms`, UTC, with nothing else known.
    pub fn new(now_ms: i64) -> Context {
        Context { now_ms, ..Context::default() }
    }

    /// Sets `path` and `utm_campaign` from a page URL (`https://x/c/trail?utm_campaign=spring`).
    pub fn set_url(&mut self, url: &str) {
        let rest = text::split_once(url, "://").map_or(url, |(_, r)| r.find('/').and_then(|i| r.get(i..)).unwrap_or("/"));
        let rest = rest.split('#').next().unwrap_or("");
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        self.path = if path.is_empty() { "/".to_owned() } else { path.to_owned() };
        self.utm_campaign = crate::growthbook::url::parse_query(query)
            .into_iter()
            .find(|(k, _)| k == "utm_campaign")
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty());
    }

    /// Local date and time at the visitor's (clamped) offset.
    pub fn local(&self) -> LocalTime {
        let offset = i64::from(self.utc_offset_minutes.clamp(-14 * 60, 14 * 60));
        let ms = self.now_ms.saturating_add(offset * 60_000);
        let day = ms.div_euclid(DAY_MS);
        let (_, month, _) = civil_from_days(day);
        LocalTime {
            day,
            weekday: (day + 4).rem_euclid(7) as u8,
            minute_of_day: (ms.rem_euclid(DAY_MS) / 60_000) as u16,
            month: month as u8,
        }
    }

    /// The epoch that seeds randomness (see [`Context::epoch`]).
    pub fn epoch(&self) -> u64 {
        self.epoch.unwrap_or_else(|| self.local().day as u64)
    }

    /// The `context` object of the condition document.
    pub(crate) fn to_value(&self) -> Value {
        let local = self.local();
        let mut o = Object::with_capacity(8);
        o.insert("path", Value::String(self.path.clone()));
        o.insert("referrer", Value::from(self.referrer.as_str()));
        if let Some(c) = &self.utm_campaign {
            o.insert("utmCampaign", Value::String(c.clone()));
        }
        o.insert("hour", Value::Number(f64::from(local.minute_of_day / 60)));
        o.insert("weekday", Value::Number(f64::from(local.weekday)));
        o.insert("device", Value::from(self.device.as_str()));
        if let Some(l) = self.locale.as_deref().filter(|l| valid_locale(l)) {
            o.insert("locale", Value::from(l));
        }
        if let Some(c) = self.country.as_deref().filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic())) {
            o.insert("country", Value::String(c.to_ascii_uppercase()));
        }
        Value::Object(o)
    }
}

fn valid_locale(l: &str) -> bool {
    (2..=35).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrers_become_categories() {
        assert_eq!(Referrer::classify("", "shop.example"), Referrer::Direct);
        assert_eq!(Referrer::classify("https://www.google.co.uk/search?q=x", "shop.example"), Referrer::Search);
        assert_eq!(Referrer::classify("https://shop.example/c/a", "www.shop.example"), Referrer::Internal);
        assert_eq!(Referrer::classify("https://m.facebook.com/", "shop.example"), Referrer::Social);
        assert_eq!(Referrer::classify("https://t.co/abc", "shop.example"), Referrer::Social);
        assert_eq!(Referrer::classify("https://mail.google.com/", "shop.example"), Referrer::Email);
        assert_eq!(Referrer::classify("https://www.reddit.com/r/x", "shop.example"), Referrer::Social);
        assert_eq!(Referrer::classify("https://blog.other.org/x", "shop.example"), Referrer::Other);
    }

    #[test]
    fn local_time_uses_the_offset() {
        // 2026-05-28T23:30:00Z is a Thursday; at +02:00 it is Friday 01:30.
        let mut c = Context::new(1_780_011_000_000);
        assert_eq!(c.local().weekday, 4);
        c.utc_offset_minutes = 120;
        let l = c.local();
        assert_eq!((l.weekday, l.minute_of_day, l.month), (5, 90, 5));
        c.set_url("https://shop.example/c/trail?utm_campaign=spring&x=1#top");
        assert_eq!((c.path.as_str(), c.utm_campaign.as_deref()), ("/c/trail", Some("spring")));
    }
}
