//! A wallet under test authenticating with its wallet attestation: the harness is an authorization
//! server that trusts the wallet provider the manifest names (`[wallet] attester_jwk`), lists
//! `attest_jwt_client_auth`, offers a challenge endpoint and refuses unauthenticated token requests
//! (OAuth attestation-based client authentication; OpenID4VCI 1.0 Appendix E). The cases judge what
//! the wallet sent, as the authorization server saw it.

use super::stack::{Driver, stack_with};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_roles::issuer::IssuerConfig;
use dialtone_roles::issuer::state::ClientAuthentication;
use serde::Deserialize;
use serde_json::Value;

driver!("oid4vci.wallet.client_attestation", binding::WALLET, client_attestation, AttestationCheck);

/// What the case judges of the wallet's client authentications.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttestationCheck {
    check: Check,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Check {
    /// It presented an attestation and PoP the server accepted, and stored the credential.
    Authenticated,
    /// Its PoP carried a challenge from the server's challenge endpoint.
    Challenge,
    /// Its PoP's `aud` is the authorization server's issuer identifier.
    PopAudience,
}

async fn client_attestation(ctx: Ctx, case: AttestationCheck) -> Outcome {
    flatten(
        async {
            let attester = ctx
                .manifest
                .wallet
                .as_ref()
                .and_then(|w| w.attester_jwk.clone())
                .ok_or_else(|| {
                    Outcome::skip(
                        "the manifest names no wallet provider key ([wallet] attester_jwk) for the harness, as \
                         the authorization server, to trust",
                    )
                })?;
            let config = IssuerConfig { attesters: vec![attester], require_client_attestation: true, ..IssuerConfig::default() };
            let stack = stack_with(&ctx, None, config).await?;
            let answer = Driver { ctx: &ctx }.receive_offer(&stack, false).await?;
            let seen = stack.issuer.log.client_authentications.lock().unwrap_or_else(|p| p.into_inner()).clone();
            ctx.evidence.note(format!("the wallet's client authentications, as the authorization server saw them: {}", describe(&seen)));
            if seen.is_empty() {
                return Ok(Outcome::fail(
                    "a token request with OAuth-Client-Attestation and OAuth-Client-Attestation-PoP (the authorization \
                     server lists attest_jwt_client_auth alone)",
                    format!("no token request reached the authorization server (the wallet answered {:?})", answer.status),
                ));
            }
            Ok(match case.check {
                Check::Authenticated => {
                    let accepted = seen.iter().any(|s| s.result.is_ok());
                    if accepted && answer.status == "stored" {
                        Outcome::pass("an attestation and PoP the authorization server accepted; credential stored")
                    } else {
                        Outcome::fail(
                            "a client attestation and PoP the authorization server accepts (OAuth-Attestation §7.1, §7.2), \
                             then the credential stored",
                            format!("{}; the wallet answered {:?}", describe(&seen), answer.status),
                        )
                    }
                }
                Check::Challenge => {
                    let with_challenge = seen.iter().any(|s| s.pop.as_ref().is_some_and(|p| p.challenge.is_some()) && s.result.is_ok());
                    if with_challenge {
                        Outcome::pass("the PoP carried the challenge the challenge endpoint gave")
                    } else {
                        Outcome::fail(
                            "a PoP whose challenge is one the challenge endpoint gave (OAuth-Attestation §6.1: the client \
                             MUST retrieve a challenge and use it)",
                            describe(&seen),
                        )
                    }
                }
                Check::PopAudience => {
                    let wanted = Value::String(stack.issuer_url.clone());
                    let auds: Vec<String> = seen
                        .iter()
                        .filter_map(|s| s.pop.as_ref().and_then(|p| p.aud.clone()))
                        .map(|a| a.to_string())
                        .collect();
                    match seen.iter().filter_map(|s| s.pop.as_ref()).next() {
                        None => Outcome::fail("a client attestation PoP", describe(&seen)),
                        Some(_) if seen.iter().filter_map(|s| s.pop.as_ref()).all(|p| p.aud.as_ref() == Some(&wanted)) => {
                            Outcome::pass(format!("aud {wanted}"))
                        }
                        Some(_) => Outcome::fail(
                            format!("aud {wanted}, the authorization server's issuer identifier (OAuth-Attestation §5.1)"),
                            format!("aud {}", auds.join(", ")),
                        ),
                    }
                }
            })
        }
        .await,
    )
}

/// One line per authentication: accepted (for whom) or refused (why).
fn describe(seen: &[ClientAuthentication]) -> String {
    seen.iter()
        .map(|s| match &s.result {
            Ok(client) => format!("accepted (sub {})", client.as_deref().unwrap_or("none")),
            Err(why) => format!("refused: {why}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
