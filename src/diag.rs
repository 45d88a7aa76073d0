//! Validation issues that name where they are.
//!
//! Every decoder in hearth reports *all* the problems it finds, each with a
//! path in the input (`slots.hero.variants[2].weight`) and a message a site
//! developer can act on, rather than stopping at the first.

use std::fmt;

/// One problem in an input document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where: `features.checkout.rules[0].coverage`. Empty for the document root.
    pub path: String,
    /// What is wrong: `must be between 0 and 1`.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A list of [`Issue`]s collected while decoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issues(pub Vec<Issue>);

impl Issues {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push_owned(path.into(), message.into());
    }

    // One copy of the push for the many callers (and their `Into` types).
    #[inline(never)]
    fn push_owned(&mut self, path: String, message: String) {
        self.0.push(Issue { path, message });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Issue> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Issues) {
        self.0.extend(other.0);
    }
}

impl fmt::Display for Issues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Issues {}

/// `parent.key`, or `parent["odd key"]` when `key` is not a plain identifier.
pub fn key(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => {
            let mut quoted = String::new();
            crate::json::write_json_string(key, &mut quoted);
            format!("{parent}[{quoted}]")
        }
    }
}

/// The candidate within edit distance 2 of `name` (case differences count
/// as none), for "did you mean"; `None` when none is close, or `name` is
/// too long to be a typo of one.
pub fn closest<'k>(name: &str, candidates: &[&'k str]) -> Option<&'k str> {
    if crate::text::char_count(name.as_bytes()) > 40 {
        return None;
    }
    candidates
        .iter()
        .map(|c| (if c.eq_ignore_ascii_case(name) { 0 } else { edit_distance(name, c) }, *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)` when a candidate is close, else empty.
pub fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    closest(name, candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `{what}, found {type}`: the message for a JSON value of the wrong type,
/// e.g. `must be a string, found number`. One out-of-line copy instead of
/// a `format!` at each of the many call sites.
#[inline(never)]
pub fn found(what: &str, v: &crate::json::Value) -> String {
    concat(&[what, ", found ", v.type_name()])
}

/// The pieces joined: a small out-of-line stand-in for `format!` in cold
/// paths (no `core::fmt` machinery at the call site).
#[inline(never)]
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// `parent[i]`.
pub fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_naturally() {
        let p = key(&index(&key(&key("", "slots"), "hero"), 2), "weight");
        assert_eq!(p, "slots.hero[2].weight");
        assert_eq!(key("features", "a.b c"), r#"features["a.b c"]"#);
        let mut issues = Issues::new();
        issues.push(p, "must be between 0 and 1");
        assert_eq!(issues.to_string(), "slots.hero[2].weight: must be between 0 and 1");
    }
}
