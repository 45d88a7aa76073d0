//! Just enough of the WHATWG URL model for GrowthBook's URL targeting and
//! redirects (`isURLTargeted`, `mergeQueryStrings`): http(s) URLs, relative
//! references against a base, host/path/query/fragment, and
//! `URLSearchParams` decoding and serialization. A full URL parser (the `url`
//! crate with IDNA tables) would dominate the Wasm bundle for this one use.

use crate::host::Regex;
use crate::json::js::to_lower_case;
use std::borrow::Cow;

/// A parsed URL. `host` includes a non-default port, as `URL.host` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    pub path: String,
    pub query: Option<String>,
    pub fragment: Option<String>,
}

impl Url {
    /// `new URL(input, base)`; `None` where the JS constructor would throw.
    pub fn parse(input: &str, base: Option<&Url>) -> Option<Url> {
        let input = input.trim_matches(|c: char| c <= ' ');
        let input: Cow<'_, str> = if input.contains(['\t', '\n', '\r']) {
            input.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect::<String>().into()
        } else {
            input.into()
        };
        if let Some((scheme, rest)) = split_scheme(&input) {
            let scheme = scheme.to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                // Other schemes have no host in GrowthBook's sense; keep them opaque.
                let (path, query, fragment) = split_tail(rest);
                return Some(Url { scheme, host: String::new(), path: path.to_owned(), query, fragment });
            }
            let rest = rest.trim_start_matches(['/', '\\']);
            return Self::authority_and_tail(scheme, rest);
        }
        let base = base?;
        if let Some(rest) = input.strip_prefix("//").or_else(|| input.strip_prefix("\\\\")) {
            return Self::authority_and_tail(base.scheme.clone(), rest);
        }
        let (path, query, fragment) = split_tail(&input);
        let mut url = base.clone();
        url.fragment = fragment;
        if path.is_empty() {
            if query.is_some() {
                url.query = query;
            } else if url.fragment.is_none() {
                url.fragment = base.fragment.clone();
            }
            return Some(url);
        }
        url.query = query;
        url.path = if path.starts_with(['/', '\\']) {
            normalize_path(path)
        } else {
            let dir = base.path.rfind('/').map_or("", |i| &base.path[..=i]);
            normalize_path(&format!("{dir}{path}"))
        };
        Some(url)
    }

    fn authority_and_tail(scheme: String, rest: &str) -> Option<Url> {
        let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() || host.contains([' ', '<', '>', '^', '|', '%']) {
            return None;
        }
        let mut host = host.to_ascii_lowercase();
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        if let Some((name, port)) = host.rsplit_once(':') {
            if !port.is_empty() && !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if port.is_empty() || format!(":{port}") == default_port {
                host = name.to_owned();
            }
        }
        let (path, query, fragment) = split_tail(&rest[end..]);
        Some(Url { scheme, host, path: normalize_path(path), query, fragment })
    }

    /// `URL.origin`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// `URL.href`.
    pub fn href(&self) -> String {
        let mut s = self.origin();
        s.push_str(&self.path);
        if let Some(q) = &self.query {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = &self.fragment {
            s.push('#');
            s.push_str(f);
        }
        s
    }

    /// `URL.hash`: `#frag`, or empty.
    pub fn hash(&self) -> String {
        match &self.fragment {
            Some(f) if !f.is_empty() => format!("#{f}"),
            _ => String::new(),
        }
    }

    /// `URLSearchParams` entries, decoded.
    pub fn search_params(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(parse_query).unwrap_or_default()
    }
}

fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    (first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))).then(|| (scheme, &s[colon + 1..]))
}

/// `path?query#fragment` into its parts.
fn split_tail(s: &str) -> (&str, Option<String>, Option<String>) {
    let (before_hash, fragment) = match s.split_once('#') {
        Some((a, f)) => (a, Some(f.to_owned())),
        None => (s, None),
    };
    let (path, query) = match before_hash.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (before_hash, None),
    };
    (path, query, fragment)
}

/// Resolves `.` and `..` segments; an empty path is `/`.
fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." | "%2e" | "%2E" => {
                if i == last {
                    out.push("");
                }
            }
            ".." | ".%2e" | "%2e." | "%2e%2e" => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(path.len() + 1);
    for seg in &out {
        s.push('/');
        s.push_str(seg);
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

/// `application/x-www-form-urlencoded` parsing, as `URLSearchParams` does.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).and_then(|h| hex(*h)), b.get(i + 2).and_then(|h| hex(*h))) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `URLSearchParams.toString()`.
pub fn serialize_query(pairs: &[(String, String)]) -> String {
    let mut s = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        form_encode(k, &mut s);
        s.push('=');
        form_encode(v, &mut s);
    }
    s
}

fn form_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// `mergeQueryStrings(oldUrl, newUrl)`: the redirect URL keeps its own
/// parameters and gains those of the current URL it does not have.
pub fn merge_query_strings(old_url: &str, new_url: &str) -> String {
    let (Some(current), Some(mut redirect)) = (Url::parse(old_url, None), Url::parse(new_url, None)) else {
        return new_url.to_owned();
    };
    let mut pairs = redirect.search_params();
    let mut changed = false;
    for (k, v) in current.search_params() {
        if pairs.iter().any(|(rk, _)| *rk == k) {
            continue;
        }
        pairs.push((k, v));
        changed = true;
    }
    if changed {
        redirect.query = Some(serialize_query(&pairs));
    }
    redirect.href()
}

/// One entry of an experiment's `urlPatterns`.
#[derive(Clone)]
pub struct UrlTarget {
    pub include: bool,
    pub kind: UrlTargetKind,
}

#[derive(Clone)]
pub enum UrlTargetKind {
    /// A compiled regular expression (`None`: it did not compile, never matches).
    Regex(Option<std::rc::Rc<dyn Regex>>),
    /// GrowthBook's "simple" pattern: a URL with `*` wildcards.
    Simple(String),
    /// A target type this SDK does not know: never matches.
    Unknown,
}

/// `isURLTargeted(url, targets)`: excluded by any matching exclude rule,
/// included by a matching include rule, or when there are only exclude rules.
pub fn is_url_targeted(url: &str, targets: &[UrlTarget]) -> bool {
    if targets.is_empty() {
        return false;
    }
    let parsed = Url::parse(url, Some(&underscore_base("_")));
    let mut has_include = false;
    let mut included = false;
    for t in targets {
        let matched = parsed.as_ref().is_some_and(|u| eval_target(u, &t.kind));
        if !t.include {
            if matched {
                return false;
            }
        } else {
            has_include = true;
            included |= matched;
        }
    }
    included || !has_include
}

fn underscore_base(host: &str) -> Url {
    Url { scheme: "https".into(), host: host.into(), path: "/".into(), query: None, fragment: None }
}

fn eval_target(url: &Url, kind: &UrlTargetKind) -> bool {
    match kind {
        UrlTargetKind::Regex(None) | UrlTargetKind::Unknown => false,
        UrlTargetKind::Regex(Some(re)) => {
            let href = url.href();
            re.test(&href) || re.test(&href[url.origin().len().min(href.len())..])
        }
        UrlTargetKind::Simple(pattern) => eval_simple(url, pattern),
    }
}

/// `_evalSimpleUrlTarget`: host, path, a targeted hash and each query
/// parameter of the pattern must match, `*` being a wildcard.
fn eval_simple(actual: &Url, pattern: &str) -> bool {
    // A bare host (`www.example.com/x`) gets `https://`; `*` becomes `_____`
    // because it is not valid in a host name.
    let mut p = pattern.to_owned();
    if let Some(dot) = p.find('.') {
        if !p[..dot].contains([':', '/', '?']) {
            p.insert_str(0, "https://");
        }
    }
    let p = p.replace('*', WILDCARD);
    let Some(expected) = Url::parse(&p, Some(&underscore_base(WILDCARD))) else { return false };
    if !simple_part(&actual.host, &expected.host, false) || !simple_part(&actual.path, &expected.path, true) {
        return false;
    }
    let expected_hash = expected.hash();
    if !expected_hash.is_empty() && !simple_part(&actual.hash(), &expected_hash, false) {
        return false;
    }
    let actual_params = actual.search_params();
    expected.search_params().iter().all(|(k, v)| {
        let a = actual_params.iter().find(|(ak, _)| ak == k).map_or("", |(_, av)| av.as_str());
        simple_part(a, v, false)
    })
}

const WILDCARD: &str = "_____";

/// `_evalSimpleUrlPart`: a case-insensitive whole-string match where
/// `_____` matches anything; for paths, leading and trailing `/` are optional.
fn simple_part(actual: &str, pattern: &str, is_path: bool) -> bool {
    let actual = to_lower_case(actual);
    let pattern = to_lower_case(pattern);
    if !is_path {
        return glob(&actual, &pattern);
    }
    let core = pattern.strip_prefix('/').unwrap_or(&pattern);
    let core = core.strip_suffix('/').unwrap_or(core);
    let a: &str = &actual;
    let leading = [Some(a), a.strip_prefix('/')];
    leading.iter().flatten().any(|a| [Some(*a), a.strip_suffix('/')].iter().flatten().any(|a| glob(a, core)))
}

/// Whole-string match of `text` against `pattern` with `_____` wildcards.
fn glob(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split(WILDCARD).collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(pattern: &str) -> Vec<UrlTarget> {
        vec![UrlTarget { include: true, kind: UrlTargetKind::Simple(pattern.into()) }]
    }

    #[test]
    fn parses_and_resolves() {
        let u = Url::parse("HTTP://WWW.Example.com:80/a/./b/../c?x=1#top", None).unwrap();
        assert_eq!(u.href(), "http://www.example.com/a/c?x=1#top");
        let base = underscore_base("_");
        assert_eq!(Url::parse("/home?a=b", Some(&base)).unwrap().href(), "https://_/home?a=b");
        assert_eq!(Url::parse("http://example.com", None).unwrap().path, "/");
        assert!(Url::parse("http://", None).is_none());
        assert!(Url::parse("nonsense", None).is_none());
    }

    #[test]
    fn simple_targets() {
        assert!(is_url_targeted("http://www.example.com/home", &simple("http://www.example.com/home")));
        assert!(is_url_targeted("https://www.example.com/home/", &simple("www.example.com/home")));
        assert!(!is_url_targeted("http://www.example.com/home", &simple("http://www.example.com/")));
        assert!(is_url_targeted("http://shop.example.com/p/42", &simple("*.example.com/p/*")));
        assert!(is_url_targeted("http://x.com/p?utm=a&b=c", &simple("/p?utm=a")));
        assert!(!is_url_targeted("http://x.com/p?utm=b", &simple("/p?utm=a")));
        let exclude = vec![UrlTarget { include: false, kind: UrlTargetKind::Simple("/admin*".into()) }];
        assert!(is_url_targeted("http://x.com/home", &exclude));
        assert!(!is_url_targeted("http://x.com/admin/users", &exclude));
    }

    #[test]
    fn merges_query_strings() {
        assert_eq!(
            merge_query_strings("http://e.com/home?color=blue&title=original", "http://e.com/new?name=test&color=red"),
            "http://e.com/new?name=test&color=red&title=original"
        );
        assert_eq!(merge_query_strings("http://e.com/", "http://e.com/new?a=1"), "http://e.com/new?a=1");
        assert_eq!(merge_query_strings("not a url", "/relative"), "/relative");
    }
}
