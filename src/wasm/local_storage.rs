//! `localStorage` as a storage [`Backend`]: platform code, so it lives in the
//! facade, not the core. The `localStorage` getter
//! itself throws in blocked contexts, so it is looked up on every call and
//! every exception becomes a [`StoreError`] from its `DOMException` name.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::store::{Backend, StoreError};

/// The page's `localStorage`; constructing it touches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalStorage;

fn error(e: JsValue) -> StoreError {
    let text = |k: &str| Reflect::get(&e, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    StoreError::from_dom(&text("name"), &text("message"))
}

fn call(method: &str, args: &[JsValue]) -> Result<JsValue, StoreError> {
    let ls = Reflect::get(&js_sys::global(), &"localStorage".into()).map_err(error)?;
    if ls.is_null() || ls.is_undefined() {
        return Err(StoreError::Unavailable);
    }
    let f: Function = Reflect::get(&ls, &method.into()).map_err(error)?.dyn_into().map_err(|_| StoreError::Unavailable)?;
    f.apply(&ls, &args.iter().collect()).map_err(error)
}

impl Backend for LocalStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(call("getItem", &[key.into()])?.as_string())
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        call("setItem", &[key.into(), value.into()]).map(drop)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        call("removeItem", &[key.into()]).map(drop)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        while let Some(k) = call("key", &[JsValue::from(keys.len() as u32)])?.as_string() {
            keys.push(k);
        }
        Ok(keys)
    }
}
