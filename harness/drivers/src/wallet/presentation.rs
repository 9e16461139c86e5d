//! A wallet under test presenting: the harness is the verifier (correct, or with one fault in its
//! request the wallet must refuse) and judges what the wallet sends (OpenID4VP §5.9.3, §8, RFC 9901 §7.3).

use super::stack::{Driver, Stack, precondition, stack};
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_roles::verifier::VerifierFault;
use serde_json::{Value, json};

/// Issues to the wallet, has it answer a request; the wallet's answer, the verdict, its status.
async fn presented(ctx: &Ctx, fault: Option<VerifierFault>) -> Result<(Stack, Value, Value, String), Outcome> {
    let stack = stack(ctx, Some(fault)).await?;
    let driver = Driver { ctx };
    driver.holds_credential(&stack).await?;
    let (answer, verdict) = driver.present(&stack).await?;
    let status = verdict.get("status").and_then(Value::as_str).unwrap_or("unknown").to_string();
    Ok((stack, answer, verdict, status))
}

/// The correct verifier's verdict must be `accepted`: each case's fault makes it reject.
async fn accepted(ctx: Ctx, what: &str) -> Outcome {
    flatten(
        async {
            let (_, answer, _, verdict) = presented(&ctx, None).await?;
            Ok(if verdict == "accepted" {
                Outcome::pass(format!("the verifier accepted the presentation ({what})"))
            } else {
                Outcome::fail(
                    format!("a presentation the verifier accepts ({what})"),
                    format!("verdict {verdict:?}; wallet answer {answer}"),
                )
            })
        }
        .await,
    )
}

pub async fn accepted_presentation(ctx: Ctx) -> Outcome {
    accepted(ctx, "DCQL-keyed vp_token, state, KB-JWT").await
}
pub async fn kb_audience(ctx: Ctx) -> Outcome {
    accepted(ctx, "KB-JWT aud is the full client identifier").await
}
pub async fn kb_sd_hash(ctx: Ctx) -> Outcome {
    accepted(ctx, "KB-JWT sd_hash covers the presented SD-JWT").await
}
pub async fn kb_key(ctx: Ctx) -> Outcome {
    accepted(ctx, "KB-JWT signed by the credential's cnf key").await
}

/// Data minimization: only the claims the DCQL query asks for are disclosed.
pub async fn discloses_only_requested(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, _, verdict, status) = presented(&ctx, None).await?;
            if status != "accepted" {
                return Err(precondition("accepted presentation", status));
            }
            let claims = verdict
                .get("claims")
                .and_then(|c| c.get("person"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let extra: Vec<&String> = claims
                .keys()
                .filter(|k| {
                    !["given_name", "family_name", "iss", "vct", "iat", "nbf", "exp", "cnf", "status"]
                        .contains(&k.as_str())
                })
                .collect();
            Ok(if extra.is_empty() && claims.contains_key("given_name") {
                Outcome::pass("disclosed only given_name and family_name, as asked")
            } else {
                Outcome::fail(
                    "only the requested claims (given_name, family_name) disclosed (OpenID4VP §6.4.1, §15.4)",
                    format!("also disclosed: {extra:?}"),
                )
            })
        }
        .await,
    )
}

/// The wallet refuses a request with a single fault: nothing reaches the verifier.
async fn refuses(ctx: Ctx, fault: VerifierFault) -> Outcome {
    refuses_with(ctx, fault, json!({})).await
}

async fn refuses_with(ctx: Ctx, fault: VerifierFault, extra: Value) -> Outcome {
    flatten(
        async {
            let stack = stack(&ctx, Some(Some(fault))).await?;
            let driver = Driver { ctx: &ctx };
            driver.holds_credential(&stack).await?;
            let (answer, verdict) = driver.present_with(&stack, extra).await?;
            let verdict = verdict.get("status").and_then(Value::as_str).unwrap_or("unknown").to_string();
            let status = answer.get("status").and_then(Value::as_str).unwrap_or_default();
            Ok(if status == "refused" && verdict == "pending" {
                Outcome::pass(format!("refused: {}", answer.get("reason").and_then(Value::as_str).unwrap_or_default()))
            } else {
                Outcome::fail(
                    "the request refused, nothing sent to the verifier",
                    format!("wallet status {status:?}, verifier verdict {verdict:?}"),
                )
            })
        }
        .await,
    )
}

pub async fn refuses_unsigned_request(ctx: Ctx) -> Outcome {
    refuses(ctx, VerifierFault::RequestUnsigned).await
}
pub async fn refuses_bad_signature(ctx: Ctx) -> Outcome {
    refuses(ctx, VerifierFault::RequestForeignSignature).await
}
pub async fn refuses_response_uri_mismatch(ctx: Ctx) -> Outcome {
    refuses(ctx, VerifierFault::ResponseUriHostMismatch).await
}

pub async fn state_returned(ctx: Ctx) -> Outcome {
    accepted(ctx, "the request's state returned with the response").await
}
pub async fn vp_token_shape(ctx: Ctx) -> Outcome {
    accepted(ctx, "vp_token keyed by the DCQL credential query id, with an array").await
}
pub async fn refuses_client_id_mismatch(ctx: Ctx) -> Outcome {
    refuses(ctx, VerifierFault::ClientIdMismatch).await
}

/// Names as people write them, end to end: the verifier receives the names exactly as issued.
pub async fn names_presented_exact(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, _, verdict, status) = presented(&ctx, None).await?;
            let claims = verdict.get("claims").and_then(|c| c.get("person")).cloned().unwrap_or(Value::Null);
            let issued = dialtone_roles::issuer::minter::subject_claims();
            let mut differing = Vec::new();
            for name in ["given_name", "family_name"] {
                let want = issued.get(name).and_then(Value::as_str).unwrap_or_default();
                let got = claims.get(name).and_then(Value::as_str).unwrap_or_default();
                if want.as_bytes() != got.as_bytes() {
                    differing.push(format!("{name}: issued {want:?}, verified {got:?}"));
                }
            }
            Ok(if status == "accepted" && differing.is_empty() {
                Outcome::pass("the verifier received the names byte for byte as issued")
            } else {
                Outcome::fail(
                    "an accepted presentation carrying the names exactly as issued",
                    format!("verdict {status:?}; {}", differing.join("; ")),
                )
            })
        }
        .await,
    )
}

/// direct_post.jwt: the wallet encrypts its response to the verifier's key, and it is accepted.
pub async fn encrypted_response(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let stack = stack(&ctx, Some(None)).await?;
            let driver = Driver { ctx: &ctx };
            driver.holds_credential(&stack).await?;
            let (answer, verdict) =
                driver.present_with_mode(&stack, dialtone_protocols::oid4vp::DIRECT_POST_JWT).await?;
            let status = verdict.get("status").and_then(Value::as_str).unwrap_or("unknown");
            Ok(if status == "accepted" {
                Outcome::pass("encrypted response (ECDH-ES) accepted")
            } else {
                Outcome::fail(
                    "an encrypted direct_post.jwt response the verifier accepts (§8.3.1)",
                    format!("verdict {verdict}; wallet answer {answer}"),
                )
            })
        }
        .await,
    )
}

pub async fn refuses_redirect_uri_mismatch(ctx: Ctx) -> Outcome {
    refuses_with(ctx, VerifierFault::RedirectUriMismatch, json!({ "client_id_prefix": "redirect_uri" })).await
}

/// A `redirect_uri` client's request (unsigned, response_uri = identifier) is answered and accepted.
pub async fn answers_redirect_uri(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let stack = stack(&ctx, Some(None)).await?;
            let driver = Driver { ctx: &ctx };
            driver.holds_credential(&stack).await?;
            let (answer, verdict) = driver.present_with(&stack, json!({ "client_id_prefix": "redirect_uri" })).await?;
            Ok(if verdict.get("status").and_then(Value::as_str) == Some("accepted") {
                Outcome::pass("answered the redirect_uri client; accepted")
            } else {
                Outcome::fail(
                    "a presentation a redirect_uri client accepts (KB-JWT aud = the full client identifier)",
                    format!("verdict {verdict}; wallet answer {answer}"),
                )
            })
        }
        .await,
    )
}
