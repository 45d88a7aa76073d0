//! The hearth manifest: one static JSON document, the same for every visitor.
//!
//! It is a GrowthBook SDK payload (`features`, `savedGroups`, `experiments`,
//! `contextualBandits`, optionally encrypted) extended with hearth's own
//! sections: `taxonomy`, `segments`, `slots`, `placements`, `promotions`,
//! `catalog`, `recommendations`, `priors`, `claims` and `profile`. The format
//! is documented in `docs/manifest.md` and `docs/manifest.schema.json`.
//!
//! A document with `"hearth": 1` is a hearth manifest and is checked strictly
//! (unknown fields are errors: a misspelt field would otherwise be silently
//! ignored). A document without it is a bare GrowthBook payload and is read
//! with the JS SDK's tolerance.
//!
//! Parsing reports *every* problem, each with its path:
//! `slots.hero.variants[2].weight: must be between 0 and 1`.

mod compiled;
#[cfg_attr(not(any(feature = "full", not(target_arch = "wasm32"))), allow(dead_code))]
mod read;

pub use compiled::is_compiled;

use crate::condition::Condition;
use crate::diag::Issues;
use crate::growthbook::{self, Payload};
use crate::host::RegexEngine;
use crate::json::{self, Object, Value};
use crate::map::SortedMap;
use read::{count_in, object, Fields};
#[cfg(any(feature = "full", not(target_arch = "wasm32")))]
use {
    crate::{condition, diag},
    read::{check_id, number_in},
    std::collections::HashSet,
};

/// The manifest format version this engine reads.
pub const FORMAT_VERSION: u32 = 1;

/// The most items a catalog may hold (bounds memory and `recommend` time).
pub const MAX_CATALOG_ITEMS: usize = 20_000;
/// The longest item-factor vector accepted.
pub const MAX_FACTOR_DIMS: usize = 256;

/// A parsed, validated manifest. Conditions are compiled once here.
#[derive(Clone)]
pub struct Manifest {
    /// `None` for a bare GrowthBook payload.
    pub format: Option<u32>,
    pub name: Option<String>,
    pub growthbook: Payload,
    pub profile: ProfileSettings,
    pub taxonomy: Taxonomy,
    pub segments: Vec<Segment>,
    pub slots: Vec<Slot>,
    pub placements: Vec<Placement>,
    pub promotions: Vec<Promotion>,
    pub catalog: Catalog,
    pub recommendations: Vec<RecommendationList>,
    pub priors: Priors,
    pub claims: Option<ClaimSettings>,
    /// [`Manifest::labels_json`] as compiled into a compiled manifest (`None` for a JSON one):
    /// the browser builds hand it over as stored instead of carrying the code that writes it.
    pub compiled_labels: Option<String>,
}

/// How the on-device profile learns and forgets.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSettings {
    /// Tag affinities halve after this many days without new evidence.
    pub half_life_days: f64,
    /// How many recently seen catalog items are kept.
    pub recent_items: u32,
    /// Data older than this is dropped on every read.
    pub retention_days: u32,
    /// Inactivity that ends a session.
    pub session_minutes: u32,
}

impl Default for ProfileSettings {
    fn default() -> Self {
        ProfileSettings { half_life_days: 30.0, recent_items: 20, retention_days: 395, session_minutes: 30 }
    }
}

/// The closed set of tags the profile may learn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taxonomy {
    pub tags: Vec<Tag>,
    /// Positions in `tags` sorted by id, for [`Taxonomy::position`] (filled
    /// in at parse; a taxonomy edited in code falls back to a linear search).
    order: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: String,
    /// Shown to the visitor in the "Your data" panel.
    pub label: String,
    pub parent: Option<String>,
    /// Health, religion, politics, sexuality, ethnicity, children, ...:
    /// never learned unless `learnable` and an explicit consent covers it.
    pub sensitive: bool,
    /// For sensitive tags: the manifest allows learning it (consent still required).
    pub learnable: bool,
}

impl Taxonomy {
    pub fn new(tags: Vec<Tag>) -> Taxonomy {
        let mut order: Vec<u16> = (0..tags.len().min(usize::from(u16::MAX)) as u16).collect();
        crate::sort::sort_by(&mut order, |&a, &b| tags[usize::from(a)].id.cmp(&tags[usize::from(b)].id));
        Taxonomy { tags, order }
    }

    /// The tag's position in `tags`.
    pub fn position(&self, id: &str) -> Option<usize> {
        if self.order.len() != self.tags.len() {
            return self.tags.iter().position(|t| t.id == id);
        }
        let i = self.order.binary_search_by(|&i| self.tags[usize::from(i)].id.as_str().cmp(id)).ok()?;
        Some(usize::from(self.order[i]))
    }

    pub fn get(&self, id: &str) -> Option<&Tag> {
        self.tags.get(self.position(id)?)
    }
}

/// A named condition over profile and context.
#[derive(Clone)]
pub struct Segment {
    pub id: String,
    pub label: String,
    pub condition: Condition,
}

/// How a slot chooses among its variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// GrowthBook split semantics over variant weights.
    Experiment,
    /// The first variant whose condition matches.
    Rules,
    /// Variant tags × visitor affinities, with exploration.
    Affinity,
    /// Thompson sampling from Beta priors and the visitor's own feedback.
    Bandit,
}

impl Strategy {
    pub const NAMES: [&'static str; 4] = ["experiment", "rules", "affinity", "bandit"];
    /// Every strategy, in the order of `NAMES` (and of the discriminants compiled manifests store).
    pub const ALL: [Strategy; 4] = [Strategy::Experiment, Strategy::Rules, Strategy::Affinity, Strategy::Bandit];

    #[cfg(any(feature = "full", not(target_arch = "wasm32")))]
    fn parse(s: &str) -> Option<Strategy> {
        Some(match s {
            "experiment" => Strategy::Experiment,
            "rules" => Strategy::Rules,
            "affinity" => Strategy::Affinity,
            "bandit" => Strategy::Bandit,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Strategy::NAMES[self as usize]
    }
}

/// A placement on the page with alternative contents.
#[derive(Clone)]
pub struct Slot {
    pub id: String,
    /// A name for people ("Your data" panels); decisions never read it.
    pub label: Option<String>,
    pub strategy: Strategy,
    /// Index into `variants` of the fallback.
    pub default_variant: usize,
    /// The slot personalizes only when this matches; otherwise the default shows.
    pub condition: Condition,
    /// Probability of exploring (affinity strategy).
    pub exploration: f64,
    /// The hash attribute and seed for the experiment strategy.
    pub experiment: Option<SlotExperiment>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlotExperiment {
    pub key: String,
    pub hash_attribute: String,
    pub coverage: f64,
}

#[derive(Clone)]
pub struct Variant {
    pub id: String,
    pub label: Option<String>,
    pub tags: Vec<String>,
    pub weight: f64,
    pub condition: Condition,
    /// Text and attribute values the page fills in (`title`, `src`, `href`...).
    pub content: Object,
    /// `tags` as positions in `taxonomy.tags` (see [`Item::tag_ids`]).
    pub tag_ids: Vec<u16>,
}

/// A promotion placement and how many promotions it shows per page.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub id: String,
    pub max_per_page: u32,
}

#[derive(Clone)]
pub struct Promotion {
    pub id: String,
    pub placement: String,
    pub label: Option<String>,
    pub tags: Vec<String>,
    pub content: Object,
    pub condition: Condition,
    /// Epoch ms, inclusive.
    pub starts_at: Option<i64>,
    /// Epoch ms, exclusive.
    pub ends_at: Option<i64>,
    pub dayparts: Vec<Daypart>,
    /// Shown only in the visitor's birth month (from a signed claim).
    pub birthday_month: bool,
    pub caps: Caps,
    pub cooldown: Cooldown,
    pub priority: f64,
    pub value: f64,
    pub exclusion_group: Option<String>,
    /// Uses the promotion profile (needs promotion consent); otherwise contextual.
    pub uses_profile: bool,
    /// Claims (signed traits) the promotion needs, e.g. `loyaltyTier`.
    pub requires_claims: Vec<String>,
}

/// Local-time windows: on `days` (0 = Sunday ... 6 = Saturday), from `from`
/// to `to` minutes after midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daypart {
    pub days: Vec<u8>,
    pub from_minute: u16,
    pub to_minute: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caps {
    pub per_day: Option<u32>,
    pub per_week: Option<u32>,
    pub lifetime: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cooldown {
    pub after_dismiss_days: u32,
    pub after_conversion_days: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// Dimension of item factors (0 when items carry none).
    pub factor_dims: usize,
    pub items: Vec<Item>,
    /// Item ids with their positions, sorted by id: `get` is on every
    /// decision's path (recent items, artwork grids), so it must not scan.
    index: Vec<(String, usize)>,
    /// `tr(YᵀY)` over the items' factor vectors (for recommendation fold-in).
    trace: f64,
}

impl Catalog {
    pub fn new(factor_dims: usize, items: Vec<Item>) -> Catalog {
        let mut index: Vec<(String, usize)> = items.iter().enumerate().map(|(i, it)| (it.id.clone(), i)).collect();
        crate::sort::sort(&mut index);
        let trace = items
            .iter()
            .filter_map(|it| it.factors.as_deref().filter(|f| factor_dims > 0 && f.len() == factor_dims))
            .map(|y| y.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>())
            .sum();
        Catalog { factor_dims, items, index, trace }
    }

    /// The position of item `id` in `items`.
    pub fn position(&self, id: &str) -> Option<usize> {
        let i = self.index.binary_search_by(|(k, _)| k.as_str().cmp(id)).ok()?;
        Some(self.index[i].1)
    }

    /// `tr(YᵀY)`: the summed squared norms of the items' factor vectors.
    pub fn factor_trace(&self) -> f64 {
        self.trace
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.items.get(self.position(id)?)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: Option<String>,
    pub tags: Vec<String>,
    /// Anything else the page renders (`url`, `image`, `price`...).
    pub content: Object,
    pub artworks: Vec<Artwork>,
    pub factors: Option<Vec<f32>>,
    /// `tags` as positions in `taxonomy.tags` (tags outside it left out), so
    /// ranking a catalog compares numbers, not strings.
    pub tag_ids: Vec<u16>,
    /// `priors.popularity` of this item when finite and positive, else 0
    /// (filled in at load, so ranking does not look it up by id).
    pub popularity: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Artwork {
    pub id: String,
    pub tags: Vec<String>,
    pub content: Object,
    /// `tags` as positions in `taxonomy.tags` (see [`Item::tag_ids`]).
    pub tag_ids: Vec<u16>,
}

/// A named recommendation list (`home`, `also-viewed`...).
#[derive(Clone)]
pub struct RecommendationList {
    pub id: String,
    pub k: u32,
    /// Skip items the visitor has viewed / purchased.
    pub exclude_viewed: bool,
    pub exclude_purchased: bool,
    /// At most this many items sharing a tag (0 = no cap).
    pub max_per_tag: u32,
    /// MMR trade-off between relevance (1) and diversity (0).
    pub mmr_lambda: f64,
    /// Only items whose item document matches.
    pub filter: Condition,
}

/// Aggregated, non-personal statistics shipped with the manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Priors {
    /// `(slot, variant) -> Beta(alpha, beta)` for bandits.
    pub variants: SortedMap<(String, String), Beta>,
    /// Promotion id -> conversion prior (expected value ranking).
    pub promotions: SortedMap<String, Beta>,
    /// Item id -> popularity (cold start and the popularity baseline).
    pub popularity: SortedMap<String, f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    pub alpha: f64,
    pub beta: f64,
}

/// Where signed claims (loyalty tier, membership, personal offers) come from.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimSettings {
    /// Ed25519 public key, 32 bytes, base64 in the manifest.
    pub public_key: Vec<u8>,
    /// Claim names the site issues.
    pub traits: Vec<String>,
}

impl Manifest {
    /// Parses and validates a manifest (or a bare GrowthBook payload) from JSON text.
    pub fn parse(text: &str, regex: &dyn RegexEngine) -> Result<Manifest, Issues> {
        Self::parse_with_key(text, None, regex)
    }

    /// Like [`Manifest::parse`], decrypting `encryptedFeatures` /
    /// `encryptedSavedGroups` with `decryption_key` (GrowthBook's AES-CBC).
    pub fn parse_with_key(text: &str, decryption_key: Option<&str>, regex: &dyn RegexEngine) -> Result<Manifest, Issues> {
        Self::from_value(&document(text)?, decryption_key, regex)
    }

    /// Validates a parsed document. Returns every problem found.
    pub fn from_value(doc: &Value, decryption_key: Option<&str>, regex: &dyn RegexEngine) -> Result<Manifest, Issues> {
        let mut issues = Issues::new();
        let m = Decoder { regex, issues: &mut issues }.manifest(doc, decryption_key);
        match m {
            Some(m) if issues.is_empty() => Ok(m),
            _ => Err(issues),
        }
    }

    /// Fills the `tag_ids` of variants, items and artworks (decisions
    /// compare taxonomy positions, not strings, when they score tags) and
    /// the items' `popularity`.
    fn resolve_tag_ids(&mut self) {
        let taxonomy = &self.taxonomy;
        let ids = |tags: &[String]| -> Vec<u16> { tags.iter().filter_map(|t| taxonomy.position(t)).map(|i| i as u16).collect() };
        for v in self.slots.iter_mut().flat_map(|s| s.variants.iter_mut()) {
            v.tag_ids = ids(&v.tags);
        }
        for it in &mut self.catalog.items {
            it.tag_ids = ids(&it.tags);
            it.popularity = self.priors.popularity.get(&it.id).copied().filter(|p| p.is_finite() && *p > 0.0).unwrap_or(0.0);
            for a in &mut it.artworks {
                a.tag_ids = ids(&a.tags);
            }
        }
    }

    pub fn slot(&self, id: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.id == id)
    }

    /// The names the manifest gives people to read, shaped like the manifest document (so a
    /// page reads them the same way from either): `{taxonomy: {tags: {id: {label, sensitive,
    /// parent?}}}, slots: {id: {label?, variants: [{id, label?}]}}, promotions: {id: {label?,
    /// placement}}, segments: {id: {label}}}`. What a page loaded from a compiled manifest has
    /// instead of the document.
    pub fn labels_json(&self) -> String {
        match &self.compiled_labels {
            Some(text) => text.clone(),
            None => self.write_labels(),
        }
    }

    /// The browser builds load hearth manifests only compiled (which hold their labels); what
    /// else they load, a bare GrowthBook payload, names nothing.
    #[cfg(not(any(feature = "full", not(target_arch = "wasm32"))))]
    fn write_labels(&self) -> String {
        r#"{"taxonomy":{"tags":{}},"slots":{},"promotions":{},"segments":{}}"#.to_owned()
    }

    #[cfg(any(feature = "full", not(target_arch = "wasm32")))]
    fn write_labels(&self) -> String {
        let label = |o: &mut Object, l: &Option<String>| {
            if let Some(l) = l {
                o.insert("label", Value::from(l.as_str()));
            }
        };
        let keyed = |entries: Vec<(&str, Object)>| {
            let mut o = Object::with_capacity(entries.len());
            for (k, v) in entries {
                o.insert(k, Value::Object(v));
            }
            Value::Object(o)
        };
        let tags = self.taxonomy.tags.iter().map(|t| {
            let mut o = Object::new();
            o.insert("label", Value::from(t.label.as_str()));
            o.insert("sensitive", Value::Bool(t.sensitive));
            if let Some(p) = &t.parent {
                o.insert("parent", Value::from(p.as_str()));
            }
            (t.id.as_str(), o)
        });
        let slots = self.slots.iter().map(|s| {
            let mut o = Object::new();
            label(&mut o, &s.label);
            let variants = s.variants.iter().map(|v| {
                let mut vo = Object::new();
                vo.insert("id", Value::from(v.id.as_str()));
                label(&mut vo, &v.label);
                Value::Object(vo)
            });
            o.insert("variants", Value::Array(variants.collect()));
            (s.id.as_str(), o)
        });
        let promotions = self.promotions.iter().map(|p| {
            let mut o = Object::new();
            label(&mut o, &p.label);
            o.insert("placement", Value::from(p.placement.as_str()));
            (p.id.as_str(), o)
        });
        let segments = self.segments.iter().map(|s| {
            let mut o = Object::new();
            o.insert("label", Value::from(s.label.as_str()));
            (s.id.as_str(), o)
        });
        let mut taxonomy = Object::new();
        taxonomy.insert("tags", keyed(tags.collect()));
        let mut doc = Object::new();
        doc.insert("taxonomy", Value::Object(taxonomy));
        doc.insert("slots", keyed(slots.collect()));
        doc.insert("promotions", keyed(promotions.collect()));
        doc.insert("segments", keyed(segments.collect()));
        Value::Object(doc).to_json()
    }

    /// A one-paragraph description for `hearth check`.
    pub fn summary(&self) -> String {
        // Written piece by piece, not with `format!`: this is in every build, the page's included.
        let count = |n: usize, s: &mut String| s.push_str(crate::json::u64_digits(n as u64, &mut [0; 20]));
        let mut s = String::new();
        match self.format {
            None => s.push_str("GrowthBook payload"),
            Some(v) => {
                s.push_str("hearth manifest v");
                count(v as usize, &mut s);
                if let Some(n) = &self.name {
                    s.push_str(" `");
                    s.push_str(n);
                    s.push('`');
                }
            }
        }
        let sensitive = self.taxonomy.tags.iter().filter(|t| t.sensitive).count();
        let artworks: usize = self.catalog.items.iter().map(|i| i.artworks.len()).sum();
        let parts = [
            (self.growthbook.feature_count(), "feature", 0, ""),
            (self.growthbook.experiment_count(), "experiment", 0, ""),
            (self.taxonomy.tags.len(), "tag", sensitive, " sensitive"),
            (self.segments.len(), "segment", 0, ""),
            (self.slots.len(), "slot", 0, ""),
            (self.promotions.len(), "promotion", 0, ""),
            (self.catalog.items.len(), "catalog item", artworks, " artworks"),
            (self.recommendations.len(), "recommendation list", 0, ""),
        ];
        for (i, (n, what, extra, of)) in parts.into_iter().filter(|p| p.0 > 0).enumerate() {
            s.push_str(if i == 0 { ": " } else { ", " });
            count(n, &mut s);
            s.push(' ');
            s.push_str(what);
            if n != 1 {
                s.push('s');
            }
            if extra > 0 {
                s.push_str(" (");
                count(extra, &mut s);
                s.push_str(of);
                s.push(')');
            }
        }
        s
    }
}

/// Names of the top-level keys of a GrowthBook SDK payload.
const GROWTHBOOK_KEYS: [&str; 9] = [
    "features",
    "savedGroups",
    "experiments",
    "contextualBandits",
    "encryptedFeatures",
    "encryptedSavedGroups",
    "encryptedExperiments",
    "status",
    "dateUpdated",
];

/// The encrypted GrowthBook sections, with the section each decrypts to.
const ENCRYPTED: [(&str, &str); 3] =
    [("encryptedFeatures", "features"), ("encryptedSavedGroups", "savedGroups"), ("encryptedExperiments", "experiments")];

/// The document's GrowthBook keys, as they are (encrypted sections still encrypted).
fn growthbook_part(doc: &Object) -> Object {
    let mut gb = Object::new();
    for k in GROWTHBOOK_KEYS {
        if let Some(v) = doc.get(k) {
            gb.insert(k, v.clone());
        }
    }
    gb
}

/// `text` as a JSON document, or its syntax error as the one issue.
fn document(text: &str) -> Result<Value, Issues> {
    json::parse(text).map_err(|e| {
        let mut issues = Issues::new();
        issues.push("", e.to_string());
        issues
    })
}

struct Decoder<'r, 'i> {
    regex: &'r dyn RegexEngine,
    issues: &'i mut Issues,
}

impl Decoder<'_, '_> {
    fn manifest(&mut self, doc: &Value, key: Option<&str>) -> Option<Manifest> {
        let mut f = object(doc, "", self.issues)?;
        let format = match f.get("hearth") {
            None => None,
            Some(v) => match count_in(v, "hearth", 1, u32::MAX, self.issues) {
                Some(n) if n > FORMAT_VERSION => {
                    self.issues
                        .push("hearth", format!("format version {n} is newer than this engine reads ({FORMAT_VERSION}); upgrade hearth"));
                    return None;
                }
                n => n,
            },
        };
        let gb_doc = self.decrypted_growthbook_part(f.obj, key);
        let growthbook = Payload::compile(&gb_doc, self.regex, self.issues);
        for k in GROWTHBOOK_KEYS {
            f.get(k);
        }
        let m = Manifest {
            format,
            name: None,
            growthbook,
            profile: ProfileSettings::default(),
            taxonomy: Taxonomy::default(),
            segments: Vec::new(),
            slots: Vec::new(),
            placements: Vec::new(),
            promotions: Vec::new(),
            catalog: Catalog::default(),
            recommendations: Vec::new(),
            priors: Priors::default(),
            claims: None,
            compiled_labels: None,
        };
        if format.is_none() {
            // A bare GrowthBook payload: its other keys belong to GrowthBook.
            return Some(m);
        }
        self.sections(f, m)
    }

    /// The GrowthBook part, with encrypted sections decrypted in place.
    fn decrypted_growthbook_part(&mut self, doc: &Object, key: Option<&str>) -> Value {
        let mut gb = growthbook_part(doc);
        for (enc, plain) in ENCRYPTED {
            let Some(cipher) = gb.remove(enc) else { continue };
            let Value::String(cipher) = cipher else {
                self.issues.push(enc, "must be a string");
                continue;
            };
            let Some(key) = key else {
                self.issues.push(enc, "is encrypted; pass the SDK's decryption key");
                continue;
            };
            match growthbook::decrypt(&cipher, key) {
                Err(e) => self.issues.push(enc, format!("cannot decrypt: {e}")),
                Ok(text) => match json::parse(&text) {
                    Ok(v) => gb.insert(plain, v),
                    Err(e) => self.issues.push(enc, format!("decrypted text is not JSON: {e}")),
                },
            }
        }
        Value::Object(gb)
    }

    /// The browser's Wasm reads hearth manifests compiled (compiled.rs): the validator below,
    /// the largest part of the engine, is left out of it.
    #[cfg(not(any(feature = "full", not(target_arch = "wasm32"))))]
    fn sections(&mut self, _: Fields, _: Manifest) -> Option<Manifest> {
        self.issues.push(
            "hearth",
            "is a JSON hearth manifest: the browser builds (hearth_browser_bg.wasm, hearth_features_bg.wasm) \
             load them compiled (`hearth compile manifest.json -o manifest.bin`, or Hearth.compile in Node); \
             the full build (hearth_wasm_bg.wasm) loads both",
        );
        None
    }
}

#[cfg(any(feature = "full", not(target_arch = "wasm32")))]
impl Decoder<'_, '_> {
    /// hearth's own sections, validated strictly.
    fn sections(&mut self, mut f: Fields, mut m: Manifest) -> Option<Manifest> {
        m.name = f.string("name", self.issues).map(str::to_owned);
        if let Some(v) = f.get("profile") {
            m.profile = self.profile(v);
        }
        if let Some(v) = f.get("taxonomy") {
            m.taxonomy = self.taxonomy(v);
        }
        let mut tags: Vec<&str> = m.taxonomy.tags.iter().map(|t| t.id.as_str()).collect();
        crate::sort::sort(&mut tags);
        tags.dedup();
        let tags = TagCheck { known: tags, strict: !m.taxonomy.tags.is_empty() };
        if let Some(v) = f.get("segments") {
            m.segments = self.keyed(v, "segments", |d, id, v, p| d.segment(id, v, p));
        }
        if let Some(v) = f.get("slots") {
            m.slots = self.keyed(v, "slots", |d, id, v, p| d.slot(id, v, p, &tags));
        }
        if let Some(v) = f.get("placements") {
            m.placements = self.keyed(v, "placements", |d, id, v, p| d.placement(id, v, p));
        }
        if let Some(v) = f.get("promotions") {
            m.promotions = self.promotions(v, &m.placements, &tags);
        }
        if let Some(v) = f.get("catalog") {
            m.catalog = self.catalog(v, &tags);
        }
        if let Some(v) = f.get("recommendations") {
            m.recommendations = self.keyed(v, "recommendations", |d, id, v, p| d.recommendation_list(id, v, p));
        }
        if let Some(v) = f.get("priors") {
            m.priors = self.priors(v, &m);
        }
        if let Some(v) = f.get("claims") {
            m.claims = self.claims(v);
        }
        for p in &m.promotions {
            for c in &p.requires_claims {
                if !m.claims.as_ref().is_some_and(|s| s.traits.contains(c)) {
                    self.issues
                        .push(format!("promotions.{}.requiresClaims", p.id), format!("claim `{c}` is not declared in claims.traits"));
                }
            }
        }
        f.deny_unknown(self.issues);
        m.resolve_tag_ids();
        Some(m)
    }

    /// An object of id -> definition, kept in document order.
    fn keyed<T>(&mut self, v: &Value, path: &str, mut each: impl FnMut(&mut Self, &str, &Value, &str) -> Option<T>) -> Vec<T> {
        let Some(f) = object(v, path, self.issues) else { return Vec::new() };
        let mut out = Vec::with_capacity(f.obj.len());
        for (id, item) in f.obj.iter() {
            let p = diag::key(path, id);
            if check_id(id, &p, self.issues) {
                out.extend(each(self, id, item, &p));
            }
        }
        out
    }

    fn condition(&mut self, v: Option<&Value>, path: &str) -> Condition {
        match v {
            None => Condition::always(),
            Some(v) => {
                condition::check(v, path, self.regex, self.issues);
                Condition::compile(v, self.regex)
            }
        }
    }

    fn content(&mut self, v: Option<&Value>, path: &str) -> Object {
        match v {
            None => Object::new(),
            Some(Value::Object(o)) => o.clone(),
            Some(other) => {
                self.issues.push(path, diag::found("must be an object", other));
                Object::new()
            }
        }
    }

    fn profile(&mut self, v: &Value) -> ProfileSettings {
        let d = ProfileSettings::default();
        let Some(mut f) = object(v, "profile", self.issues) else { return d };
        let s = ProfileSettings {
            half_life_days: f.number("halfLifeDays", 0.1, 3650.0, d.half_life_days, self.issues),
            recent_items: f.count("recentItems", 0, 200, d.recent_items, self.issues),
            retention_days: f.count("retentionDays", 1, 3650, d.retention_days, self.issues),
            session_minutes: f.count("sessionMinutes", 1, 1440, d.session_minutes, self.issues),
        };
        f.deny_unknown(self.issues);
        s
    }

    fn taxonomy(&mut self, v: &Value) -> Taxonomy {
        let Some(mut f) = object(v, "taxonomy", self.issues) else { return Taxonomy::default() };
        let tags_path = f.at("tags");
        let tags = match f.get("tags") {
            Some(t) => self.keyed(t, &tags_path, |d, id, v, p| d.tag(id, v, p)),
            None => Vec::new(),
        };
        f.deny_unknown(self.issues);
        // Parents must exist and not loop.
        for t in &tags {
            let Some(parent) = &t.parent else { continue };
            let path = format!("{}.parent", diag::key(&tags_path, &t.id));
            if !tags.iter().any(|o| &o.id == parent) {
                self.issues.push(path, format!("unknown tag `{parent}`"));
                continue;
            }
            let mut seen = vec![t.id.as_str()];
            let mut cur = Some(parent.as_str());
            while let Some(id) = cur {
                if seen.contains(&id) {
                    self.issues.push(path.clone(), format!("parent chain loops back to `{id}`"));
                    break;
                }
                seen.push(id);
                cur = tags.iter().find(|o| o.id == id).and_then(|o| o.parent.as_deref());
            }
        }
        Taxonomy::new(tags)
    }

    fn tag(&mut self, id: &str, v: &Value, path: &str) -> Option<Tag> {
        let mut f = object(v, path, self.issues)?;
        let tag = Tag {
            id: id.to_owned(),
            label: f.required_string("label", self.issues).unwrap_or(id).to_owned(),
            parent: f.string("parent", self.issues).map(str::to_owned),
            sensitive: f.bool("sensitive", false, self.issues),
            learnable: f.bool("learn", false, self.issues),
        };
        if tag.learnable && !tag.sensitive {
            self.issues.push(f.at("learn"), "only applies to sensitive tags (ordinary tags are always learnable)");
        }
        f.deny_unknown(self.issues);
        Some(tag)
    }

    fn segment(&mut self, id: &str, v: &Value, path: &str) -> Option<Segment> {
        let mut f = object(v, path, self.issues)?;
        let label = f.string("label", self.issues).unwrap_or(id).to_owned();
        let cond_path = f.at("condition");
        let cond = f.get("condition");
        if cond.is_none() {
            self.issues.push(cond_path.clone(), "is required");
        }
        let condition = self.condition(cond, &cond_path);
        f.get("description");
        f.deny_unknown(self.issues);
        Some(Segment { id: id.to_owned(), label, condition })
    }

    fn slot(&mut self, id: &str, v: &Value, path: &str, tags: &TagCheck) -> Option<Slot> {
        let mut f = object(v, path, self.issues)?;
        let strategy = match f.required_string("strategy", self.issues) {
            None => Strategy::Rules,
            Some(s) => Strategy::parse(s).unwrap_or_else(|| {
                self.issues.push(f.at("strategy"), format!("unknown strategy `{s}` (expected one of {})", Strategy::NAMES.join(", ")));
                Strategy::Rules
            }),
        };
        let exploration = f.number("exploration", 0.0, 1.0, 0.1, self.issues);
        let cond_path = f.at("condition");
        let condition = self.condition(f.get("condition"), &cond_path);
        let variants_path = f.at("variants");
        let raw_variants = f.array("variants", self.issues);
        if raw_variants.is_empty() && f.obj.contains_key("variants") {
            self.issues.push(&variants_path, "must list at least one variant");
        } else if !f.obj.contains_key("variants") {
            self.issues.push(&variants_path, "is required");
        }
        let mut variants: Vec<Variant> = Vec::with_capacity(raw_variants.len());
        for (i, rv) in raw_variants.iter().enumerate() {
            let p = diag::index(&variants_path, i);
            if let Some(var) = self.variant(rv, &p, tags) {
                if variants.iter().any(|o| o.id == var.id) {
                    self.issues.push(format!("{p}.id"), format!("duplicate variant id `{}`", var.id));
                }
                variants.push(var);
            }
        }
        let default_variant = match f.string("default", self.issues) {
            Some(d) => variants.iter().position(|v| v.id == d).unwrap_or_else(|| {
                if !variants.is_empty() {
                    let ids: Vec<&str> = variants.iter().map(|v| v.id.as_str()).collect();
                    self.issues.push(f.at("default"), format!("unknown variant `{d}` (variants: {})", ids.join(", ")));
                }
                0
            }),
            None => 0,
        };
        let experiment = match f.get("experiment") {
            Some(e) => self.slot_experiment(e, &f.at("experiment"), id),
            None => None,
        };
        if strategy == Strategy::Experiment && variants.iter().map(|v| v.weight).sum::<f64>() > 1.0 + 1e-9 {
            self.issues.push(&variants_path, "weights of an experiment slot must sum to at most 1");
        }
        let label = f.string("label", self.issues).map(str::to_owned);
        f.get("description");
        f.deny_unknown(self.issues);
        Some(Slot {
            id: id.to_owned(),
            label,
            strategy,
            default_variant,
            condition,
            exploration,
            experiment: experiment.or_else(|| {
                (strategy == Strategy::Experiment).then(|| SlotExperiment {
                    key: id.to_owned(),
                    hash_attribute: "id".to_owned(),
                    coverage: 1.0,
                })
            }),
            variants,
        })
    }

    fn slot_experiment(&mut self, v: &Value, path: &str, slot: &str) -> Option<SlotExperiment> {
        let mut f = object(v, path, self.issues)?;
        let e = SlotExperiment {
            key: f.string("key", self.issues).unwrap_or(slot).to_owned(),
            hash_attribute: f.string("hashAttribute", self.issues).unwrap_or("id").to_owned(),
            coverage: f.number("coverage", 0.0, 1.0, 1.0, self.issues),
        };
        f.deny_unknown(self.issues);
        Some(e)
    }

    fn variant(&mut self, v: &Value, path: &str, tags: &TagCheck) -> Option<Variant> {
        let mut f = object(v, path, self.issues)?;
        let id = f.required_string("id", self.issues)?;
        check_id(id, &f.at("id"), self.issues);
        let label = f.string("label", self.issues).map(str::to_owned);
        let tag_list = f.strings("tags", self.issues);
        tags.check(&tag_list, &f.at("tags"), self.issues);
        let weight = f.number("weight", 0.0, 1.0, 1.0, self.issues);
        let cond_path = f.at("condition");
        let condition = self.condition(f.get("condition"), &cond_path);
        let content_path = f.at("content");
        let content = self.content(f.get("content"), &content_path);
        f.deny_unknown(self.issues);
        Some(Variant { id: id.to_owned(), label, tags: tag_list, weight, condition, content, tag_ids: Vec::new() })
    }

    fn placement(&mut self, id: &str, v: &Value, path: &str) -> Option<Placement> {
        let mut f = object(v, path, self.issues)?;
        let max_per_page = f.count("maxPerPage", 1, 100, 1, self.issues);
        f.deny_unknown(self.issues);
        Some(Placement { id: id.to_owned(), max_per_page })
    }

    fn promotions(&mut self, v: &Value, placements: &[Placement], tags: &TagCheck) -> Vec<Promotion> {
        self.keyed(v, "promotions", |d, id, v, p| {
            let promo = d.promotion(id, v, p, tags)?;
            if !placements.iter().any(|pl| pl.id == promo.placement) {
                d.issues.push(format!("{p}.placement"), format!("unknown placement `{}` (declare it under placements)", promo.placement));
            }
            Some(promo)
        })
    }

    fn promotion(&mut self, id: &str, v: &Value, path: &str, tags: &TagCheck) -> Option<Promotion> {
        let mut f = object(v, path, self.issues)?;
        let placement = f.required_string("placement", self.issues).unwrap_or_default().to_owned();
        let label = f.string("label", self.issues).map(str::to_owned);
        let tag_list = f.strings("tags", self.issues);
        tags.check(&tag_list, &f.at("tags"), self.issues);
        let content_path = f.at("content");
        let content = self.content(f.get("content"), &content_path);
        let cond_path = f.at("condition");
        let condition = self.condition(f.get("condition"), &cond_path);
        let (starts_at, ends_at) = match f.get("window") {
            Some(w) => self.window(w, &f.at("window")),
            None => (None, None),
        };
        let dayparts_path = f.at("dayparts");
        let dayparts = f
            .array("dayparts", self.issues)
            .iter()
            .enumerate()
            .filter_map(|(i, d)| self.daypart(d, &diag::index(&dayparts_path, i)))
            .collect();
        let caps = match f.get("caps") {
            Some(c) => self.caps(c, &f.at("caps")),
            None => Caps::default(),
        };
        let cooldown = match f.get("cooldown") {
            Some(c) => self.cooldown(c, &f.at("cooldown")),
            None => Cooldown::default(),
        };
        let promo = Promotion {
            id: id.to_owned(),
            placement,
            label,
            tags: tag_list,
            content,
            condition,
            starts_at,
            ends_at,
            dayparts,
            birthday_month: f.bool("birthdayMonth", false, self.issues),
            caps,
            cooldown,
            priority: f.number("priority", 0.0, 1e6, 1.0, self.issues),
            value: f.number("value", 0.0, 1e9, 1.0, self.issues),
            exclusion_group: f.string("exclusionGroup", self.issues).map(str::to_owned),
            uses_profile: f.bool("usesProfile", false, self.issues),
            requires_claims: f.strings("requiresClaims", self.issues),
        };
        f.deny_unknown(self.issues);
        Some(promo)
    }

    fn window(&mut self, v: &Value, path: &str) -> (Option<i64>, Option<i64>) {
        let Some(mut f) = object(v, path, self.issues) else { return (None, None) };
        let date = |f: &mut Fields, key: &'static str, issues: &mut Issues| {
            let s = f.string(key, issues)?;
            crate::time::parse_iso(s).map_err(|e| issues.push(f.at(key), e)).ok()
        };
        let start = date(&mut f, "start", self.issues);
        let end = date(&mut f, "end", self.issues);
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                self.issues.push(f.at("end"), "must be after start");
            }
        }
        f.deny_unknown(self.issues);
        (start, end)
    }

    fn daypart(&mut self, v: &Value, path: &str) -> Option<Daypart> {
        let mut f = object(v, path, self.issues)?;
        let days_path = f.at("days");
        let mut days = Vec::new();
        for (i, d) in f.array("days", self.issues).iter().enumerate() {
            let p = diag::index(&days_path, i);
            match d.as_str().and_then(weekday) {
                Some(n) => days.push(n),
                None => self.issues.push(p, "must be a weekday: sun, mon, tue, wed, thu, fri or sat"),
            }
        }
        if days.is_empty() {
            days = (0..7).collect();
        }
        let minute = |f: &mut Fields, key: &'static str, default: u16, issues: &mut Issues| {
            let Some(s) = f.string(key, issues) else { return default };
            clock_minutes(s).unwrap_or_else(|| {
                issues.push(f.at(key), format!("`{s}` is not a time of day (HH:MM, 00:00 to 24:00)"));
                default
            })
        };
        let from_minute = minute(&mut f, "from", 0, self.issues);
        let to_minute = minute(&mut f, "to", 24 * 60, self.issues);
        f.deny_unknown(self.issues);
        Some(Daypart { days, from_minute, to_minute })
    }

    fn caps(&mut self, v: &Value, path: &str) -> Caps {
        let Some(mut f) = object(v, path, self.issues) else { return Caps::default() };
        let caps = Caps {
            per_day: f.optional_count("perDay", 0, 1000, self.issues),
            per_week: f.optional_count("perWeek", 0, 10_000, self.issues),
            lifetime: f.optional_count("lifetime", 0, 100_000, self.issues),
        };
        f.deny_unknown(self.issues);
        caps
    }

    fn cooldown(&mut self, v: &Value, path: &str) -> Cooldown {
        let Some(mut f) = object(v, path, self.issues) else { return Cooldown::default() };
        let c = Cooldown {
            after_dismiss_days: f.count("afterDismissDays", 0, 3650, 0, self.issues),
            after_conversion_days: f.count("afterConversionDays", 0, 3650, 0, self.issues),
        };
        f.deny_unknown(self.issues);
        c
    }

    fn catalog(&mut self, v: &Value, tags: &TagCheck) -> Catalog {
        let Some(mut f) = object(v, "catalog", self.issues) else { return Catalog::default() };
        let factor_dims = f.count("factors", 0, MAX_FACTOR_DIMS as u32, 0, self.issues) as usize;
        let items_path = f.at("items");
        let raw = f.array("items", self.issues);
        if raw.len() > MAX_CATALOG_ITEMS {
            self.issues.push(&items_path, format!("has {} items; at most {MAX_CATALOG_ITEMS} are supported", raw.len()));
        }
        let mut seen: HashSet<Box<str>> = HashSet::new();
        let mut items = Vec::with_capacity(raw.len().min(MAX_CATALOG_ITEMS));
        for (i, rv) in raw.iter().take(MAX_CATALOG_ITEMS).enumerate() {
            let p = diag::index(&items_path, i);
            if let Some(item) = self.item(rv, &p, factor_dims, tags) {
                if !seen.insert(item.id.as_str().into()) {
                    self.issues.push(format!("{p}.id"), format!("duplicate item id `{}`", item.id));
                }
                items.push(item);
            }
        }
        f.deny_unknown(self.issues);
        Catalog::new(factor_dims, items)
    }

    fn item(&mut self, v: &Value, path: &str, dims: usize, tags: &TagCheck) -> Option<Item> {
        let mut f = object(v, path, self.issues)?;
        let id = f.required_string("id", self.issues)?.to_owned();
        check_id(&id, &f.at("id"), self.issues);
        let title = f.string("title", self.issues).map(str::to_owned);
        let tag_list = f.strings("tags", self.issues);
        tags.check(&tag_list, &f.at("tags"), self.issues);
        let content_path = f.at("content");
        let content = self.content(f.get("content"), &content_path);
        let art_path = f.at("artworks");
        let mut artworks: Vec<Artwork> = Vec::new();
        for (i, a) in f.array("artworks", self.issues).iter().enumerate() {
            let p = diag::index(&art_path, i);
            if let Some(art) = self.artwork(a, &p, tags) {
                if artworks.iter().any(|o| o.id == art.id) {
                    self.issues.push(format!("{p}.id"), format!("duplicate artwork id `{}`", art.id));
                }
                artworks.push(art);
            }
        }
        let factors_path = f.at("factors");
        let factors = match f.get("factors") {
            None => None,
            Some(Value::Array(xs)) => {
                if dims == 0 {
                    self.issues.push(&factors_path, "item factors need catalog.factors (their dimension)");
                } else if xs.len() != dims {
                    self.issues.push(&factors_path, format!("has {} numbers; catalog.factors says {dims}", xs.len()));
                }
                let nums: Vec<f32> = xs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| number_in(x, &diag::index(&factors_path, i), -1e6, 1e6, self.issues).map(|n| n as f32))
                    .collect();
                (nums.len() == dims).then_some(nums)
            }
            Some(other) => {
                self.issues.push(&factors_path, diag::found("must be an array of numbers", other));
                None
            }
        };
        f.deny_unknown(self.issues);
        Some(Item { id, title, tags: tag_list, content, artworks, factors, tag_ids: Vec::new(), popularity: 0.0 })
    }

    fn artwork(&mut self, v: &Value, path: &str, tags: &TagCheck) -> Option<Artwork> {
        let mut f = object(v, path, self.issues)?;
        let id = f.required_string("id", self.issues)?.to_owned();
        check_id(&id, &f.at("id"), self.issues);
        let tag_list = f.strings("tags", self.issues);
        tags.check(&tag_list, &f.at("tags"), self.issues);
        let content_path = f.at("content");
        let content = self.content(f.get("content"), &content_path);
        f.deny_unknown(self.issues);
        Some(Artwork { id, tags: tag_list, content, tag_ids: Vec::new() })
    }

    fn recommendation_list(&mut self, id: &str, v: &Value, path: &str) -> Option<RecommendationList> {
        let mut f = object(v, path, self.issues)?;
        let k = f.count("k", 1, 100, 10, self.issues);
        let exclude_path = f.at("exclude");
        let exclude = f.strings("exclude", self.issues);
        for (i, e) in exclude.iter().enumerate() {
            if !matches!(e.as_str(), "viewed" | "purchased") {
                self.issues.push(diag::index(&exclude_path, i), format!("unknown exclusion `{e}` (expected viewed or purchased)"));
            }
        }
        let filter_path = f.at("filter");
        let filter = self.condition(f.get("filter"), &filter_path);
        let list = RecommendationList {
            id: id.to_owned(),
            k,
            exclude_viewed: exclude.iter().any(|e| e == "viewed"),
            exclude_purchased: exclude.iter().any(|e| e == "purchased"),
            max_per_tag: f.count("maxPerTag", 0, 100, 0, self.issues),
            mmr_lambda: f.number("mmrLambda", 0.0, 1.0, 1.0, self.issues),
            filter,
        };
        f.deny_unknown(self.issues);
        Some(list)
    }

    fn priors(&mut self, v: &Value, m: &Manifest) -> Priors {
        let mut priors = Priors::default();
        let Some(mut f) = object(v, "priors", self.issues) else { return priors };
        // Collected, then sorted once into the maps (the keys are distinct).
        let (mut variants, mut promotions, mut popularity) = (Vec::new(), Vec::new(), Vec::new());
        if let Some(slots) = f.get("slots") {
            if let Some(sf) = object(slots, "priors.slots", self.issues) {
                for (slot_id, per_variant) in sf.obj.iter() {
                    let sp = diag::key("priors.slots", slot_id);
                    let slot = m.slot(slot_id);
                    if slot.is_none() {
                        self.issues.push(&sp, format!("unknown slot `{slot_id}`"));
                    }
                    let Some(vf) = object(per_variant, &sp, self.issues) else { continue };
                    for (var_id, b) in vf.obj.iter() {
                        let vp = diag::key(&sp, var_id);
                        if let Some(s) = slot {
                            if !s.variants.iter().any(|v| v.id == var_id) {
                                self.issues.push(&vp, format!("unknown variant `{var_id}` of slot `{slot_id}`"));
                            }
                        }
                        if let Some(beta) = self.beta(b, &vp) {
                            variants.push(((slot_id.to_owned(), var_id.to_owned()), beta));
                        }
                    }
                }
            }
        }
        if let Some(promos) = f.get("promotions") {
            if let Some(pf) = object(promos, "priors.promotions", self.issues) {
                for (id, b) in pf.obj.iter() {
                    let p = diag::key("priors.promotions", id);
                    if !m.promotions.iter().any(|x| x.id == id) {
                        self.issues.push(&p, format!("unknown promotion `{id}`"));
                    }
                    if let Some(beta) = self.beta(b, &p) {
                        promotions.push((id.to_owned(), beta));
                    }
                }
            }
        }
        if let Some(pop) = f.get("popularity") {
            if let Some(pf) = object(pop, "priors.popularity", self.issues) {
                for (id, n) in pf.obj.iter() {
                    let p = diag::key("priors.popularity", id);
                    if m.catalog.get(id).is_none() {
                        self.issues.push(&p, format!("unknown catalog item `{id}`"));
                    }
                    if let Some(n) = number_in(n, &p, 0.0, f64::MAX, self.issues) {
                        popularity.push((id.to_owned(), n));
                    }
                }
            }
        }
        priors.variants = variants.into_iter().collect();
        priors.promotions = promotions.into_iter().collect();
        priors.popularity = popularity.into_iter().collect();
        f.deny_unknown(self.issues);
        priors
    }

    fn beta(&mut self, v: &Value, path: &str) -> Option<Beta> {
        let mut f = object(v, path, self.issues)?;
        let alpha = f.get("alpha").and_then(|a| number_in(a, &diag::key(path, "alpha"), 1e-6, 1e9, self.issues));
        let beta = f.get("beta").and_then(|b| number_in(b, &diag::key(path, "beta"), 1e-6, 1e9, self.issues));
        for (k, x) in [("alpha", alpha), ("beta", beta)] {
            if x.is_none() && !f.obj.contains_key(k) {
                self.issues.push(diag::key(path, k), "is required");
            }
        }
        f.deny_unknown(self.issues);
        Some(Beta { alpha: alpha?, beta: beta? })
    }

    fn claims(&mut self, v: &Value) -> Option<ClaimSettings> {
        let mut f = object(v, "claims", self.issues)?;
        let key = f.required_string("publicKey", self.issues);
        let traits = f.strings("traits", self.issues);
        f.deny_unknown(self.issues);
        let public_key = match crate::base64::decode(key?) {
            Ok(k) if k.len() == 32 => k,
            Ok(k) => {
                self.issues.push("claims.publicKey", format!("an Ed25519 public key is 32 bytes, this is {}", k.len()));
                return None;
            }
            Err(e) => {
                self.issues.push("claims.publicKey", format!("not base64: {e}"));
                return None;
            }
        };
        Some(ClaimSettings { public_key, traits })
    }
}

#[cfg(any(feature = "full", not(target_arch = "wasm32")))]
/// Checks tag references against the taxonomy (when it declares any).
struct TagCheck<'a> {
    /// Sorted and distinct.
    known: Vec<&'a str>,
    strict: bool,
}

#[cfg(any(feature = "full", not(target_arch = "wasm32")))]
impl TagCheck<'_> {
    fn check(&self, tags: &[String], path: &str, issues: &mut Issues) {
        if !self.strict {
            return;
        }
        for (i, t) in tags.iter().enumerate() {
            if self.known.binary_search(&t.as_str()).is_err() {
                let hint = diag::did_you_mean(t, &self.known);
                issues.push(diag::index(path, i), format!("unknown tag `{t}`: not in taxonomy.tags{hint}"));
            }
        }
    }
}

#[cfg(any(feature = "full", not(target_arch = "wasm32")))]
fn weekday(s: &str) -> Option<u8> {
    ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].iter().position(|d| *d == s).map(|n| n as u8)
}

#[cfg(any(feature = "full", not(target_arch = "wasm32")))]
/// `HH:MM` -> minutes after midnight (`24:00` is the end of the day).
fn clock_minutes(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}
