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

/// `Ok` in the full build. In the browser's (built without the `full`
/// feature), the error naming where `what` is; the compiler then drops the
/// rest of the caller, which is the point.
#[inline(always)]
pub fn full(what: &str) -> Result<(), JsError> {
    gate(
        cfg!(feature = "full"),
        what,
        "hearth's browser builds (hearth_browser_bg.wasm, hearth_features_bg.wasm): init() with hearth_wasm_bg.wasm, the full build, has it",
    )
}

/// `Ok` where GrowthBook features and experiments are evaluated (the `growthbook` feature); in
/// the page build, the error naming the build that has `what`. As with [`full`], the compiler
/// drops the rest of the caller.
#[inline(always)]
pub fn growthbook(what: &str) -> Result<(), JsError> {
    gate(
        cfg!(feature = "growthbook"),
        what,
        "hearth's page build (hearth_browser_bg.wasm: slots, artwork, promotions and recommendations): \
         init({features: true}) loads hearth_features_bg.wasm, which adds GrowthBook features and experiments",
    )
}

/// `Ok` where JSON manifests are read (the features and full builds); in the page build, the
/// error saying to load the manifest compiled (its one kind: a GrowthBook payload is read where
/// its features are evaluated). As with [`full`], the compiler drops the rest of the caller: the
/// JSON manifest decoder and GrowthBook's payload compiler (2.4 KB gzip of the page build).
#[inline(always)]
pub fn json_documents(what: &str) -> Result<(), JsError> {
    gate(
        cfg!(feature = "growthbook"),
        what,
        "hearth's page build (hearth_browser_bg.wasm), which loads hearth manifests compiled \
         (`hearth compile manifest.json -o manifest.bin`, or Hearth.compile in Node); a GrowthBook \
         payload loads in hearth_features_bg.wasm (init({features: true})) and the full build",
    )
}

/// `Ok` when this build has it (a constant, so the caller's rest is kept or dropped whole);
/// otherwise "`what` is not in `elsewhere`", made out of line (once, not at every caller).
#[inline(always)]
fn gate(here: bool, what: &str, elsewhere: &str) -> Result<(), JsError> {
    if here {
        Ok(())
    } else {
        Err(not_in(what, elsewhere))
    }
}

#[cold]
#[inline(never)]
fn not_in(what: &str, elsewhere: &str) -> JsError {
    message(format!("{what} is not in {elsewhere}"))
}
