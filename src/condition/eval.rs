//! Evaluating a compiled condition, as `mongrule.mjs` does.
//!
//! Every function returns `Result<bool, Thrown>`: `Err` is a JavaScript
//! exception, which unwinds through `$not`/`$nor` just as in the SDK and
//! makes the whole condition fail at the top.

use super::compile::{CmpOp, Cond, ElemMatch, Entry, GroupRef, JsType, List, Op, Path, Val};
use super::compile::{ARRAY_PROTO_NAMES, OBJECT_PROTO_NAMES};
use super::inset::lower;
use super::version::{compare_padded, version_input};
use super::{Group, SavedGroups};
use crate::json::{js, Object, Value};
use std::borrow::Cow;

/// A JavaScript exception during evaluation.
#[derive(Debug)]
pub(crate) struct Thrown;

type R = Result<bool, Thrown>;

/// Nested evaluation levels before giving up with a throw, standing in for
/// JavaScript's stack overflow (`RangeError`). A parsed condition is at most
/// 128 levels deep; the rest is headroom for `$savedGroup` chains.
const MAX_EVAL_DEPTH: u32 = 256;

/// The group ids being resolved on the current `$savedGroup` chain.
struct Visit<'a> {
    id: &'a str,
    up: Option<&'a Visit<'a>>,
}

#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    groups: &'a SavedGroups,
    visited: Option<&'a Visit<'a>>,
    depth: u32,
}

impl<'a> Scope<'a> {
    pub(crate) fn new(groups: &'a SavedGroups) -> Self {
        Scope { groups, visited: None, depth: 0 }
    }

    fn deeper(self) -> Result<Self, Thrown> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Err(Thrown);
        }
        Ok(Scope { depth: self.depth + 1, ..self })
    }

    fn has_visited(&self, id: &str) -> bool {
        let mut v = self.visited;
        while let Some(node) = v {
            if node.id == id {
                return true;
            }
            v = node.up;
        }
        false
    }
}

/// A value an operator sees: JSON, or a built-in method reached through a
/// path such as `name.toString` (the SDK's `getPath` uses `in`, which sees
/// inherited members).
#[derive(Clone, Copy)]
enum Attr<'a> {
    V(&'a Value),
    /// A built-in function, by its `name` (`toString`, `Object`, ...).
    Func(&'static str),
}

/// What `getPath` found.
enum Got<'a> {
    V(&'a Value),
    /// `array.length`.
    Len(usize),
    /// `x.__proto__` of a plain object: `Object.prototype`, which behaves as
    /// an empty object everywhere a condition can look at it.
    ObjProto,
    /// `array.__proto__`: `Array.prototype`, an empty array.
    ArrProto,
    Func(&'static str),
    Null,
}

fn proto_name(names: &[&'static str], part: &str) -> Option<&'static str> {
    names.iter().copied().find(|n| *n == part)
}

/// `getPath(obj, path)`: walks while the current value is an object (or
/// array) that has the part `in` it, own or inherited; otherwise `null`.
fn get_path<'a>(obj: &'a Value, path: &Path) -> Got<'a> {
    let mut cur = Got::V(obj);
    for part in path.0.iter() {
        let part: &str = part;
        cur = match cur {
            Got::V(Value::Object(o)) => match o.get(part) {
                Some(v) => Got::V(v),
                None => object_proto_member(part),
            },
            Got::V(Value::Array(items)) => match array_index(part).and_then(|i| items.get(i)) {
                Some(v) => Got::V(v),
                None => array_member(part, items.len()),
            },
            Got::ObjProto => match part {
                // `Object.prototype.__proto__` is null.
                "__proto__" => Got::Null,
                _ => object_proto_member(part),
            },
            Got::ArrProto => match part {
                // `Array.prototype.__proto__` is `Object.prototype`.
                "__proto__" => Got::ObjProto,
                _ => array_member(part, 0),
            },
            _ => return Got::Null,
        };
        if matches!(cur, Got::Null) {
            return Got::Null;
        }
    }
    cur
}

fn object_proto_member(part: &str) -> Got<'static> {
    match part {
        "__proto__" => Got::ObjProto,
        // Functions print their own name: `Object.prototype.constructor` is `Object`.
        "constructor" => Got::Func("Object"),
        _ => proto_name(&OBJECT_PROTO_NAMES, part).map_or(Got::Null, Got::Func),
    }
}

fn array_member(part: &str, len: usize) -> Got<'static> {
    match part {
        "length" => Got::Len(len),
        "__proto__" => Got::ArrProto,
        "constructor" => Got::Func("Array"),
        _ => proto_name(&ARRAY_PROTO_NAMES, part).or_else(|| proto_name(&OBJECT_PROTO_NAMES, part)).map_or(Got::Null, Got::Func),
    }
}

/// A canonical array index (`"0"`, `"12"`, not `"01"`).
fn array_index(part: &str) -> Option<usize> {
    let b = part.as_bytes();
    if b.is_empty() || (b.len() > 1 && b[0] == b'0') || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    part.parse().ok()
}

/// Runs `f` on what `get_path` found, materializing the stand-ins on the stack.
fn with_got<T>(got: Got<'_>, f: impl FnOnce(Attr<'_>) -> T) -> T {
    match got {
        Got::V(v) => f(Attr::V(v)),
        Got::Len(n) => f(Attr::V(&Value::Number(n as f64))),
        Got::ObjProto => f(Attr::V(&Value::Object(Object::new()))),
        Got::ArrProto => f(Attr::V(&Value::Array(Vec::new()))),
        Got::Func(name) => f(Attr::Func(name)),
        Got::Null => f(Attr::V(&Value::Null)),
    }
}

/// `String(fn)` for a built-in, as V8 prints it.
fn func_source(name: &str) -> String {
    format!("function {name}() {{ [native code] }}")
}

impl<'a> Attr<'a> {
    /// `String(value)` (also `value + ""`).
    fn to_js_string(self) -> Cow<'a, str> {
        match self {
            Attr::V(v) => js::to_string(v),
            Attr::Func(name) => Cow::Owned(func_source(name)),
        }
    }

    fn is_null(self) -> bool {
        matches!(self, Attr::V(Value::Null))
    }
}

/// `evalCondition(obj, condition)`.
pub(crate) fn cond(c: &Cond, obj: &Value, s: Scope<'_>) -> R {
    let Cond::Entries(entries) = c else {
        return Err(Thrown);
    };
    let s = s.deeper()?;
    for e in entries.iter() {
        if !entry(e, obj, s)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn entry(e: &Entry, obj: &Value, s: Scope<'_>) -> R {
    Ok(match e {
        Entry::Or(list) => or(list, obj, s)?,
        Entry::Nor(list) => !or(list, obj, s)?,
        Entry::And(list) => {
            for c in list.items.iter() {
                if !cond(c, obj, s)? {
                    return Ok(false);
                }
            }
            true
        }
        Entry::Not(c) => !cond(c, obj, s)?,
        Entry::SavedGroup(r) => saved_group(r, obj, s)?,
        Entry::Path(path, v) => with_got(get_path(obj, path), |a| val(v, a, s))?,
    })
}

/// `evalOr`: an empty (falsy-length) list passes.
fn or(list: &List, obj: &Value, s: Scope<'_>) -> R {
    if list.vacuous {
        return Ok(true);
    }
    for c in list.items.iter() {
        if cond(c, obj, s)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `evalSavedGroup`. Anything unrecognized matches nobody.
fn saved_group(r: &GroupRef, obj: &Value, s: Scope<'_>) -> R {
    let GroupRef::Ref { id, key } = r else {
        return Ok(false);
    };
    if s.has_visited(id) {
        return Ok(false);
    }
    Ok(match s.groups.get(id) {
        Some(Group::List { key: own_key, values }) => {
            // The reference's attributeKey overrides the entry's.
            let (Some(key), Some(values)) = (key.as_ref().or(own_key.as_ref()), values) else {
                return Ok(false);
            };
            with_got(get_path(obj, key), |a| match a {
                Attr::V(v) => values.is_in(v),
                Attr::Func(_) => false,
            })
        }
        Some(Group::Condition(Some(c))) => {
            let visit = Visit { id, up: s.visited };
            let next = Scope { visited: Some(&visit), ..s };
            return cond(c, obj, next);
        }
        // Absent, a v1 bare array, a malformed entry, or an unknown type.
        _ => false,
    })
}

/// `JSON.stringify(a) === JSON.stringify(b)`, without serializing: same
/// shape, same key order, numbers equal (shortest round-trip digits are
/// unique per value; `-0` prints as `0`), and non-finite numbers print `null`.
fn json_eq(a: &Value, b: &Value) -> bool {
    let json_null = |v: &Value| matches!(v, Value::Null) || matches!(v, Value::Number(n) if !n.is_finite());
    match (a, b) {
        _ if json_null(a) || json_null(b) => json_null(a) && json_null(b),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|((k1, v1), (k2, v2))| k1 == k2 && json_eq(v1, v2))
        }
        _ => false,
    }
}

/// `value + "" === s` without formatting in the common cases.
fn str_eq(a: Attr<'_>, s: &str, num: Option<f64>) -> bool {
    match a {
        Attr::V(Value::String(x)) => x == s,
        Attr::V(Value::Number(x)) => num.is_some_and(|n| if n.is_nan() { x.is_nan() } else { *x == n }),
        Attr::V(Value::Bool(b)) => s == if *b { "true" } else { "false" },
        Attr::V(Value::Null) => s == "null",
        Attr::V(v) => js::to_string(v) == s,
        Attr::Func(name) => s.strip_prefix("function ").and_then(|r| r.strip_suffix("() { [native code] }")) == Some(name),
    }
}

/// `evalConditionValue(condition, value)`.
fn val(v: &Val, a: Attr<'_>, s: Scope<'_>) -> R {
    Ok(match v {
        Val::Str { s: want, num } => str_eq(a, want, *num),
        Val::StrI(want) => match a {
            Attr::V(Value::String(x)) => lower(x) == **want,
            _ => lower(&a.to_js_string()) == **want,
        },
        Val::Num(n) => match a {
            Attr::V(v) => js::to_number(v) == *n,
            Attr::Func(_) => false, // NaN
        },
        Val::Bool(b) => match a {
            Attr::V(Value::Null) => false,
            Attr::V(v) => js::truthy(v) == *b,
            Attr::Func(_) => *b,
        },
        Val::Null => a.is_null(),
        Val::Never => false,
        // `JSON.stringify(fn)` is undefined, equal to no string.
        Val::Json(want) => matches!(a, Attr::V(x) if json_eq(want, x)),
        Val::Ops(ops) => {
            let s = s.deeper()?;
            for o in ops.iter() {
                if !op(o, a, s)? {
                    return Ok(false);
                }
            }
            true
        }
        Val::Throw => return Err(Thrown),
    })
}

fn get_type(a: Attr<'_>) -> JsType {
    match a {
        Attr::V(Value::Null) => JsType::Null,
        Attr::V(Value::Array(_)) => JsType::Array,
        Attr::V(Value::String(_)) => JsType::String,
        Attr::V(Value::Number(_)) => JsType::Number,
        Attr::V(Value::Bool(_)) => JsType::Boolean,
        Attr::V(Value::Object(_)) => JsType::Object,
        Attr::Func(_) => JsType::Unknown,
    }
}

/// `evalOperatorCondition(operator, actual, expected)`.
fn op(o: &Op, a: Attr<'_>, s: Scope<'_>) -> R {
    let items = match a {
        Attr::V(Value::Array(items)) => Some(items.as_slice()),
        _ => None,
    };
    Ok(match o {
        Op::Version(vop, want) => {
            let input = match a {
                Attr::V(v) => version_input(v),
                Attr::Func(_) => Cow::Borrowed("0"),
            };
            vop.holds(compare_padded(&input, want))
        }
        Op::Eq(want) => matches!(a, Attr::V(v) if js::strict_eq(v, want)),
        Op::Ne(want) => !matches!(a, Attr::V(v) if js::strict_eq(v, want)),
        Op::Cmp(cmp, want) => {
            let tmp;
            let actual = match a {
                Attr::V(v) => v,
                Attr::Func(name) => {
                    tmp = Value::String(func_source(name));
                    &tmp
                }
            };
            match cmp {
                CmpOp::Lt => js::lt(actual, want),
                CmpOp::Lte => js::lte(actual, want),
                CmpOp::Gt => js::gt(actual, want),
                CmpOp::Gte => js::gte(actual, want),
            }
        }
        // `!=`/`==` null, which also cover undefined.
        Op::Exists(want) => *want != a.is_null(),
        Op::In(set) => matches!(a, Attr::V(v) if set.is_in(v)),
        Op::Nin(set) => !matches!(a, Attr::V(v) if set.is_in(v)),
        Op::InGroup(id) => match s.groups.list_values(id) {
            GroupList::Values(set) => matches!(a, Attr::V(v) if set.is_in(v)),
            GroupList::Unknown | GroupList::Unusable => false,
        },
        Op::NotInGroup(id) => match s.groups.list_values(id) {
            GroupList::Values(set) => !matches!(a, Attr::V(v) if set.is_in(v)),
            // An unknown id has always behaved like an empty list...
            GroupList::Unknown => true,
            // ...but a malformed entry matches nobody.
            GroupList::Unusable => false,
        },
        Op::Not(v) => !val(v, a, s)?,
        Op::Size(v) => match items {
            Some(items) => val(v, Attr::V(&Value::Number(items.len() as f64)), s)?,
            None => false,
        },
        Op::ElemMatch(em) => match items {
            None => false,
            Some(items) => {
                // Only nullish elements are skipped; 0, "" and false are tested.
                let present = items.iter().filter(|el| !el.is_null());
                match em {
                    ElemMatch::ThrowIfArray => return Err(Thrown),
                    ElemMatch::Value(v) => {
                        for el in present {
                            if val(v, Attr::V(el), s)? {
                                return Ok(true);
                            }
                        }
                        false
                    }
                    ElemMatch::Cond(c) => {
                        for el in present {
                            if cond(c, el, s)? {
                                return Ok(true);
                            }
                        }
                        false
                    }
                }
            }
        },
        Op::All(wants) => match items {
            None => false,
            Some(items) => {
                for want in wants.iter() {
                    let mut passed = false;
                    for el in items {
                        if val(want, Attr::V(el), s)? {
                            passed = true;
                            break;
                        }
                    }
                    if !passed {
                        return Ok(false);
                    }
                }
                true
            }
        },
        Op::Regex(re) => match re {
            None => false,
            Some(re) => match a {
                Attr::V(Value::String(x)) => re.test(x),
                _ => re.test(&a.to_js_string()),
            },
        },
        Op::Type(t) => *t == Some(get_type(a)),
        Op::False => false,
    })
}

/// What `getSavedGroupArrayValues(savedGroups[id])` gives.
pub(crate) enum GroupList<'a> {
    Values(&'a super::inset::InSet),
    /// `undefined`: an empty list.
    Unknown,
    /// `null`: a condition group, a malformed entry, an unknown type.
    Unusable,
}
