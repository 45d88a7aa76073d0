//! Quality simulator: a population whose true tastes are known, simulated
//! traffic through `decide` + feedback, and the click-through of each policy
//! over the *same* traffic (same visitors, same browsing, same random click
//! draws). Then recommendations: hit rate at 10 on a held-out next item,
//! against popularity.
//!
//! `cargo test --test simulator -- --nocapture` prints the figures.

use hearth::consent::policy::{decide as consent, Capabilities, Choices, Signals};
use hearth::decide::rng::Pcg32;
use hearth::decide::{slot_feedback, Context, Outcome, Visit};
use hearth::host::NativeRegexEngine;
use hearth::manifest::Manifest;
use hearth::profile::{Event, Profile};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_779_962_400_000;
const CLUSTERS: usize = 4;
const VISITORS: u64 = 400;
const VISITS: u64 = 40;
/// True click probability of variant `v` for a visitor of cluster `k`:
/// each cluster loves "its" variant; `v4` is a safe generic that is the best
/// single variant overall.
fn ctr(k: usize, v: usize) -> f64 {
    if v == CLUSTERS {
        0.14
    } else if v == k {
        0.32
    } else {
        0.06
    }
}

fn everything() -> Capabilities {
    consent(&Signals { choices: Some(Choices { store: true, content: true, promotions: true, measure: false }), ..Default::default() })
        .capabilities
}

/// Catalog items: 40 per cluster tag, plus factors (cluster one-hot, then a
/// sub-style one-hot the tags do not know about).
fn catalog_json() -> String {
    let mut items = Vec::new();
    let mut pop = Vec::new();
    for i in 0..(CLUSTERS * 40) {
        let (k, style) = (i % CLUSTERS, (i / CLUSTERS) % 4);
        let mut f = [0.0f64; 8];
        f[k] = 1.0;
        f[4 + style] = 1.0;
        let f: Vec<String> = f.iter().map(|x| x.to_string()).collect();
        items.push(format!(r#"{{"id":"i{i}","title":"Item {i}","tags":["t{k}"],"factors":[{}]}}"#, f.join(",")));
        // Zipf-like popularity, independent of taste.
        pop.push(format!(r#""i{i}":{:.1}"#, 1000.0 / (1.0 + (i * 7 % 160) as f64)));
    }
    format!(r#""catalog":{{"factors":8,"items":[{}]}},"priors_popularity":{{{}}}"#, items.join(","), pop.join(","))
}

fn manifest(strategy: &str) -> Manifest {
    let tags: Vec<String> = (0..=CLUSTERS).map(|k| format!(r#""t{k}":{{"label":"Topic {k}"}}"#)).collect();
    let variants: Vec<String> = (0..=CLUSTERS).map(|v| format!(r#"{{"id":"v{v}","tags":["t{v}"]}}"#)).collect();
    let priors: Vec<String> = (0..=CLUSTERS).map(|v| format!(r#""v{v}":{{"alpha":1.2,"beta":8.8}}"#)).collect();
    let cat = catalog_json();
    let (cat, pop) = cat.split_once(r#","priors_popularity":"#).unwrap();
    let text = format!(
        r#"{{"hearth":1,"taxonomy":{{"tags":{{{}}}}},
          "slots":{{"hero":{{"strategy":"{strategy}","exploration":0.1,"default":"v{CLUSTERS}","variants":[{}]}}}},
          {cat},
          "recommendations":{{"next":{{"k":10,"exclude":["viewed"]}}}},
          "priors":{{"slots":{{"hero":{{{}}}}},"popularity":{pop}}}}}"#,
        tags.join(","),
        variants.join(","),
        priors.join(",")
    );
    Manifest::parse(&text, &NativeRegexEngine).unwrap_or_else(|e| panic!("{e}"))
}

/// An item this visitor browses: 80% from their cluster, else anything.
fn browse(r: &mut Pcg32, k: usize) -> String {
    let i = r.below(40) * CLUSTERS + if r.f64() < 0.8 { k } else { r.below(CLUSTERS) };
    format!("i{i}")
}

#[test]
fn personalized_strategies_beat_random_and_the_best_fixed_variant() {
    let can = everything();
    let affinity_m = manifest("affinity");
    let bandit_m = manifest("bandit");
    let n_variants = CLUSTERS + 1;
    // clicks per policy: random, each fixed variant, affinity, bandit
    let mut random = 0u32;
    let mut fixed = vec![0u32; n_variants];
    let (mut affinity, mut bandit) = (0u32, 0u32);
    let mut shown = 0u32;
    for visitor in 0..VISITORS {
        let k = (visitor % CLUSTERS as u64) as usize;
        let mut traffic = Pcg32::new(visitor, 1);
        let mut pa = Profile::new(visitor.wrapping_mul(0x9e37_79b9), T0);
        let mut pb = pa.clone();
        for visit in 0..VISITS {
            let now = T0 + visit as i64 * DAY;
            // Browsing before the slot is shown (the same for both profiles).
            for _ in 0..2 {
                let item = browse(&mut traffic, k);
                pa.record(&Event::View { item: item.clone() }, &affinity_m, now, can.build_content.unwrap(), false).unwrap();
                pb.record(&Event::View { item }, &bandit_m, now, can.build_content.unwrap(), false).unwrap();
            }
            let u = traffic.f64(); // the common random number for every policy's click
            let rand_v = traffic.below(n_variants);
            let mut ctx = Context::new(now);
            ctx.epoch = Some(visit);
            random += u32::from(u < ctr(k, rand_v));
            for (v, c) in fixed.iter_mut().enumerate() {
                *c += u32::from(u < ctr(k, v));
            }
            for (m, p, clicks) in [(&affinity_m, &mut pa, &mut affinity), (&bandit_m, &mut pb, &mut bandit)] {
                let d = Visit::new(m, p, &can, &ctx).decide("hero").unwrap();
                let v = d.index;
                let id = d.variant.id.clone();
                slot_feedback(p, m, "hero", &id, Outcome::Exposure, now, &can);
                if u < ctr(k, v) {
                    *clicks += 1;
                    slot_feedback(p, m, "hero", &id, Outcome::Click, now, &can);
                }
            }
            shown += 1;
        }
    }
    let rate = |c: u32| f64::from(c) / f64::from(shown);
    let best_fixed = fixed.iter().copied().max().unwrap();
    let (r, f, a, b) = (rate(random), rate(best_fixed), rate(affinity), rate(bandit));
    println!("simulated {VISITORS} visitors x {VISITS} visits, {CLUSTERS} taste clusters, {n_variants} variants");
    println!("click-through: random {r:.4}, best fixed variant {f:.4}, affinity {a:.4}, bandit {b:.4}");
    assert!(a > 1.5 * f && a > 1.5 * r, "affinity {a} vs fixed {f}, random {r}");
    assert!(b > 1.2 * f && b > 1.2 * r, "bandit {b} vs fixed {f}, random {r}");
}

#[test]
fn recommendations_beat_popularity_on_a_held_out_next_item() {
    let can = everything();
    let m = manifest("affinity");
    let mut r = Pcg32::new(2026, 7);
    let (mut hits, mut pop_hits, mut hits_tags_only) = (0u32, 0u32, 0u32);
    let trials = 300u32;
    // Popularity ranking of the whole catalog.
    let mut by_pop: Vec<(&str, f64)> = m.priors.popularity.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    by_pop.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let mut tags_only = m.clone();
    tags_only.catalog.items.iter_mut().for_each(|i| i.factors = None);
    tags_only.catalog.factor_dims = 0;
    for t in 0..trials {
        let (k, style) = (r.below(CLUSTERS), r.below(4));
        // The visitor's next items: same cluster, mostly the same sub-style.
        let draw = |r: &mut Pcg32| {
            let s = if r.f64() < 0.75 { style } else { r.below(4) };
            let kk = if r.f64() < 0.9 { k } else { r.below(CLUSTERS) };
            // item index i has cluster i % 4 and style (i / 4) % 4
            let i = (r.below(10) * 4 + s) * CLUSTERS + kk;
            format!("i{i}")
        };
        let mut p = Profile::new(u64::from(t), T0);
        let mut history = Vec::new();
        while history.len() < 8 {
            let it = draw(&mut r);
            if !history.contains(&it) {
                history.push(it);
            }
        }
        let held_out = loop {
            let it = draw(&mut r);
            if !history.contains(&it) {
                break it;
            }
        };
        for it in &history {
            p.record(&Event::View { item: it.clone() }, &m, T0, can.build_content.unwrap(), false).unwrap();
        }
        let ctx = Context::new(T0 + 3_600_000);
        let recs = Visit::new(&m, &p, &can, &ctx).recommend("next", Some(10)).unwrap();
        hits += u32::from(recs.iter().any(|x| x.item.id == held_out));
        let recs = Visit::new(&tags_only, &p, &can, &ctx).recommend("next", Some(10)).unwrap();
        hits_tags_only += u32::from(recs.iter().any(|x| x.item.id == held_out));
        let top: Vec<&str> = by_pop.iter().map(|x| x.0).filter(|id| !history.iter().any(|h| h == id)).take(10).collect();
        pop_hits += u32::from(top.contains(&held_out.as_str()));
    }
    let rate = |h: u32| f64::from(h) / f64::from(trials);
    let (a, b, c) = (rate(hits), rate(hits_tags_only), rate(pop_hits));
    println!("recommendations, hit rate @10 on a held-out next item ({trials} visitors, 160 items):");
    println!("  tags + factor fold-in {a:.3}, tags only {b:.3}, popularity {c:.3}");
    assert!(a > 2.0 * c, "recommend {a} vs popularity {c}");
    assert!(a > b, "factors should add to tags: {a} vs {b}");
}
