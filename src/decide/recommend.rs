//! Recommendations over the manifest's catalog, from the visitor's own
//! history, computed on the device (the history never leaves it).
//!
//! relevance = Σ interest share of the item's tags
//!           + u · y_item            (when the catalog ships item factors)
//!           + a popularity prior    (a tie-break; the whole score at cold start)
//!
//! `u` is folded in as in implicit-feedback ALS (Hu, Koren and Volinsky):
//! the visitor's recent items have target 1 with confidence
//! `c = 1 + α·w` (`w` by how they were seen), every other item target 0 with
//! confidence 1, so `(YᵀY + Yᵀ(C − I)Y + λI) u = Yᵀ c`. The catalog Gram
//! matrix `YᵀY` is replaced by its isotropic part `tr(YᵀY)/d · I` (exact for
//! whitened factors), which keeps a call O(N·d) instead of O(N·d²) and needs
//! nothing precomputed. The system is solved by Cholesky in the smaller of
//! two equivalent forms: primal `d × d`, or through the Woodbury identity an
//! `n × n` system over the `n` recent items, so a 256-dimension catalog with
//! 20 recent items solves a 20 × 20 system. Then seen/purchased items are
//! excluded as the list says, and the top is diversified (MMR over tag
//! Jaccard similarity, and/or a per-tag cap).

use super::explain::{Because, Code, Codes};
use super::strategy::top_tag;
use super::{DecideError, Visit};
use crate::json::{Object, Value};
use crate::manifest::{Item, RecommendationList};
use crate::profile::Seen;
use std::cmp::Ordering;

/// The ridge λ of the fold-in (item factors are expected to be of order 1).
pub const FOLD_IN_LAMBDA: f64 = 0.1;
/// α in the fold-in confidence `1 + α·w`.
const CONFIDENCE_ALPHA: f64 = 10.0;
/// Weight of the popularity prior once the visitor has any history.
const POPULARITY_TIE_BREAK: f64 = 0.05;
/// Most items returned.
const MAX_K: usize = 100;

#[derive(Debug, Clone)]
pub struct Recommendation<'m> {
    pub item: &'m Item,
    pub score: f64,
    pub because: Because<'m>,
    pub codes: Codes,
}

/// How much a recent item says about the visitor (as in [`crate::profile::Event`]'s weights).
fn confidence(seen: Seen) -> f64 {
    match seen {
        Seen::Viewed => 1.0,
        Seen::Clicked => 2.0,
        Seen::Carted => 4.0,
        Seen::Purchased => 6.0,
    }
}

struct Scored {
    idx: usize,
    score: f64,
    tags: f64,
    factors: f64,
}

impl<'a> Visit<'a> {
    /// The top `k` (default: the list's `k`, at most 100) items of `list`.
    pub fn recommend(&self, list: &str, k: Option<usize>) -> Result<Vec<Recommendation<'a>>, DecideError> {
        let m = self.m;
        let l: &'a RecommendationList =
            m.recommendations.iter().find(|r| r.id == list).ok_or_else(|| DecideError::UnknownList(list.to_owned()))?;
        let items = &m.catalog.items;
        if items.is_empty() {
            return Err(DecideError::EmptyCatalog);
        }
        let k = k.unwrap_or(l.k as usize).min(MAX_K);
        let personal = self.caps.use_content.is_some();
        let recent: &[crate::profile::Recent] = if personal { &self.profile.content.recent } else { &[] };
        // The recent items resolved against the catalog (an indexed lookup
        // each), in catalog order as the fold-in expects. Items about a muted
        // topic are left out: muting removes the topic's influence (the
        // fold-in) and its mentions (the reasons).
        let muted = &self.profile.muted;
        let mut excluded = vec![false; if recent.is_empty() { 0 } else { items.len() }];
        let mut resolved: Vec<(usize, Seen)> = Vec::with_capacity(recent.len());
        for r in recent {
            let Some(i) = m.catalog.position(&r.item) else { continue };
            if l.exclude_viewed || (l.exclude_purchased && r.seen == Seen::Purchased) {
                excluded[i] = true;
            }
            if !items[i].tags.iter().any(|t| muted.contains(t)) {
                resolved.push((i, r.seen));
            }
        }
        crate::sort::sort_by_key(&mut resolved, |&(i, _)| i);
        let history: Vec<(&'a Item, Seen)> = resolved.into_iter().map(|(i, seen)| (&items[i], seen)).collect();
        let user = if personal { self.fold_in(&history) } else { None };
        let has_history = !self.p.shares.is_empty() || user.is_some();
        let pop_weight = if has_history { POPULARITY_TIE_BREAK } else { 1.0 };
        let max_pop = items.iter().map(|it| it.popularity).fold(0.0, f64::max);
        let pop_norm = if max_pop > 0.0 { 1.0 / super::rng::ln(1.0 + max_pop) } else { 0.0 };
        let groups = m.growthbook.saved_groups();
        let mut scored: Vec<Scored> = Vec::with_capacity(items.len());
        for (idx, it) in items.iter().enumerate() {
            if excluded.get(idx) == Some(&true) {
                continue;
            }
            if !l.filter.is_always() && !l.filter.eval(&item_doc(it), groups) {
                continue;
            }
            let tags: f64 = if self.p.shares.is_empty() { 0.0 } else { self.tags_share(&it.tags, &it.tag_ids) };
            let factors = match (&user, usable_factors(it, m.catalog.factor_dims)) {
                (Some(u), Some(y)) => u.iter().zip(y).map(|(a, b)| a * f64::from(*b)).sum(),
                _ => 0.0,
            };
            let p = it.popularity;
            let prior = if p > 0.0 { pop_weight * super::rng::ln(1.0 + p) * pop_norm } else { 0.0 };
            let score = tags + factors + prior;
            scored.push(Scored { idx, score: if score.is_finite() { score } else { 0.0 }, tags, factors });
        }
        // A total order (score, then catalog order), so any sort gives the same result.
        let order = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(a.idx.cmp(&b.idx));
        // Plain top k needs only the best few; per-tag caps and MMR may have
        // to reach far down the list to fill k, so they get all of it.
        let diversifying = l.max_per_tag > 0 || l.mmr_lambda < 1.0;
        let pool = if diversifying { scored.len() } else { scored.len().min((4 * k).max(k + 20)) };
        // The order is total, so keeping the best `pool` in a sorted buffer
        // gives exactly the sorted list's first `pool`: a handful of compares
        // per item, and no select or sort instantiation of its own (std's are
        // KBs of Wasm each; the full sort is the crate-wide `crate::sort`).
        if pool < scored.len() {
            let mut top: Vec<Scored> = Vec::with_capacity(pool + 1);
            for s in scored {
                if top.len() == pool && top.last().is_some_and(|w| order(&s, w) != Ordering::Less) {
                    continue;
                }
                let at = top.partition_point(|t| order(t, &s) == Ordering::Less);
                top.insert(at, s);
                top.truncate(pool);
            }
            scored = top;
        } else {
            crate::sort::sort_by(&mut scored, order);
        }
        let picked = diversify(&scored, k, l, |i| &items[i].tags);
        Ok(picked
            .into_iter()
            .map(|s| {
                let it = &items[s.idx];
                let mut codes = Codes::default();
                if !personal {
                    codes.add(Code::NoContentConsent);
                }
                let because = self.item_reason(it, s, &user, &history, &mut codes);
                Recommendation { item: it, score: s.score, because, codes }
            })
            .collect())
    }

    fn item_reason(
        &self,
        it: &'a Item,
        s: &Scored,
        user: &Option<Vec<f64>>,
        history: &[(&'a Item, Seen)],
        codes: &mut Codes,
    ) -> Because<'a> {
        let m = self.m;
        let title = |i: &'a Item| i.title.as_deref().unwrap_or(&i.id);
        if s.factors > 0.0 && s.factors >= s.tags && user.is_some() {
            codes.add(Code::Factors);
            // The recent item most like this one.
            let y = usable_factors(it, m.catalog.factor_dims);
            let best = history
                .iter()
                .filter_map(|&(ri, seen)| {
                    let (a, b) = (usable_factors(ri, m.catalog.factor_dims)?, y?);
                    Some((ri, confidence(seen) * a.iter().zip(b).map(|(x, z)| f64::from(*x) * f64::from(*z)).sum::<f64>()))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((ri, _)) = best {
                return Because::Viewed(title(ri));
            }
        }
        if s.tags > 0.0 {
            codes.add(Code::Tags);
            let best = history
                .iter()
                .map(|&(ri, _)| (ri, ri.tags.iter().filter(|t| it.tags.contains(t)).count()))
                .filter(|(_, n)| *n > 0)
                .max_by_key(|(_, n)| *n);
            if let Some((ri, _)) = best {
                return Because::Viewed(title(ri));
            }
            if let Some(t) = top_tag(self, &it.tags) {
                return Because::Interest(self.label(t));
            }
        }
        codes.add(Code::Popular);
        Because::Popular
    }

    /// The visitor's factor vector from recent items, or `None` without factors or history.
    fn fold_in(&self, history: &[(&Item, Seen)]) -> Option<Vec<f64>> {
        let m = self.m;
        let d = m.catalog.factor_dims;
        if d == 0 {
            return None;
        }
        let rows: Vec<(&[f32], f64)> = history
            .iter()
            .filter_map(|&(it, seen)| usable_factors(it, d).map(|y| (y, 1.0 + CONFIDENCE_ALPHA * confidence(seen))))
            .collect();
        if rows.is_empty() {
            return None;
        }
        // μ = tr(YᵀY)/d + λ: the catalog Gram matrix's isotropic part.
        let mu = m.catalog.factor_trace() / d as f64 + FOLD_IN_LAMBDA;
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum::<f64>();
        // b = Yᵀ c (targets 1, confidence c).
        let mut b = vec![0.0; d];
        for (y, c) in &rows {
            b.iter_mut().zip(y.iter()).for_each(|(bi, yi)| *bi += c * f64::from(*yi));
        }
        let n = rows.len();
        let u = if n < d {
            // Woodbury with Ỹ = √(c − 1) Y: u = (b − Ỹᵀ (μI + Ỹ Ỹᵀ)⁻¹ Ỹ b) / μ, an n × n solve.
            let w: Vec<f64> = rows.iter().map(|r| (r.1 - 1.0).max(0.0).sqrt()).collect();
            let mut g = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..=i {
                    let v = w[i] * w[j] * dot(rows[i].0, rows[j].0);
                    g[i * n + j] = v;
                    g[j * n + i] = v;
                }
                g[i * n + i] += mu;
            }
            let mut t: Vec<f64> =
                rows.iter().zip(&w).map(|(r, wi)| wi * r.0.iter().zip(&b).map(|(y, bj)| f64::from(*y) * bj).sum::<f64>()).collect();
            if !cholesky_solve(&mut g, n, &mut t) {
                return None;
            }
            let mut u = b.clone();
            for ((row, wi), ti) in rows.iter().zip(&w).zip(&t) {
                u.iter_mut().zip(row.0).for_each(|(ui, y)| *ui -= wi * ti * f64::from(*y));
            }
            u.iter_mut().for_each(|x| *x /= mu);
            u
        } else {
            // Primal: (μI + Yᵀ (C − I) Y) u = Yᵀ c.
            let mut a = vec![0.0; d * d];
            for (y, c) in &rows {
                for i in 0..d {
                    let yi = (c - 1.0) * f64::from(y[i]);
                    for j in 0..=i {
                        a[i * d + j] += yi * f64::from(y[j]);
                    }
                }
            }
            for i in 0..d {
                for j in 0..i {
                    a[j * d + i] = a[i * d + j];
                }
                a[i * d + i] += mu;
            }
            if !cholesky_solve(&mut a, d, &mut b) {
                return None;
            }
            b
        };
        u.iter().all(|x| x.is_finite()).then_some(u)
    }
}

/// An item's factors when they are usable: the catalog's dimension, all finite.
/// The item's factors when they have the catalog's dimension. (The manifest
/// parser only accepts finite numbers, so they need no further check.)
fn usable_factors(it: &Item, d: usize) -> Option<&[f32]> {
    it.factors.as_deref().filter(|f| d > 0 && f.len() == d)
}

/// The document a list's `filter` sees: `{id, title, tags, ...content}`.
fn item_doc(it: &Item) -> Value {
    let mut o: Object = it.content.clone();
    o.insert("id", Value::String(it.id.clone()));
    if let Some(t) = &it.title {
        o.insert("title", Value::String(t.clone()));
    }
    o.insert("tags", Value::Array(it.tags.iter().cloned().map(Value::String).collect()));
    Value::Object(o)
}

/// Greedy MMR: each step takes the candidate maximizing
/// `λ · relevance − (1 − λ) · max similarity to those taken` (relevance
/// scaled to 0-1, similarity the tag Jaccard index), skipping any that would
/// exceed `maxPerTag`. With λ = 1 and no cap this is the plain top k.
fn diversify<'s, 'm>(sorted: &'s [Scored], k: usize, l: &RecommendationList, tags: impl Fn(usize) -> &'m [String]) -> Vec<&'s Scored> {
    let lambda = if l.mmr_lambda.is_finite() { l.mmr_lambda.clamp(0.0, 1.0) } else { 1.0 };
    let cap = l.max_per_tag as usize;
    let top = sorted.first().map_or(1.0, |s| s.score.abs().max(1e-12));
    let mut taken: Vec<&Scored> = Vec::with_capacity(k);
    let mut used = vec![false; sorted.len()];
    let mut tag_counts: Vec<(&str, usize)> = Vec::new();
    while taken.len() < k {
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in sorted.iter().enumerate() {
            if used[i] {
                continue;
            }
            let t = tags(s.idx);
            if cap > 0 && t.iter().any(|x| tag_counts.iter().any(|(y, n)| *y == x.as_str() && *n >= cap)) {
                continue;
            }
            let mmr = if lambda < 1.0 {
                let sim = taken.iter().map(|o| jaccard(t, tags(o.idx))).fold(0.0, f64::max);
                lambda * (s.score / top) - (1.0 - lambda) * sim
            } else {
                // Sorted already: the first acceptable one is the best.
                best = Some((i, 0.0));
                break;
            };
            if best.is_none_or(|(_, b)| mmr > b) {
                best = Some((i, mmr));
            }
        }
        let Some((i, _)) = best else { break };
        used[i] = true;
        for x in tags(sorted[i].idx) {
            match tag_counts.iter_mut().find(|(y, _)| *y == x.as_str()) {
                Some((_, n)) => *n += 1,
                None => tag_counts.push((x, 1)),
            }
        }
        taken.push(&sorted[i]);
    }
    taken
}

fn jaccard(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let inter = a.iter().filter(|x| b.contains(x)).count();
    let union = a.len() + b.len() - inter;
    inter as f64 / union as f64
}

/// Solves `A x = b` in place (`A` symmetric positive definite, row-major
/// `n × n`; `b` becomes `x`). `false` when `A` is not positive definite.
pub(crate) fn cholesky_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if !(d > 0.0 && d.is_finite()) {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * n + k] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[k * n + i] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        assert!(cholesky_solve(&mut a, 2, &mut b));
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
        let mut a = vec![1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_solve(&mut a, 2, &mut [1.0, 1.0]));
    }
}
