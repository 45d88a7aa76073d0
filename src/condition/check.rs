//! The strict lint for conditions in hearth manifests.
//!
//! [`Condition::compile`](super::Condition::compile) accepts anything, as the
//! JS SDK does, and quietly turns mistakes into "never matches". This is the
//! other half: it names every such mistake with its path, so a site developer
//! learns that `{"visits": {"$in": 3}}` can never match *before* shipping it.

use super::compile::{is_operator_object, OBJECT_PROTO_NAMES, TYPE_NAMES};
use crate::diag::{self, Issues};
use crate::host::RegexEngine;
use crate::json::Value;

/// Operators valid only as condition keys (combinators and group references).
const CONDITION_OPS: [&str; 5] = ["$or", "$nor", "$and", "$not", "$savedGroup"];

/// Operators valid inside an attribute's operator object.
const VALUE_OPS: [&str; 27] = [
    "$veq",
    "$vne",
    "$vgt",
    "$vgte",
    "$vlt",
    "$vlte",
    "$eq",
    "$ne",
    "$lt",
    "$lte",
    "$gt",
    "$gte",
    "$exists",
    "$in",
    "$ini",
    "$nin",
    "$nini",
    "$inGroup",
    "$notInGroup",
    "$not",
    "$size",
    "$elemMatch",
    "$all",
    "$alli",
    "$regex",
    "$regexi",
    "$type",
];

/// Deeper than this is reported rather than walked.
const MAX_DEPTH: usize = 128;

/// Reports every problem in `cond` (a condition at `path`) to `issues`,
/// e.g. `segments.trail-fan.condition.visits.$in: must be an array, found number`.
pub fn check(cond: &Value, path: &str, regex: &dyn RegexEngine, issues: &mut Issues) {
    Checker { regex, issues }.cond(cond, path, 0);
}

struct Checker<'a> {
    regex: &'a dyn RegexEngine,
    issues: &'a mut Issues,
}

fn found(v: &Value) -> String {
    format!("found {}", v.type_name())
}

impl Checker<'_> {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(path, message);
    }

    /// A condition: an object whose keys are attribute paths or condition operators.
    fn cond(&mut self, v: &Value, path: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return self.push(path, format!("nested more than {MAX_DEPTH} levels deep"));
        }
        let Value::Object(o) = v else {
            return self.push(path, format!("must be an object (a condition), {}", found(v)));
        };
        for (k, item) in o.iter() {
            let here = diag::key(path, k);
            match k {
                "$or" | "$nor" | "$and" => match item {
                    Value::Array(list) => {
                        for (i, c) in list.iter().enumerate() {
                            self.cond(c, &diag::index(&here, i), depth + 1);
                        }
                    }
                    _ => self.push(&here, format!("must be an array of conditions, {}", found(item))),
                },
                "$not" => self.cond(item, &here, depth + 1),
                "$savedGroup" => self.saved_group(item, &here),
                _ if VALUE_OPS.contains(&k) => {
                    self.push(&here, format!("`{k}` applies to an attribute: write {{\"attribute\": {{\"{k}\": ...}}}}"))
                }
                _ if k.starts_with('$') => self.push(&here, format!("unknown operator `{k}`{}", diag::did_you_mean(k, &CONDITION_OPS))),
                _ if k.is_empty() || k.split('.').any(str::is_empty) => self.push(&here, "attribute path has an empty segment"),
                _ => self.value(item, &here, depth + 1),
            }
        }
    }

    fn saved_group(&mut self, v: &Value, path: &str) {
        let Value::Object(o) = v else {
            return self.push(path, format!("must be an object like {{\"id\": \"grp_...\"}}, {}", found(v)));
        };
        match o.get("id") {
            Some(Value::String(_)) => {}
            Some(other) => self.push(&diag::key(path, "id"), format!("must be a string, {}", found(other))),
            None => self.push(path, "is missing `id`"),
        }
        for (k, item) in o.iter() {
            match k {
                "id" => {}
                "attributeKey" if item.as_str().is_some() => {}
                "attributeKey" => self.push(&diag::key(path, k), format!("must be a string, {}", found(item))),
                _ => self.push(&diag::key(path, k), format!("unknown key{}", diag::did_you_mean(k, &["id", "attributeKey"]))),
            }
        }
    }

    /// What an attribute is compared against: a literal or an operator object.
    fn value(&mut self, v: &Value, path: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return self.push(path, format!("nested more than {MAX_DEPTH} levels deep"));
        }
        let Value::Object(o) = v else { return };
        if is_operator_object(v) {
            for (op, arg) in o.iter() {
                self.op(op, arg, &diag::key(path, op), depth);
            }
        } else if let Some(op) = o.keys().find(|k| k.starts_with('$')) {
            self.push(
                path,
                format!(
                    "mixes operators (`{op}`) with plain keys, so it is compared as a literal object; \
                     split it into separate conditions"
                ),
            );
        }
    }

    fn op(&mut self, op: &str, arg: &Value, path: &str, depth: usize) {
        match op {
            "$veq" | "$vne" | "$vgt" | "$vgte" | "$vlt" | "$vlte" => {
                if !matches!(arg, Value::String(_) | Value::Number(_)) {
                    self.push(path, format!("must be a version string, {}", found(arg)));
                }
            }
            "$eq" | "$ne" => {
                if matches!(arg, Value::Array(_) | Value::Object(_)) {
                    self.push(path, format!("compares by identity, so an {} never equals an attribute", arg.type_name()));
                }
            }
            "$lt" | "$lte" | "$gt" | "$gte" => {
                if !matches!(arg, Value::String(_) | Value::Number(_)) {
                    self.push(path, format!("must be a number or a string, {}", found(arg)));
                }
            }
            "$exists" => {
                if !matches!(arg, Value::Bool(_)) {
                    self.push(path, format!("must be true or false, {}", found(arg)));
                }
            }
            "$in" | "$ini" | "$nin" | "$nini" => match arg {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if matches!(item, Value::Array(_) | Value::Object(_)) {
                            self.push(
                                &diag::index(path, i),
                                format!("an {} in `{op}` never matches (compared by identity)", item.type_name()),
                            );
                        }
                    }
                }
                _ => self.push(path, format!("must be an array, {}", found(arg))),
            },
            "$inGroup" | "$notInGroup" => {
                if !matches!(arg, Value::String(_)) {
                    self.push(path, format!("must be a saved group id (a string), {}", found(arg)));
                }
            }
            "$not" => self.value(arg, path, depth + 1),
            "$size" => match arg {
                Value::Number(_) => {}
                _ if is_operator_object(arg) => self.value(arg, path, depth + 1),
                _ => self.push(path, format!("must be a number or an operator object, {}", found(arg))),
            },
            "$elemMatch" => match arg {
                _ if is_operator_object(arg) => self.value(arg, path, depth + 1),
                Value::Object(_) => self.cond(arg, path, depth + 1),
                _ => self.push(path, format!("must be an object, {}", found(arg))),
            },
            "$all" | "$alli" => match arg {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, &diag::index(path, i), depth + 1);
                    }
                }
                _ => self.push(path, format!("must be an array, {}", found(arg))),
            },
            "$regex" | "$regexi" => match arg {
                Value::String(p) if op == "$regex" && OBJECT_PROTO_NAMES.contains(&p.as_str()) => self.push(
                    path,
                    format!(
                        "never matches: the JS SDK caches regexes in a plain object, where \
                         `{p}` finds Object.prototype.{p} instead"
                    ),
                ),
                Value::String(p) => {
                    if let Err(e) = self.regex.compile(p, op == "$regexi") {
                        let first = e.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_owned();
                        self.push(path, format!("invalid regular expression: {first}"));
                    }
                }
                _ => self.push(path, format!("must be a string (a regular expression), {}", found(arg))),
            },
            "$type" => match arg.as_str() {
                Some(t) if TYPE_NAMES.contains(&t) => {
                    if t == "undefined" {
                        self.push(path, "`undefined` never matches: a missing attribute is null");
                    }
                }
                _ => self.push(
                    path,
                    format!(
                        "must be one of {}; found {}",
                        TYPE_NAMES.join(", "),
                        match arg {
                            Value::String(s) => format!("\"{s}\""),
                            other => other.type_name().to_owned(),
                        }
                    ),
                ),
            },
            "$or" | "$nor" | "$and" | "$savedGroup" => {
                self.push(path, format!("`{op}` combines whole conditions; it is not valid on an attribute"))
            }
            _ => self.push(path, format!("unknown operator `{op}`{}", diag::did_you_mean(op, &VALUE_OPS))),
        }
    }
}
