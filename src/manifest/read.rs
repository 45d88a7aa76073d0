//! Typed field access over a JSON object that records every problem with
//! its path instead of stopping at the first.

use crate::diag::{self, Issues};
use crate::json::{Object, Value};

/// Reads the fields of one JSON object at `path`.
pub(crate) struct Fields<'a> {
    pub obj: &'a Object,
    pub path: String,
    known: Vec<&'static str>,
}

/// `Some(Fields)` when `v` is an object; otherwise reports `must be an object`.
pub(crate) fn object<'a>(v: &'a Value, path: &str, issues: &mut Issues) -> Option<Fields<'a>> {
    match v {
        Value::Object(obj) => Some(Fields { obj, path: path.to_owned(), known: Vec::new() }),
        other => {
            issues.push(path, diag::found("must be an object", other));
            None
        }
    }
}

impl<'a> Fields<'a> {
    pub fn at(&self, key: &str) -> String {
        diag::key(&self.path, key)
    }

    /// The raw value of `key`, marking it as known.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub fn string(&mut self, key: &'static str, issues: &mut Issues) -> Option<&'a str> {
        let path = self.at(key);
        match self.get(key)? {
            Value::String(s) => Some(s),
            other => {
                issues.push(path, diag::found("must be a string", other));
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &'static str, issues: &mut Issues) -> Option<&'a str> {
        if self.obj.get(key).is_none_or(Value::is_null) {
            self.known.push(key);
            issues.push(self.at(key), "is required");
            return None;
        }
        self.string(key, issues)
    }

    pub fn bool(&mut self, key: &'static str, default: bool, issues: &mut Issues) -> bool {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                issues.push(path, diag::found("must be true or false", other));
                default
            }
        }
    }

    /// A finite number in `lo..=hi`, or `default` when absent.
    pub fn number(&mut self, key: &'static str, lo: f64, hi: f64, default: f64, issues: &mut Issues) -> f64 {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(v) => number_in(v, &path, lo, hi, issues).unwrap_or(default),
        }
    }

    /// A whole number in `lo..=hi`, or `default` when absent.
    pub fn count(&mut self, key: &'static str, lo: u32, hi: u32, default: u32, issues: &mut Issues) -> u32 {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(v) => count_in(v, &path, lo, hi, issues).unwrap_or(default),
        }
    }

    pub fn optional_count(&mut self, key: &'static str, lo: u32, hi: u32, issues: &mut Issues) -> Option<u32> {
        let path = self.at(key);
        self.get(key).and_then(|v| count_in(v, &path, lo, hi, issues))
    }

    pub fn array(&mut self, key: &'static str, issues: &mut Issues) -> &'a [Value] {
        let path = self.at(key);
        match self.get(key) {
            None => &[],
            Some(Value::Array(a)) => a,
            Some(other) => {
                issues.push(path, diag::found("must be an array", other));
                &[]
            }
        }
    }

    /// An array of strings; non-strings are reported and skipped.
    pub fn strings(&mut self, key: &'static str, issues: &mut Issues) -> Vec<String> {
        let path = self.at(key);
        let items = self.array(key, issues);
        items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::String(s) => Some(s.clone()),
                other => {
                    issues.push(diag::index(&path, i), diag::found("must be a string", other));
                    None
                }
            })
            .collect()
    }

    /// Reports every key that no reader asked for: a misspelt field is
    /// otherwise silently ignored.
    pub fn deny_unknown(&self, issues: &mut Issues) {
        for key in self.obj.keys() {
            if !self.known.contains(&key) {
                let hint = diag::did_you_mean(key, &self.known);
                issues.push(self.at(key), format!("unknown field{hint}"));
            }
        }
    }
}

pub(crate) fn number_in(v: &Value, path: &str, lo: f64, hi: f64, issues: &mut Issues) -> Option<f64> {
    match v {
        Value::Number(n) if (lo..=hi).contains(n) => Some(*n),
        Value::Number(_) => {
            issues.push(path, range_message(lo, hi));
            None
        }
        other => {
            issues.push(path, diag::found("must be a number", other));
            None
        }
    }
}

pub(crate) fn count_in(v: &Value, path: &str, lo: u32, hi: u32, issues: &mut Issues) -> Option<u32> {
    match v {
        Value::Number(n) if n.fract() == 0.0 && *n >= lo as f64 && *n <= hi as f64 => Some(*n as u32),
        Value::Number(_) => {
            issues.push(path, format!("must be a whole number between {lo} and {hi}"));
            None
        }
        other => {
            issues.push(path, diag::found("must be a whole number", other));
            None
        }
    }
}

fn range_message(lo: f64, hi: f64) -> String {
    let mut s = String::from("must be between ");
    crate::json::write_js_number(lo, &mut s);
    s.push_str(" and ");
    if hi == f64::MAX {
        s = String::from("must be at least ");
        crate::json::write_js_number(lo, &mut s);
    } else {
        crate::json::write_js_number(hi, &mut s);
    }
    s
}

/// Valid ids: 1-64 characters of letters, digits, `-`, `_`, `.`, `:`.
pub(crate) fn check_id(id: &str, path: &str, issues: &mut Issues) -> bool {
    let ok = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !ok {
        issues.push(path, "must be 1-64 characters of letters, digits, `-`, `_`, `.` or `:`");
    }
    ok
}
