//! One place where core errors become JavaScript `Error`s.
//!
//! A list of issues travels in the message after a marker, as JSON; the JS
//! layer (js/hearth.js) turns it into a `HearthError` with an `issues` array.

use crate::diag::Issues;
use crate::json::{Object, Value};
use wasm_bindgen::JsError;

const ISSUES_MARKER: &str = "\n--issues--\n";

/// `[{path, message}, ...]` as JSON.
pub fn issues_json(issues: &Issues) -> String {
    let list: Vec<Value> = issues
        .iter()
        .map(|i| {
            let mut o = Object::with_capacity(2);
            o.insert("path", Value::String(i.path.clone()));
            o.insert("message", Value::String(i.message.clone()));
            Value::Object(o)
        })
        .collect();
    Value::Array(list).to_json()
}

/// An `Error` whose message lists every issue, carrying them as data too.
pub fn from_issues(what: &str, issues: &Issues) -> JsError {
    let n = issues.len();
    let mut msg = format!("{what}: {n} problem{}", if n == 1 { "" } else { "s" });
    for i in issues.iter().take(20) {
        msg.push_str("\n  ");
        msg.push_str(&i.to_string());
    }
    if n > 20 {
        msg.push_str(&format!("\n  ... and {} more", n - 20));
    }
    msg.push_str(ISSUES_MARKER);
    msg.push_str(&issues_json(issues));
    JsError::new(&msg)
}

/// A plain `Error` with `message`.
pub fn message(msg: impl std::fmt::Display) -> JsError {
    JsError::new(&msg.to_string())
}
