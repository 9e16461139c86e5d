//! A wallet under test and DPoP (RFC 9449): the harness's issuer advertises DPoP and demands server
//! nonces; the cases read what the wallet sent it — proofs at the token endpoint, the nonce
//! challenge answered, proofs bound to the access token at the credential endpoint.

use super::stack::{Driver, Stack, precondition, stack};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::WalletAnswer;
use dialtone_protocols::dpop::{self, DpopChecks, DpopClaims, DpopRequest};
use dialtone_protocols::jose::CompactJws;
use dialtone_roles::issuer::SeenDpop;
use dialtone_roles::issuer::reference::{CREDENTIAL_PATH, TOKEN_PATH};
use serde_json::Value;

driver!("oid4vci.wallet.dpop_token", binding::WALLET, dpop_token);
driver!("oid4vci.wallet.dpop_nonce", binding::WALLET, dpop_nonce);
driver!("oid4vci.wallet.dpop_resource", binding::WALLET, dpop_resource);

async fn issued(ctx: &Ctx) -> Result<(Stack, WalletAnswer, Vec<SeenDpop>), Outcome> {
    let stack = stack(ctx, None).await?;
    let answer = Driver { ctx }.receive_offer(&stack, false).await?;
    let seen = stack.issuer.log.dpop_proofs.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok((stack, answer, seen))
}

fn at<'a>(seen: &'a [SeenDpop], path: &str) -> Vec<&'a SeenDpop> {
    seen.iter().filter(|s| s.path == path).collect()
}

fn claims(proof: &str) -> Option<DpopClaims> {
    let jws = CompactJws::parse(proof).ok()?;
    serde_json::from_value(Value::Object(jws.payload)).ok()
}

/// Checks one received proof as the issuer's endpoint at `path` does (RFC 9449 §4.3), without its
/// nonce and replay state.
fn verify(stack: &Stack, seen: &SeenDpop) -> Result<(), String> {
    let url = format!("{}{}", stack.issuer_url, seen.path);
    let request = DpopRequest {
        method: "POST",
        url: &url,
        access_token: seen.access_token.as_deref(),
        now: dialtone_protocols::now_epoch(),
    };
    let values: Vec<&str> = seen.proofs.iter().map(String::as_str).collect();
    dpop::verify(&values, request, DpopChecks::default()).map(|_| ()).map_err(|e| e.to_string())
}

/// A token request with a valid DPoP proof (§5), and the credential obtained.
async fn dpop_token(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, answer, seen) = issued(&ctx).await?;
            let expected = "a token request with a valid DPoP proof to an authorization server that advertises \
                            dpop_signing_alg_values_supported (RFC 9449 §5, HAIP §4), and the credential stored";
            let token = at(&seen, TOKEN_PATH);
            let Some(last) = token.last() else {
                return Ok(Outcome::fail(
                    expected,
                    format!("no DPoP proof at the token endpoint; wallet answer {answer:?}"),
                ));
            };
            if let Err(why) = verify(&stack, last) {
                return Ok(Outcome::fail(expected, format!("the token request's DPoP proof: {why}")));
            }
            Ok(if answer.status == "stored" {
                Outcome::pass("a valid DPoP proof with the token request; credential stored")
            } else {
                Outcome::fail(expected, format!("wallet answer {answer:?}"))
            })
        }
        .await,
    )
}

/// The server's nonce challenge (§8) answered: a proof carrying the nonce it gave.
async fn dpop_nonce(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, answer, seen) = issued(&ctx).await?;
            let given = stack.issuer.log.dpop_nonces.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let token = at(&seen, TOKEN_PATH);
            if token.is_empty() {
                return Err(precondition("DPoP proof from the wallet", "no DPoP proof at the token endpoint"));
            }
            let answered =
                token.iter().flat_map(|s| s.proofs.iter()).filter_map(|p| claims(p)?.nonce).any(|n| given.contains(&n));
            Ok(if answered && answer.status == "stored" {
                Outcome::pass("the token request was sent again with the DPoP-Nonce the server gave; credential stored")
            } else {
                Outcome::fail(
                    "after use_dpop_nonce, a DPoP proof carrying the server's DPoP-Nonce (RFC 9449 §8)",
                    format!("nonce in a proof: {answered}; nonces given: {}; wallet answer {answer:?}", given.len()),
                )
            })
        }
        .await,
    )
}

/// The bound token presented with a proof for the request and the token (`ath`, §7).
async fn dpop_resource(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, answer, seen) = issued(&ctx).await?;
            let credential = at(&seen, CREDENTIAL_PATH);
            if at(&seen, TOKEN_PATH).is_empty() {
                return Err(precondition("DPoP proof from the wallet", "no DPoP proof at the token endpoint"));
            }
            let Some(last) = credential.last() else {
                return Ok(Outcome::fail(
                    "the DPoP-bound token presented with a DPoP proof at the credential endpoint (RFC 9449 §7)",
                    format!("no DPoP proof at the credential endpoint; wallet answer {answer:?}"),
                ));
            };
            Ok(match verify(&stack, last) {
                Ok(()) => Outcome::pass("the credential request's DPoP proof names the request and hashes the token"),
                Err(why) => {
                    Outcome::fail("a DPoP proof with htm, htu and ath of the access token (RFC 9449 §4.2, §7)", why)
                }
            })
        }
        .await,
    )
}
