//! The host's `RegExp` as the core's regex engine: no second regex engine
//! in the bundle, and exactly JavaScript's regex semantics.

use crate::host::{Regex, RegexEngine, MAX_PATTERN_LEN};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = RegExp)]
    type JsRegExp;

    // `catch`: an invalid pattern throws a SyntaxError, which must come back
    // as a value rather than unwind through Rust frames.
    #[wasm_bindgen(catch, constructor, js_class = "RegExp")]
    fn new(pattern: &str, flags: &str) -> Result<JsRegExp, JsValue>;

    #[wasm_bindgen(method)]
    fn test(this: &JsRegExp, haystack: &str) -> bool;
}

/// Compiles patterns with the JavaScript `RegExp` constructor.
pub struct JsRegexEngine;

struct Compiled(JsRegExp);

impl Regex for Compiled {
    fn test(&self, haystack: &str) -> bool {
        self.0.test(haystack)
    }
}

impl RegexEngine for JsRegexEngine {
    fn compile(&self, pattern: &str, case_insensitive: bool) -> Result<Rc<dyn Regex>, String> {
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(format!("pattern longer than {MAX_PATTERN_LEN} bytes"));
        }
        JsRegExp::new(pattern, if case_insensitive { "i" } else { "" })
            .map(|r| Rc::new(Compiled(r)) as Rc<dyn Regex>)
            .map_err(|e| e.as_string().unwrap_or_else(|| "invalid regular expression".into()))
    }
}
