//! Key attestations in JWT format (OpenID4VCI 1.0 Appendix D.1): built as a wallet provider signs
//! them — correct, or with the one deviation a test needs ([`KeyAttestationSpec`]) — carried as the
//! `attestation` proof type (Appendix F.3) or in a `jwt` proof's `key_attestation` header (F.1), and
//! checked as an issuer does ([`check`]).

use crate::jose::{CompactJws, EcKey, is_asymmetric_alg, verify_signature};
use crate::message::Message;
use crate::oauth::client_attestation::{AttestationSigner, Attester};
use crate::seed::Entropy;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Appendix D.1
pub const TYP: &str = "key-attestation+jwt";

/// The claims of a key attestation (Appendix D.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyAttestationClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attested_keys: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_storage: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_authentication: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for KeyAttestationClaims {
    const NAME: &'static str = "key attestation";
    const CLAUSE: &'static str = "OID4VCI-1.0 §D.1";
}

/// `key_attestations_required` of a proof type's metadata (§12.2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyAttestationsRequired {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_storage: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_authentication: Option<Vec<String>>,
}

/// The attack potential resistance the harness's wallet provider asserts (Appendix D.2).
pub const ISO_18045_MODERATE: &str = "iso_18045_moderate";

/// How a key attestation deviates; the default is correct: the attester's signature, the holder's
/// key attested, the issuer's `c_nonce`, `exp` an hour ahead.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyAttestationSpec {
    pub signed_by: AttestationSigner,
    /// Attest another key than the one the credential is to be bound to (the proof's).
    pub other_key: bool,
    /// No `nonce` even when the issuer gave one.
    pub omit_nonce: bool,
    /// Seconds from now to `exp`.
    pub exp_offset: i64,
}

impl Default for KeyAttestationSpec {
    fn default() -> Self {
        Self { signed_by: AttestationSigner::Attester, other_key: false, omit_nonce: false, exp_offset: 3600 }
    }
}

/// A key attestation of `holder`'s key by `attester`, as `spec` says.
pub fn build(
    attester: &Attester,
    holder: &EcKey,
    c_nonce: Option<&str>,
    spec: &KeyAttestationSpec,
    entropy: &Entropy,
) -> String {
    let now = crate::now_epoch();
    let attested = if spec.other_key { EcKey::generate(entropy).public_jwk() } else { holder.public_jwk() };
    let claims = KeyAttestationClaims {
        iss: Some(attester.id.clone()),
        iat: Some(now),
        exp: Some(now + spec.exp_offset),
        attested_keys: Some(vec![attested]),
        key_storage: Some(vec![ISO_18045_MODERATE.into()]),
        user_authentication: Some(vec![ISO_18045_MODERATE.into()]),
        nonce: if spec.omit_nonce { None } else { c_nonce.map(str::to_string) },
        extra: Map::new(),
    };
    let header = json!({"typ": TYP});
    match spec.signed_by {
        AttestationSigner::Attester => attester.key.sign_jws(&header, &claims.to_json()),
        AttestationSigner::UnknownKey => EcKey::generate(entropy).sign_jws(&header, &claims.to_json()),
    }
}

/// A key attestation that passed the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedKeyAttestation {
    pub attested_keys: Vec<Value>,
    pub nonce: Option<String>,
}

impl CheckedKeyAttestation {
    /// Whether `jwk` is one of the attested keys (same RFC 7638 thumbprint).
    pub fn attests(&self, jwk: &Value) -> bool {
        let wanted = crate::jose::thumbprint(jwk);
        wanted.is_some() && self.attested_keys.iter().any(|k| crate::jose::thumbprint(k) == wanted)
    }
}

/// Checks a key attestation at `now` (Appendix D.1, F.4): typed, an asymmetric `alg`, signed by one
/// of `trusted` (unless `signature` is false: a test issuer), a non-empty `attested_keys` of public
/// keys, `iat` present, `exp` (when `exp_required`, as with the `jwt` proof type) not passed. The
/// caller judges `nonce` against what it gave.
pub fn check(
    text: &str,
    trusted: &[Value],
    now: i64,
    exp_required: bool,
    signature: bool,
) -> Result<CheckedKeyAttestation, String> {
    let jws = CompactJws::parse(text).map_err(|e| format!("the key attestation is not a JWS: {e}"))?;
    if jws.typ() != Some(TYP) {
        return Err(format!("the key attestation's typ must be {TYP} (Appendix D.1)"));
    }
    let alg = jws.alg().unwrap_or_default();
    if !is_asymmetric_alg(alg) {
        return Err(format!("the key attestation's alg {alg:?} is not an asymmetric algorithm (Appendix D.1)"));
    }
    if signature
        && !trusted.iter().any(|key| verify_signature(alg, key, jws.signing_input.as_bytes(), &jws.signature).is_ok())
    {
        return Err("the key attestation is not signed by a trusted attester".into());
    }
    let claims = KeyAttestationClaims::parse(&Value::Object(jws.payload.clone())).map_err(|e| e.to_string())?.value;
    let keys =
        claims.attested_keys.clone().filter(|k| !k.is_empty()).ok_or("the key attestation has no attested_keys")?;
    if keys.iter().any(|k| k.get("d").is_some()) {
        return Err("an attested key is a private key".into());
    }
    if claims.iat.is_none() {
        return Err("the key attestation has no iat (Appendix D.1)".into());
    }
    match claims.exp {
        Some(exp) if exp <= now => return Err("the key attestation has expired".into()),
        None if exp_required => return Err("the key attestation has no exp (required with the jwt proof type)".into()),
        _ => {}
    }
    Ok(CheckedKeyAttestation { attested_keys: keys, nonce: claims.nonce })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_attestation_checks_and_its_deviations_are_refused() {
        let entropy = Entropy::seeded(11);
        let attester = Attester { id: "https://wp.example".into(), key: EcKey::generate(&entropy) };
        let holder = EcKey::generate(&entropy);
        let trusted = [attester.public_jwk()];
        let now = crate::now_epoch();
        let good = build(&attester, &holder, Some("n"), &KeyAttestationSpec::default(), &entropy);
        let checked = check(&good, &trusted, now, true, true).expect("correct");
        assert!(checked.attests(&holder.public_jwk()));
        assert_eq!(checked.nonce.as_deref(), Some("n"));
        let unknown = KeyAttestationSpec { signed_by: AttestationSigner::UnknownKey, ..KeyAttestationSpec::default() };
        let bad = build(&attester, &holder, Some("n"), &unknown, &entropy);
        assert!(check(&bad, &trusted, now, true, true).unwrap_err().contains("trusted"));
        assert!(check(&bad, &trusted, now, true, false).is_ok(), "an issuer that does not check the signature");
        let other = KeyAttestationSpec { other_key: true, ..KeyAttestationSpec::default() };
        let other = check(&build(&attester, &holder, None, &other, &entropy), &trusted, now, true, true).unwrap();
        assert!(!other.attests(&holder.public_jwk()));
        let expired = KeyAttestationSpec { exp_offset: -1, ..KeyAttestationSpec::default() };
        assert!(check(&build(&attester, &holder, None, &expired, &entropy), &trusted, now, true, true).is_err());
        let spec: KeyAttestationSpec = toml::from_str("signed_by = \"unknown_key\"").unwrap();
        assert_eq!(spec.signed_by, AttestationSigner::UnknownKey);
    }
}
