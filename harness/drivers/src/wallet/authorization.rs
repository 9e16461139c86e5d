//! A wallet under test taking an authorization code offer: the harness is the issuer and its
//! authorization server (PAR and PKCE S256 required, the test user signed in already, so the
//! authorization URL redirects at once), and judges what the wallet sent (§4.1.1, §5, §6, §8.2;
//! RFC 7636, RFC 9126).

use super::stack::{Driver, Stack, precondition, stack_with};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::{OfferCreated, OfferRequest, WalletAnswer};
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::pkce;
use dialtone_protocols::oid4vci::AUTHORIZATION_CODE_GRANT;
use dialtone_protocols::oid4vci::message::{AuthorizationRequest, CredentialOffer};
use dialtone_roles::issuer::{IssuerConfig, IssuerOptions, LoggedAuthorization};
use serde::Deserialize;

driver!("oid4vci.wallet.authorization_code", binding::WALLET, authorization_code, WalletAuthorizationCase);

/// What to judge of one authorization code issuance to the wallet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WalletAuthorizationCase {
    /// The issuer takes `scope` only: no `authorization_details`, none in the token response.
    #[serde(default)]
    scope_only: bool,
    check: Check,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Check {
    /// The wallet obtained and stored the credential.
    Stored,
    /// PKCE with S256, and the verifier of that challenge at the token endpoint.
    PkceS256,
    /// The request pushed, the authorization endpoint given only its request URI.
    Par,
    /// The offer's `issuer_state` in the authorization request.
    IssuerState,
    /// The credential request names the credential identifier the token response returned.
    CredentialIdentifier,
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The authorization request that carried the parameters: the pushed one, else the first at the
/// authorization endpoint.
fn parameters_request(stack: &Stack) -> Result<AuthorizationRequest, Outcome> {
    let logged: Vec<LoggedAuthorization> = lock(&stack.issuer.log.authorization_requests).clone();
    logged
        .iter()
        .find(|l| l.pushed)
        .or_else(|| logged.iter().find(|l| !l.request.is_by_reference()))
        .map(|l| l.request.clone())
        .ok_or_else(|| precondition("authorization request from the wallet", "none arrived"))
}

async fn authorization_code(ctx: Ctx, case: WalletAuthorizationCase) -> Outcome {
    flatten(
        async {
            let options = IssuerOptions { auto_login: true, scope_only: case.scope_only };
            let stack = stack_with(&ctx, None, IssuerConfig { options, ..IssuerConfig::default() }).await?;
            let asked =
                OfferRequest { grant: Some(OfferRequest::AUTHORIZATION_CODE.into()), ..OfferRequest::default() };
            let (made, answer) = Driver { ctx: &ctx }.receive_made(&stack, asked).await?;
            judge(&stack, &case.check, &made, &answer)
        }
        .await,
    )
}

fn judge(stack: &Stack, check: &Check, made: &OfferCreated, answer: &WalletAnswer) -> Result<Outcome, Outcome> {
    Ok(match check {
        Check::Stored => {
            if answer.status == "stored" {
                Outcome::pass("stored a credential obtained through the authorization code flow")
            } else {
                Outcome::fail(
                    "the offered credential obtained through the authorization code flow and stored",
                    format!("{answer:?}"),
                )
            }
        }
        Check::PkceS256 => {
            let request = parameters_request(stack)?;
            let (method, challenge) = (request.code_challenge_method.as_deref(), request.code_challenge.as_deref());
            let Some(challenge) = challenge.filter(|_| method == Some(pkce::S256)) else {
                return Ok(Outcome::fail(
                    "code_challenge with code_challenge_method S256 (RFC 7636 §4.3, HAIP §4)",
                    format!("code_challenge {:?}, code_challenge_method {method:?}", request.code_challenge),
                ));
            };
            let tokens = lock(&stack.issuer.log.token_requests).clone();
            let redeemed = tokens.iter().find(|t| t.grant_type.as_deref() == Some(AUTHORIZATION_CODE_GRANT));
            match redeemed.and_then(|t| t.code_verifier.as_deref()) {
                Some(v) if pkce::verify(pkce::S256, challenge, v) => {
                    Outcome::pass("S256 code_challenge, and its code_verifier at the token endpoint")
                }
                Some(_) => Outcome::fail("the code_verifier of the challenge (RFC 7636 §4.5)", "another verifier"),
                None => Outcome::fail(
                    "a token request with the code_verifier (RFC 7636 §4.5)",
                    format!("{} authorization code token request(s), none with code_verifier", tokens.len()),
                ),
            }
        }
        Check::Par => {
            let logged = lock(&stack.issuer.log.authorization_requests).clone();
            let pushed = logged.iter().filter(|l| l.pushed).count();
            let direct: Vec<&LoggedAuthorization> =
                logged.iter().filter(|l| !l.pushed && !l.request.is_by_reference()).collect();
            if pushed > 0 && direct.is_empty() {
                Outcome::pass("pushed its authorization request and opened the authorization endpoint by request_uri")
            } else {
                Outcome::fail(
                    "the authorization request pushed, as require_pushed_authorization_requests says (RFC 9126 §4, HAIP §4.3)",
                    format!(
                        "{pushed} pushed request(s); {} request(s) at the authorization endpoint without request_uri",
                        direct.len()
                    ),
                )
            }
        }
        Check::IssuerState => {
            let offered = made
                .credential_offer
                .as_ref()
                .and_then(|o| CredentialOffer::parse(o).ok())
                .and_then(|o| o.value.authorization_code().and_then(|g| g.issuer_state.clone()));
            let sent = parameters_request(stack)?.issuer_state;
            if offered.is_some() && sent == offered {
                Outcome::pass("the offer's issuer_state in the authorization request")
            } else {
                Outcome::fail(
                    "the offer's issuer_state in the authorization request (§4.1.1)",
                    if sent.is_some() { "another issuer_state" } else { "no issuer_state" },
                )
            }
        }
        Check::CredentialIdentifier => {
            let requests = lock(&stack.issuer.log.credential_requests).clone();
            let request = requests
                .first()
                .ok_or_else(|| precondition("credential request from the wallet", format!("{answer:?}")))?;
            if request.credential_identifier.is_some() && request.credential_configuration_id.is_none() {
                Outcome::pass("the credential request names the credential identifier of the token response")
            } else {
                Outcome::fail(
                    "credential_identifier from the token response, without credential_configuration_id (§8.2)",
                    format!(
                        "credential_identifier {:?}, credential_configuration_id {:?}",
                        request.credential_identifier, request.credential_configuration_id
                    ),
                )
            }
        }
    })
}
