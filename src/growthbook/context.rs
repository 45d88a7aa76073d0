//! The per-visitor evaluation context: attributes, URL, overrides and
//! sticky-bucket documents (the JS SDK's "user context").

use crate::diag::{self, Issues};
use crate::json::{js, Object, Value};
use crate::map::SortedMap;

/// Everything one visitor's evaluation reads. Built once per visitor (or
/// page view) and reused for every feature and experiment.
#[derive(Debug, Clone)]
pub struct Context {
    /// Targeting attributes, always a `Value::Object`.
    pub attributes: Value,
    /// The page URL, for URL targeting, query-string overrides and redirects.
    pub url: String,
    /// Experiment key -> forced variation index.
    pub forced_variations: Object,
    /// Feature key -> forced value (source `override`).
    pub forced_features: Object,
    /// QA mode: nobody is randomly assigned.
    pub qa_mode: bool,
    /// `false` turns every experiment off.
    pub enabled: bool,
    /// Groups the visitor belongs to, for experiments with `groups`.
    pub groups: Object,
    /// Sticky bucketing is on when this is `Some`: documents keyed
    /// `attributeName||attributeValue`, updated as experiments assign.
    pub sticky: Option<SortedMap<String, StickyDoc>>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            attributes: Value::Object(Object::new()),
            url: String::new(),
            forced_variations: Object::new(),
            forced_features: Object::new(),
            qa_mode: false,
            enabled: true,
            groups: Object::new(),
            sticky: None,
        }
    }
}

/// Sticky-bucket assignments for one identifier (`id||123`).
#[derive(Debug, Clone, PartialEq)]
pub struct StickyDoc {
    pub attribute_name: String,
    pub attribute_value: String,
    /// `experimentKey__bucketVersion` -> variation key.
    pub assignments: Object,
}

impl StickyDoc {
    pub fn to_value(&self) -> Value {
        let mut o = Object::with_capacity(3);
        o.insert("attributeName", Value::String(self.attribute_name.clone()));
        o.insert("attributeValue", Value::String(self.attribute_value.clone()));
        o.insert("assignments", Value::Object(self.assignments.clone()));
        Value::Object(o)
    }

    fn from_value(v: &Value, path: &str, issues: &mut Issues) -> Option<StickyDoc> {
        let Some(o) = v.as_object() else {
            issues.push(path, diag::found("must be an object", v));
            return None;
        };
        let mut string = |k: &str| match o.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            other => {
                issues.push(diag::key(path, k), format!("must be a string, found {}", other.map_or("nothing", Value::type_name)));
                None
            }
        };
        let (name, value) = (string("attributeName"), string("attributeValue"));
        let assignments = match o.get("assignments") {
            None | Some(Value::Null) => Object::new(),
            Some(Value::Object(a)) => a.clone(),
            Some(other) => {
                issues.push(diag::key(path, "assignments"), diag::found("must be an object", other));
                return None;
            }
        };
        Some(StickyDoc { attribute_name: name?, attribute_value: value?, assignments })
    }
}

/// The sticky documents as one JSON object keyed like the JS SDK's.
pub fn sticky_docs_value(docs: &SortedMap<String, StickyDoc>) -> Value {
    Value::Object(docs.iter().map(|(k, d)| (k.clone(), d.to_value())).collect())
}

impl Context {
    /// Reads a visitor context document (see `VisitorContext` in the
    /// TypeScript types). Every field is optional; wrong types are errors
    /// that name the field.
    pub fn from_value(v: &Value) -> Result<Context, Issues> {
        let mut issues = Issues::new();
        let mut ctx = Context::default();
        let Some(o) = v.as_object() else {
            if !v.is_null() {
                issues.push("", diag::found("a visitor context must be an object", v));
            }
            return if issues.is_empty() { Ok(ctx) } else { Err(issues) };
        };
        let object = |k: &str, issues: &mut Issues| -> Option<Object> {
            match o.get(k) {
                None | Some(Value::Null) => None,
                Some(Value::Object(x)) => Some(x.clone()),
                Some(other) => {
                    issues.push(k, diag::found("must be an object", other));
                    None
                }
            }
        };
        if let Some(a) = object("attributes", &mut issues) {
            ctx.attributes = Value::Object(a);
        }
        ctx.forced_variations = object("forcedVariations", &mut issues).unwrap_or_default();
        ctx.forced_features = object("forcedFeatures", &mut issues).unwrap_or_default();
        ctx.groups = object("groups", &mut issues).unwrap_or_default();
        match o.get("url") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => ctx.url = s.clone(),
            Some(other) => issues.push("url", diag::found("must be a string", other)),
        }
        // Like the JS SDK, these are read by truthiness / `=== false`.
        ctx.qa_mode = o.get("qaMode").is_some_and(js::truthy);
        ctx.enabled = !matches!(o.get("enabled"), Some(Value::Bool(false)));
        if let Some(docs) = object("stickyBucketAssignmentDocs", &mut issues) {
            let mut all = Vec::with_capacity(docs.len());
            for (k, d) in docs.iter() {
                if let Some(doc) = StickyDoc::from_value(d, &diag::key("stickyBucketAssignmentDocs", k), &mut issues) {
                    all.push((k.to_owned(), doc));
                }
            }
            ctx.sticky = Some(all.into_iter().collect());
        }
        for k in o.keys() {
            if !KNOWN.contains(&k) {
                issues.push(k, format!("unknown field (expected one of {})", KNOWN.join(", ")));
            }
        }
        if issues.is_empty() {
            Ok(ctx)
        } else {
            Err(issues)
        }
    }

    /// `attributes[name]` (a direct property, not a dotted path).
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }

    /// Replaces the attributes; `v` must be an object.
    pub fn set_attributes(&mut self, v: Value) -> Result<(), String> {
        match v {
            Value::Object(_) => {
                self.attributes = v;
                Ok(())
            }
            other => Err(diag::found("attributes must be an object", &other)),
        }
    }
}

const KNOWN: [&str; 8] =
    ["attributes", "url", "forcedVariations", "forcedFeatures", "qaMode", "enabled", "groups", "stickyBucketAssignmentDocs"];
