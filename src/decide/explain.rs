//! Explanations: a reason a person can read, and reason codes a machine can.
//!
//! The human text is rendered on demand from a small enum ([`Because`]) that
//! borrows labels and titles from the manifest, so a decision allocates no
//! strings on the hot path; the codes are a bit set.

use crate::json::{write_js_number, write_json_string, Object};
use crate::manifest::{Strategy, Variant};

/// What a decision is based on, in words a visitor can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Because<'m> {
    /// The default: shown to everyone.
    Everyone,
    /// Matched this page's context (or a rule).
    ThisPage,
    /// An experiment assigned it at random.
    Experiment,
    /// A taxonomy tag the visitor often looks at (its label).
    Interest(&'m str),
    /// The visitor's own clicks on this slot.
    YourClicks,
    /// Other visitors respond to it (the manifest's priors or popularity).
    Popular,
    /// Chosen at random to explore.
    Exploring,
    /// Similar to a catalog item the visitor viewed (its title).
    Viewed(&'m str),
    /// A verified claim (its trait name).
    Claim(&'m str),
    /// The visitor's birth month (from a verified claim).
    Birthday,
}

/// The fixed part of each kind of [`Because`] sentence, by [`Because::parts`] kind.
pub const BECAUSE_TEXTS: [&str; 10] = [
    "shown to everyone",
    "chosen for this page",
    "part of a test: chosen at random",
    "because you often look at ",
    "because you responded to it before",
    "popular with other visitors",
    "picked at random, so you also see something new",
    "because you viewed ",
    "because of your verified ",
    "because it is your birthday month",
];

impl<'m> Because<'m> {
    /// The kind (an index into [`BECAUSE_TEXTS`]) and the manifest text that
    /// completes the sentence (a tag label, an item title, a trait name; else "").
    pub fn parts(&self) -> (usize, &'m str) {
        match *self {
            Because::Everyone => (0, ""),
            Because::ThisPage => (1, ""),
            Because::Experiment => (2, ""),
            Because::Interest(label) => (3, label),
            Because::YourClicks => (4, ""),
            Because::Popular => (5, ""),
            Because::Exploring => (6, ""),
            Because::Viewed(title) => (7, title),
            Because::Claim(name) => (8, name),
            Because::Birthday => (9, ""),
        }
    }

    /// The sentence shown in "why this?".
    pub fn text(&self) -> String {
        let (kind, rest) = self.parts();
        let head = BECAUSE_TEXTS[kind];
        let mut s = String::with_capacity(head.len() + rest.len());
        s.push_str(head);
        s.push_str(rest);
        s
    }
}

/// A machine reason code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// The slot's condition did not match: the default shows.
    SlotConditionFalse = 0,
    /// No content consent: a contextual choice.
    NoContentConsent,
    Experiment,
    /// Outside the experiment's coverage, or no hash attribute.
    NotInExperiment,
    NoHashAttribute,
    /// A sticky assignment from the profile.
    Sticky,
    RuleMatched,
    NoRuleMatched,
    Affinity,
    /// Nothing known about the visitor's interests yet.
    ColdStart,
    Explored,
    Bandit,
    /// The visitor's own impressions and clicks moved the choice.
    OwnFeedback,
    /// A prior was NaN, infinite or not positive; Beta(1, 1) was used.
    InvalidPrior,
    /// A variant weight was NaN, infinite or negative; treated as 0.
    InvalidWeight,
    /// No variant was eligible: the default shows.
    NoEligibleVariant,
    Default,
    Popular,
    Factors,
    Tags,
}

/// Each [`Code`]'s name, by its bit in [`Codes::bits`].
pub const CODE_NAMES: [&str; 20] = [
    "slot-condition-false",
    "no-content-consent",
    "experiment",
    "not-in-experiment",
    "no-hash-attribute",
    "sticky",
    "rule-matched",
    "no-rule-matched",
    "affinity",
    "cold-start",
    "explored",
    "bandit",
    "own-feedback",
    "invalid-prior",
    "invalid-weight",
    "no-eligible-variant",
    "default",
    "popular",
    "factors",
    "tags",
];

const ALL_CODES: [Code; 20] = [
    Code::SlotConditionFalse,
    Code::NoContentConsent,
    Code::Experiment,
    Code::NotInExperiment,
    Code::NoHashAttribute,
    Code::Sticky,
    Code::RuleMatched,
    Code::NoRuleMatched,
    Code::Affinity,
    Code::ColdStart,
    Code::Explored,
    Code::Bandit,
    Code::OwnFeedback,
    Code::InvalidPrior,
    Code::InvalidWeight,
    Code::NoEligibleVariant,
    Code::Default,
    Code::Popular,
    Code::Factors,
    Code::Tags,
];

impl Code {
    pub fn as_str(self) -> &'static str {
        CODE_NAMES[self as usize]
    }
}

/// A set of [`Code`]s (a bit set: no allocation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Codes(u32);

impl Codes {
    pub fn add(&mut self, c: Code) {
        self.0 |= 1 << c as u32;
    }

    pub fn with(mut self, c: Code) -> Codes {
        self.add(c);
        self
    }

    pub fn contains(&self, c: Code) -> bool {
        self.0 & (1 << c as u32) != 0
    }

    /// The set as bits: bit `i` is the code named `CODE_NAMES[i]`.
    pub fn bits(&self) -> u32 {
        self.0
    }

    pub fn iter(&self) -> impl Iterator<Item = Code> + '_ {
        ALL_CODES.iter().copied().filter(|c| self.contains(*c))
    }
}

/// The outcome of deciding one slot.
#[derive(Clone)]
pub struct Decision<'m> {
    pub slot: &'m str,
    /// The slot's strategy (the codes say when it fell back).
    pub strategy: Strategy,
    /// Index of the chosen variant in the slot.
    pub index: usize,
    /// The chosen variant: `variant.id` and `variant.content`.
    pub variant: &'m Variant,
    /// The probability this policy had of showing this variant, in (0, 1].
    pub propensity: f64,
    /// Chosen by exploration rather than as the current best.
    pub explored: bool,
    pub because: Because<'m>,
    pub codes: Codes,
}

impl std::fmt::Debug for Decision<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl Decision<'_> {
    pub fn variant_id(&self) -> &str {
        &self.variant.id
    }

    pub fn content(&self) -> &Object {
        &self.variant.content
    }

    /// The human-readable reason.
    pub fn reason(&self) -> String {
        self.because.text()
    }

    /// `{"slot","variant","content","strategy","reason","codes","propensity","explored"}`:
    /// a stable serialization (same inputs, same bytes).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(160);
        out.push_str("{\"slot\":");
        write_json_string(self.slot, &mut out);
        out.push_str(",\"variant\":");
        write_json_string(&self.variant.id, &mut out);
        out.push_str(",\"content\":");
        self.variant.content.write_json(&mut out);
        out.push_str(",\"strategy\":\"");
        out.push_str(self.strategy.name());
        out.push_str("\",\"reason\":");
        write_json_string(&self.because.text(), &mut out);
        write_codes(&self.codes, &mut out);
        out.push_str(",\"propensity\":");
        write_js_number(self.propensity, &mut out);
        out.push_str(",\"explored\":");
        out.push_str(if self.explored { "true" } else { "false" });
        out.push('}');
        out
    }
}

pub(crate) fn write_codes(codes: &Codes, out: &mut String) {
    out.push_str(",\"codes\":[");
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(c.as_str());
        out.push('"');
    }
    out.push(']');
}
