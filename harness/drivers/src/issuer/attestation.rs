//! Wallet attestation and key attestation in front of an issuer under test: the harness, as a
//! wallet of its own wallet provider (`counterparts::Setup::wallet_provider`, which the issuer
//! trusts), authenticates at the token endpoint with a Client Attestation and its PoP
//! (OAuth attestation-based client authentication), and proves its key with a key attestation
//! (OpenID4VCI 1.0 Appendix D) — correct, or with the one deviation a case gives.

use super::token::expect_token;
use super::wallet::{Wallet, error_code, expect_error, precondition};
use crate::counterparts::WALLET_CLIENT_ID;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::jose::{CompactJws, thumbprint};
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::client_attestation::{
    AttestationMetadata, AttestationSpec, CHALLENGE_HEADER, ClientCredentials, PopChallenge, PopSpec, error,
};
use dialtone_protocols::oid4vci::client::Step as FlowStep;
use dialtone_protocols::oid4vci::credential_error::INVALID_PROOF;
use dialtone_protocols::oid4vci::key_attestation::{self, KeyAttestationSpec};
use dialtone_protocols::oid4vci::message::{
    AuthorizationServerMetadata, CredentialRequest, CredentialResponse, TokenRequest, proof_type,
};
use dialtone_protocols::oid4vci::proof::{self, ProofSpec};
use serde::Deserialize;
use serde_json::Value;

driver!("oid4vci.issuer.client_attestation", binding::ISSUER, client_attestation, ClientAttestationCase);
driver!("oid4vci.issuer.key_attestation", binding::ISSUER, key_attestation, KeyAttestationCase);

/// A token request authenticated by a client attestation, and the answer it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClientAttestationCase {
    /// How the Client Attestation JWT deviates (correct by default).
    #[serde(default)]
    attestation: AttestationSpec,
    /// How its PoP deviates (correct by default).
    #[serde(default)]
    pop: PopSpec,
    expect: AttestationExpect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AttestationExpect {
    /// An access token.
    Token,
    /// An error response refusing the client (RFC 6749 §5.2 `invalid_client`, or one of §7.4's).
    Refused,
    /// `use_attestation_challenge` with a fresh challenge in `OAuth-Client-Attestation-Challenge` (§7.4).
    UseAttestationChallenge,
}

async fn client_attestation(ctx: Ctx, case: ClientAttestationCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let provider = wallet.ctx.counterparts()?.wallet_provider.clone();
            let offer = wallet.offer(false).await?;
            let metadata = wallet.metadata().await?;
            let (as_id, response) = wallet.fetch_as_metadata(&metadata).await?;
            let as_metadata = AuthorizationServerMetadata::parse_bytes(&response.body)
                .map_err(|e| precondition(FlowStep::AuthorizationServerMetadata.name(), e.to_string()))?;
            let token_endpoint = as_metadata
                .token_endpoint()
                .map_err(|e| precondition(FlowStep::AuthorizationServerMetadata.name(), e.to_string()))?
                .to_string();
            let challenge_endpoint = AttestationMetadata::read(&as_metadata.extra).challenge_endpoint;
            if challenge_endpoint.is_none() && case.pop.challenge != PopChallenge::Fresh {
                return Err(Outcome::skip(
                    "the authorization server has no challenge_endpoint: it gives no challenge to leave out or replace",
                ));
            }
            let challenge = match &challenge_endpoint {
                Some(endpoint) => {
                    Some(wallet.client.attestation_challenge(endpoint).await.map_err(|e| wallet.flow(e))?)
                }
                None => None,
            };
            let entropy = &wallet.ctx.entropy;
            let instance = EcKey::generate(entropy);
            wallet.ctx.private_key(&instance);
            let credentials = ClientCredentials {
                client_id: WALLET_CLIENT_ID.into(),
                attestation: provider.attest(WALLET_CLIENT_ID, &instance, &case.attestation, entropy),
                instance,
            };
            let headers = credentials.headers(&as_id, challenge.as_deref(), &case.pop, entropy);
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let code = offer
                .offer
                .pre_authorized_code()
                .ok_or_else(|| precondition("credential offer", "no pre-authorized_code"))?;
            let request = TokenRequest::pre_authorized(code, offer.tx_code.as_deref());
            let response = wallet
                .client
                .post_token_with(&token_endpoint, &request.form(), &headers)
                .await
                .map_err(|e| wallet.flow(e))?;
            Ok(match case.expect {
                AttestationExpect::Token => expect_token(&response),
                AttestationExpect::Refused => expect_refusal(&response),
                AttestationExpect::UseAttestationChallenge => expect_challenge_refusal(&response),
            })
        }
        .await,
    )
}

/// HTTP 400 or 401 with `invalid_client` or one of the attestation errors.
fn expect_refusal(response: &HttpResponse) -> Outcome {
    let expected =
        format!("HTTP 400 or 401 with error one of {:?} (RFC 6749 §5.2, OAuth-Attestation §7.4)", error::REFUSALS);
    let code = error_code(response);
    match (response.status, code.as_deref()) {
        (400 | 401, Some(c)) if error::REFUSALS.contains(&c) => {
            Outcome::pass(format!("HTTP {}, error {c:?}", response.status))
        }
        (s @ 200..=299, _) => Outcome::fail(expected, format!("HTTP {s}: the client was accepted")),
        (s, Some(c)) => Outcome::fail(expected, format!("HTTP {s}, error {c:?}")),
        (s, None) => Outcome::fail(expected, format!("HTTP {s}, no error code")),
    }
}

/// `use_attestation_challenge` with a fresh challenge beside it (§7.4).
fn expect_challenge_refusal(response: &HttpResponse) -> Outcome {
    let expected = format!(
        "HTTP 400 or 401 with error \"{}\" and a {CHALLENGE_HEADER} header field (OAuth-Attestation §7.4)",
        error::USE_ATTESTATION_CHALLENGE
    );
    let code = error_code(response);
    let header = response.header(CHALLENGE_HEADER).filter(|v| !v.is_empty());
    match (response.status, code.as_deref(), header) {
        (400 | 401, Some(c), Some(_)) if c == error::USE_ATTESTATION_CHALLENGE => {
            Outcome::pass(format!("HTTP {}, error {c:?}, a fresh challenge", response.status))
        }
        (s @ 200..=299, _, _) => Outcome::fail(expected, format!("HTTP {s}: the client was accepted")),
        (s, c, h) => Outcome::fail(
            expected,
            format!("HTTP {s}, error {c:?}, {}", if h.is_some() { "a challenge" } else { "no challenge header" }),
        ),
    }
}

/// A credential request whose key comes with a key attestation, and the answer it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyAttestationCase {
    #[serde(default)]
    carry: Carry,
    /// How the key attestation deviates (correct by default).
    #[serde(default)]
    key_attestation: KeyAttestationSpec,
    expect: KeyAttestationExpect,
}

/// How the key attestation travels.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Carry {
    /// As the `attestation` proof type (Appendix F.3).
    #[default]
    AttestationProof,
    /// In the `key_attestation` header of a `jwt` proof by the attested key (Appendix F.1).
    JwtHeader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KeyAttestationExpect {
    /// A credential (§8.3).
    Credential,
    /// HTTP 400 `invalid_proof` (§8.3.1.2).
    Refused,
}

async fn key_attestation(ctx: Ctx, case: KeyAttestationCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let provider = wallet.ctx.counterparts()?.wallet_provider.clone();
            let session = wallet.session().await?;
            let takes_attestation_proofs = Wallet::configuration(&session)
                .and_then(|c| {
                    c.proof_types()
                        .and_then(Result::ok)
                        .map(|types| types.iter().any(|(n, _)| *n == proof_type::ATTESTATION))
                })
                .unwrap_or(false);
            if case.carry == Carry::AttestationProof && !takes_attestation_proofs {
                return Err(Outcome::skip(
                    "the configuration's proof_types_supported has no attestation proof type (Appendix F.3)",
                ));
            }
            let entropy = &wallet.ctx.entropy;
            let attestation = key_attestation::build(
                &provider,
                &wallet.key,
                session.c_nonce.as_deref(),
                &case.key_attestation,
                entropy,
            );
            let request = match case.carry {
                Carry::AttestationProof => {
                    CredentialRequest::with_attestation_proof(&session.configuration_id, attestation)
                }
                Carry::JwtHeader => session.request(vec![proof::build_attested(
                    &wallet.key,
                    &ProofSpec::default(),
                    session.proof_target(),
                    &attestation,
                    entropy,
                )]),
            };
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            Ok(match case.expect {
                KeyAttestationExpect::Credential => expect_credential(&response, &wallet.key.public_jwk()),
                KeyAttestationExpect::Refused => expect_error(&response, 400, INVALID_PROOF),
            })
        }
        .await,
    )
}

/// HTTP 200 with credentials; an SD-JWT VC among them is bound (`cnf.jwk`) to the attested key.
fn expect_credential(response: &HttpResponse, attested: &Value) -> Outcome {
    let expected = "HTTP 200 with credentials (§8.3), bound to the attested key (Appendix F.3)";
    if response.status != 200 {
        let code = error_code(response).map(|c| format!(", error {c:?}")).unwrap_or_default();
        return Outcome::fail(expected, format!("HTTP {}{code}", response.status));
    }
    // The response's shape is VCI-ISS-CRED-001's to judge: without a credential, this case is blocked.
    let parsed = match CredentialResponse::parse_bytes(&response.body) {
        Ok(r) => r.value,
        Err(e) => return precondition(FlowStep::Credential.name(), e.to_string()),
    };
    let Some(credential) = parsed.credentials.as_ref().and_then(|c| c.first()) else {
        return precondition(FlowStep::Credential.name(), "no credentials[0] in the response");
    };
    // The issuer-signed JWT of an SD-JWT (or a JWT credential): its cnf.jwk.
    let bound = credential
        .credential
        .as_str()
        .and_then(|c| c.split('~').next())
        .and_then(|jwt| CompactJws::parse(jwt).ok())
        .map(|jws| jws.payload.get("cnf").and_then(|c| c.get("jwk")).and_then(thumbprint));
    match bound {
        Some(Some(key)) if Some(&key) == thumbprint(attested).as_ref() => {
            Outcome::pass("a credential bound to the attested key")
        }
        Some(Some(_)) => Outcome::fail(expected, "the credential's cnf.jwk is not the attested key"),
        Some(None) => Outcome::fail(expected, "the credential has no cnf.jwk"),
        None => Outcome::pass("a credential (not a JWT: its binding is not judged here)"),
    }
}
