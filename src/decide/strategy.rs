//! The four slot strategies, and the contextual fallback they share.

use super::explain::{Because, Code, Codes, Decision};
use super::rng::{self, Pcg32};
use super::Visit;
use crate::growthbook::hash;
use crate::json::js;
use crate::manifest::{Beta, Manifest, Slot, Strategy};

/// A variant weight as decisions use it: NaN, infinite or negative is 0
/// (flagged), above 1 is 1.
pub(super) fn weight(w: f64, codes: &mut Codes) -> f64 {
    if w.is_finite() && w >= 0.0 {
        w.min(1.0)
    } else {
        codes.add(Code::InvalidWeight);
        0.0
    }
}

/// The seeded stream for `purpose` (a slot id, `artwork:<item>`...).
pub(super) fn stream(v: &Visit<'_>, purpose: &[&[u8]]) -> Pcg32 {
    let secret = v.profile.secret.to_le_bytes();
    let epoch = v.p.epoch.to_le_bytes();
    let mut parts: [&[u8]; 4] = [&secret, &epoch, b"", b""];
    for (slot, p) in parts[2..].iter_mut().zip(purpose) {
        *slot = p;
    }
    Pcg32::for_parts(&parts[..2 + purpose.len().min(2)])
}

pub(super) fn decide<'a>(v: &Visit<'a>, s: &'a Slot) -> Decision<'a> {
    let mut codes = Codes::default();
    let default = if s.default_variant < s.variants.len() { s.default_variant } else { 0 };
    let groups = v.m.growthbook.saved_groups();
    let pick = if !s.condition.is_always() && !s.condition.eval(v.document(), groups) {
        codes.add(Code::SlotConditionFalse);
        codes.add(Code::Default);
        Pick::fixed(default, Because::Everyone)
    } else if v.caps.use_content.is_none() && s.strategy != Strategy::Rules {
        codes.add(Code::NoContentConsent);
        contextual(v, s, default, &mut codes)
    } else {
        match s.strategy {
            Strategy::Experiment => experiment(v, s, default, &mut codes),
            Strategy::Rules => rules(v, s, default, &mut codes),
            Strategy::Affinity => affinity(v, s, default, &mut codes),
            Strategy::Bandit => bandit(v, s, default, &mut codes),
        }
    };
    Decision {
        slot: &s.id,
        strategy: s.strategy,
        index: pick.index,
        variant: &s.variants[pick.index],
        propensity: pick.propensity.clamp(f64::MIN_POSITIVE, 1.0),
        explored: pick.explored,
        because: pick.because,
        codes,
    }
}

struct Pick<'a> {
    index: usize,
    propensity: f64,
    explored: bool,
    because: Because<'a>,
}

impl<'a> Pick<'a> {
    fn fixed(index: usize, because: Because<'a>) -> Pick<'a> {
        Pick { index, propensity: 1.0, explored: false, because }
    }
}

fn matches(v: &Visit<'_>, s: &Slot, i: usize, codes: &mut Codes) -> bool {
    let var = &s.variants[i];
    weight(var.weight, codes) > 0.0 && (var.condition.is_always() || var.condition.eval(v.document(), v.m.growthbook.saved_groups()))
}

/// Without profile consent: the first variant with a condition of its own
/// that matches the (profile-free) context, else the default.
fn contextual<'a>(v: &Visit<'a>, s: &Slot, default: usize, codes: &mut Codes) -> Pick<'a> {
    for i in 0..s.variants.len() {
        if !s.variants[i].condition.is_always() && matches(v, s, i, codes) {
            codes.add(Code::RuleMatched);
            return Pick::fixed(i, Because::ThisPage);
        }
    }
    codes.add(Code::Default);
    Pick::fixed(default, Because::Everyone)
}

fn rules<'a>(v: &Visit<'a>, s: &Slot, default: usize, codes: &mut Codes) -> Pick<'a> {
    match (0..s.variants.len()).find(|&i| matches(v, s, i, codes)) {
        Some(i) => {
            codes.add(Code::RuleMatched);
            Pick::fixed(i, if s.variants[i].condition.is_always() { Because::Everyone } else { Because::ThisPage })
        }
        None => {
            codes.add(Code::NoRuleMatched);
            codes.add(Code::Default);
            Pick::fixed(default, Because::Everyone)
        }
    }
}

/// GrowthBook's split: `hash(key, hashValue, 2)` into bucket ranges over the
/// variant weights and coverage (weights not summing to 1 become equal
/// weights, as in the SDK). The propensity is the chosen range's width (plus
/// the uncovered share when the default is what shows).
fn experiment<'a>(v: &Visit<'a>, s: &Slot, default: usize, codes: &mut Codes) -> Pick<'a> {
    codes.add(Code::Experiment);
    let (key, attr, coverage) = match &s.experiment {
        Some(e) => (e.key.as_str(), e.hash_attribute.as_str(), e.coverage),
        None => (s.id.as_str(), "id", 1.0),
    };
    let coverage = if coverage.is_finite() { coverage.clamp(0.0, 1.0) } else { 1.0 };
    if let Some((_, key_var)) = v.profile.sticky.iter().find(|(k, _)| k == key) {
        if let Some(i) = s.variants.iter().position(|x| &x.id == key_var) {
            codes.add(Code::Sticky);
            return Pick { index: i, propensity: 1.0, explored: false, because: Because::Experiment };
        }
    }
    let hash_value = v.ctx.attributes.get(attr).map(js::to_string).filter(|h| !h.is_empty());
    let Some(hash_value) = hash_value else {
        codes.add(Code::NoHashAttribute);
        codes.add(Code::NotInExperiment);
        return Pick::fixed(default, Because::Everyone);
    };
    let weights: Vec<f64> = s.variants.iter().map(|x| weight(x.weight, codes)).collect();
    let ranges = hash::bucket_ranges(s.variants.len(), coverage, Some(&weights));
    let covered: f64 = ranges.iter().map(|r| r.1 - r.0).sum();
    let n = hash::hash(key, &hash_value, 2.0).unwrap_or(0.0);
    let width = |i: usize| ranges.get(i).map_or(0.0, |r| r.1 - r.0);
    match hash::choose_variation(n, &ranges) {
        i if i >= 0 && (i as usize) < s.variants.len() => {
            let i = i as usize;
            let p = width(i) + if i == default { 1.0 - covered } else { 0.0 };
            Pick { index: i, propensity: p, explored: false, because: Because::Experiment }
        }
        _ => {
            codes.add(Code::NotInExperiment);
            Pick { index: default, propensity: (1.0 - covered) + width(default), explored: false, because: Because::Everyone }
        }
    }
}

/// Variant tags × visitor interest shares; with probability `exploration` a
/// uniformly random eligible variant instead. The propensity is exact:
/// `(1 - ε)·[best] + ε / n`.
fn affinity<'a>(v: &Visit<'a>, s: &'a Slot, default: usize, codes: &mut Codes) -> Pick<'a> {
    codes.add(Code::Affinity);
    let eligible: Vec<usize> = (0..s.variants.len()).filter(|&i| matches(v, s, i, codes)).collect();
    if eligible.is_empty() {
        codes.add(Code::NoEligibleVariant);
        codes.add(Code::Default);
        return Pick::fixed(default, Because::Everyone);
    }
    let score = |i: usize| v.tags_share(&s.variants[i].tags, &s.variants[i].tag_ids);
    let mut best = if eligible.contains(&default) { default } else { eligible[0] };
    let mut best_score = score(best);
    for &i in &eligible {
        let sc = score(i);
        if sc > best_score {
            (best, best_score) = (i, sc);
        }
    }
    let cold = best_score <= 0.0;
    if cold {
        codes.add(Code::ColdStart);
    }
    let eps = if s.exploration.is_finite() { s.exploration.clamp(0.0, 1.0) } else { 0.0 };
    let mut r = stream(v, &[s.id.as_bytes()]);
    let n = eligible.len();
    let chosen = if r.f64() < eps { eligible[r.below(n).min(n - 1)] } else { best };
    let explored = chosen != best;
    let propensity = if chosen == best { 1.0 - eps } else { 0.0 } + eps / n as f64;
    let because = if explored {
        codes.add(Code::Explored);
        Because::Exploring
    } else if cold {
        Because::Everyone
    } else {
        top_tag(v, &s.variants[chosen].tags).map_or(Because::Everyone, |t| Because::Interest(v.label(t)))
    };
    Pick { index: chosen, propensity, explored, because }
}

/// The tag among `tags` the visitor is most interested in.
pub(super) fn top_tag<'a>(v: &Visit<'_>, tags: &'a [String]) -> Option<&'a str> {
    let mut best: Option<(&'a str, f64)> = None;
    for t in tags {
        let sc = v.share(t);
        if sc > 0.0 && best.is_none_or(|(_, b)| sc > b) {
            best = Some((t, sc));
        }
    }
    best.map(|(t, _)| t)
}

/// The prior for a bandit variant: the manifest's, or Beta(1, 1) when it is
/// missing or unusable (NaN, infinite, not positive).
pub(super) fn prior(m: &Manifest, slot: &str, variant: &str, codes: &mut Codes) -> (f64, f64) {
    let found = m.priors.variants.iter().find(|((s, v), _)| s == slot && v == variant).map(|(_, b)| *b);
    match found {
        None => (1.0, 1.0),
        Some(Beta { alpha, beta }) if alpha.is_finite() && beta.is_finite() && alpha > 0.0 && beta > 0.0 => (alpha, beta),
        Some(_) => {
            codes.add(Code::InvalidPrior);
            (1.0, 1.0)
        }
    }
}

/// Thompson sampling: one Beta draw per eligible variant from the prior plus
/// the visitor's own clicks (successes) and unclicked impressions (failures);
/// the largest draw wins. The propensity, P(this variant's draw is the
/// largest), is computed by quadrature ([`prob_max`]), not by re-sampling.
fn bandit<'a>(v: &Visit<'a>, s: &Slot, default: usize, codes: &mut Codes) -> Pick<'a> {
    codes.add(Code::Bandit);
    let eligible: Vec<usize> = (0..s.variants.len()).filter(|&i| matches(v, s, i, codes)).collect();
    if eligible.is_empty() {
        codes.add(Code::NoEligibleVariant);
        codes.add(Code::Default);
        return Pick::fixed(default, Because::Everyone);
    }
    let mut own_clicks = vec![0u32; eligible.len()];
    let params: Vec<(f64, f64)> = eligible
        .iter()
        .zip(own_clicks.iter_mut())
        .map(|(&i, clicks)| {
            let var = &s.variants[i];
            let (a, b) = prior(v.m, &s.id, &var.id, codes);
            let st = v.profile.content.slot_stats.iter().find(|x| x.slot == s.id && x.variant == var.id);
            let (c, n) = st.map_or((0, 0), |x| (x.clicks, x.impressions));
            *clicks = c;
            if n > 0 {
                codes.add(Code::OwnFeedback);
            }
            (a + f64::from(c), b + f64::from(n.saturating_sub(c)))
        })
        .collect();
    let mut r = stream(v, &[s.id.as_bytes()]);
    let mut win = 0;
    let mut win_draw = f64::NEG_INFINITY;
    let mut mean_best = 0;
    for (j, &(a, b)) in params.iter().enumerate() {
        let x = r.beta(a, b);
        if x > win_draw {
            (win, win_draw) = (j, x);
        }
        if a / (a + b) > params[mean_best].0 / (params[mean_best].0 + params[mean_best].1) {
            mean_best = j;
        }
    }
    let explored = win != mean_best;
    let because = if explored {
        codes.add(Code::Explored);
        Because::Exploring
    } else if own_clicks[win] > 0 {
        Because::YourClicks
    } else {
        Because::Popular
    };
    Pick { index: eligible[win], propensity: prob_max(&params, win), explored, because }
}

const GRID: usize = 64;

/// P(the draw from `Beta(params[c])` is the largest of independent draws
/// from each `Beta(params[j])`): `∫ f_c(x) Π_{j≠c} F_j(x) dx`, by the midpoint
/// rule on 64 points spanning every distribution's mean ± 8 sd. Each density
/// is normalized on the grid, so the result is a probability whatever the
/// shape; accurate to about 0.01 (better when the distributions are of
/// similar width). Uses the deterministic [`rng::ln`]/[`rng::exp`].
#[allow(clippy::needless_range_loop)] // index loops over parallel arrays read clearer here
pub fn prob_max(params: &[(f64, f64)], c: usize) -> f64 {
    let n = params.len();
    if n <= 1 {
        return 1.0;
    }
    let (mut lo, mut hi) = (1.0f64, 0.0f64);
    for &(a, b) in params {
        let t = a + b;
        let mean = a / t;
        let sd = (a * b / (t * t * (t + 1.0))).sqrt();
        lo = lo.min(mean - 8.0 * sd);
        hi = hi.max(mean + 8.0 * sd);
    }
    let (lo, hi) = (lo.max(0.0), hi.min(1.0));
    let span = hi - lo;
    if span.is_nan() || span <= 1e-12 {
        return 1.0 / n as f64;
    }
    let h = (hi - lo) / GRID as f64;
    let mut lx = [0.0; GRID];
    let mut l1x = [0.0; GRID];
    for k in 0..GRID {
        let x = lo + (k as f64 + 0.5) * h;
        lx[k] = rng::ln(x);
        l1x[k] = rng::ln(1.0 - x);
    }
    let mut pmf = vec![[0.0f64; GRID]; n];
    for (p, &(a, b)) in pmf.iter_mut().zip(params) {
        let mut mx = f64::NEG_INFINITY;
        for k in 0..GRID {
            p[k] = (a - 1.0) * lx[k] + (b - 1.0) * l1x[k];
            mx = mx.max(p[k]);
        }
        let mut sum = 0.0;
        for q in p.iter_mut() {
            *q = rng::exp(*q - mx);
            sum += *q;
        }
        if sum > 0.0 && sum.is_finite() {
            p.iter_mut().for_each(|q| *q /= sum);
        } else {
            return 1.0 / n as f64;
        }
    }
    let mut cdf = vec![0.0f64; n];
    let mut total = 0.0;
    for k in 0..GRID {
        let mut prod = pmf[c][k];
        for j in 0..n {
            if j != c {
                // Ties within a cell count half.
                prod *= cdf[j] + 0.5 * pmf[j][k];
            }
        }
        total += prod;
        for j in 0..n {
            cdf[j] += pmf[j][k];
        }
    }
    total.clamp(1e-9, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn prob_max_agrees_with_monte_carlo() {
        let cases: [&[(f64, f64)]; 4] = [
            &[(1.0, 1.0), (1.0, 1.0)],
            &[(2.0, 20.0), (8.0, 20.0), (1.0, 30.0)],
            &[(31.0, 1.0), (1.0, 1.0)],
            &[(0.5, 0.5), (3.0, 4.0), (40.0, 60.0)],
        ];
        let mut r = Pcg32::new(3, 4);
        for params in cases {
            let n = 40_000;
            let mut wins = vec![0u32; params.len()];
            for _ in 0..n {
                let draws: Vec<f64> = params.iter().map(|&(a, b)| r.beta(a, b)).collect();
                let w = (0..draws.len()).fold(0, |w, j| if draws[j] > draws[w] { j } else { w });
                wins[w] += 1;
            }
            let total: f64 = (0..params.len()).map(|c| prob_max(params, c)).sum();
            assert!((total - 1.0).abs() < 0.02, "{params:?}: sums to {total}");
            for c in 0..params.len() {
                let mc = f64::from(wins[c]) / f64::from(n);
                assert!((prob_max(params, c) - mc).abs() < 0.02, "{params:?}[{c}]: {} vs {mc}", prob_max(params, c));
            }
        }
    }
}
