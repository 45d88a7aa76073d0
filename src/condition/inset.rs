//! Precompiled membership lists for `$in`, `$nin`, `$ini`, `$nini` and the
//! saved-group list operators.
//!
//! `$in` is `expected.includes(actual)`: SameValueZero, so `NaN` is found,
//! `0` finds `-0`, and an array or object is never found (a JSON value is
//! always a fresh object, never the same reference as the attribute). The
//! case-insensitive variants compare `caseFold(el) === caseFold(exp)` with
//! `===`, under which `NaN` is *not* found. Both reduce to "which scalars are
//! in the list", which is all this keeps.

use crate::json::Value;

/// Lists longer than this are sorted and binary-searched (no hash table code in
/// the Wasm builds); shorter ones are scanned, which is faster for the
/// two-to-five-value lists most rules use.
const LINEAR_MAX: usize = 8;

#[derive(Debug, Clone, Default)]
pub(crate) struct InSet {
    strings: Strings,
    /// Finite or infinite, never NaN; `-0` stored as `0`. Sorted when large.
    numbers: Vec<f64>,
    nan: bool,
    t: bool,
    f: bool,
    null: bool,
    /// Built for `$ini`/`$nini`: strings are lowercased on both sides.
    fold: bool,
}

#[derive(Debug, Clone)]
enum Strings {
    Few(Vec<Box<str>>),
    /// Sorted, without repeats.
    Many(Vec<Box<str>>),
}

impl Default for Strings {
    fn default() -> Self {
        Strings::Few(Vec::new())
    }
}

/// `caseFold` for a string: `toLowerCase()`.
pub(crate) use crate::json::js::to_lower_case as lower;

impl InSet {
    /// `values` is the `$in` array; `fold` selects the case-insensitive form.
    pub(crate) fn new(values: &[Value], fold: bool) -> InSet {
        let mut set = InSet { fold, ..InSet::default() };
        let mut strings: Vec<Box<str>> = Vec::new();
        for v in values {
            match v {
                Value::String(s) => strings.push(if fold { lower(s).into() } else { s.as_str().into() }),
                // `===` (the folded variants) never finds NaN; SameValueZero does.
                Value::Number(n) if n.is_nan() => set.nan |= !fold,
                Value::Number(n) => set.numbers.push(if *n == 0.0 { 0.0 } else { *n }),
                Value::Bool(true) => set.t = true,
                Value::Bool(false) => set.f = true,
                Value::Null => set.null = true,
                // Containers are compared by identity and so never match.
                Value::Array(_) | Value::Object(_) => {}
            }
        }
        set.strings = if strings.len() > LINEAR_MAX {
            crate::sort::sort_by(&mut strings, |a, b| a.cmp(b));
            strings.dedup();
            Strings::Many(strings)
        } else {
            strings.dedup();
            Strings::Few(strings)
        };
        if set.numbers.len() > LINEAR_MAX {
            crate::sort::sort_by(&mut set.numbers, f64::total_cmp);
            set.numbers.dedup();
        }
        set
    }

    fn has_str(&self, s: &str) -> bool {
        match &self.strings {
            Strings::Few(v) => v.iter().any(|x| &**x == s),
            Strings::Many(v) => v.binary_search_by(|x| (**x).cmp(s)).is_ok(),
        }
    }

    fn has_num(&self, n: f64) -> bool {
        if n.is_nan() {
            return self.nan;
        }
        if self.numbers.len() > LINEAR_MAX {
            let n = if n == 0.0 { 0.0 } else { n };
            self.numbers.binary_search_by(|x| x.total_cmp(&n)).is_ok()
        } else {
            self.numbers.contains(&n)
        }
    }

    /// Is this one value in the list? (No intersection: see [`InSet::is_in`].)
    pub(crate) fn contains(&self, v: &Value) -> bool {
        match v {
            Value::String(s) if self.fold => self.has_str(&lower(s)),
            Value::String(s) => self.has_str(s),
            Value::Number(n) => self.has_num(*n),
            Value::Bool(true) => self.t,
            Value::Bool(false) => self.f,
            Value::Null => self.null,
            Value::Array(_) | Value::Object(_) => false,
        }
    }

    /// `isIn(actual, expected)`: an array attribute matches when any of its
    /// elements is in the list (an intersection), anything else when it is.
    pub(crate) fn is_in(&self, actual: &Value) -> bool {
        match actual {
            Value::Array(items) => items.iter().any(|el| self.contains(el)),
            other => self.contains(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn same_value_zero_and_identity() {
        let set = InSet::new(&[Value::Number(f64::NAN), Value::Number(-0.0), parse("[1]").unwrap()], false);
        assert!(set.contains(&Value::Number(f64::NAN)));
        assert!(set.contains(&Value::Number(0.0)));
        assert!(!set.contains(&parse("[1]").unwrap()));
        assert!(!set.is_in(&parse("[[1]]").unwrap()));
        let folded = InSet::new(&[Value::Number(f64::NAN), "ÄB".into()], true);
        assert!(!folded.contains(&Value::Number(f64::NAN)));
        assert!(folded.contains(&"äb".into()));
    }

    #[test]
    fn large_lists_are_searched_sorted() {
        // Out of order, with repeats: every member is found, nothing else is.
        let ids: Vec<String> = (0..100).map(|i| format!("id{}", (i * 37) % 100)).chain(["id7".to_owned(), "Zed".to_owned()]).collect();
        let values: Vec<Value> = ids.iter().map(|s| Value::String(s.clone())).collect();
        let nums: Vec<Value> = (0..100).map(|i| Value::Number(i as f64 - 50.0)).collect();
        let s = InSet::new(&values, false);
        assert!(ids.iter().all(|id| s.contains(&id.as_str().into())));
        assert!(!s.contains(&"id100".into()) && !s.contains(&"zed".into()) && !s.contains(&"".into()));
        let folded = InSet::new(&values, true);
        assert!(folded.contains(&"ZED".into()) && folded.contains(&"ID42".into()) && !folded.contains(&"id100".into()));
        let n = InSet::new(&nums, false);
        assert!(n.contains(&Value::Number(-0.0)) && n.contains(&Value::Number(49.0)));
        assert!(!n.contains(&Value::Number(50.0)));
    }
}
