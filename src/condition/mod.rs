//! GrowthBook's MongoDB-style condition language, with the JS SDK's exact
//! semantics (`mongrule.mjs`), compiled once and evaluated many times.
//!
//! The SDK's behaviour is defined by what its JavaScript does, so the odd
//! corners are reproduced rather than tidied: a string condition is
//! `value + "" === condition`, a number condition `value * 1 === condition`,
//! arrays and mixed objects compare by `JSON.stringify`, `$in` is
//! `Array.prototype.includes` (SameValueZero), `getPath` walks inherited
//! members (`tags.length`, `x.constructor`), and where the SDK *throws*
//! (`{"$not": null}`, `{"$or": null}`) the exception unwinds through any
//! enclosing `$not`/`$nor` and the whole condition fails.
//!
//! * [`Condition::compile`] never fails; [`check`] is the strict lint that
//!   explains what a manifest author got wrong.
//! * Regexes come from the host ([`RegexEngine`]): JS `RegExp` in Wasm, so
//!   `$regex` there is exactly the SDK's; `regex-lite` natively.
//!
//! Non-object conditions are evaluated as `evalCondition(obj, condition)`
//! would, that is with `Object.entries` semantics: `null` throws (never
//! matches); numbers and booleans have no entries (match everything); arrays
//! are keyed by index and strings by UTF-16 code unit, each entry an attribute
//! path (`"ab"` means attribute `"0"` is `"a"` and attribute `"1"` is `"b"`).
//! Note the SDK's callers skip falsy conditions (`if (rule.condition && ...)`)
//! before calling `evalCondition`; that is the caller's job here too.

mod check;
mod compile;
mod eval;
mod inset;
mod version;

#[cfg(test)]
mod tests;

pub use check::check;

use crate::host::RegexEngine;
use crate::json::Value;
use crate::map::SortedMap;
use compile::{Compiler, Cond, Path, ARRAY_PROTO_NAMES, OBJECT_PROTO_NAMES};
use eval::{GroupList, Scope};
use inset::InSet;
use std::rc::Rc;

/// A compiled condition. Cheap to clone (shared).
#[derive(Clone)]
pub struct Condition {
    root: Rc<Cond>,
}

impl Condition {
    /// The empty condition `{}`: matches everything.
    pub fn always() -> Condition {
        Condition { root: Rc::new(Cond::Entries(Box::new([]))) }
    }

    /// Compiles `cond`. Never fails: whatever the SDK would evaluate to
    /// false stays false, and whatever would throw makes the condition never
    /// match. See the module docs for non-object conditions.
    pub fn compile(cond: &Value, regex: &dyn RegexEngine) -> Condition {
        Condition { root: Rc::new(Compiler { regex }.cond(cond, 0)) }
    }

    /// True for a condition with no entries (`{}`, or a number/boolean).
    pub fn is_always(&self) -> bool {
        matches!(&*self.root, Cond::Entries(e) if e.is_empty())
    }

    /// `evalCondition(attributes, condition, savedGroups)`; a JS exception is `false`.
    pub fn eval(&self, attributes: &Value, groups: &SavedGroups) -> bool {
        eval::cond(&self.root, attributes, Scope::new(groups)).unwrap_or(false)
    }
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_always() { "Condition(always)" } else { "Condition(..)" })
    }
}

/// One saved group, as the operators that read it need it.
#[derive(Clone)]
pub(crate) enum Group {
    /// v1: a bare array of values (`$inGroup` only; `$savedGroup` rejects it).
    Legacy(InSet),
    /// v2 `{type: "list", attributeKey, values}`; `None` where the field is
    /// not a string / not an array.
    List { key: Option<Path>, values: Option<InSet> },
    /// `{type: "condition", condition}`; `None` when `condition` is falsy or
    /// not an object.
    Condition(Option<Cond>),
    /// Anything else: falsy, a primitive, an object of another type.
    Invalid,
}

/// The payload's `savedGroups`, compiled.
#[derive(Clone, Default)]
pub struct SavedGroups {
    groups: Rc<SortedMap<Box<str>, Group>>,
    /// `savedGroups` was an array: `savedGroups["length"]` and the array
    /// methods exist (and are unusable as groups).
    array: bool,
}

impl SavedGroups {
    /// `savedGroups || {}`. An object is keyed by id; an array by index.
    /// Other truthy non-objects (strings, numbers, `true`) are treated as
    /// empty, where the SDK would index into them (`"abc"["0"]`); every such
    /// lookup yields a non-object, so only `$notInGroup` on an id that
    /// happens to be one of their members would differ.
    pub fn compile(saved_groups: &Value, regex: &dyn RegexEngine) -> SavedGroups {
        let c = Compiler { regex };
        let group = |id: Box<str>, entry: &Value| (id, compile_group(&c, entry));
        // Sorted once (a sorted Vec: no hash table code in the Wasm builds); a repeated id keeps its last entry.
        let groups = match saved_groups {
            Value::Object(o) => o.iter().map(|(k, v)| group(k.into(), v)).collect(),
            Value::Array(a) => a.iter().enumerate().map(|(i, v)| group(i.to_string().into(), v)).collect(),
            _ => SortedMap::new(),
        };
        SavedGroups { groups: Rc::new(groups), array: matches!(saved_groups, Value::Array(_)) }
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// `savedGroups[id]` when it is an own entry.
    fn get(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// `savedGroups[id]` finds an inherited member: a function (or an
    /// array's `length`), which every operator treats as an unusable entry.
    fn inherits(&self, id: &str) -> bool {
        OBJECT_PROTO_NAMES.contains(&id) || (self.array && (id == "length" || ARRAY_PROTO_NAMES.contains(&id)))
    }

    /// `getSavedGroupArrayValues(savedGroups[id])`.
    fn list_values(&self, id: &str) -> GroupList<'_> {
        match self.get(id) {
            // `[]["__proto__"]` is `Array.prototype`, itself an empty array.
            None if self.array && id == "__proto__" => GroupList::Unknown,
            None if self.inherits(id) => GroupList::Unusable,
            None => GroupList::Unknown,
            Some(Group::Legacy(set)) | Some(Group::List { values: Some(set), .. }) => GroupList::Values(set),
            Some(_) => GroupList::Unusable,
        }
    }
}

impl std::fmt::Debug for SavedGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SavedGroups({} groups)", self.len())
    }
}

fn compile_group(c: &Compiler<'_>, entry: &Value) -> Group {
    match entry {
        Value::Array(values) => Group::Legacy(InSet::new(values, false)),
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("list") => Group::List {
                key: o.get("attributeKey").and_then(Value::as_str).map(Path::new),
                values: o.get("values").and_then(Value::as_array).map(|v| InSet::new(v, false)),
            },
            Some("condition") => Group::Condition(match o.get("condition") {
                Some(cond @ (Value::Object(_) | Value::Array(_))) => Some(c.cond(cond, 0)),
                _ => None,
            }),
            _ => Group::Invalid,
        },
        _ => Group::Invalid,
    }
}

/// One-shot `evalCondition(attributes, condition, savedGroups)`: compiles
/// both, evaluates once. Prefer [`Condition`] when evaluating repeatedly.
pub fn eval_condition(attributes: &Value, cond: &Value, saved_groups: &Value, regex: &dyn RegexEngine) -> bool {
    let groups = SavedGroups::compile(saved_groups, regex);
    Condition::compile(cond, regex).eval(attributes, &groups)
}
