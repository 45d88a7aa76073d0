//! Corners of the JS SDK's semantics, each checked against what
//! `mongrule.mjs` gives in Node (differentially fuzzed during development).

use super::*;
use crate::diag::Issues;
use crate::host::NoRegexEngine;
use crate::json::parse;

#[cfg(feature = "native")]
fn engine() -> crate::host::NativeRegexEngine {
    crate::host::NativeRegexEngine
}
#[cfg(not(feature = "native"))]
fn engine() -> NoRegexEngine {
    NoRegexEngine
}

fn ev(cond: &str, attrs: &str) -> bool {
    ev_g(cond, attrs, "null")
}

fn ev_g(cond: &str, attrs: &str, groups: &str) -> bool {
    eval_condition(&parse(attrs).unwrap(), &parse(cond).unwrap(), &parse(groups).unwrap(), &engine())
}

#[test]
fn string_and_number_coercions() {
    assert!(ev(r#"{"n": "5"}"#, r#"{"n": 5}"#)); // 5 + "" === "5"
    assert!(!ev(r#"{"n": "05"}"#, r#"{"n": 5}"#));
    assert!(ev(r#"{"n": "0"}"#, r#"{"n": -0}"#));
    assert!(ev(r#"{"n": "1e+21"}"#, r#"{"n": 1e21}"#));
    assert!(ev(r#"{"n": "a,b"}"#, r#"{"n": ["a", "b"]}"#));
    assert!(ev(r#"{"n": "[object Object]"}"#, r#"{"n": {}}"#));
    assert!(ev(r#"{"n": "null"}"#, r#"{}"#)); // missing is null, null + "" === "null"
    assert!(ev(r#"{"n": 5}"#, r#"{"n": " 5 "}"#)); // " 5 " * 1 === 5
    assert!(ev(r#"{"n": 0}"#, r#"{"n": []}"#));
    assert!(ev(r#"{"n": 1}"#, r#"{"n": true}"#));
    assert!(ev(r#"{"n": true}"#, r#"{"n": "x"}"#));
    assert!(!ev(r#"{"n": false}"#, r#"{}"#)); // value !== null
    assert!(ev(r#"{"n": false}"#, r#"{"n": 0}"#));
}

#[test]
fn json_equality_for_arrays_and_plain_objects() {
    assert!(ev(r#"{"t": ["a", 1]}"#, r#"{"t": ["a", 1]}"#));
    assert!(!ev(r#"{"t": {"a": 1, "b": 2}}"#, r#"{"t": {"b": 2, "a": 1}}"#)); // key order matters
    assert!(ev(r#"{"t": {"2": 1, "1": 2}}"#, r#"{"t": {"1": 2, "2": 1}}"#)); // integer keys sort
    assert!(ev(r#"{"t": {}}"#, r#"{"t": {}}"#));
    assert!(ev(r#"{"t": {"$gt": 1, "x": 2}}"#, r#"{"t": {"$gt": 1, "x": 2}}"#));
    // mixed: literal
}

#[test]
fn in_uses_same_value_zero_and_intersects() {
    assert!(!ev(r#"{"t": {"$in": [[1]]}}"#, r#"{"t": [1]}"#)); // containers never equal
    assert!(ev(r#"{"t": {"$in": [1, "x"]}}"#, r#"{"t": ["y", 1]}"#));
    assert!(!ev(r#"{"t": {"$in": ["1"]}}"#, r#"{"t": 1}"#)); // no coercion
    assert!(ev(r#"{"t": {"$in": [null]}}"#, r#"{}"#));
    assert!(!ev(r#"{"t": {"$in": []}}"#, r#"{"t": []}"#));
    assert!(!ev(r#"{"t": {"$nin": "x"}}"#, r#"{}"#)); // not an array: false
    assert!(ev(r#"{"t": {"$ini": ["ÄB"]}}"#, r#"{"t": ["x", "äb"]}"#));
}

#[test]
fn exists_type_size_all() {
    assert!(ev(r#"{"t": {"$exists": 0}}"#, r#"{"t": null}"#));
    assert!(ev(r#"{"t": {"$exists": "yes"}}"#, r#"{"t": 0}"#));
    assert!(ev(r#"{"t": {"$type": "array"}}"#, r#"{"t": []}"#));
    assert!(!ev(r#"{"t": {"$type": "undefined"}}"#, r#"{}"#));
    assert!(ev(r#"{"t": {"$size": {"$gte": 2}}}"#, r#"{"t": [1, 2]}"#));
    assert!(ev(r#"{"t": {"$all": []}}"#, r#"{"t": []}"#));
    assert!(!ev(r#"{"t": {"$all": []}}"#, r#"{"t": "x"}"#));
    assert!(ev(r#"{"t": {"$alli": ["ONE", {"$gt": 5}]}}"#, r#"{"t": ["one", 6]}"#));
}

#[test]
fn elem_match_forms() {
    assert!(ev(r#"{"t": {"$elemMatch": {"$eq": 0}}}"#, r#"{"t": [null, 0]}"#)); // 0 is tested
    assert!(ev(r#"{"t": {"$elemMatch": {"a": 1}}}"#, r#"{"t": [{"a": 1}]}"#));
    assert!(ev(r#"{"t": {"$elemMatch": 5}}"#, r#"{"t": [1]}"#)); // no entries: passes
    assert!(!ev(r#"{"t": {"$elemMatch": 5}}"#, r#"{"t": [null]}"#));
    // Object.keys(null) throws, only once the attribute is an array; the
    // exception escapes the $not.
    assert!(!ev(r#"{"$not": {"t": {"$elemMatch": null}}}"#, r#"{"t": []}"#));
    assert!(ev(r#"{"$not": {"t": {"$elemMatch": null}}}"#, r#"{"t": 1}"#));
}

#[test]
fn throws_unwind_through_negation() {
    assert!(!ev(r#"{"$not": null}"#, r#"{}"#));
    assert!(!ev(r#"{"$nor": [{"$not": null}]}"#, r#"{}"#));
    assert!(!ev(r#"{"$nor": null}"#, r#"{}"#));
    assert!(!ev(r#"{"a": 2, "$not": null}"#, r#"{"a": 2}"#));
    // Short-circuit: the throwing entry is never reached.
    assert!(ev(r#"{"$or": [{"a": 1}, {"$not": null}]}"#, r#"{"a": 1}"#));
    assert!(!Condition::compile(&Value::Null, &NoRegexEngine).eval(&Value::Null, &SavedGroups::default()));
}

#[test]
fn array_like_combinators() {
    assert!(ev(r#"{"$or": []}"#, r#"{}"#));
    assert!(ev(r#"{"$or": 5}"#, r#"{}"#)); // (5).length is undefined
    assert!(ev(r#"{"$and": {}}"#, r#"{}"#));
    assert!(ev(r#"{"$or": "ab"}"#, r#"{"0": "b"}"#)); // "ab"[1] is "b": attribute "0" === "b"
    assert!(ev(r#"{"$or": {"length": 1, "0": {"a": 1}}}"#, r#"{"a": 1}"#));
    assert!(!ev(r#"{"$and": {"length": 2, "0": {"a": 1}}}"#, r#"{"a": 1}"#)); // [1] missing: throws
}

#[test]
fn non_object_conditions() {
    assert!(Condition::compile(&parse("5").unwrap(), &NoRegexEngine).is_always());
    assert!(ev("true", r#"{}"#));
    assert!(ev(r#""ab""#, r#"{"0": "a", "1": "b"}"#));
    assert!(ev(r#"[{"x": 1}]"#, r#"{"0": {"x": 1}}"#));
    assert!(!ev(r#""😀""#, r#"{"0": "😀"}"#)); // lone surrogates match nothing
}

#[test]
fn get_path_sees_inherited_members() {
    assert!(ev(r#"{"t.length": {"$gt": 1}}"#, r#"{"t": [1, 2]}"#));
    assert!(ev(r#"{"t.1": 2}"#, r#"{"t": [1, 2]}"#));
    assert!(!ev(r#"{"t.01": 2}"#, r#"{"t": [1, 2]}"#));
    assert!(ev(r#"{"t.constructor": {"$exists": true}}"#, r#"{"t": {}}"#));
    assert!(ev(r#"{"t.constructor": {"$type": "unknown"}}"#, r#"{"t": {}}"#));
    assert!(ev(r#"{"t.constructor": {"$regex": "^function Array"}}"#, r#"{"t": []}"#));
    assert!(ev(r#"{"t.__proto__": {}}"#, r#"{"t": {}}"#)); // JSON.stringify(Object.prototype)
    assert!(ev(r#"{"t.__proto__.__proto__": null}"#, r#"{"t": {}}"#));
    assert!(ev(r#"{"t.x": null}"#, r#"{"t": "str"}"#)); // strings are not walked
    assert!(ev(r#"{"$gt": 1}"#, r#"{"$gt": 1}"#)); // top-level `$gt` is an attribute name
}

#[test]
fn regex_quirks() {
    assert!(!ev(r#"{"t": {"$regex": 5}}"#, r#"{"t": "5"}"#));
    assert!(!ev(r#"{"t": {"$regex": "("}}"#, r#"{"t": "("}"#));
    // The SDK's regex cache is a plain object: "constructor" finds a function.
    assert!(!ev(r#"{"t": {"$regex": "constructor"}}"#, r#"{"t": "constructor"}"#));
    assert!(ev(r#"{"t": {"$regexi": "constructor"}}"#, r#"{"t": "CONSTRUCTOR"}"#) == cfg!(feature = "native"));
    assert!(ev(r#"{"t": {"$regex": "^1,2$"}}"#, r#"{"t": [1, 2]}"#) == cfg!(feature = "native"));
    assert!(ev(r#"{"t": {"$regex": "a/b"}}"#, r#"{"t": "a/b"}"#) == cfg!(feature = "native"));
}

#[test]
fn versions() {
    assert!(ev(r#"{"v": {"$vgt": "1.2.3-beta"}}"#, r#"{"v": "1.2.3"}"#));
    assert!(ev(r#"{"v": {"$veq": "0"}}"#, r#"{"v": null}"#));
    assert!(ev(r#"{"v": {"$veq": 2}}"#, r#"{"v": "2"}"#));
    assert!(ev(r#"{"v": {"$vlt": "10.0.0"}}"#, r#"{"v": "9.99.99"}"#));
}

#[test]
fn saved_groups() {
    let g = r#"{"legacy": [1, 2], "list": {"type": "list", "attributeKey": "id", "values": ["a"]},
        "bad": {"type": "list", "attributeKey": "id"},
        "cond": {"type": "condition", "condition": {"$or": [{"$savedGroup": {"id": "cond"}}, {"x": 1}]}}}"#;
    assert!(ev_g(r#"{"n": {"$inGroup": "legacy"}}"#, r#"{"n": 2}"#, g));
    assert!(ev_g(r#"{"n": {"$inGroup": "list"}}"#, r#"{"n": "a"}"#, g));
    assert!(ev_g(r#"{"n": {"$notInGroup": "nope"}}"#, r#"{"n": "a"}"#, g));
    assert!(!ev_g(r#"{"n": {"$notInGroup": "bad"}}"#, r#"{"n": "a"}"#, g));
    assert!(!ev_g(r#"{"n": {"$notInGroup": "cond"}}"#, r#"{"n": "a"}"#, g));
    // Inherited members of the groups object are unusable entries, not unknown ids.
    assert!(!ev_g(r#"{"n": {"$notInGroup": "toString"}}"#, r#"{"n": "a"}"#, g));
    assert!(ev_g(r#"{"$savedGroup": {"id": "list"}}"#, r#"{"id": "a"}"#, g));
    assert!(ev_g(r#"{"$savedGroup": {"id": "list", "attributeKey": "n"}}"#, r#"{"n": "a"}"#, g));
    assert!(!ev_g(r#"{"$savedGroup": {"id": "list", "attributeKey": null}}"#, r#"{"id": "a"}"#, g));
    assert!(!ev_g(r#"{"$savedGroup": {"id": "legacy"}}"#, r#"{"n": 1}"#, g));
    // The cycle resolves to false; the other branch still decides.
    assert!(ev_g(r#"{"$savedGroup": {"id": "cond"}}"#, r#"{"x": 1}"#, g));
    assert!(!ev_g(r#"{"$savedGroup": {"id": "cond"}}"#, r#"{"x": 2}"#, g));
    let compiled = SavedGroups::compile(&parse(g).unwrap(), &NoRegexEngine);
    assert_eq!(compiled.len(), 4);
    assert!(SavedGroups::compile(&Value::Null, &NoRegexEngine).is_empty());
}

#[test]
fn long_group_chains_are_bounded() {
    // g0 -> g1 -> ... -> g999: JS would overflow its stack somewhere; we stop
    // at a fixed depth with a "throw", and never overflow ours.
    let mut groups = crate::json::Object::new();
    for i in 0..1000 {
        let next = format!(r#"{{"type": "condition", "condition": {{"$savedGroup": {{"id": "g{}"}}}}}}"#, i + 1);
        groups.insert(format!("g{i}"), parse(&next).unwrap());
    }
    groups.insert("g1000", parse(r#"{"type": "condition", "condition": {}}"#).unwrap());
    let groups = SavedGroups::compile(&Value::Object(groups), &NoRegexEngine);
    let c = Condition::compile(&parse(r#"{"$savedGroup": {"id": "g0"}}"#).unwrap(), &NoRegexEngine);
    assert!(!c.eval(&Value::Null, &groups));
    let short = Condition::compile(&parse(r#"{"$savedGroup": {"id": "g990"}}"#).unwrap(), &NoRegexEngine);
    assert!(short.eval(&Value::Null, &groups));
}

#[test]
fn deep_programmatic_values_do_not_overflow() {
    let mut v = Value::Object(crate::json::Object::new());
    for _ in 0..5000 {
        let mut o = crate::json::Object::new();
        o.insert("$not", v);
        v = Value::Object(o);
    }
    let c = Condition::compile(&v, &NoRegexEngine);
    assert!(!c.eval(&Value::Null, &SavedGroups::default()));
    let mut issues = Issues::new();
    check(&v, "c", &NoRegexEngine, &mut issues);
    assert_eq!(issues.len(), 1);
}

fn lint(cond: &str) -> Vec<String> {
    let mut issues = Issues::new();
    check(&parse(cond).unwrap(), "segments.trail-fan.condition", &engine(), &mut issues);
    issues.iter().map(ToString::to_string).collect()
}

#[test]
fn check_reports_paths_and_suggestions() {
    assert_eq!(lint(r#"{"visits": {"$in": 3}}"#), ["segments.trail-fan.condition.visits.$in: must be an array, found number"]);
    assert_eq!(
        lint(r#"{"age": {"$gtee": 3}}"#),
        ["segments.trail-fan.condition.age.$gtee: unknown operator `$gtee` (did you mean `$gte`?)"]
    );
    assert_eq!(lint(r#"{"$or": {"a": 1}}"#).len(), 1);
    assert_eq!(lint(r#"{"$not": [1]}"#).len(), 1);
    assert_eq!(lint(r#"{"a": {"$exists": 1}, "b": {"$type": "int"}}"#).len(), 2);
    assert_eq!(lint(r#"{"a": {"$gt": 1, "b": 2}}"#).len(), 1);
    assert_eq!(lint(r#"{"$gt": 1}"#).len(), 1);
    assert_eq!(lint(r#"{"$savedGroup": {"id": 5}}"#).len(), 1);
    assert!(lint(r#"{"a": {"$regex": "^x", "$vgt": "1.0.0"}, "$and": [{"b": {"$elemMatch": {"c": 1}}}]}"#).is_empty());
    if cfg!(feature = "native") {
        assert_eq!(lint(r#"{"a": {"$regex": "("}}"#).len(), 1);
    }
    assert_eq!(lint("null"), ["segments.trail-fan.condition: must be an object (a condition), found null"]);
}

#[cfg(feature = "native")]
#[test]
fn native_engine_accepts_escaped_slash() {
    assert!(ev(r#"{"t": {"$regex": "^a\\/b$"}}"#, r#"{"t": "a/b"}"#));
}
