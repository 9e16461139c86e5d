//! The reference authorization server's attestation-based client authentication
//! (`../shared/specs/oauth-attestation-based-client-auth.md`): it trusts a configured set of Client
//! Attesters (wallet providers), hands out challenges at its challenge endpoint (§6.1), and
//! authenticates a client from the `OAuth-Client-Attestation` and `-PoP` header fields (§7.1, §7.2).
//! [`ClientAuth::authenticate_client`] is the one call an endpoint makes (the token endpoint today;
//! the pushed authorization request endpoint and the authorization code grant alike).

use super::state::{ClientAuthentication, IssuerLog, lock};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dialtone_protocols::jose::CompactJws;
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::client_attestation::{
    self as ca, AttestationChecks, CHALLENGE_HEADER, ChallengeResponse, error,
};
use dialtone_protocols::oid4vci::message::ErrorResponse;
use dialtone_protocols::seed::Entropy;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;

pub(crate) const CHALLENGE_PATH: &str = "/challenge";
/// Seconds a challenge stays usable.
const CHALLENGE_LIFETIME_SECS: i64 = 300;

crate::seam::behaviour! {
    /// What it checks (the default: everything).
    #[derive(Debug, Clone, Copy)]
    pub struct ClientAttestationPolicy {
        pub checks: AttestationChecks,
        /// A PoP carries a challenge it gave, unused and unexpired, when it has a challenge endpoint.
        pub(crate) challenge_checked: bool,
        /// The challenges it hands out are remembered (else every PoP's challenge is unknown to it).
        pub(crate) remembers_challenges: bool,
    }
}

impl Default for ClientAttestationPolicy {
    fn default() -> Self {
        Self { checks: AttestationChecks::default(), challenge_checked: true, remembers_challenges: true }
    }
}

/// The `client_id` an attestation authenticated (its `sub`).
pub(crate) type ClientId = Option<String>;

/// A refused client authentication: the error response to send (RFC 6749 §5.2, the attestation
/// specification's §7.4), with a fresh challenge when the refusal is for want of one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub error: &'static str,
    pub description: String,
    pub challenge: Option<String>,
}

impl Refusal {
    pub(crate) fn response(&self) -> Response {
        let body = ErrorResponse::new(self.error, self.description.clone()).to_json();
        let mut response = (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")],
            body.to_string(),
        )
            .into_response();
        if let Some(challenge) = self.challenge.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
            response.headers_mut().insert(CHALLENGE_HEADER, challenge);
        }
        response
    }
}

/// The server's trust in attesters and its memory of challenges and PoPs.
pub(crate) struct ClientAuth {
    /// Public JWKs of the Client Attesters it trusts; none: it does not take attestations.
    trusted: Vec<Value>,
    policy: crate::seam::Seams<ClientAttestationPolicy>,
    entropy: Entropy,
    /// Challenges given and when.
    challenges: Mutex<HashMap<String, i64>>,
    /// PoP `jti`s seen (§11.1: replay detection).
    jtis: Mutex<HashSet<String>>,
    /// A request without an attestation is refused.
    required: bool,
    log: Arc<IssuerLog>,
}

impl ClientAuth {
    pub(crate) fn new(
        trusted: Vec<Value>,
        required: bool,
        policy: crate::seam::Seams<ClientAttestationPolicy>,
        entropy: Entropy,
        log: Arc<IssuerLog>,
    ) -> Self {
        Self { trusted, policy, entropy, challenges: Mutex::default(), jtis: Mutex::default(), required, log }
    }

    /// Whether it demands an attestation of every client.
    pub(crate) fn required(&self) -> bool {
        self.required && self.enabled()
    }

    /// Whether it takes client attestations (it trusts some attester).
    pub(crate) fn enabled(&self) -> bool {
        !self.trusted.is_empty()
    }

    /// A fresh challenge, remembered.
    fn new_challenge(&self, now: i64) -> String {
        let challenge = self.entropy.token(16);
        let mut challenges = lock(&self.challenges);
        challenges.retain(|_, given| now - *given <= CHALLENGE_LIFETIME_SECS);
        if *self.policy.remembers_challenges() {
            challenges.insert(challenge.clone(), now);
        }
        challenge
    }

    /// The challenge endpoint's answer (§6.1): a fresh challenge, not to be cached.
    pub(crate) fn challenge_response(&self) -> Response {
        let body = ChallengeResponse::new(self.new_challenge(dialtone_protocols::now_epoch())).to_json();
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")],
            body.to_string(),
        )
            .into_response()
    }

    /// Authenticates the client of a request to the server `expected_aud` (its issuer identifier)
    /// from its header fields: `Ok(None)` when it sent no attestation (anonymous access, as the
    /// pre-authorized code grant allows), `Ok(Some(sub))` when the attestation and its PoP verify,
    /// else the refusal to answer. `client_id` is the request's, when it names one (§7.5).
    pub(crate) fn authenticate_client(
        &self,
        headers: &HeaderMap,
        expected_aud: &str,
        client_id: Option<&str>,
    ) -> Result<ClientId, Refusal> {
        let sent = headers.contains_key(ca::ATTESTATION_HEADER);
        let result = self.authenticate(headers, expected_aud, client_id);
        if sent || self.required() {
            let pop = headers
                .get(ca::POP_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| CompactJws::parse(v).ok())
                .and_then(|jws| ca::PopClaims::parse(&Value::Object(jws.payload)).ok())
                .map(|r| r.value);
            let seen = result.clone().map_err(|r| r.description);
            lock(&self.log.client_authentications).push(ClientAuthentication { pop, result: seen });
        }
        result
    }

    fn authenticate(
        &self,
        headers: &HeaderMap,
        expected_aud: &str,
        client_id: Option<&str>,
    ) -> Result<ClientId, Refusal> {
        let invalid =
            |why: String| Refusal { error: error::INVALID_CLIENT_ATTESTATION, description: why, challenge: None };
        let attestations: Vec<&HeaderValue> = headers.get_all(ca::ATTESTATION_HEADER).iter().collect();
        if attestations.is_empty() && self.required() {
            return Err(Refusal {
                error: error::INVALID_CLIENT,
                description: format!("client authentication with {} is required", ca::AUTH_METHOD),
                challenge: None,
            });
        }
        if attestations.is_empty() {
            return Ok(None);
        }
        if !self.enabled() {
            return Err(invalid("this server trusts no client attester".into()));
        }
        let pops: Vec<&HeaderValue> = headers.get_all(ca::POP_HEADER).iter().collect();
        let (Some(attestation), Some(pop), 1, 1) = (
            attestations.first().and_then(|v| v.to_str().ok()),
            pops.first().and_then(|v| v.to_str().ok()),
            attestations.len(),
            pops.len(),
        ) else {
            return Err(invalid(format!(
                "exactly one {} and one {} header field are required (§7.1, §7.2)",
                ca::ATTESTATION_HEADER,
                ca::POP_HEADER
            )));
        };
        let now = dialtone_protocols::now_epoch();
        let verified = ca::verify(attestation, pop, &self.trusted, expected_aud, client_id, now, *self.policy.checks())
            .map_err(|e| invalid(e.to_string()))?;
        if *self.policy.challenge_checked() {
            let given = verified.pop.challenge.as_deref().and_then(|c| {
                let mut challenges = lock(&self.challenges);
                challenges.remove(c).filter(|given| now - *given <= CHALLENGE_LIFETIME_SECS)
            });
            if given.is_none() {
                return Err(Refusal {
                    error: error::USE_ATTESTATION_CHALLENGE,
                    description: "the PoP does not carry a challenge this server gave (§7.2)".into(),
                    challenge: Some(self.new_challenge(now)),
                });
            }
        }
        if let Some(jti) = verified.pop.jti.clone()
            && !lock(&self.jtis).insert(jti)
        {
            return Err(invalid("the PoP's jti was used before (§11.1)".into()));
        }
        Ok(verified.client_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::oauth::client_attestation::{AttestationSpec, Attester, ClientCredentials, PopSpec};

    const AS: &str = "https://as.example";

    fn headers(pairs: Vec<(&'static str, String)>) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        map
    }

    #[test]
    fn a_challenge_buys_one_authentication_and_a_required_attestation_is_demanded() {
        let entropy = Entropy::seeded(31);
        let attester = Attester { id: "https://wp.example".into(), key: EcKey::generate(&entropy) };
        let log = Arc::new(IssuerLog::default());
        let auth = ClientAuth::new(
            vec![attester.public_jwk()],
            true,
            crate::seam::Seams::default(),
            Entropy::seeded(32),
            log.clone(),
        );
        let refused = auth.authenticate_client(&HeaderMap::new(), AS, None).unwrap_err();
        assert_eq!(refused.error, error::INVALID_CLIENT, "required: no attestation is refused");

        let instance = EcKey::generate(&entropy);
        let attestation = attester.attest("client", &instance, &AttestationSpec::default(), &entropy);
        let client = ClientCredentials { client_id: "client".into(), attestation, instance };
        let challenge = auth.new_challenge(dialtone_protocols::now_epoch());
        let sent = headers(client.headers(AS, Some(&challenge), &PopSpec::default(), &entropy));
        assert_eq!(auth.authenticate_client(&sent, AS, Some("client")), Ok(Some("client".into())));
        // The same challenge again (in a fresh PoP): used up, so a new one comes with the refusal.
        let again = headers(client.headers(AS, Some(&challenge), &PopSpec::default(), &entropy));
        let refused = auth.authenticate_client(&again, AS, Some("client")).unwrap_err();
        assert_eq!(refused.error, error::USE_ATTESTATION_CHALLENGE);
        assert!(refused.response().headers().contains_key(CHALLENGE_HEADER));
        assert_eq!(lock(&log.client_authentications).len(), 3, "every attempt is logged");
    }
}
