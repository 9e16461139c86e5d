//! DPoP (RFC 9449) and how access tokens are presented (RFC 6750 §2, RFC 9449 §7): one driver,
//! the cases varying where the proof goes (token or credential endpoint), how it deviates
//! (`dpop::DpopSpec`), how the token is presented, and the answer they expect.

use super::wallet::{Wallet, error_code, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::dpop::{self, DpopNonce, DpopSpec};
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::challenge_params;
use dialtone_protocols::oid4vci::client::Session;
use dialtone_protocols::oid4vci::message::{QUERY_ACCESS_TOKEN, TokenRequest, TokenResponse};
use dialtone_protocols::oid4vci::sender::{self, DpopBinding, DpopUse};
use serde::Deserialize;

driver!("oid4vci.issuer.dpop", binding::ISSUER, dpop_case, DpopCase);

/// One request with a DPoP proof (or a token presented some way) and the answer it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DpopCase {
    #[serde(default)]
    at: Endpoint,
    /// How the proof deviates from a correct one.
    #[serde(default)]
    proof: DpopSpec,
    #[serde(default)]
    presentation: Presentation,
    /// Send the same DPoP proof twice (a fresh credential request each time); the first must be
    /// accepted, the second is judged.
    #[serde(default)]
    replay: bool,
    /// Present the access token of another wallet's session (bound to another key).
    #[serde(default)]
    foreign_token: bool,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Endpoint {
    /// The token endpoint with the pre-authorized code grant (RFC 9449 §5).
    Token,
    /// The credential endpoint with the session's access token (RFC 9449 §7).
    #[default]
    Credential,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Presentation {
    /// `Authorization: DPoP <token>` and a `DPoP` proof (correct for a bound token).
    #[default]
    Dpop,
    /// `Authorization: DPoP <token>` without a proof.
    NoProof,
    /// `Authorization: Bearer <token>`, no proof.
    Bearer,
    /// The token in the `access_token` query parameter (RFC 6750 §2.3), with a proof when the token
    /// is bound, and no `Authorization` header.
    Query,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcomes {
    /// A DPoP-bound access token: HTTP 200, `token_type` DPoP (RFC 9449 §5).
    BoundToken,
    /// A credential: HTTP 200.
    Credential,
    /// A refusal: HTTP 4xx, no credential.
    Refused,
}

/// `expect = "refused"`, or `expect = { error = "use_dpop_nonce" }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expect {
    Answer(Outcomes),
    /// A refusal with this error code (in the body or the `DPoP` challenge); `use_dpop_nonce` with
    /// a `DPoP-Nonce` header.
    Error {
        error: String,
    },
}

async fn dpop_case(ctx: Ctx, case: DpopCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let response = match case.at {
                Endpoint::Token => token_request(&wallet, &case).await?,
                Endpoint::Credential => credential_request(&wallet, &case).await?,
            };
            Ok(judge(&response, &case.expect))
        }
        .await,
    )
}

/// Whether a proof built as `spec` says should be resent with the nonce a challenge gave: only
/// when the case does not judge the nonce itself.
fn answers_nonce(spec: &DpopSpec) -> bool {
    spec.nonce == DpopNonce::Server
}

async fn token_request(wallet: &Wallet, case: &DpopCase) -> Result<HttpResponse, Outcome> {
    let offer = wallet.offer(false).await?;
    let metadata = wallet.metadata().await?;
    let as_metadata = wallet.client.as_metadata(&wallet.issuer_id(), &metadata).await.map_err(|e| wallet.flow(e))?;
    let endpoint = wallet.token_endpoint(&metadata).await?;
    let usage = DpopUse { proof: case.proof.clone(), ..DpopUse::default() };
    let binding = DpopBinding::for_server(&usage, &as_metadata, wallet.client.entropy()).ok_or_else(|| {
        Outcome::fail(
            "dpop_signing_alg_values_supported with ES256 in the authorization server metadata (RFC 9449 §5.1)",
            format!("{:?}", as_metadata.dpop_signing_alg_values_supported),
        )
    })?;
    wallet.ctx.private_key(&binding.key);
    let code =
        offer.offer.pre_authorized_code().ok_or_else(|| precondition("credential offer", "no pre-authorized_code"))?;
    let request = TokenRequest::pre_authorized(code, offer.tx_code.as_deref());
    let form = request.form();
    let send = || {
        let proof = binding.proof("POST", &endpoint, None, wallet.client.entropy());
        let (endpoint, form) = (&endpoint, &form);
        async move {
            wallet.client.post_token_with(endpoint, form, &[(dialtone_protocols::dpop::HEADER, proof.as_str())]).await
        }
    };
    let mut response = send().await.map_err(|e| wallet.flow(e))?;
    binding.remember(&response);
    if answers_nonce(&case.proof) && sender::is_nonce_challenge(&response) {
        response = send().await.map_err(|e| wallet.flow(e))?;
    }
    Ok(response)
}

/// The session's DPoP binding, which a case at the credential endpoint needs: the happy flow fails
/// without one, a refusal cannot be judged without one.
fn bound<'a>(session: &'a Session, case: &DpopCase) -> Result<&'a DpopBinding, Outcome> {
    let why = "the authorization server does not advertise DPoP, or issued a Bearer token for a proof";
    session.dpop.as_ref().ok_or_else(|| match case.expect {
        Expect::Answer(Outcomes::Credential) => Outcome::fail(
            "a DPoP-bound access token (token_type DPoP) for a token request with a DPoP proof (RFC 9449 §5)",
            why,
        ),
        // The step a refusal needs; the happy flow's case judges it.
        _ => precondition("DPoP-bound access token", why),
    })
}

async fn credential_request(wallet: &Wallet, case: &DpopCase) -> Result<HttpResponse, Outcome> {
    let session = wallet.session().await?;
    let endpoint = session.credential_endpoint().map_err(|e| wallet.flow(e))?.to_string();
    let token = if case.foreign_token { wallet.session().await?.access_token } else { session.access_token.clone() };
    let entropy = wallet.client.entropy();
    let body = |s: &Session| s.request(vec![wallet.good_proof(s)]).to_json();
    let proof = |binding: &DpopBinding, url: &str| binding.proof_with(&case.proof, "POST", url, Some(&token), entropy);
    match case.presentation {
        Presentation::Query => {
            let separator = if endpoint.contains('?') { '&' } else { '?' };
            let query = serde_urlencoded::to_string([(QUERY_ACCESS_TOKEN, token.as_str())]).unwrap_or_default();
            let url = format!("{endpoint}{separator}{query}");
            let dpop = session.dpop.as_ref().map(|b| proof(b, &url));
            wallet.client.post_credential_with(&url, None, dpop, &body(&session)).await.map_err(|e| wallet.flow(e))
        }
        Presentation::Bearer => {
            bound(&session, case)?;
            let auth = Some(sender::authorization(&token, false));
            wallet.client.post_credential_with(&endpoint, auth, None, &body(&session)).await.map_err(|e| wallet.flow(e))
        }
        Presentation::NoProof => {
            bound(&session, case)?;
            let auth = Some(sender::authorization(&token, true));
            wallet.client.post_credential_with(&endpoint, auth, None, &body(&session)).await.map_err(|e| wallet.flow(e))
        }
        Presentation::Dpop => {
            let binding = bound(&session, case)?;
            let auth = || Some(sender::authorization(&token, true));
            let mut sent = proof(binding, &endpoint);
            let first = body(&session);
            let post = |dpop: String, body| wallet.client.post_credential_with(&endpoint, auth(), Some(dpop), body);
            let mut response = post(sent.clone(), &first).await.map_err(|e| wallet.flow(e))?;
            binding.remember(&response);
            if answers_nonce(&case.proof) && sender::is_nonce_challenge(&response) {
                sent = proof(binding, &endpoint);
                response = post(sent.clone(), &first).await.map_err(|e| wallet.flow(e))?;
            }
            if !case.replay {
                return Ok(response);
            }
            if response.status != 200 {
                return Err(precondition("credential request with a DPoP proof", format!("HTTP {}", response.status)));
            }
            // The same proof again, with a fresh c_nonce for the key proof of the request.
            let mut again = session.clone();
            if let Some(endpoint) = &session.metadata.nonce_endpoint {
                again.c_nonce = Some(wallet.client.nonce(endpoint, None).await.map_err(|e| wallet.flow(e))?);
            }
            let second = body(&again);
            post(sent, &second).await.map_err(|e| wallet.flow(e))
        }
    }
}

/// The error code of a refusal: the body's, else the `DPoP` or `Bearer` challenge's.
fn refusal_code(response: &HttpResponse) -> Option<String> {
    error_code(response).or_else(|| {
        let header = response.header("www-authenticate")?;
        [dpop::SCHEME, "Bearer"].iter().find_map(|scheme| {
            challenge_params(header, scheme).ok()?.into_iter().find(|(n, _)| n == "error").map(|(_, v)| v)
        })
    })
}

fn observed(response: &HttpResponse) -> String {
    format!(
        "HTTP {}, error {:?}, WWW-Authenticate {:?}, DPoP-Nonce {}",
        response.status,
        refusal_code(response),
        response.header("www-authenticate"),
        if response.header(dpop::NONCE_HEADER).is_some() { "present" } else { "absent" }
    )
}

fn judge(response: &HttpResponse, expect: &Expect) -> Outcome {
    match expect {
        Expect::Answer(Outcomes::BoundToken) => {
            let expected = "HTTP 200 and a token response with token_type DPoP (RFC 9449 §5)";
            if response.status != 200 {
                return Outcome::fail(expected, observed(response));
            }
            match TokenResponse::parse_bytes(&response.body) {
                Ok(t) if t.token_type.eq_ignore_ascii_case(dpop::SCHEME) => Outcome::pass("token_type DPoP"),
                Ok(t) => Outcome::fail(expected, format!("token_type {:?}", t.token_type)),
                Err(e) => Outcome::fail(expected, e.to_string()),
            }
        }
        Expect::Answer(Outcomes::Credential) => {
            if response.status == 200 {
                Outcome::pass("HTTP 200: the credential was issued for the DPoP-bound token and its proof")
            } else {
                Outcome::fail("HTTP 200 with a credential (RFC 9449 §7)", observed(response))
            }
        }
        Expect::Answer(Outcomes::Refused) => {
            if (400..500).contains(&response.status) {
                Outcome::pass(observed(response))
            } else {
                Outcome::fail("a 4xx refusal, no credential", observed(response))
            }
        }
        Expect::Error { error } => {
            let nonce_needed = error == dpop::USE_DPOP_NONCE;
            let ok = (400..500).contains(&response.status)
                && refusal_code(response).as_deref() == Some(error.as_str())
                && (!nonce_needed || response.header(dpop::NONCE_HEADER).is_some_and(|n| !n.is_empty()));
            let expected = if nonce_needed {
                format!("a 4xx refusal with error \"{error}\" and a DPoP-Nonce header (RFC 9449 §8, §9)")
            } else {
                format!("a 4xx refusal with error \"{error}\"")
            };
            if ok { Outcome::pass(observed(response)) } else { Outcome::fail(expected, observed(response)) }
        }
    }
}
