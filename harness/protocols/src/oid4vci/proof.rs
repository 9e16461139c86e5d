//! Key proofs of type `jwt` (OpenID4VCI 1.0 Appendix F.1): building one as a wallet does — correct,
//! or with the one deviation a test needs — and checking one as an issuer does.

use super::PROOF_TYP;
use super::message::{ProofClaims, ProofHeader};
use crate::b64;
use crate::jose::{CompactJws, EcKey, is_asymmetric_alg, verifying_key_from_jwk};
use crate::message::Message;
use crate::seed::Entropy;
use serde::Deserialize;
use serde_json::Value;

/// How to build a proof JWT. The default is correct: `typ` openid4vci-proof+jwt, `aud` the
/// Credential Issuer Identifier, the issuer's `c_nonce`, `iat` now, ES256 by the key in `jwk`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProofSpec {
    pub typ: String,
    pub aud: ProofAudience,
    pub nonce: ProofNonce,
    /// Seconds added to the current time for `iat`.
    pub iat_offset: i64,
    pub signature: ProofSignature,
}

impl Default for ProofSpec {
    fn default() -> Self {
        Self {
            typ: PROOF_TYP.into(),
            aud: ProofAudience::Issuer,
            nonce: ProofNonce::Fresh,
            iat_offset: 0,
            signature: ProofSignature::Correct,
        }
    }
}

/// Whom the proof names as its audience.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofAudience {
    /// The Credential Issuer Identifier (correct).
    Issuer,
    /// The token endpoint's URL.
    TokenEndpoint,
    /// The issuer identifier with this path appended (another tenant of the same host).
    IssuerPath(String),
}

/// Which nonce the proof carries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofNonce {
    /// The `c_nonce` the issuer's nonce endpoint gave for this request (correct); none when the
    /// issuer has no nonce endpoint.
    Fresh,
    /// No `nonce` claim.
    Omit,
    /// A value the issuer never gave.
    Random,
    /// This value.
    Value(String),
}

/// How the proof is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofSignature {
    /// ES256 by the key in the `jwk` header (correct).
    Correct,
    /// ES256 by another key than the one in the `jwk` header: a signature that does not verify.
    OtherKey,
    /// `alg: none` and an empty signature.
    AlgNone,
}

/// What a proof is built against.
#[derive(Debug, Clone, Copy)]
pub struct ProofTarget<'a> {
    pub issuer: &'a str,
    pub token_endpoint: &'a str,
    /// The issuer's `c_nonce`, if it has a nonce endpoint.
    pub c_nonce: Option<&'a str>,
}

/// Builds a proof JWT for `key` as `spec` says.
pub fn build(key: &EcKey, spec: &ProofSpec, target: ProofTarget<'_>, entropy: &Entropy) -> String {
    build_with(key, spec, target, None, entropy)
}

/// Builds a proof JWT for `key` as `spec` says, with a key attestation in its header (Appendix F.1).
pub fn build_attested(
    key: &EcKey,
    spec: &ProofSpec,
    target: ProofTarget<'_>,
    key_attestation: &str,
    entropy: &Entropy,
) -> String {
    build_with(key, spec, target, Some(key_attestation.to_string()), entropy)
}

fn build_with(
    key: &EcKey,
    spec: &ProofSpec,
    target: ProofTarget<'_>,
    key_attestation: Option<String>,
    entropy: &Entropy,
) -> String {
    let header = ProofHeader {
        typ: Some(spec.typ.clone()),
        jwk: Some(key.public_jwk()),
        key_attestation,
        ..ProofHeader::default()
    };
    let aud = match &spec.aud {
        ProofAudience::Issuer => target.issuer.to_string(),
        ProofAudience::TokenEndpoint => target.token_endpoint.to_string(),
        ProofAudience::IssuerPath(path) => format!("{}{path}", target.issuer),
    };
    let nonce = match &spec.nonce {
        ProofNonce::Fresh => target.c_nonce.map(str::to_string),
        ProofNonce::Omit => None,
        ProofNonce::Random => Some(entropy.token(16)),
        ProofNonce::Value(v) => Some(v.clone()),
    };
    let claims = ProofClaims {
        aud: Some(Value::String(aud)),
        iat: Some(Value::from(crate::now_epoch() + spec.iat_offset)),
        nonce,
        ..ProofClaims::default()
    };
    match spec.signature {
        ProofSignature::Correct => key.sign_jws(&header.to_json(), &claims.to_json()),
        ProofSignature::OtherKey => EcKey::generate(entropy).sign_jws(&header.to_json(), &claims.to_json()),
        ProofSignature::AlgNone => {
            let header = ProofHeader { alg: Some("none".into()), ..header };
            format!("{}.{}.", b64::encode(header.to_json().to_string()), b64::encode(claims.to_json().to_string()))
        }
    }
}

/// What an issuer checks of a proof; all of it unless a test issuer is told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofChecks {
    pub typ: bool,
    pub signature: bool,
    pub aud: bool,
}

impl Default for ProofChecks {
    fn default() -> Self {
        Self { typ: true, signature: true, aud: true }
    }
}

/// A proof that passed the checks: the holder's key and the claims (the caller judges `nonce`
/// against what it gave).
#[derive(Debug, Clone)]
pub struct CheckedProof {
    pub jwk: Value,
    pub claims: ProofClaims,
    /// The key attestation in its header, unchecked (Appendix F.1).
    pub key_attestation: Option<String>,
}

/// Seconds a proof's `iat` may lie in the future, and in the past.
pub(crate) const IAT_FUTURE: i64 = 60;

/// Checks one proof JWT as the issuer `issuer` at `now` (Appendix F.1, F.4); the error says why it
/// is an `invalid_proof`.
pub fn check(
    text: &str,
    issuer: &str,
    now: i64,
    max_age: i64,
    algs: &[&str],
    checks: ProofChecks,
) -> Result<CheckedProof, String> {
    let jws = CompactJws::parse(text).map_err(|e| format!("proof is not a JWS: {e}"))?;
    let header = ProofHeader::parse(&Value::Object(jws.header.clone())).map_err(|e| e.to_string())?;
    if checks.typ && header.typ.as_deref() != Some(PROOF_TYP) {
        return Err(format!("proof typ must be {PROOF_TYP}"));
    }
    let jwk = header.jwk.clone().ok_or("the proof header has no jwk")?;
    if header.kid.is_some() || header.x5c.is_some() {
        return Err("jwk must not be combined with kid or x5c".into());
    }
    if jwk.get("d").is_some() {
        return Err("the proof jwk contains a private key".into());
    }
    if checks.signature {
        let alg = header.alg.as_deref().unwrap_or_default();
        if !is_asymmetric_alg(alg) || !algs.contains(&alg) {
            return Err(format!("proof alg must be one of {algs:?} (proof_signing_alg_values_supported)"));
        }
        let key = verifying_key_from_jwk(&jwk).map_err(|e| format!("proof jwk: {e}"))?;
        jws.verify_es256(&key).map_err(|e| format!("proof signature: {e}"))?;
    }
    let claims = ProofClaims::parse(&Value::Object(jws.payload.clone())).map_err(|e| e.to_string())?.value;
    if checks.aud && !claims.audience_is(issuer) {
        return Err("proof aud must be the Credential Issuer Identifier".into());
    }
    match claims.iat.as_ref().and_then(Value::as_i64) {
        Some(iat) if iat <= now + IAT_FUTURE && iat >= now - max_age => {}
        _ => return Err("proof iat is missing or not recent".into()),
    }
    Ok(CheckedProof { jwk, claims: claims.clone(), key_attestation: header.key_attestation.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_proof_checks_and_each_deviation_is_refused_for_its_reason() {
        let entropy = Entropy::seeded(3);
        let key = EcKey::generate(&entropy);
        let target =
            ProofTarget { issuer: "https://i.example", token_endpoint: "https://i.example/token", c_nonce: Some("n") };
        let now = crate::now_epoch();
        let check = |spec: &ProofSpec| {
            check(
                &build(&key, spec, target, &entropy),
                "https://i.example",
                now,
                300,
                &["ES256"],
                ProofChecks::default(),
            )
        };
        let ok = check(&ProofSpec::default()).expect("a correct proof");
        assert_eq!(ok.claims.nonce.as_deref(), Some("n"));
        assert!(check(&ProofSpec { typ: "JWT".into(), ..ProofSpec::default() }).unwrap_err().contains("typ"));
        let aud = ProofSpec { aud: ProofAudience::IssuerPath("/other".into()), ..ProofSpec::default() };
        assert!(check(&aud).unwrap_err().contains("aud"));
        let other = ProofSpec { signature: ProofSignature::OtherKey, ..ProofSpec::default() };
        assert!(check(&other).unwrap_err().contains("signature"));
        let none = ProofSpec { signature: ProofSignature::AlgNone, ..ProofSpec::default() };
        assert!(check(&none).unwrap_err().contains("alg"));
        let old = ProofSpec { iat_offset: -3600, ..ProofSpec::default() };
        assert!(check(&old).unwrap_err().contains("iat"));
        let omit = check(&ProofSpec { nonce: ProofNonce::Omit, ..ProofSpec::default() }).unwrap();
        assert!(omit.claims.nonce.is_none());
    }

    #[test]
    fn specs_read_from_suite_parameters() {
        let spec: ProofSpec =
            toml::from_str("typ = \"JWT\"\naud = { issuer_path = \"/x\" }\nnonce = \"omit\"").unwrap();
        assert_eq!(spec.aud, ProofAudience::IssuerPath("/x".into()));
        assert_eq!(spec.nonce, ProofNonce::Omit);
        assert!(toml::from_str::<ProofSpec>("tyq = 1").is_err());
    }
}
