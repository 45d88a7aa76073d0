//! A small JSON value type with JavaScript's semantics.
//!
//! hearth evaluates GrowthBook conditions exactly as the JS SDK does, and those
//! semantics lean on JavaScript's object model: key order (integer-like keys
//! first, ascending, then insertion order), `JSON.stringify` output, `String(x)`
//! and `Number(x)` coercions. serde_json's `Value` follows none of these, and it
//! costs about 44 KB gzipped in a Wasm build; this module is a few KB.
//!
//! * [`parse`] is bounded (nesting depth) and reports errors with line/column.
//! * [`Value::to_json`] matches `JSON.stringify`.
//! * [`js`] holds the coercions (`ToString`, `ToNumber`, `<`, truthiness).

pub mod js;
mod number;
mod parse;
mod write;

pub use parse::{parse, parse_with_limit, ParseError, DEFAULT_MAX_DEPTH};

/// A JSON value. Numbers are `f64`, as in JavaScript.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

/// A JSON object that keeps JavaScript's property order: array-index keys
/// (canonical integers below 2^32 - 1) first in ascending order, then the
/// other keys in insertion order. A repeated key keeps its first position and
/// takes the last value, like `JSON.parse`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    entries: Vec<(String, Value)>,
}

impl Object {
    /// Serializes like `JSON.stringify(object)` (without wrapping a copy in a `Value`).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write::write_object(self, &mut out);
        out
    }

    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Self { entries: Vec::with_capacity(n) }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, keeping JavaScript's property order.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        if let Some(slot) = self.get_mut(&key) {
            *slot = value;
            return;
        }
        match array_index(&key) {
            None => self.entries.push((key, value)),
            Some(idx) => {
                // Index keys sit before all others, sorted.
                let pos =
                    self.entries.iter().position(|(k, _)| array_index(k).is_none_or(|other| other > idx)).unwrap_or(self.entries.len());
                self.entries.insert(pos, (key, value));
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Appends the `JSON.stringify` form of the object to `out` (no copy made).
    pub fn write_json(&self, out: &mut String) {
        write::write_object(self, out);
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
}

impl Object {
    /// Builds an object from entries whose keys are known to be distinct
    /// (tag ids, attribute names), in linear time: `FromIterator` checks each
    /// key against all earlier ones, which is quadratic for big objects.
    /// Array-index keys still go through [`Object::insert`] to keep
    /// JavaScript's order; a repeated key would be kept twice, so callers
    /// must only pass distinct keys.
    pub fn from_distinct(entries: impl IntoIterator<Item = (String, Value)>) -> Object {
        let mut o = Object::new();
        for (k, v) in entries {
            if array_index(&k).is_some() {
                o.insert(k, v);
            } else {
                o.entries.push((k, v));
            }
        }
        o
    }
}

impl FromIterator<(String, Value)> for Object {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut o = Object::new();
        for (k, v) in iter {
            o.insert(k, v);
        }
        o
    }
}

impl IntoIterator for Object {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// `Some(n)` when `key` is a canonical array index ("0", "17"; not "01", "-1").
fn array_index(key: &str) -> Option<u32> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 10 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    (n < u32::MAX as u64).then_some(n as u32)
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// `obj[key]` for objects; `None` for anything else or a missing key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }

    /// The JavaScript `typeof`-style name used in error messages and `$type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Serializes like `JSON.stringify(value)`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write::write_value(self, &mut out);
        out
    }

    /// Appends the `JSON.stringify` form of `self` to `out`.
    pub fn write_json(&self, out: &mut String) {
        write::write_value(self, out);
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(o)
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}

pub use write::{quoted, u64_digits, write_js_number, write_json_string};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_come_first_like_javascript() {
        let v = parse(r#"{"b":1,"10":2,"a":3,"2":4,"01":5}"#).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["2", "10", "b", "a", "01"]);
        assert_eq!(v.to_json(), r#"{"2":4,"10":2,"b":1,"a":3,"01":5}"#);
    }

    #[test]
    fn repeated_key_keeps_position_takes_last_value() {
        let v = parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_json(), r#"{"a":3,"b":2}"#);
    }
}
