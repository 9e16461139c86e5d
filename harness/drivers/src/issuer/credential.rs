//! The credential endpoint (§8): access token (RFC 6750), request shape, key proofs (Appendix
//! F.1, F.4), and error responses (§8.3.1). Refusals are one driver, the cases varying the proof
//! and the request; access-token cases another.

use super::wallet::{Wallet, error_code, expect_error, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::bearer_params;
use dialtone_protocols::oid4vci::message::{CredentialRequest, CredentialResponse, ErrorResponse};
use dialtone_protocols::oid4vci::proof::{ProofNonce, ProofSpec};
use serde::Deserialize;

driver!("oid4vci.issuer.credential.success", binding::ISSUER, success);
driver!("oid4vci.issuer.credential.refused", binding::ISSUER, refused, Refusal);
driver!("oid4vci.issuer.credential.access_token", binding::ISSUER, access_token, AccessTokenCase);
driver!("oid4vci.issuer.credential.proof_stale_nonce", binding::ISSUER, proof_stale_nonce);
driver!("oid4vci.issuer.credential.error_format", binding::ISSUER, error_format);

async fn success(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let request = session.request(vec![wallet.good_proof(&session)]);
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            let expected =
                "HTTP 200, application/json, credentials: a non-empty array of objects each with a credential (§8.3)";
            if response.status != 200 {
                return Ok(Outcome::fail(expected, format!("HTTP {}", response.status)));
            }
            if response.media_type().as_deref() != Some("application/json") {
                return Ok(Outcome::fail(expected, format!("Content-Type {:?}", response.media_type())));
            }
            let parsed = match CredentialResponse::parse_bytes(&response.body) {
                Ok(p) => p,
                Err(e) => return Ok(Outcome::fail(expected, e.to_string())),
            };
            Ok(match &parsed.credentials {
                Some(list)
                    if !list.is_empty()
                        && list.iter().all(|c| c.credential.is_string() || c.credential.is_object()) =>
                {
                    Outcome::pass(format!("{} credential(s)", list.len()))
                }
                Some(list) => Outcome::fail(
                    expected,
                    format!("credentials has {} entries, not all with a string or object credential", list.len()),
                ),
                None => Outcome::fail(
                    expected,
                    format!("no credentials array; members: {:?}", parsed.raw.keys().collect::<Vec<_>>()),
                ),
            })
        }
        .await,
    )
}

/// A credential request with one deviation, and the error code it must get (HTTP 400, §8.3.1.2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Refusal {
    /// How the one proof is built; no `proofs` at all when `omit_proofs`.
    #[serde(default)]
    proof: ProofSpec,
    #[serde(default)]
    omit_proofs: bool,
    /// Ask for a configuration the issuer does not know.
    #[serde(default)]
    unknown_configuration: bool,
    error: String,
}

async fn refused(ctx: Ctx, case: Refusal) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            if session.c_nonce.is_none() && case.proof.nonce != ProofNonce::Fresh && !case.omit_proofs {
                return Ok(Outcome::skip(
                    "the issuer has no nonce endpoint: it has no c_nonce to check, and a proof without one is allowed (Appendix F.1)",
                ));
            }
            let mut request = if case.omit_proofs {
                CredentialRequest { credential_configuration_id: Some(session.configuration_id.clone()), ..CredentialRequest::default() }
            } else {
                session.request(vec![wallet.proof(&session, &case.proof)])
            };
            if case.unknown_configuration {
                request.credential_configuration_id = Some(format!("{}-dialtone-unknown", session.configuration_id));
            }
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            Ok(expect_error(&response, 400, &case.error))
        }
        .await,
    )
}

/// What access token a request carries.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TokenChoice {
    /// No `Authorization` header.
    Absent,
    /// A token the issuer never gave.
    Forged,
}

/// Requests with a missing or forged access token, and how each must be refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccessTokenCase {
    tokens: Vec<TokenChoice>,
    expect: AuthExpect,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum AuthExpect {
    /// This status for every request (RFC 6750 §3.1, RFC 7235 §3.1).
    Status(u16),
    /// A 4xx with a well-formed Bearer challenge, with this `error` when given (RFC 6750 §3).
    Challenge { error: Option<String> },
}

async fn access_token(ctx: Ctx, case: AccessTokenCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let request = session.request(vec![wallet.good_proof(&session)]);
            let mut seen = Vec::new();
            for choice in &case.tokens {
                let token = match choice {
                    TokenChoice::Absent => None,
                    TokenChoice::Forged => Some(format!("{}x", wallet.ctx.entropy.token(32))),
                };
                seen.push((choice, wallet.credential_request(&session, token.as_deref(), &request).await?));
            }
            Ok(match &case.expect {
                AuthExpect::Status(status) => {
                    let observed: Vec<String> =
                        seen.iter().map(|(c, r)| format!("{c:?} token: HTTP {}", r.status)).collect();
                    if seen.iter().all(|(_, r)| r.status == *status) {
                        Outcome::pass(observed.join("; "))
                    } else {
                        Outcome::fail(format!("HTTP {status} for each"), observed.join("; "))
                    }
                }
                AuthExpect::Challenge { error } => seen
                    .iter()
                    .map(|(_, r)| expect_bearer_challenge(r, error.as_deref()))
                    .find(|o| !matches!(o, Outcome::Pass { .. }))
                    .unwrap_or_else(|| expect_bearer_challenge(&seen[0].1, error.as_deref())),
            })
        }
        .await,
    )
}

/// The MUST of RFC 6750 §3: a refusal carrying a well-formed Bearer challenge (with `error` when
/// given). The status code is judged apart (401 is a SHOULD for invalid_token, §3.1).
fn expect_bearer_challenge(response: &HttpResponse, error: Option<&str>) -> Outcome {
    let challenge = response.header("www-authenticate").unwrap_or_default();
    let observed = format!("HTTP {}, WWW-Authenticate {challenge:?}", response.status);
    let expected = match error {
        Some(e) => format!("a 4xx refusal with WWW-Authenticate: Bearer error=\"{e}\" (RFC 6750 §3, §3.1)"),
        None => "a 4xx refusal with a well-formed WWW-Authenticate: Bearer challenge (RFC 6750 §3)".to_string(),
    };
    if !(400..500).contains(&response.status) {
        return Outcome::fail(expected, observed);
    }
    match bearer_params(challenge) {
        Err(why) => Outcome::fail(expected, format!("{observed}: {why}")),
        Ok(params) => match error {
            Some(e) if !params.iter().any(|(n, v)| n == "error" && v == e) => Outcome::fail(expected, observed),
            _ => Outcome::pass(observed),
        },
    }
}

/// A nonce that already bought a credential, reused: rejected by an issuer that declares its
/// c_nonce values single-use (conformance statement feature `c_nonce_single_use`).
async fn proof_stale_nonce(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let Some(nonce) = session.c_nonce.clone() else {
                return Ok(Outcome::skip("the issuer has no nonce endpoint"));
            };
            let request = session.request(vec![wallet.good_proof(&session)]);
            let first = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            if first.status != 200 {
                return Err(precondition("credential request with a fresh nonce", format!("HTTP {}", first.status)));
            }
            // A new token (the first may be single-use too), the old nonce.
            let second = wallet.session().await?;
            let proof = wallet.proof(&second, &ProofSpec { nonce: ProofNonce::Value(nonce), ..ProofSpec::default() });
            let response =
                wallet.credential_request(&second, Some(&second.access_token), &second.request(vec![proof])).await?;
            Ok(expect_error(&response, 400, dialtone_protocols::oid4vci::credential_error::INVALID_NONCE))
        }
        .await,
    )
}

/// An error response is HTTP 400 application/json with an `error` code, and an `error_description`
/// (if any) limited to the characters §8.3.1.2 allows.
async fn error_format(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let request = CredentialRequest {
                credential_configuration_id: Some(session.configuration_id.clone()),
                ..CredentialRequest::default()
            };
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            let expected = "HTTP 400, Content-Type application/json, a string error, error_description in %x20-21 / %x23-5B / %x5D-7E";
            let mut problems = Vec::new();
            if response.status != 400 {
                problems.push(format!("HTTP {}", response.status));
            }
            if response.media_type().as_deref() != Some("application/json") {
                problems.push(format!("Content-Type {:?}", response.media_type()));
            }
            match ErrorResponse::parse_bytes(&response.body) {
                Err(_) => problems.push("no string error member in a JSON object".into()),
                Ok(e) => {
                    if let Some(bad) = e.description_outside_charset() {
                        problems.push(format!("error_description contains {bad:?}"));
                    }
                }
            }
            Ok(if problems.is_empty() {
                Outcome::pass(format!("HTTP 400 error {:?}", error_code(&response).unwrap_or_default()))
            } else {
                Outcome::fail(expected, problems.join("; "))
            })
        }
        .await,
    )
}
