//! OAuth 2.0 Attestation-Based Client Authentication (`../shared/specs/oauth-attestation-based-client-auth.md`):
//! the Client Attestation JWT a wallet provider (the Client Attester) signs for a client instance
//! (§4), the Client Attestation PoP JWT the instance signs with the key in its `cnf` (§5.2), the
//! HTTP header fields that carry them, the challenge endpoint (§6.1) and the errors (§7.4).
//!
//! Built here as a wallet sends them — correct, or with the one deviation a test needs
//! ([`ClientAttestationSpec`]) — and verified as an authorization server does ([`verify`]). The
//! member names of these messages are spelled in this module only.

use crate::b64;
use crate::jose::{CompactJws, EcKey, is_asymmetric_alg, verify_signature};
use crate::message::Message;
use crate::seed::Entropy;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// §4: the `typ` of a Client Attestation JWT.
pub const ATTESTATION_TYP: &str = "oauth-client-attestation+jwt";
/// §5.1: the `typ` of a Client Attestation PoP JWT.
pub const POP_TYP: &str = "oauth-client-attestation-pop+jwt";
/// §4: the header field carrying the Client Attestation JWT.
pub const ATTESTATION_HEADER: &str = "OAuth-Client-Attestation";
/// §5.1: the header field carrying the Client Attestation PoP JWT.
pub const POP_HEADER: &str = "OAuth-Client-Attestation-PoP";
/// §6.2: a fresh challenge on any response.
pub const CHALLENGE_HEADER: &str = "OAuth-Client-Attestation-Challenge";
/// §8: the token endpoint authentication method with a Client Attestation PoP JWT.
pub const AUTH_METHOD: &str = "attest_jwt_client_auth";
/// §8: the metadata member naming the challenge endpoint (RFC 8414 §2 extension).
pub const CHALLENGE_ENDPOINT_MEMBER: &str = "challenge_endpoint";
/// §8: the algorithms it accepts for attestations and for their PoPs.
pub const ATTESTATION_ALGS_MEMBER: &str = "client_attestation_signing_alg_values_supported";
pub const POP_ALGS_MEMBER: &str = "client_attestation_pop_signing_alg_values_supported";

/// §7.4 error codes, and RFC 6749 §5.2's general one.
pub mod error {
    pub const INVALID_CLIENT: &str = "invalid_client";
    pub const INVALID_CLIENT_ATTESTATION: &str = "invalid_client_attestation";
    pub const USE_ATTESTATION_CHALLENGE: &str = "use_attestation_challenge";
    pub const USE_FRESH_ATTESTATION: &str = "use_fresh_attestation";
    /// Every code an authorization server may answer a refused attestation with.
    pub const REFUSALS: &[&str] =
        &[INVALID_CLIENT, INVALID_CLIENT_ATTESTATION, USE_ATTESTATION_CHALLENGE, USE_FRESH_ATTESTATION];
}

/// The claims of a Client Attestation JWT (§4; OID4VCI 1.0 Appendix E adds `wallet_name`, `wallet_link`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttestationClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for AttestationClaims {
    const NAME: &'static str = "client attestation";
    const CLAUSE: &'static str = "OAuth-Attestation §4";
}

/// RFC 7800 `cnf` with the key as a JWK.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The claims of a Client Attestation PoP JWT (§5.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PopClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for PopClaims {
    const NAME: &'static str = "client attestation PoP";
    const CLAUSE: &'static str = "OAuth-Attestation §5.1";
}

/// The challenge endpoint's answer (§6.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeResponse {
    pub attestation_challenge: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ChallengeResponse {
    const NAME: &'static str = "challenge response";
    const CLAUSE: &'static str = "OAuth-Attestation §6.1";
}

impl ChallengeResponse {
    pub fn new(challenge: String) -> Self {
        Self { attestation_challenge: challenge, extra: Map::new() }
    }
}

/// The members an authorization server's metadata adds for this specification (§8), read from
/// its `extra` members (RFC 8414 metadata is extensible).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttestationMetadata {
    pub challenge_endpoint: Option<String>,
}

impl AttestationMetadata {
    pub fn read(extra: &Map<String, Value>) -> Self {
        Self { challenge_endpoint: extra.get(CHALLENGE_ENDPOINT_MEMBER).and_then(Value::as_str).map(str::to_string) }
    }

    /// The members to publish: the challenge endpoint and the algorithms.
    pub fn publish(extra: &mut Map<String, Value>, challenge_endpoint: &str, algs: &[&str]) {
        extra.insert(CHALLENGE_ENDPOINT_MEMBER.into(), json!(challenge_endpoint));
        extra.insert(ATTESTATION_ALGS_MEMBER.into(), json!(algs));
        extra.insert(POP_ALGS_MEMBER.into(), json!(algs));
    }
}

/// How the Client Attestation JWT deviates; the default is correct: `typ`, `iss` the attester,
/// `sub` the client_id, `exp` an hour ahead, `cnf.jwk` the instance key, signed by the attester.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttestationSpec {
    /// Seconds from now to `exp`.
    pub exp_offset: i64,
    /// No `sub` claim.
    pub omit_sub: bool,
    pub signed_by: AttestationSigner,
}

impl Default for AttestationSpec {
    fn default() -> Self {
        Self { exp_offset: 3600, omit_sub: false, signed_by: AttestationSigner::Attester }
    }
}

/// Who signs an attestation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationSigner {
    /// The wallet provider the server trusts (correct).
    #[default]
    Attester,
    /// A key nobody told the server to trust.
    UnknownKey,
}

/// How the Client Attestation PoP JWT deviates; the default is correct.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopSpec {
    pub aud: PopAudience,
    pub signature: PopSignature,
    /// Seconds added to now for `iat`.
    pub iat_offset: i64,
    pub challenge: PopChallenge,
}

impl Default for PopSpec {
    fn default() -> Self {
        Self {
            aud: PopAudience::Issuer,
            signature: PopSignature::Correct,
            iat_offset: 0,
            challenge: PopChallenge::Fresh,
        }
    }
}

/// Whom the PoP names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopAudience {
    /// The authorization server's issuer identifier (correct).
    Issuer,
    /// The issuer identifier with this path appended (another server of the same host).
    IssuerPath(String),
}

/// How the PoP is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopSignature {
    /// By the key in the attestation's `cnf` (correct).
    Correct,
    /// By another key, which the PoP's header names as `jwk` (as though it were the client's).
    OtherKey,
    /// By the `cnf` key, the signature then altered: it verifies with no key.
    Tampered,
}

/// Which challenge the PoP carries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopChallenge {
    /// The server's, when it has a challenge endpoint (correct).
    Fresh,
    /// None, even when the server gave one.
    Omit,
    /// One the server never gave.
    Random,
}

/// Both JWTs' deviations, as suite parameters give them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientAttestationSpec {
    pub attestation: AttestationSpec,
    pub pop: PopSpec,
}

/// A wallet provider: the Client Attester whose key signs client attestations (and, in OpenID4VCI,
/// key attestations).
#[derive(Clone, Debug)]
pub struct Attester {
    /// Its identifier (`iss`).
    pub id: String,
    pub key: EcKey,
}

impl Attester {
    /// The public key a server must trust.
    pub fn public_jwk(&self) -> Value {
        self.key.public_jwk()
    }

    /// A Client Attestation JWT for `client_id` bound to `instance`, as `spec` says.
    pub fn attest(&self, client_id: &str, instance: &EcKey, spec: &AttestationSpec, entropy: &Entropy) -> String {
        let now = crate::now_epoch();
        let claims = AttestationClaims {
            iss: Some(self.id.clone()),
            sub: (!spec.omit_sub).then(|| client_id.to_string()),
            iat: Some(now),
            exp: Some(now + spec.exp_offset),
            cnf: Some(Confirmation { jwk: Some(instance.public_jwk()), extra: Map::new() }),
            wallet_name: Some("dialtone wallet".into()),
            extra: Map::new(),
        };
        let header = json!({"typ": ATTESTATION_TYP});
        match spec.signed_by {
            AttestationSigner::Attester => self.key.sign_jws(&header, &claims.to_json()),
            AttestationSigner::UnknownKey => EcKey::generate(entropy).sign_jws(&header, &claims.to_json()),
        }
    }
}

/// A client instance's attestation and key: what it sends with every authenticated request.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    pub client_id: String,
    pub attestation: String,
    pub instance: EcKey,
}

impl ClientCredentials {
    /// The two header fields for a request to the server `audience`, the PoP built as `spec` says
    /// with the server's `challenge` (if it gave one).
    pub fn headers(
        &self,
        audience: &str,
        challenge: Option<&str>,
        spec: &PopSpec,
        entropy: &Entropy,
    ) -> Vec<(&'static str, String)> {
        vec![
            (ATTESTATION_HEADER, self.attestation.clone()),
            (POP_HEADER, pop(&self.instance, audience, challenge, spec, entropy)),
        ]
    }
}

/// A Client Attestation PoP JWT signed by `instance` for `audience`, as `spec` says.
pub fn pop(instance: &EcKey, audience: &str, challenge: Option<&str>, spec: &PopSpec, entropy: &Entropy) -> String {
    let aud = match &spec.aud {
        PopAudience::Issuer => audience.to_string(),
        PopAudience::IssuerPath(path) => format!("{audience}{path}"),
    };
    let challenge = match &spec.challenge {
        PopChallenge::Fresh => challenge.map(str::to_string),
        PopChallenge::Omit => None,
        PopChallenge::Random => Some(entropy.token(16)),
    };
    let claims = PopClaims {
        aud: Some(Value::String(aud)),
        jti: Some(entropy.token(16)),
        iat: Some(crate::now_epoch() + spec.iat_offset),
        challenge,
        extra: Map::new(),
    };
    let header = json!({"typ": POP_TYP});
    match spec.signature {
        PopSignature::Correct => instance.sign_jws(&header, &claims.to_json()),
        PopSignature::OtherKey => {
            let other = EcKey::generate(entropy);
            other.sign_jws(&json!({"typ": POP_TYP, "jwk": other.public_jwk()}), &claims.to_json())
        }
        PopSignature::Tampered => {
            let jws = instance.sign_jws(&header, &claims.to_json());
            tamper(&jws)
        }
    }
}

/// Flips a bit of a compact JWS's signature.
fn tamper(jws: &str) -> String {
    let Some((input, signature)) = jws.rsplit_once('.') else { return jws.to_string() };
    let mut bytes = b64::decode(signature).unwrap_or_default();
    if let Some(first) = bytes.first_mut() {
        *first ^= 0x01;
    }
    format!("{input}.{}", b64::encode(bytes))
}

/// What a server checks; all of it unless a test server is told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttestationChecks {
    /// The attestation verifies with a trusted attester's key.
    pub attestation_signature: bool,
    /// `exp` has not passed.
    pub exp: bool,
    /// `sub` is present (and matches a `client_id` sent beside it).
    pub sub: bool,
    /// The PoP's signature verifies.
    pub pop_signature: bool,
    /// With the key in `cnf` (else with whatever key the PoP's header names).
    pub pop_key_bound: bool,
    /// `aud` is the server's issuer identifier.
    pub pop_aud: bool,
}

impl Default for AttestationChecks {
    fn default() -> Self {
        Self {
            attestation_signature: true,
            exp: true,
            sub: true,
            pop_signature: true,
            pop_key_bound: true,
            pop_aud: true,
        }
    }
}

/// Seconds a PoP's `iat` may lie in the future, and in the past.
pub const POP_IAT_FUTURE: i64 = 60;
pub const POP_MAX_AGE: i64 = 300;

/// A client the attestation authenticated, and the PoP claims the caller judges against its state
/// (the challenge it gave, the `jti`s it saw).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedClient {
    pub client_id: Option<String>,
    pub attester: Option<String>,
    pub pop: PopClaims,
}

/// Why a client attestation is refused (the message says which rule).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AttestationError(pub String);

fn refuse(why: impl Into<String>) -> AttestationError {
    AttestationError(why.into())
}

/// Verifies a Client Attestation and its PoP as the server `audience` at `now` (§7.1, §7.2): the
/// attestation signed by one of `trusted` (public JWKs), typed, unexpired, with `sub` and
/// `cnf.jwk`; the PoP typed, signed by the `cnf` key, for `audience`, recent. `client_id`, when the
/// request carries one, must be the attestation's `sub` (§7.5).
pub fn verify(
    attestation: &str,
    pop_jwt: &str,
    trusted: &[Value],
    audience: &str,
    client_id: Option<&str>,
    now: i64,
    checks: AttestationChecks,
) -> Result<VerifiedClient, AttestationError> {
    let jws =
        CompactJws::parse(attestation).map_err(|e| refuse(format!("the client attestation is not a JWS: {e}")))?;
    if jws.typ() != Some(ATTESTATION_TYP) {
        return Err(refuse(format!("the client attestation's typ must be {ATTESTATION_TYP} (§4)")));
    }
    let alg = jws.alg().unwrap_or_default();
    if !is_asymmetric_alg(alg) {
        return Err(refuse(format!("the client attestation's alg {alg:?} is not an asymmetric algorithm (§7.1)")));
    }
    if checks.attestation_signature
        && !trusted.iter().any(|key| verify_signature(alg, key, jws.signing_input.as_bytes(), &jws.signature).is_ok())
    {
        return Err(refuse("the client attestation is not signed by a trusted attester (§7.1)"));
    }
    let claims =
        AttestationClaims::parse(&Value::Object(jws.payload.clone())).map_err(|e| refuse(e.to_string()))?.value;
    match claims.exp {
        None => return Err(refuse("the client attestation has no exp (§4)")),
        Some(exp) if checks.exp && exp <= now => {
            return Err(refuse("the client attestation has expired (§4: exp has passed)"));
        }
        Some(_) => {}
    }
    if checks.sub {
        let Some(sub) = claims.sub.as_deref() else { return Err(refuse("the client attestation has no sub (§4)")) };
        if let Some(id) = client_id
            && id != sub
        {
            return Err(refuse("client_id is not the client attestation's sub (§7.5)"));
        }
    }
    let cnf = claims
        .cnf
        .as_ref()
        .and_then(|c| c.jwk.clone())
        .ok_or_else(|| refuse("the client attestation has no cnf.jwk (§4)"))?;
    if cnf.get("d").is_some() {
        return Err(refuse("the client attestation's cnf.jwk is a private key (§7.1)"));
    }
    let pop =
        CompactJws::parse(pop_jwt).map_err(|e| refuse(format!("the client attestation PoP is not a JWS: {e}")))?;
    if pop.typ() != Some(POP_TYP) {
        return Err(refuse(format!("the client attestation PoP's typ must be {POP_TYP} (§5.1)")));
    }
    let pop_alg = pop.alg().unwrap_or_default();
    if !is_asymmetric_alg(pop_alg) {
        return Err(refuse(format!("the PoP's alg {pop_alg:?} is not an asymmetric algorithm (§7.2)")));
    }
    if checks.pop_signature {
        let key = match pop.header.get("jwk") {
            Some(header_key) if !checks.pop_key_bound => header_key.clone(),
            _ => cnf.clone(),
        };
        verify_signature(pop_alg, &key, pop.signing_input.as_bytes(), &pop.signature).map_err(|_| {
            refuse("the client attestation PoP does not verify with the key in the attestation's cnf (§7.2)")
        })?;
    }
    let pop_claims = PopClaims::parse(&Value::Object(pop.payload.clone())).map_err(|e| refuse(e.to_string()))?.value;
    if checks.pop_aud {
        let aud_ok = match &pop_claims.aud {
            Some(Value::String(a)) => a == audience,
            Some(Value::Array(a)) => a.len() == 1 && a.first().and_then(Value::as_str) == Some(audience),
            _ => false,
        };
        if !aud_ok {
            return Err(refuse("the client attestation PoP's aud is not this server's issuer identifier (§7.2)"));
        }
    }
    if pop_claims.jti.as_deref().is_none_or(str::is_empty) {
        return Err(refuse("the client attestation PoP has no jti (§5.1)"));
    }
    match pop_claims.iat {
        Some(iat) if iat <= now + POP_IAT_FUTURE && iat >= now - POP_MAX_AGE => {}
        _ => return Err(refuse("the client attestation PoP's iat is missing or not recent (§7.2)")),
    }
    Ok(VerifiedClient { client_id: claims.sub.clone(), attester: claims.iss.clone(), pop: pop_claims })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AS: &str = "https://as.example";

    fn setup() -> (Attester, ClientCredentials, Entropy) {
        let entropy = Entropy::seeded(7);
        let attester = Attester { id: "https://wallet-provider.example".into(), key: EcKey::generate(&entropy) };
        let instance = EcKey::generate(&entropy);
        let attestation = attester.attest("wallet-client", &instance, &AttestationSpec::default(), &entropy);
        (attester, ClientCredentials { client_id: "wallet-client".into(), attestation, instance }, entropy)
    }

    fn check(
        attester: &Attester,
        attestation: &str,
        pop: &str,
        checks: AttestationChecks,
    ) -> Result<VerifiedClient, AttestationError> {
        verify(attestation, pop, &[attester.public_jwk()], AS, None, crate::now_epoch(), checks)
    }

    #[test]
    fn a_correct_attestation_verifies_and_each_deviation_is_refused_for_its_reason() {
        let (attester, client, entropy) = setup();
        let good_pop = pop(&client.instance, AS, Some("ch"), &PopSpec::default(), &entropy);
        let ok = check(&attester, &client.attestation, &good_pop, AttestationChecks::default()).expect("correct");
        assert_eq!(ok.client_id.as_deref(), Some("wallet-client"));
        assert_eq!(ok.pop.challenge.as_deref(), Some("ch"));

        let attest = |spec: AttestationSpec| attester.attest("wallet-client", &client.instance, &spec, &entropy);
        let expired = attest(AttestationSpec { exp_offset: -60, ..AttestationSpec::default() });
        let e = check(&attester, &expired, &good_pop, AttestationChecks::default()).unwrap_err();
        assert!(e.0.contains("expired"), "{e}");
        assert!(
            check(&attester, &expired, &good_pop, AttestationChecks { exp: false, ..AttestationChecks::default() })
                .is_ok()
        );

        let no_sub = attest(AttestationSpec { omit_sub: true, ..AttestationSpec::default() });
        assert!(check(&attester, &no_sub, &good_pop, AttestationChecks::default()).unwrap_err().0.contains("sub"));

        let unknown =
            attest(AttestationSpec { signed_by: AttestationSigner::UnknownKey, ..AttestationSpec::default() });
        let e = check(&attester, &unknown, &good_pop, AttestationChecks::default()).unwrap_err();
        assert!(e.0.contains("trusted attester"), "{e}");

        let build = |spec: PopSpec| pop(&client.instance, AS, None, &spec, &entropy);
        let wrong_aud = build(PopSpec { aud: PopAudience::IssuerPath("/other".into()), ..PopSpec::default() });
        let e = check(&attester, &client.attestation, &wrong_aud, AttestationChecks::default()).unwrap_err();
        assert!(e.0.contains("aud"), "{e}");

        let other_key = build(PopSpec { signature: PopSignature::OtherKey, ..PopSpec::default() });
        let e = check(&attester, &client.attestation, &other_key, AttestationChecks::default()).unwrap_err();
        assert!(e.0.contains("cnf"), "{e}");
        let unbound = AttestationChecks { pop_key_bound: false, ..AttestationChecks::default() };
        assert!(check(&attester, &client.attestation, &other_key, unbound).is_ok(), "a server trusting the header key");

        let tampered = build(PopSpec { signature: PopSignature::Tampered, ..PopSpec::default() });
        assert!(check(&attester, &client.attestation, &tampered, AttestationChecks::default()).is_err());
        assert!(check(&attester, &client.attestation, &tampered, unbound).is_err(), "still checked by the cnf key");

        let stale = build(PopSpec { iat_offset: -3600, ..PopSpec::default() });
        assert!(
            check(&attester, &client.attestation, &stale, AttestationChecks::default()).unwrap_err().0.contains("iat")
        );

        let e = verify(
            &client.attestation,
            &good_pop,
            &[attester.public_jwk()],
            AS,
            Some("another"),
            crate::now_epoch(),
            AttestationChecks::default(),
        )
        .unwrap_err();
        assert!(e.0.contains("client_id"), "{e}");
    }

    #[test]
    fn the_headers_and_specs_read_as_the_text_and_suites_give_them() {
        let (_, client, entropy) = setup();
        let headers = client.headers(AS, None, &PopSpec::default(), &entropy);
        assert_eq!(
            headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ["OAuth-Client-Attestation", "OAuth-Client-Attestation-PoP"]
        );
        let spec: ClientAttestationSpec = toml::from_str(
            "attestation = { exp_offset = -60 }\npop = { aud = { issuer_path = \"/x\" }, challenge = \"omit\" }",
        )
        .unwrap();
        assert_eq!(spec.attestation.exp_offset, -60);
        assert_eq!(spec.pop.challenge, PopChallenge::Omit);
        assert!(toml::from_str::<ClientAttestationSpec>("pop = { audience = 1 }").is_err());
        let challenge = ChallengeResponse::parse(&json!({"attestation_challenge": "AYjcyMzY3ZDhiNmJkNTZ"})).unwrap();
        assert_eq!(challenge.attestation_challenge, "AYjcyMzY3ZDhiNmJkNTZ");
    }
}
