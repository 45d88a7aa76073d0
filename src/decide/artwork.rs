//! Artwork (thumbnails): for a catalog item, the artwork whose tags best
//! match the visitor's interests, with exploration, Netflix-style.

use super::explain::{Because, Code, Codes};
use super::strategy::{stream, top_tag};
use super::{DecideError, Visit};
use crate::manifest::{Artwork, Item};

/// Probability of showing a random artwork instead of the best match, so
/// the site keeps learning which artwork works (the manifest has no per-item
/// setting for it yet).
pub const DEFAULT_ARTWORK_EXPLORATION: f64 = 0.1;

/// The artwork chosen for one item.
#[derive(Debug, Clone)]
pub struct ArtworkChoice<'m> {
    pub item: &'m Item,
    pub index: usize,
    /// The chosen artwork: `artwork.id`, `artwork.content` (`src`, `alt`...).
    pub artwork: &'m Artwork,
    /// Exact: `(1 - ε)·[best] + ε / n`.
    pub propensity: f64,
    pub explored: bool,
    pub because: Because<'m>,
    pub codes: Codes,
}

impl<'a> Visit<'a> {
    /// Chooses the artwork for `item`. The first artwork is the default
    /// (shown without content consent, or when nothing is known yet).
    pub fn artwork(&self, item: &str) -> Result<ArtworkChoice<'a>, DecideError> {
        let m = self.m;
        let it = m.catalog.get(item).ok_or_else(|| DecideError::UnknownItem(item.to_owned()))?;
        self.artwork_for(it)
    }

    /// [`Visit::artwork`] for the catalog item at `position`.
    pub fn artwork_at(&self, position: usize) -> Result<ArtworkChoice<'a>, DecideError> {
        let m: &'a crate::manifest::Manifest = self.m;
        let it = m.catalog.items.get(position).ok_or_else(|| DecideError::UnknownItem(format!("#{position}")))?;
        self.artwork_for(it)
    }

    /// [`Visit::artwork`] for many items at once (a grid): one result per id, in order.
    pub fn artworks(&self, items: &[&str]) -> Vec<Result<ArtworkChoice<'a>, DecideError>> {
        items.iter().map(|id| self.artwork(id)).collect()
    }

    fn artwork_for(&self, it: &'a Item) -> Result<ArtworkChoice<'a>, DecideError> {
        let n = it.artworks.len();
        if n == 0 {
            return Err(DecideError::NoArtwork(it.id.clone()));
        }
        let mut codes = Codes::default();
        let fixed = |index, because, codes| ArtworkChoice {
            item: it,
            index,
            artwork: &it.artworks[index],
            propensity: 1.0,
            explored: false,
            because,
            codes,
        };
        if self.caps.use_content.is_none() {
            return Ok(fixed(0, Because::Everyone, codes.with(Code::NoContentConsent).with(Code::Default)));
        }
        if n == 1 {
            return Ok(fixed(0, Because::Everyone, codes.with(Code::Default)));
        }
        codes.add(Code::Affinity);
        let score = |a: &Artwork| self.tags_share(&a.tags, &a.tag_ids);
        let (mut best, mut best_score) = (0, score(&it.artworks[0]));
        for (i, a) in it.artworks.iter().enumerate().skip(1) {
            let sc = score(a);
            if sc > best_score {
                (best, best_score) = (i, sc);
            }
        }
        if best_score <= 0.0 {
            codes.add(Code::ColdStart);
        }
        let eps = DEFAULT_ARTWORK_EXPLORATION;
        let mut r = stream(self, &[b"artwork", it.id.as_bytes()]);
        let chosen = if r.f64() < eps { r.below(n).min(n - 1) } else { best };
        let explored = chosen != best;
        let because = if explored {
            codes.add(Code::Explored);
            Because::Exploring
        } else {
            top_tag(self, &it.artworks[chosen].tags).map_or(Because::Everyone, |t| Because::Interest(self.label(t)))
        };
        Ok(ArtworkChoice {
            item: it,
            index: chosen,
            artwork: &it.artworks[chosen],
            propensity: if chosen == best { 1.0 - eps } else { 0.0 } + eps / n as f64,
            explored,
            because,
            codes,
        })
    }
}
