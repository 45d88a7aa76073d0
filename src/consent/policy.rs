//! Consent signals in, capabilities out.
//!
//! Every signal the host collected (a TCF string, GPP, Global Privacy
//! Control, Do Not Track, Google Consent Mode, the site's own banner, a
//! withdrawal) is reduced to a verdict per capability. The most restrictive
//! signal wins: any refusal denies, and a capability is granted only when
//! some signal grants it and none refuses it. Undetermined consent grants
//! nothing: contextual decisions only, and no storage read or write at all.
//!
//! The capabilities are values only this module can construct (their fields
//! are private), and the profile and storage layers take them as arguments,
//! so a later change cannot write a profile or touch storage without having
//! been through this policy.

/// Permission to read and write device storage at all (ePrivacy 5(3); TCF purpose 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store(());

/// Permission to learn the content profile from events (TCF purpose 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildContent(());

/// Permission to use the content profile for variants, artwork and recommendations (TCF purpose 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UseContent(());

/// Permission to learn the promotion profile (TCF purpose 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildPromotions(());

/// Permission to use the promotion profile to pick promotions (TCF purpose 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsePromotions(());

/// Permission to emit exposure and conversion callbacks (TCF purposes 7 or 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure(());

/// What the visitor's consent allows right now. `None` means not allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub store: Option<Store>,
    pub build_content: Option<BuildContent>,
    pub use_content: Option<UseContent>,
    pub build_promotions: Option<BuildPromotions>,
    pub use_promotions: Option<UsePromotions>,
    pub measure: Option<Measure>,
}

impl Capabilities {
    /// Nothing allowed: the state before any consent is known.
    pub fn none() -> Capabilities {
        Capabilities::default()
    }

    /// The capability names that are granted, for explanations and exports.
    pub fn granted(&self) -> Vec<&'static str> {
        let all = [
            ("store", self.store.is_some()),
            ("buildContent", self.build_content.is_some()),
            ("useContent", self.use_content.is_some()),
            ("buildPromotions", self.build_promotions.is_some()),
            ("usePromotions", self.use_promotions.is_some()),
            ("measure", self.measure.is_some()),
        ];
        all.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect()
    }
}

/// A Google Consent Mode v2 state as the host page passes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeState {
    Granted,
    Denied,
}

/// Google Consent Mode v2 (only the keys hearth reads; absent is unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsentMode {
    pub ad_personalization: Option<ModeState>,
    pub ad_user_data: Option<ModeState>,
    pub analytics_storage: Option<ModeState>,
    pub personalization_storage: Option<ModeState>,
    pub functionality_storage: Option<ModeState>,
}

/// The site's own banner, or hearth's in-module choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Choices {
    pub store: bool,
    pub content: bool,
    pub promotions: bool,
    pub measure: bool,
}

/// TCF purposes as the policy reads them: bit `n - 1` set for purpose `n`.
/// Legitimate interest is deliberately absent: it never counts for
/// purposes 1 and 3-6, and hearth needs nothing else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcfPurposes {
    pub consents: u32,
}

impl TcfPurposes {
    /// From the purpose numbers with consent.
    pub fn from_purposes(purposes: impl IntoIterator<Item = u16>) -> TcfPurposes {
        let consents = purposes.into_iter().filter(|p| (1..=32).contains(p)).fold(0u32, |acc, p| acc | 1 << (p - 1));
        TcfPurposes { consents }
    }

    fn has(&self, purpose: u32) -> bool {
        self.consents & (1 << (purpose - 1)) != 0
    }
}

/// Every consent signal known for this visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// The visitor withdrew consent or asked for erasure: nothing is allowed.
    pub withdrawn: bool,
    /// `navigator.globalPrivacyControl` or `Sec-GPC: 1`.
    pub gpc: bool,
    /// `navigator.doNotTrack === "1"` or `DNT: 1`.
    pub dnt: bool,
    /// A US state privacy string (GPP `usnat` and state sections) opted out
    /// of sale, sharing or targeted advertising, or set its GPC field.
    pub us_opt_out: bool,
    /// The TCF consent purposes, when a TC string was present and valid.
    pub tcf: Option<TcfPurposes>,
    pub consent_mode: ConsentMode,
    /// The site's own banner or hearth's in-module choices.
    pub choices: Option<Choices>,
}

/// One capability's verdict while signals are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Unknown,
    Granted,
    Denied,
}

impl Verdict {
    /// The most restrictive of the two.
    fn and(self, other: Verdict) -> Verdict {
        self.max(other)
    }

    fn from_bool(granted: bool) -> Verdict {
        if granted {
            Verdict::Granted
        } else {
            Verdict::Denied
        }
    }

    fn from_mode(m: Option<ModeState>) -> Verdict {
        match m {
            None => Verdict::Unknown,
            Some(ModeState::Granted) => Verdict::Granted,
            Some(ModeState::Denied) => Verdict::Denied,
        }
    }
}

/// The outcome of the policy: what is allowed, and why, in words a person
/// can read in the "Your data" panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub capabilities: Capabilities,
    pub reasons: Vec<String>,
}

const STORE: usize = 0;
const BUILD_CONTENT: usize = 1;
const USE_CONTENT: usize = 2;
const BUILD_PROMOTIONS: usize = 3;
const USE_PROMOTIONS: usize = 4;
const MEASURE: usize = 5;

/// Reduces the signals to capabilities. Precedence: withdrawal > opt-outs >
/// TCF > in-module choices > defaults (nothing), with any refusal winning.
pub fn decide(s: &Signals) -> Decision {
    let mut reasons = Vec::new();
    if s.withdrawn {
        reasons.push("consent was withdrawn: nothing is stored or learned".to_owned());
        return Decision { capabilities: Capabilities::none(), reasons };
    }
    let mut v = [Verdict::Unknown; 6];
    let mut apply = |i: usize, verdict: Verdict| v[i] = v[i].and(verdict);

    if let Some(t) = s.tcf {
        apply(STORE, Verdict::from_bool(t.has(1)));
        apply(BUILD_CONTENT, Verdict::from_bool(t.has(5)));
        apply(USE_CONTENT, Verdict::from_bool(t.has(6)));
        apply(BUILD_PROMOTIONS, Verdict::from_bool(t.has(3)));
        apply(USE_PROMOTIONS, Verdict::from_bool(t.has(4)));
        apply(MEASURE, Verdict::from_bool(t.has(7) || t.has(8)));
        reasons.push("the consent banner's TCF choices".to_owned());
    }
    let m = &s.consent_mode;
    let storage = Verdict::from_mode(m.personalization_storage).and(Verdict::from_mode(m.functionality_storage));
    apply(STORE, storage);
    apply(BUILD_CONTENT, Verdict::from_mode(m.personalization_storage));
    apply(USE_CONTENT, Verdict::from_mode(m.personalization_storage));
    let ads = Verdict::from_mode(m.ad_personalization).and(Verdict::from_mode(m.ad_user_data));
    apply(BUILD_PROMOTIONS, ads);
    apply(USE_PROMOTIONS, ads);
    apply(MEASURE, Verdict::from_mode(m.analytics_storage));
    if let Some(c) = s.choices {
        apply(STORE, Verdict::from_bool(c.store));
        apply(BUILD_CONTENT, Verdict::from_bool(c.content));
        apply(USE_CONTENT, Verdict::from_bool(c.content));
        apply(BUILD_PROMOTIONS, Verdict::from_bool(c.promotions));
        apply(USE_PROMOTIONS, Verdict::from_bool(c.promotions));
        apply(MEASURE, Verdict::from_bool(c.measure));
        reasons.push("your choices in this site's consent settings".to_owned());
    }
    // Opt-outs: no profile-based promotions, whatever else says yes.
    let opt_outs: Vec<&str> = [
        (s.gpc, "Global Privacy Control"),
        (s.dnt, "Do Not Track"),
        (s.us_opt_out, "a US privacy opt-out"),
        (m.ad_personalization == Some(ModeState::Denied), "ad personalization is denied"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, why)| *why)
    .collect();
    if !opt_outs.is_empty() {
        apply(BUILD_PROMOTIONS, Verdict::Denied);
        apply(USE_PROMOTIONS, Verdict::Denied);
        reasons.push(format!("no profile-based promotions: {}", opt_outs.join(", ")));
    }
    if v.iter().all(|x| *x == Verdict::Unknown) {
        reasons.push("no consent given yet: contextual choices only, nothing stored".to_owned());
    }
    let on = |i: usize| v[i] == Verdict::Granted;
    let capabilities = Capabilities {
        store: on(STORE).then_some(Store(())),
        build_content: on(BUILD_CONTENT).then_some(BuildContent(())),
        use_content: on(USE_CONTENT).then_some(UseContent(())),
        build_promotions: on(BUILD_PROMOTIONS).then_some(BuildPromotions(())),
        use_promotions: on(USE_PROMOTIONS).then_some(UsePromotions(())),
        measure: on(MEASURE).then_some(Measure(())),
    };
    Decision { capabilities, reasons }
}

/// What a change of consent means for data already held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Downgrade {
    /// Storage is no longer allowed: delete every stored key and cookie.
    pub storage: bool,
    /// The content profile may no longer be built or used: delete it.
    pub content: bool,
    /// The promotion profile may no longer be built or used: delete it.
    pub promotions: bool,
}

impl Downgrade {
    /// Compares the capabilities before and after a change. An upgrade needs
    /// no action (learning starts from then on); a downgrade deletes the
    /// affected namespace at once.
    pub fn between(before: &Capabilities, after: &Capabilities) -> Downgrade {
        let lost = |b: bool, a: bool| b && !a;
        Downgrade {
            storage: lost(before.store.is_some(), after.store.is_some()),
            content: lost(before.build_content.is_some(), after.build_content.is_some())
                || lost(before.use_content.is_some(), after.use_content.is_some()),
            promotions: lost(before.build_promotions.is_some(), after.build_promotions.is_some())
                || lost(before.use_promotions.is_some(), after.use_promotions.is_some()),
        }
    }

    pub fn any(&self) -> bool {
        self.storage || self.content || self.promotions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcf(purposes: &[u16]) -> Option<TcfPurposes> {
        Some(TcfPurposes::from_purposes(purposes.iter().copied()))
    }

    #[test]
    fn undetermined_consent_allows_nothing() {
        let d = decide(&Signals::default());
        assert_eq!(d.capabilities, Capabilities::none());
        assert!(d.reasons[0].contains("nothing stored"));
        // GPC alone grants nothing either: opt-outs only take away.
        assert_eq!(decide(&Signals { gpc: true, ..Default::default() }).capabilities, Capabilities::none());
    }

    #[test]
    fn tcf_purposes_map_to_capabilities() {
        let c = decide(&Signals { tcf: tcf(&[1, 5, 6]), ..Default::default() }).capabilities;
        assert_eq!(c.granted(), ["store", "buildContent", "useContent"]);
        let c = decide(&Signals { tcf: tcf(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ..Default::default() }).capabilities;
        assert_eq!(c.granted().len(), 6);
        // Purpose 1 refused: no storage even with everything else.
        let c = decide(&Signals { tcf: tcf(&[3, 4, 5, 6, 7]), ..Default::default() }).capabilities;
        assert!(c.store.is_none() && c.build_content.is_some());
    }

    #[test]
    fn opt_outs_remove_profile_promotions_only() {
        let all = tcf(&[1, 3, 4, 5, 6, 7]);
        for s in [
            Signals { tcf: all, gpc: true, ..Default::default() },
            Signals { tcf: all, dnt: true, ..Default::default() },
            Signals { tcf: all, us_opt_out: true, ..Default::default() },
            Signals {
                tcf: all,
                consent_mode: ConsentMode { ad_personalization: Some(ModeState::Denied), ..Default::default() },
                ..Default::default()
            },
        ] {
            let d = decide(&s);
            assert!(d.capabilities.build_promotions.is_none() && d.capabilities.use_promotions.is_none(), "{s:?}");
            assert!(d.capabilities.use_content.is_some() && d.capabilities.store.is_some(), "{s:?}");
            assert!(d.reasons.iter().any(|r| r.starts_with("no profile-based promotions")));
        }
    }

    #[test]
    fn the_most_restrictive_signal_wins() {
        // The site's banner says yes to everything; TCF refused content.
        let yes = Choices { store: true, content: true, promotions: true, measure: true };
        let c = decide(&Signals { tcf: tcf(&[1]), choices: Some(yes), ..Default::default() }).capabilities;
        assert_eq!(c.granted(), ["store"]);
        // In-module opt-in alone grants what it says.
        let c = decide(&Signals { choices: Some(Choices { store: true, content: true, ..Default::default() }), ..Default::default() });
        assert_eq!(c.capabilities.granted(), ["store", "buildContent", "useContent"]);
        // Withdrawal beats everything.
        let c = decide(&Signals { withdrawn: true, tcf: tcf(&[1, 3, 4, 5, 6, 7]), choices: Some(yes), ..Default::default() });
        assert_eq!(c.capabilities, Capabilities::none());
    }

    #[test]
    fn downgrades_name_what_to_delete() {
        let before = decide(&Signals { tcf: tcf(&[1, 3, 4, 5, 6]), ..Default::default() }).capabilities;
        let after = decide(&Signals { tcf: tcf(&[1, 5, 6]), ..Default::default() }).capabilities;
        assert_eq!(Downgrade::between(&before, &after), Downgrade { storage: false, content: false, promotions: true });
        assert!(!Downgrade::between(&after, &before).any(), "an upgrade deletes nothing");
        let gone = Downgrade::between(&before, &Capabilities::none());
        assert!(gone.storage && gone.content && gone.promotions);
    }
}
