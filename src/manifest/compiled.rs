//! Compiled manifests: a validated manifest in a compact binary form.
//!
//! `Manifest::compile` (full builds: the CLI, Node, workerd) validates a JSON
//! manifest as `Manifest::parse` does and writes what it decoded;
//! `Manifest::from_compiled` (every build) reads it back without the JSON
//! validator: a site compiles its manifest once, at deploy time, and pages load
//! the result. Loading one is several times faster than parsing the JSON
//! (BENCHMARKS.md).
//!
//! Layout: the magic `HEARTHc`, the layout version ([`LAYOUT`]), the fields in
//! declaration order, and an FNV-1a checksum of everything before it. Numbers
//! are LEB128 varints, `f64`/`f32` little-endian; strings, lists and options
//! carry a length or a tag. Conditions, content objects and the GrowthBook part
//! are JSON text, compiled on load with the same code the JSON path uses.
//! Derived data (taxonomy and catalog indexes, tag positions, popularity) is
//! rebuilt on load, never stored; the one exception is the labels document
//! (`Manifest::labels_json`, last before the checksum), which the browser builds
//! hand over as stored rather than carry the code that writes it.
//!
//! Bad input is normal input: a file that is not compiled, of another layout,
//! truncated or damaged is a typed issue naming the byte, and even a crafted
//! file with a valid checksum cannot make the engine index out of range (the
//! reader checks what the decisions rely on; tests mutate every field).

use super::{
    Artwork, Beta, Caps, Catalog, ClaimSettings, Cooldown, Daypart, Item, Manifest, Placement, Priors, ProfileSettings, Promotion,
    RecommendationList, Segment, Slot, SlotExperiment, Strategy, Tag, Taxonomy, Variant, MAX_CATALOG_ITEMS, MAX_FACTOR_DIMS,
};
use crate::condition::Condition;
use crate::diag::Issues;
use crate::growthbook::Payload;
use crate::host::RegexEngine;
use crate::json::{self, Object, Value};
use crate::wire;

/// The first bytes of every compiled manifest.
pub const MAGIC: &[u8; 7] = b"HEARTHc";
/// The binary layout's version: a new engine reads only its own (compile again after upgrading).
pub const LAYOUT: u8 = 2;

/// Whether `bytes` start like a compiled manifest (what loaders sniff).
pub fn is_compiled(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

// ---- writing (full builds) ----

#[cfg(feature = "full")]
mod write {
    use super::*;
    use crate::json::Object;

    pub(super) struct Writer {
        pub out: Vec<u8>,
    }

    impl Writer {
        pub fn u(&mut self, n: u64) {
            wire::put_u(&mut self.out, n);
        }
        pub fn i(&mut self, n: i64) {
            wire::put_i(&mut self.out, n);
        }
        pub fn f(&mut self, x: f64) {
            self.out.extend_from_slice(&x.to_le_bytes());
        }
        pub fn b(&mut self, x: bool) {
            self.out.push(u8::from(x));
        }
        pub fn s(&mut self, s: &str) {
            self.u(s.len() as u64);
            self.out.extend_from_slice(s.as_bytes());
        }
        pub fn os(&mut self, s: Option<&str>) {
            self.b(s.is_some());
            if let Some(s) = s {
                self.s(s);
            }
        }
        pub fn ou(&mut self, n: Option<u32>) {
            self.b(n.is_some());
            if let Some(n) = n {
                self.u(u64::from(n));
            }
        }
        pub fn oi(&mut self, n: Option<i64>) {
            self.b(n.is_some());
            if let Some(n) = n {
                self.i(n);
            }
        }
        pub fn strs(&mut self, xs: &[String]) {
            self.list(xs, |w, s| w.s(s));
        }
        pub fn list<T>(&mut self, xs: &[T], mut each: impl FnMut(&mut Self, &T)) {
            self.u(xs.len() as u64);
            for x in xs {
                each(self, x);
            }
        }
        pub fn object(&mut self, o: &Object) {
            self.s(&o.to_json());
        }
        /// A condition by its source (`None`: always).
        pub fn cond(&mut self, source: Option<&Value>) {
            self.s(&source.map(Value::to_json).unwrap_or_default());
        }
    }

    /// `doc.<section>.<id>` as an object (the validated source of an entry).
    pub(super) fn entry<'a>(doc: &'a Object, section: &str, id: &str) -> Option<&'a Object> {
        doc.get(section)?.as_object()?.get(id)?.as_object()
    }

    pub(super) fn field<'a>(o: Option<&'a Object>, key: &str) -> Option<&'a Value> {
        o?.get(key).filter(|v| !v.is_null())
    }
}

#[cfg(feature = "full")]
impl Manifest {
    /// Validates a JSON manifest (as [`Manifest::parse`]) and compiles it. A manifest with
    /// encrypted GrowthBook sections is refused: its compiled form would hold them decrypted.
    pub fn compile(text: &str, regex: &dyn RegexEngine) -> Result<Vec<u8>, Issues> {
        let doc = super::document(text)?;
        if let Some(o) = doc.as_object() {
            let mut issues = Issues::new();
            for (k, _) in super::ENCRYPTED.into_iter().filter(|(k, _)| o.contains_key(k)) {
                issues.push(
                    k,
                    "cannot be compiled: the compiled manifest would hold it decrypted (load the JSON manifest with its key instead)",
                );
            }
            if !issues.is_empty() {
                return Err(issues);
            }
        }
        let m = Manifest::from_value(&doc, None, regex)?;
        let Some(doc) = doc.as_object() else { return Err(Issues::new()) };
        Ok(m.write_compiled(doc))
    }

    fn write_compiled(&self, doc: &Object) -> Vec<u8> {
        use write::{entry, field};
        let mut w = write::Writer { out: Vec::with_capacity(4096) };
        w.out.extend_from_slice(MAGIC);
        w.out.push(LAYOUT);
        w.object(&super::growthbook_part(doc));
        w.ou(self.format);
        w.os(self.name.as_deref());
        let p = &self.profile;
        w.f(p.half_life_days);
        w.u(u64::from(p.recent_items));
        w.u(u64::from(p.retention_days));
        w.u(u64::from(p.session_minutes));
        w.list(&self.taxonomy.tags, |w, t| {
            w.s(&t.id);
            w.s(&t.label);
            w.os(t.parent.as_deref());
            w.b(t.sensitive);
            w.b(t.learnable);
        });
        w.list(&self.segments, |w, s| {
            w.s(&s.id);
            w.s(&s.label);
            w.cond(field(entry(doc, "segments", &s.id), "condition"));
        });
        w.list(&self.slots, |w, s| {
            let src = entry(doc, "slots", &s.id);
            w.s(&s.id);
            w.os(s.label.as_deref());
            w.u(s.strategy as u64);
            w.u(s.default_variant as u64);
            w.cond(field(src, "condition"));
            w.f(s.exploration);
            w.b(s.experiment.is_some());
            if let Some(e) = &s.experiment {
                w.s(&e.key);
                w.s(&e.hash_attribute);
                w.f(e.coverage);
            }
            let sources = field(src, "variants").and_then(Value::as_array);
            w.u(s.variants.len() as u64);
            for (i, v) in s.variants.iter().enumerate() {
                w.s(&v.id);
                w.os(v.label.as_deref());
                w.strs(&v.tags);
                w.f(v.weight);
                w.cond(field(sources.and_then(|a| a.get(i)).and_then(Value::as_object), "condition"));
                w.object(&v.content);
            }
        });
        w.list(&self.placements, |w, p| {
            w.s(&p.id);
            w.u(u64::from(p.max_per_page));
        });
        w.list(&self.promotions, |w, p| {
            w.s(&p.id);
            w.s(&p.placement);
            w.os(p.label.as_deref());
            w.strs(&p.tags);
            w.object(&p.content);
            w.cond(field(entry(doc, "promotions", &p.id), "condition"));
            w.oi(p.starts_at);
            w.oi(p.ends_at);
            w.list(&p.dayparts, |w, d| {
                w.u(d.days.len() as u64);
                w.out.extend_from_slice(&d.days);
                w.u(u64::from(d.from_minute));
                w.u(u64::from(d.to_minute));
            });
            w.b(p.birthday_month);
            w.ou(p.caps.per_day);
            w.ou(p.caps.per_week);
            w.ou(p.caps.lifetime);
            w.u(u64::from(p.cooldown.after_dismiss_days));
            w.u(u64::from(p.cooldown.after_conversion_days));
            w.f(p.priority);
            w.f(p.value);
            w.os(p.exclusion_group.as_deref());
            w.b(p.uses_profile);
            w.strs(&p.requires_claims);
        });
        w.u(self.catalog.factor_dims as u64);
        w.list(&self.catalog.items, |w, it| {
            w.s(&it.id);
            w.os(it.title.as_deref());
            w.strs(&it.tags);
            w.object(&it.content);
            w.list(&it.artworks, |w, a| {
                w.s(&a.id);
                w.strs(&a.tags);
                w.object(&a.content);
            });
            w.b(it.factors.is_some());
            if let Some(f) = &it.factors {
                w.u(f.len() as u64);
                for x in f {
                    w.out.extend_from_slice(&x.to_le_bytes());
                }
            }
        });
        w.list(&self.recommendations, |w, r| {
            w.s(&r.id);
            w.u(u64::from(r.k));
            w.b(r.exclude_viewed);
            w.b(r.exclude_purchased);
            w.u(u64::from(r.max_per_tag));
            w.f(r.mmr_lambda);
            w.cond(field(entry(doc, "recommendations", &r.id), "filter"));
        });
        let pr = &self.priors;
        w.u(pr.variants.len() as u64);
        for ((slot, variant), b) in pr.variants.iter() {
            w.s(slot);
            w.s(variant);
            w.f(b.alpha);
            w.f(b.beta);
        }
        w.u(pr.promotions.len() as u64);
        for (id, b) in pr.promotions.iter() {
            w.s(id);
            w.f(b.alpha);
            w.f(b.beta);
        }
        w.u(pr.popularity.len() as u64);
        for (id, x) in pr.popularity.iter() {
            w.s(id);
            w.f(*x);
        }
        w.b(self.claims.is_some());
        if let Some(c) = &self.claims {
            w.u(c.public_key.len() as u64);
            w.out.extend_from_slice(&c.public_key);
            w.strs(&c.traits);
        }
        // Derived, but stored: the browser builds carry no code to write it (layout 2).
        w.s(&self.labels_json());
        let sum = wire::fnv1a(&w.out);
        w.out.extend_from_slice(&sum.to_le_bytes());
        w.out
    }
}

// ---- reading (every build) ----

/// Reads fields in order ([`wire::Reader`]: a damaged file costs no early returns); its issue
/// names the byte, not the field.
struct Reader<'a, 'r> {
    w: wire::Reader<'a>,
    regex: &'r dyn RegexEngine,
}

/// The field name this reader's problems carry (`from_compiled` reports the byte).
const AT: &str = "compiled";

impl Reader<'_, '_> {
    /// `value` when `ok`; otherwise marks the reader bad and gives `T::default()`.
    fn check<T: Default>(&mut self, ok: bool, value: T) -> T {
        self.w.check(ok, value, AT)
    }
    fn u(&mut self) -> u64 {
        self.w.u(AT)
    }
    /// A varint no larger than `max`.
    fn upto(&mut self, max: u32) -> u32 {
        self.w.up_to(u64::from(max), AT) as u32
    }
    fn u32(&mut self) -> u32 {
        self.w.u32(AT)
    }
    fn i(&mut self) -> i64 {
        self.w.i(AT)
    }
    /// A finite `f64` in `range` (nothing the validator passes is NaN or infinite).
    fn f_in(&mut self, range: core::ops::RangeInclusive<f64>) -> f64 {
        let b = self.w.take(8, AT);
        let x = b.try_into().map_or(0.0, f64::from_le_bytes);
        self.check(range.contains(&x), x)
    }
    fn f(&mut self) -> f64 {
        self.f_in(f64::MIN..=f64::MAX)
    }
    fn b(&mut self) -> bool {
        let b = self.w.byte(AT);
        self.check(b <= 1, b == 1)
    }
    /// A length: each element takes at least a byte, so a length past the end is damage
    /// (and never a huge allocation).
    fn len(&mut self) -> usize {
        let n = self.u();
        let left = self.w.remaining() as u64;
        self.check(n <= left, n as usize)
    }
    fn s(&mut self) -> String {
        self.w.str(usize::MAX, AT)
    }
    fn os(&mut self) -> Option<String> {
        if self.b() {
            Some(self.s())
        } else {
            None
        }
    }
    fn ou(&mut self) -> Option<u32> {
        if self.b() {
            Some(self.u32())
        } else {
            None
        }
    }
    fn oi(&mut self) -> Option<i64> {
        if self.b() {
            Some(self.i())
        } else {
            None
        }
    }
    fn list<T>(&mut self, mut each: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let n = self.len();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            if self.w.problem().is_some() {
                break;
            }
            out.push(each(self));
        }
        out
    }
    fn strs(&mut self) -> Vec<String> {
        self.list(Self::s)
    }
    fn value(&mut self) -> Value {
        let text = self.s();
        let v = json::parse(&text);
        let ok = v.is_ok();
        self.check(ok, v.unwrap_or_default())
    }
    fn object(&mut self) -> Object {
        match self.value() {
            Value::Object(o) => o,
            _ => self.check(false, Object::new()),
        }
    }
    fn cond(&mut self) -> Condition {
        let text = self.s();
        if text.is_empty() {
            return Condition::always();
        }
        match json::parse(&text) {
            Ok(v) => Condition::compile(&v, self.regex),
            Err(_) => {
                self.check(false, ());
                Condition::always()
            }
        }
    }

    fn manifest(&mut self, issues: &mut Issues) -> Manifest {
        let gb = self.object();
        let growthbook = Payload::compile(&Value::Object(gb), self.regex, issues);
        let format = self.ou();
        let name = self.os();
        let profile = ProfileSettings {
            half_life_days: self.f_in(0.1..=3650.0),
            recent_items: self.upto(200),
            retention_days: self.u32(),
            session_minutes: self.u32(),
        };
        let tags = self.list(|r| Tag { id: r.s(), label: r.s(), parent: r.os(), sensitive: r.b(), learnable: r.b() });
        let segments = self.list(|r| Segment { id: r.s(), label: r.s(), condition: r.cond() });
        let slots = self.list(Self::slot);
        let placements = self.list(|r| Placement { id: r.s(), max_per_page: r.u32() });
        let promotions = self.list(Self::promotion);
        let dims = self.upto(MAX_FACTOR_DIMS as u32) as usize;
        let items = self.list(|r| r.item(dims));
        self.check(items.len() <= MAX_CATALOG_ITEMS, ());
        let recommendations = self.list(|r| RecommendationList {
            id: r.s(),
            k: {
                let k = r.upto(100);
                r.check(k > 0, k)
            },
            exclude_viewed: r.b(),
            exclude_purchased: r.b(),
            max_per_tag: r.u32(),
            mmr_lambda: r.f_in(0.0..=1.0),
            filter: r.cond(),
        });
        let beta = |r: &mut Self| Beta { alpha: r.f_in(f64::MIN_POSITIVE..=f64::MAX), beta: r.f_in(f64::MIN_POSITIVE..=f64::MAX) };
        let mut priors = Priors::default();
        for ((slot, variant), b) in self.list(|r| ((r.s(), r.s()), beta(r))) {
            priors.variants.insert((slot, variant), b);
        }
        for (id, b) in self.list(|r| (r.s(), beta(r))) {
            priors.promotions.insert(id, b);
        }
        for (id, x) in self.list(|r| (r.s(), r.f())) {
            priors.popularity.insert(id, x);
        }
        let claims = if self.b() {
            let n = self.len();
            Some(ClaimSettings { public_key: self.w.take(n, AT).to_vec(), traits: self.strs() })
        } else {
            None
        };
        let labels = self.s();
        let labels = self.check(matches!(json::parse(&labels), Ok(Value::Object(_))), labels);
        let mut m = Manifest {
            format,
            name,
            growthbook,
            profile,
            taxonomy: Taxonomy::new(tags),
            segments,
            slots,
            placements,
            promotions,
            catalog: Catalog::new(dims, items),
            recommendations,
            priors,
            claims,
            compiled_labels: Some(labels),
        };
        m.resolve_tag_ids();
        m
    }

    fn slot(&mut self) -> Slot {
        let id = self.s();
        let label = self.os();
        let strategy = Strategy::ALL[self.upto(Strategy::ALL.len() as u32 - 1) as usize];
        let default_variant = self.u32() as usize;
        let condition = self.cond();
        let exploration = self.f_in(0.0..=1.0);
        let experiment =
            if self.b() { Some(SlotExperiment { key: self.s(), hash_attribute: self.s(), coverage: self.f_in(0.0..=1.0) }) } else { None };
        let variants = self.list(|r| Variant {
            id: r.s(),
            label: r.os(),
            tags: r.strs(),
            weight: r.f_in(0.0..=f64::MAX),
            condition: r.cond(),
            content: r.object(),
            tag_ids: Vec::new(),
        });
        // Decisions index the default and need a variant to fall back to.
        self.check(default_variant < variants.len(), ());
        Slot { id, label, strategy, default_variant, condition, exploration, experiment, variants }
    }

    fn promotion(&mut self) -> Promotion {
        Promotion {
            id: self.s(),
            placement: self.s(),
            label: self.os(),
            tags: self.strs(),
            content: self.object(),
            condition: self.cond(),
            starts_at: self.oi(),
            ends_at: self.oi(),
            dayparts: self.list(|r| {
                let n = r.len();
                let days = r.w.take(n, AT).to_vec();
                r.check(days.iter().all(|&d| d < 7), ());
                Daypart { days, from_minute: r.upto(1440) as u16, to_minute: r.upto(1440) as u16 }
            }),
            birthday_month: self.b(),
            caps: Caps { per_day: self.ou(), per_week: self.ou(), lifetime: self.ou() },
            cooldown: Cooldown { after_dismiss_days: self.u32(), after_conversion_days: self.u32() },
            priority: self.f(),
            value: self.f(),
            exclusion_group: self.os(),
            uses_profile: self.b(),
            requires_claims: self.strs(),
        }
    }

    fn item(&mut self, dims: usize) -> Item {
        let id = self.s();
        let title = self.os();
        let tags = self.strs();
        let content = self.object();
        let artworks = self.list(|r| Artwork { id: r.s(), tags: r.strs(), content: r.object(), tag_ids: Vec::new() });
        let factors = if self.b() {
            let n = self.len();
            self.check(n == dims, ());
            let f: Vec<f32> =
                self.w.take(n.saturating_mul(4), AT).chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            self.check(f.iter().all(|x| x.is_finite()), ());
            Some(f)
        } else {
            None
        };
        Item { id, title, tags, content, artworks, factors, tag_ids: Vec::new(), popularity: 0.0 }
    }
}

impl Manifest {
    /// Reads a compiled manifest ([`Manifest::compile`]). Every problem is an issue at path
    /// `compiled`: not a compiled manifest, another layout version, damaged (the checksum), or a
    /// field that cannot be read (with its byte offset).
    pub fn from_compiled(bytes: &[u8], regex: &dyn RegexEngine) -> Result<Manifest, Issues> {
        let mut issues = Issues::new();
        let fail = |issues: &mut Issues, message: String| {
            issues.push("compiled", message);
        };
        if !is_compiled(bytes) {
            fail(&mut issues, "not a compiled hearth manifest (it does not start with HEARTHc)".to_owned());
            return Err(issues);
        }
        let head = MAGIC.len() + 1;
        let layout = bytes.get(MAGIC.len()).copied().unwrap_or(0);
        if layout != LAYOUT {
            fail(&mut issues, format!("compiled for layout {layout}, this engine reads layout {LAYOUT}: compile the manifest again"));
            return Err(issues);
        }
        let Some(body_end) = bytes.len().checked_sub(4).filter(|&e| e >= head) else {
            fail(&mut issues, "damaged: shorter than its header".to_owned());
            return Err(issues);
        };
        let stored = u32::from_le_bytes([bytes[body_end], bytes[body_end + 1], bytes[body_end + 2], bytes[body_end + 3]]);
        if wire::fnv1a(&bytes[..body_end]) != stored {
            fail(&mut issues, "damaged: the checksum does not match (truncated or altered)".to_owned());
            return Err(issues);
        }
        let mut r = Reader { w: wire::Reader::new(&bytes[..body_end], head), regex };
        let m = r.manifest(&mut issues);
        if let Some((at, _)) = r.w.problem() {
            fail(&mut issues, format!("damaged: a field at byte {at} cannot be read"));
        } else if r.w.pos() != body_end {
            fail(&mut issues, format!("damaged: {} unread bytes at byte {}", body_end - r.w.pos(), r.w.pos()));
        }
        if issues.is_empty() {
            Ok(m)
        } else {
            Err(issues)
        }
    }
}

#[cfg(all(test, feature = "full"))]
mod tests {
    use super::*;
    use crate::host::NativeRegexEngine;

    const SAMPLE: &str = include_str!("../../docs/manifest.sample.json");

    fn compiled() -> Vec<u8> {
        Manifest::compile(SAMPLE, &NativeRegexEngine).expect("the sample compiles")
    }

    /// Every decision the manifest offers, for a consented visitor who viewed a few items: the
    /// page answer's JSON.
    fn decide_everything(m: &Manifest) -> String {
        use crate::consent::policy::{decide as consent, Choices, Signals};
        use crate::decide::{Context, Request, Visit};
        use crate::profile::{Event, Profile};
        const T0: i64 = 1_779_962_400_000;
        let caps = consent(&Signals {
            choices: Some(Choices { store: true, content: true, promotions: true, measure: true }),
            ..Default::default()
        })
        .capabilities;
        let mut p = Profile::new(7, T0);
        if let Some(can) = caps.build_content {
            for it in m.catalog.items.iter().take(3) {
                let _ = p.record(&Event::View { item: it.id.clone() }, m, T0, can, false);
            }
        }
        let mut ctx = Context::new(T0);
        ctx.set_url("https://shop.example/c/trail?utm_campaign=spring");
        let req = Request {
            slots: None,
            artworks: m.catalog.items.iter().map(|i| i.id.clone()).collect(),
            placements: m.placements.iter().map(|p| p.id.clone()).collect(),
            lists: m.recommendations.iter().map(|r| (r.id.clone(), None)).collect(),
        };
        Visit::new(m, &p, &caps, &ctx).answer(&req)
    }

    fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
        let end = bytes.len() - 4;
        let sum = wire::fnv1a(&bytes[..end]);
        bytes[end..].copy_from_slice(&sum.to_le_bytes());
        bytes
    }

    #[test]
    fn the_labels_are_stored_and_checked() {
        let bytes = compiled();
        let m = Manifest::from_compiled(&bytes, &NativeRegexEngine).unwrap();
        let text = Manifest::parse(SAMPLE, &NativeRegexEngine).unwrap().labels_json();
        assert_eq!(m.compiled_labels.as_deref(), Some(text.as_str()), "stored as the JSON manifest writes them");
        // The last field before the checksum; anything but a JSON object there is damage.
        let at = bytes.len() - 4 - text.len() - 2; // a two-byte length
        assert_eq!(&bytes[at + 2..bytes.len() - 4], text.as_bytes());
        for bad in ["[]", "{\"a\":", "nope"] {
            let mut b = bytes[..at].to_vec();
            b.push(bad.len() as u8);
            b.extend_from_slice(bad.as_bytes());
            b.extend_from_slice(&[0; 4]);
            let issues = Manifest::from_compiled(&reseal(b), &NativeRegexEngine).err().expect("refused");
            assert!(issues.to_string().contains("cannot be read"), "{bad}: {issues}");
        }
    }

    #[test]
    fn round_trip_is_stable_and_keeps_the_manifest() {
        let bytes = compiled();
        assert!(is_compiled(&bytes));
        let json = Manifest::parse(SAMPLE, &NativeRegexEngine).unwrap();
        let m = Manifest::from_compiled(&bytes, &NativeRegexEngine).unwrap();
        assert_eq!(m.summary(), json.summary());
        assert_eq!(m.taxonomy, json.taxonomy);
        assert_eq!(m.catalog, json.catalog);
        assert_eq!(m.priors, json.priors);
        assert_eq!(m.profile, json.profile);
        assert_eq!(m.claims, json.claims);
        assert_eq!(m.placements, json.placements);
        for (a, b) in m.slots.iter().zip(&json.slots) {
            assert_eq!(
                (&a.id, a.strategy, a.default_variant, a.exploration, &a.experiment),
                (&b.id, b.strategy, b.default_variant, b.exploration, &b.experiment)
            );
            for (x, y) in a.variants.iter().zip(&b.variants) {
                assert_eq!((&x.id, &x.tags, x.weight, &x.content, &x.tag_ids), (&y.id, &y.tags, y.weight, &y.content, &y.tag_ids));
            }
        }
        for (a, b) in m.promotions.iter().zip(&json.promotions) {
            assert_eq!(
                (&a.id, &a.dayparts, &a.caps, &a.cooldown, a.priority, a.starts_at),
                (&b.id, &b.dayparts, &b.caps, &b.cooldown, b.priority, b.starts_at)
            );
        }
        assert_eq!(decide_everything(&m), decide_everything(&json), "the same decisions");
        assert_eq!(m.labels_json(), json.labels_json(), "the same labels");
        // Writing what was read gives the same bytes.
        let again = m.write_compiled(json::parse(SAMPLE).unwrap().as_object().unwrap());
        assert_eq!(again, bytes);
    }

    #[test]
    fn the_layout_is_pinned_by_a_golden_file() {
        // The same bytes natively as from the Wasm build (tests/js/api.test.mjs compares with
        // this file too). A change here is a layout change: bump LAYOUT, then regenerate with
        // `cargo run --bin hearth -- compile docs/manifest.sample.json -o tests/data/compiled/manifest.sample.bin`.
        assert!(compiled() == include_bytes!("../../tests/data/compiled/manifest.sample.bin"), "the compiled layout changed");
        assert_eq!(LAYOUT, 2, "a new layout needs a new golden file");
    }

    #[test]
    fn bad_files_are_named_issues() {
        let bytes = compiled();
        let issue = |b: &[u8]| Manifest::from_compiled(b, &NativeRegexEngine).err().expect("an error").0[0].to_string();
        assert!(issue(b"{\"hearth\":1}").contains("not a compiled hearth manifest"));
        let mut other = bytes.clone();
        other[MAGIC.len()] = LAYOUT + 1;
        assert!(issue(&other).contains("compile the manifest again"), "{}", issue(&other));
        assert!(issue(&bytes[..bytes.len() - 9]).contains("checksum"));
        let mut flipped = bytes.clone();
        flipped[40] ^= 0x20;
        assert!(issue(&flipped).contains("checksum"));
        assert!(issue(&bytes[..9]).contains("shorter than its header"));
        // A resealed truncation reads until the field that is missing.
        let cut = reseal([&bytes[..bytes.len() / 2], &[0, 0, 0, 0][..]].concat());
        assert!(issue(&cut).contains("cannot be read at byte") || issue(&cut).contains("a field at byte"), "{}", issue(&cut));
        // Extra bytes after the last field.
        let long = reseal([&bytes[..bytes.len() - 4], &[7, 0, 0, 0, 0][..]].concat());
        assert!(issue(&long).contains("unread bytes"), "{}", issue(&long));
    }

    #[test]
    fn encrypted_sections_are_not_compiled() {
        let doc = r#"{"hearth": 1, "encryptedFeatures": "abc.def"}"#;
        let issues = Manifest::compile(doc, &NativeRegexEngine).expect_err("refused");
        assert!(issues.to_string().contains("encryptedFeatures: cannot be compiled"), "{issues}");
    }

    #[test]
    fn crafted_files_with_a_valid_checksum_never_panic() {
        // Every byte of the body set to a few values, resealed, then decided on: a
        // crafted file is either refused or a manifest the engine can run.
        let bytes = compiled();
        let body = MAGIC.len() + 1..bytes.len() - 4;
        let mut loaded = 0;
        for i in body.step_by(3) {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut b = bytes.clone();
                b[i] = v;
                if let Ok(m) = Manifest::from_compiled(&reseal(b), &NativeRegexEngine) {
                    loaded += 1;
                    decide_everything(&m);
                }
            }
        }
        assert!(loaded > 100, "mutations that still load: {loaded}");
    }
}
