//! Compiling a condition document into a tree that evaluates without
//! re-inspecting JSON: paths pre-split, regexes pre-compiled, `$in` lists
//! turned into sets, versions pre-padded, literal comparands kept for a
//! structural `JSON.stringify` comparison.
//!
//! The tree mirrors the JS SDK's call structure one to one, in JavaScript's
//! key order, because evaluation order is observable: the SDK can *throw*
//! (`Object.entries(null)`, `null.length`, `Object.keys(null)`), and whether it
//! throws depends on which checks ran first.

use super::inset::InSet;
use super::version::{self, VersionOp};
use crate::host::{Regex, RegexEngine};
use crate::json::{js, Value};
use std::rc::Rc;

/// Compile-time nesting bound. JSON parsed by [`crate::json::parse`] is at
/// most 128 deep; anything deeper was built in code, and compiles to a node
/// that throws (so the whole condition fails) rather than recursing further.
const MAX_COMPILE_DEPTH: usize = 256;

/// One `evalCondition(obj, condition)` call.
#[derive(Clone)]
pub(crate) enum Cond {
    /// `Object.entries(null)` throws a TypeError.
    Throw,
    /// `Object.entries(condition)`, in order; empty matches everything.
    Entries(Box<[Entry]>),
}

/// One `[key, value]` of a condition.
#[derive(Clone)]
pub(crate) enum Entry {
    Or(List),
    Nor(List),
    And(List),
    Not(Box<Cond>),
    SavedGroup(GroupRef),
    /// `evalConditionValue(value, getPath(obj, key))`.
    Path(Path, Val),
}

/// The argument of `$or`/`$nor`/`$and`, read the way `evalOr`/`evalAnd` read
/// it: `conditions.length` and `conditions[i]`, whatever type it is.
#[derive(Clone)]
pub(crate) struct List {
    /// `!conditions.length`: `evalOr` returns true before looking further.
    pub vacuous: bool,
    /// `conditions[0..length]`; a missing index is `evalCondition(obj, undefined)`, a throw.
    pub items: Box<[Cond]>,
}

/// A `$savedGroup` reference.
#[derive(Clone)]
pub(crate) enum GroupRef {
    /// Not an object, `id` not a string, or `attributeKey` neither absent nor a string.
    Never,
    Ref {
        id: Box<str>,
        key: Option<Path>,
    },
}

/// A dotted attribute path, split once.
#[derive(Clone, Debug)]
pub(crate) struct Path(pub Box<[Box<str>]>);

impl Path {
    pub(crate) fn new(path: &str) -> Path {
        Path(path.split('.').map(Into::into).collect())
    }
}

/// One `evalConditionValue(condition, value)` call.
#[derive(Clone)]
pub(crate) enum Val {
    /// `value + "" === s`. `num` is the number whose `String()` is `s`, if
    /// any, so number attributes compare without formatting.
    Str { s: Box<str>, num: Option<f64> },
    /// `String(value).toLowerCase() === s` (`$alli` elements); `s` is lowered.
    StrI(Box<str>),
    /// `value * 1 === n`.
    Num(f64),
    /// `value !== null && !!value === b`.
    Bool(bool),
    /// `value === null`.
    Null,
    /// A string no attribute can produce (a lone UTF-16 surrogate from
    /// `Object.entries` of a string): always false.
    Never,
    /// `JSON.stringify(value) === JSON.stringify(condition)`.
    Json(Value),
    /// An operator object: every operator must pass, in key order.
    Ops(Box<[Op]>),
    /// Too deep to compile: throws.
    Throw,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

/// `getType(v)` results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsType {
    Null,
    Array,
    String,
    Number,
    Boolean,
    Object,
    /// `typeof` of a built-in method reached through a path like `a.toString`.
    Unknown,
}

pub(crate) const TYPE_NAMES: [&str; 7] = ["string", "number", "boolean", "object", "array", "null", "undefined"];

#[derive(Clone)]
pub(crate) enum Op {
    Version(VersionOp, Box<str>),
    Eq(Value),
    Ne(Value),
    Cmp(CmpOp, Value),
    Exists(bool),
    /// `$in`/`$ini` (the set knows whether it folds case).
    In(InSet),
    Nin(InSet),
    /// `savedGroups[String(expected)]`, looked up at evaluation.
    InGroup(Box<str>),
    NotInGroup(Box<str>),
    Not(Box<Val>),
    Size(Box<Val>),
    ElemMatch(ElemMatch),
    /// `$all`/`$alli` (case folding is compiled into the elements).
    All(Box<[Val]>),
    /// `None`: not a string, not compilable, or a pattern the SDK's regex
    /// cache resolves to an `Object.prototype` member: always false.
    Regex(Option<Rc<dyn Regex>>),
    /// `None`: a string `getType` never returns, or not a string.
    Type(Option<JsType>),
    /// A non-array `$in`/`$nin`/`$all`..., or an unknown operator.
    False,
}

#[derive(Clone)]
pub(crate) enum ElemMatch {
    /// `isOperatorObject(null)` calls `Object.keys(null)`: throws, but only
    /// once the attribute is known to be an array.
    ThrowIfArray,
    Value(Box<Val>),
    Cond(Box<Cond>),
}

/// `Object.prototype` members every plain object inherits. `getPath` walks
/// into them (`"constructor" in {}` is true) and the SDK's caches find them.
pub(crate) const OBJECT_PROTO_NAMES: [&str; 12] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

/// `Array.prototype` methods (as in Node 20 / current browsers).
pub(crate) const ARRAY_PROTO_NAMES: [&str; 39] = [
    "at",
    "concat",
    "copyWithin",
    "entries",
    "every",
    "fill",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flat",
    "flatMap",
    "forEach",
    "includes",
    "indexOf",
    "join",
    "keys",
    "lastIndexOf",
    "map",
    "pop",
    "push",
    "reduce",
    "reduceRight",
    "reverse",
    "shift",
    "slice",
    "some",
    "sort",
    "splice",
    "toLocaleString",
    "toString",
    "unshift",
    "values",
    "constructor",
    "toReversed",
    "toSorted",
    "toSpliced",
    "with",
];

pub(crate) struct Compiler<'r> {
    pub regex: &'r dyn RegexEngine,
}

/// `String(n)` for the number `Number(s)`, if that gives `s` back: then
/// `n + "" === s` exactly when the attribute is `n` (or `-0` for `"0"`).
fn canonical_number(s: &str) -> Option<f64> {
    let n = js::string_to_number(s);
    (js::to_string(&Value::Number(n)) == s).then_some(n)
}

fn str_val(s: &str) -> Val {
    Val::Str { s: s.into(), num: canonical_number(s) }
}

/// `Object.entries` / indexing of a string yields UTF-16 code units, each a
/// one-unit string; a surrogate half cannot occur in any attribute string.
fn code_unit_vals(s: &str) -> Vec<Val> {
    let mut out = Vec::new();
    for c in s.chars() {
        if c.len_utf16() == 2 {
            out.push(Val::Never);
            out.push(Val::Never);
        } else {
            let mut b = [0u8; 4];
            out.push(str_val(c.encode_utf8(&mut b)));
        }
    }
    out
}

impl Compiler<'_> {
    /// `evalCondition(obj, v)` for any JSON `v`, with `Object.entries`
    /// semantics: objects by key, arrays by index, strings by code unit,
    /// numbers and booleans have no entries (match everything), null throws.
    pub(crate) fn cond(&self, v: &Value, depth: usize) -> Cond {
        if depth > MAX_COMPILE_DEPTH {
            return Cond::Throw;
        }
        let entries: Vec<Entry> = match v {
            Value::Null => return Cond::Throw,
            Value::Bool(_) | Value::Number(_) => Vec::new(),
            Value::String(s) => {
                code_unit_vals(s).into_iter().enumerate().map(|(i, val)| Entry::Path(Path::new(&i.to_string()), val)).collect()
            }
            Value::Array(items) => items.iter().enumerate().map(|(i, item)| self.entry(&i.to_string(), item, depth)).collect(),
            Value::Object(o) => o.iter().map(|(k, item)| self.entry(k, item, depth)).collect(),
        };
        Cond::Entries(entries.into())
    }

    fn entry(&self, k: &str, v: &Value, depth: usize) -> Entry {
        match k {
            "$or" => Entry::Or(self.list(v, depth)),
            "$nor" => Entry::Nor(self.list(v, depth)),
            "$and" => Entry::And(self.list(v, depth)),
            "$not" => Entry::Not(Box::new(self.cond(v, depth + 1))),
            "$savedGroup" => Entry::SavedGroup(group_ref(v)),
            // Any other key, `$`-prefixed or not, is an attribute path.
            _ => Entry::Path(Path::new(k), self.val(v, false, depth + 1)),
        }
    }

    /// `conditions.length` / `conditions[i]` as `evalOr` and `evalAnd` read them.
    fn list(&self, v: &Value, depth: usize) -> List {
        match v {
            // `null.length` throws.
            Value::Null => List { vacuous: false, items: Box::new([Cond::Throw]) },
            // `(5).length` is undefined: `evalOr` is true, `evalAnd` loops zero times.
            Value::Bool(_) | Value::Number(_) => List { vacuous: true, items: Box::new([]) },
            Value::String(s) => {
                let items: Vec<Cond> =
                    code_unit_vals(s).into_iter().map(|val| Cond::Entries(Box::new([Entry::Path(Path::new("0"), val)]))).collect();
                List { vacuous: items.is_empty(), items: items.into() }
            }
            Value::Array(a) => List { vacuous: a.is_empty(), items: a.iter().map(|c| self.cond(c, depth + 1)).collect() },
            Value::Object(o) => {
                let length = o.get("length");
                let mut items = Vec::new();
                if let Some(length) = length {
                    // `for (i = 0; i < conditions.length; i++)`: every index must
                    // exist, so this stops within `o.len() + 1` rounds.
                    let mut i = 0usize;
                    while js::lt(&Value::Number(i as f64), length) {
                        match o.get(&i.to_string()) {
                            Some(c) => items.push(self.cond(c, depth + 1)),
                            None => {
                                items.push(Cond::Throw);
                                break;
                            }
                        }
                        i += 1;
                    }
                }
                List { vacuous: !length.is_some_and(js::truthy), items: items.into() }
            }
        }
    }

    /// `evalConditionValue(v, value, savedGroups, insensitive)`.
    pub(crate) fn val(&self, v: &Value, insensitive: bool, depth: usize) -> Val {
        if depth > MAX_COMPILE_DEPTH {
            return Val::Throw;
        }
        match v {
            Value::String(s) if insensitive => Val::StrI(super::inset::lower(s).into()),
            Value::String(s) => str_val(s),
            Value::Number(n) => Val::Num(*n),
            Value::Bool(b) => Val::Bool(*b),
            Value::Null => Val::Null,
            Value::Object(o) if is_operator_object(v) => Val::Ops(o.iter().map(|(op, arg)| self.op(op, arg, depth)).collect()),
            Value::Array(_) | Value::Object(_) => Val::Json(v.clone()),
        }
    }

    fn op(&self, op: &str, arg: &Value, depth: usize) -> Op {
        if let Some(vop) = VersionOp::from_name(op) {
            return Op::Version(vop, version::padded(arg).into());
        }
        let array = arg.as_array();
        match op {
            "$eq" => Op::Eq(arg.clone()),
            "$ne" => Op::Ne(arg.clone()),
            "$lt" => Op::Cmp(CmpOp::Lt, arg.clone()),
            "$lte" => Op::Cmp(CmpOp::Lte, arg.clone()),
            "$gt" => Op::Cmp(CmpOp::Gt, arg.clone()),
            "$gte" => Op::Cmp(CmpOp::Gte, arg.clone()),
            "$exists" => Op::Exists(js::truthy(arg)),
            "$in" | "$ini" | "$nin" | "$nini" => match array {
                None => Op::False,
                Some(a) => {
                    let set = InSet::new(a, op.ends_with('i'));
                    if op.starts_with("$in") {
                        Op::In(set)
                    } else {
                        Op::Nin(set)
                    }
                }
            },
            // Property keys are `String(expected)`.
            "$inGroup" => Op::InGroup(js::to_string(arg).into()),
            "$notInGroup" => Op::NotInGroup(js::to_string(arg).into()),
            "$not" => Op::Not(Box::new(self.val(arg, false, depth + 1))),
            "$size" => Op::Size(Box::new(self.val(arg, false, depth + 1))),
            "$elemMatch" => Op::ElemMatch(match arg {
                Value::Null => ElemMatch::ThrowIfArray,
                _ if is_operator_object(arg) => ElemMatch::Value(Box::new(self.val(arg, false, depth + 1))),
                _ => ElemMatch::Cond(Box::new(self.cond(arg, depth + 1))),
            }),
            "$all" | "$alli" => match array {
                None => Op::False,
                Some(a) => {
                    let fold = op == "$alli";
                    Op::All(a.iter().map(|e| self.val(e, fold, depth + 1)).collect())
                }
            },
            "$regex" | "$regexi" => Op::Regex(self.regex(arg, op == "$regexi")),
            "$type" => Op::Type(match arg.as_str() {
                Some("null") => Some(JsType::Null),
                Some("array") => Some(JsType::Array),
                Some("string") => Some(JsType::String),
                Some("number") => Some(JsType::Number),
                Some("boolean") => Some(JsType::Boolean),
                Some("object") => Some(JsType::Object),
                Some("unknown") => Some(JsType::Unknown),
                // "undefined" is a real getType result, but no JSON value has it.
                _ => None,
            }),
            _ => Op::False,
        }
    }

    /// `getRegex(expected, insensitive).test(...)` inside `try`.
    fn regex(&self, arg: &Value, insensitive: bool) -> Option<Rc<dyn Regex>> {
        // `regex.replace(...)` throws for non-strings.
        let pattern = arg.as_str()?;
        // The SDK caches in a plain object keyed by the pattern (plus "/i"), so
        // `_regexCache["constructor"]` is a function and `.test` throws.
        if !insensitive && OBJECT_PROTO_NAMES.contains(&pattern) {
            return None;
        }
        // The SDK escapes unescaped `/` first; `\/` and `/` mean the same in a
        // RegExp pattern, so the engine gets the pattern as written.
        self.regex.compile(pattern, insensitive).ok()
    }
}

/// `isOperatorObject`: a non-empty object whose keys all start with `$`.
pub(crate) fn is_operator_object(v: &Value) -> bool {
    match v {
        Value::Object(o) => !o.is_empty() && o.keys().all(|k| k.starts_with('$')),
        _ => false,
    }
}

fn group_ref(v: &Value) -> GroupRef {
    let Value::Object(o) = v else {
        return GroupRef::Never;
    };
    let Some(Value::String(id)) = o.get("id") else {
        return GroupRef::Never;
    };
    let key = match o.get("attributeKey") {
        None => None,
        Some(Value::String(k)) => Some(Path::new(k)),
        // `null` is not `undefined`: an override that is not a string matches nobody.
        Some(_) => return GroupRef::Never,
    };
    GroupRef::Ref { id: id.as_str().into(), key }
}
