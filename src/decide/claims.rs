//! Signed claims: traits that grant value (loyalty tier, membership, birth
//! month, a personal offer) count only when the site signed them.
//!
//! A claim is `base64url(payload) "." base64url(signature)` (no padding),
//! where `payload` is UTF-8 JSON
//! `{"trait": "loyaltyTier", "value": "gold", "exp": 1780000000, "sub": "u123"?}`
//! (`exp` in epoch seconds, required; `sub`, when present, must equal the
//! visitor's `id` attribute) and the signature is Ed25519 over the ASCII bytes
//! of the first segment, as in a JWS compact serialization, with the key in
//! the manifest's `claims.publicKey`. Anything else is ignored with a reason:
//! a visitor (or a script on the page) can present a claim, but cannot forge one.

use super::context::Context;
use crate::json::{self, js, Value};
use crate::manifest::ClaimSettings;

/// Longest claim read; longer ones are rejected unread.
pub const MAX_CLAIM_LEN: usize = 2048;
/// Most claims read per page view.
pub const MAX_CLAIMS: usize = 16;

/// A claim that verified: signed by the manifest's key, declared, unexpired.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedClaim {
    pub trait_name: String,
    pub value: Value,
    pub expires_ms: i64,
}

/// Why a claim was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimProblem {
    /// The manifest has no `claims.publicKey`, so nothing can be verified.
    NoKey,
    /// No signature segment: unsigned claims never count.
    Unsigned,
    /// Not `payload.signature` in base64url, not JSON, or a field of the wrong type.
    Malformed,
    /// The signature does not verify with the manifest's key (forged or altered).
    BadSignature,
    /// `exp` is in the past.
    Expired,
    /// The trait is not listed in `claims.traits`.
    UndeclaredTrait,
    /// `sub` names a different visitor than the `id` attribute.
    OtherVisitor,
    /// Over [`MAX_CLAIM_LEN`] bytes, or past the first [`MAX_CLAIMS`].
    TooLarge,
    /// The browser build has not been told whether the signature verifies:
    /// it checks signatures with WebCrypto, before deciding (`Hearth#verifyClaims`).
    Unverified,
}

impl ClaimProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimProblem::NoKey => "no-key",
            ClaimProblem::Unsigned => "unsigned",
            ClaimProblem::Malformed => "malformed",
            ClaimProblem::BadSignature => "bad-signature",
            ClaimProblem::Expired => "expired",
            ClaimProblem::UndeclaredTrait => "undeclared-trait",
            ClaimProblem::OtherVisitor => "other-visitor",
            ClaimProblem::TooLarge => "too-large",
            ClaimProblem::Unverified => "unverified",
        }
    }
}

impl std::fmt::Display for ClaimProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClaimProblem::NoKey => "ignored: the manifest declares no claims.publicKey to verify it with",
            ClaimProblem::Unsigned => "ignored: unsigned (expected payload.signature)",
            ClaimProblem::Malformed => "ignored: not a well-formed claim (base64url JSON payload with trait, value and exp)",
            ClaimProblem::BadSignature => "ignored: the signature does not match the manifest's key",
            ClaimProblem::Expired => "ignored: expired",
            ClaimProblem::UndeclaredTrait => "ignored: its trait is not listed in claims.traits",
            ClaimProblem::OtherVisitor => "ignored: issued for another visitor",
            ClaimProblem::TooLarge => "ignored: too large or too many claims",
            ClaimProblem::Unverified => {
                "ignored: not verified yet (the browser build checks signatures with WebCrypto: present claims with page.presentClaims, or await hearth.verifyClaims first)"
            }
        })
    }
}

/// A claim that did not count, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedClaim {
    /// Position in [`Context::claims`].
    pub index: usize,
    /// The trait, when the payload could be read.
    pub trait_name: Option<String>,
    pub problem: ClaimProblem,
}

/// Verifies every claim in the context.
pub fn verify_all(settings: Option<&ClaimSettings>, ctx: &Context) -> (Vec<VerifiedClaim>, Vec<RejectedClaim>) {
    let mut ok: Vec<VerifiedClaim> = Vec::new();
    let mut bad = Vec::new();
    for (index, raw) in ctx.claims.iter().enumerate() {
        let res = if index >= MAX_CLAIMS { Err((None, ClaimProblem::TooLarge)) } else { verify(settings, raw, ctx) };
        match res {
            // The first valid claim of a trait wins.
            Ok(c) if !ok.iter().any(|o| o.trait_name == c.trait_name) => ok.push(c),
            Ok(_) => {}
            Err((trait_name, problem)) => bad.push(RejectedClaim { index, trait_name, problem }),
        }
    }
    (ok, bad)
}

type Failure = (Option<String>, ClaimProblem);

/// Verifies one claim at `ctx.now_ms`.
pub fn verify(settings: Option<&ClaimSettings>, raw: &str, ctx: &Context) -> Result<VerifiedClaim, Failure> {
    let fail = |p| Err((None, p));
    let Some(settings) = settings else { return fail(ClaimProblem::NoKey) };
    if raw.len() > MAX_CLAIM_LEN {
        return fail(ClaimProblem::TooLarge);
    }
    let Some((payload_b64, sig_b64)) = raw.trim().split_once('.') else { return fail(ClaimProblem::Unsigned) };
    if sig_b64.is_empty() {
        return fail(ClaimProblem::Unsigned);
    }
    let (Some(payload), Some(sig)) = (base64url(payload_b64), base64url(sig_b64)) else { return fail(ClaimProblem::Malformed) };
    if settings.public_key.len() != 32 || sig.len() != 64 {
        return fail(ClaimProblem::Malformed);
    }
    match crate::host::ed25519_verify(&settings.public_key, payload_b64, sig_b64, &sig) {
        Some(true) => {}
        Some(false) => return fail(ClaimProblem::BadSignature),
        None => return fail(ClaimProblem::Unverified),
    }
    let doc = std::str::from_utf8(&payload).ok().and_then(|t| json::parse(t).ok());
    let Some(doc) = doc else { return fail(ClaimProblem::Malformed) };
    let Some(trait_name) = doc.get("trait").and_then(Value::as_str).map(str::to_owned) else { return fail(ClaimProblem::Malformed) };
    let with = |p| Err((Some(trait_name.clone()), p));
    let value = match doc.get("value") {
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => v.clone(),
        _ => return with(ClaimProblem::Malformed),
    };
    let Some(exp) = doc.get("exp").and_then(Value::as_f64).filter(|e| e.is_finite()) else { return with(ClaimProblem::Malformed) };
    if !settings.traits.contains(&trait_name) {
        return with(ClaimProblem::UndeclaredTrait);
    }
    let expires_ms = (exp * 1000.0) as i64;
    if expires_ms <= ctx.now_ms {
        return with(ClaimProblem::Expired);
    }
    match doc.get("sub") {
        None | Some(Value::Null) => {}
        Some(Value::String(sub)) => {
            if ctx.attributes.get("id").map(js::to_string).as_deref() != Some(sub.as_str()) {
                return with(ClaimProblem::OtherVisitor);
            }
        }
        Some(_) => return with(ClaimProblem::Malformed),
    }
    Ok(VerifiedClaim { trait_name, value, expires_ms })
}

/// Unpadded (or padded) base64url; `None` on any other character.
fn base64url(s: &str) -> Option<Vec<u8>> {
    crate::base64::decode_url(s).ok()
}

/// Encodes base64url without padding (for issuing claims in tests and tools).
pub fn base64url_encode(bytes: &[u8]) -> String {
    crate::base64::encode_url(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for n in 0..20 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64url(&base64url_encode(&bytes)).as_deref(), Some(&bytes[..]));
        }
        assert_eq!(base64url("a"), None);
        assert_eq!(base64url("ab+c"), None);
    }
}
