//! The token endpoint with the pre-authorized code grant (§6, RFC 6749 §5).

use super::wallet::{Offer, Wallet, expect_error, precondition};
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_protocols::oid4vci::{PRE_AUTHORIZED_GRANT, token_error as te};
use serde_json::{Map, Value};

async fn offer_and_metadata(wallet: &Wallet, tx_code: bool) -> Result<(Offer, Map<String, Value>), Outcome> {
    let offer = wallet.offer(tx_code).await?;
    if tx_code && !offer.expects_tx_code() {
        return Err(precondition(
            "offer with a tx_code (asked through the control API)",
            "the offer has no tx_code object",
        ));
    }
    let metadata = wallet.metadata().await?;
    Ok((offer, metadata))
}

fn code(offer: &Offer) -> Result<&str, Outcome> {
    offer.pre_authorized_code().ok_or_else(|| precondition("credential offer", "no pre-authorized_code"))
}

pub async fn success(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(async {
        let (offer, metadata) = offer_and_metadata(&wallet, false).await?;
        let response = wallet.token_request(&metadata, &[("grant_type", PRE_AUTHORIZED_GRANT), ("pre-authorized_code", code(&offer)?)]).await?;
        let expected = "HTTP 200, application/json with access_token and token_type Bearer, Cache-Control: no-store (RFC 6749 §5.1)";
        let body = match (response.status, response.json_object()) {
            (200, Ok(b)) => b,
            (status, body) => return Ok(Outcome::fail(expected, format!("HTTP {status}, {:?}", body.err()))),
        };
        let mut problems = Vec::new();
        if body.get("access_token").is_none_or(|t| t.as_str().is_none_or(|s| s.is_empty())) {
            problems.push("no access_token".to_string());
        }
        if !body.get("token_type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("bearer") || t.eq_ignore_ascii_case("dpop")) {
            problems.push(format!("token_type {:?}", body.get("token_type")));
        }
        if response.media_type().as_deref() != Some("application/json") {
            problems.push(format!("Content-Type {:?}", response.media_type()));
        }
        if !response.no_store() {
            problems.push(format!("Cache-Control {:?}", response.header("cache-control")));
        }
        Ok(if problems.is_empty() { Outcome::pass("access token issued with no-store") } else { Outcome::fail(expected, problems.join("; ")) })
    }.await)
}

pub async fn wrong_code(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let bogus = wallet.ctx.entropy.token(24);
            let response = wallet
                .token_request(&metadata, &[("grant_type", PRE_AUTHORIZED_GRANT), ("pre-authorized_code", &bogus)])
                .await?;
            Ok(expect_error(&response, 400, te::INVALID_GRANT))
        }
        .await,
    )
}

pub async fn replayed_code(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (offer, metadata) = offer_and_metadata(&wallet, false).await?;
            let form = [("grant_type", PRE_AUTHORIZED_GRANT), ("pre-authorized_code", code(&offer)?)];
            let first = wallet.token_request(&metadata, &form).await?;
            if first.status != 200 {
                return Err(precondition("first redemption of the code", format!("HTTP {}", first.status)));
            }
            let second = wallet.token_request(&metadata, &form).await?;
            Ok(expect_error(&second, 400, te::INVALID_GRANT))
        }
        .await,
    )
}

pub async fn tx_code_missing(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (offer, metadata) = offer_and_metadata(&wallet, true).await?;
            let response = wallet
                .token_request(
                    &metadata,
                    &[("grant_type", PRE_AUTHORIZED_GRANT), ("pre-authorized_code", code(&offer)?)],
                )
                .await?;
            Ok(expect_error(&response, 400, te::INVALID_REQUEST))
        }
        .await,
    )
}

pub async fn tx_code_wrong(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (offer, metadata) = offer_and_metadata(&wallet, true).await?;
            let right = offer.tx_code.clone().unwrap_or_default();
            // A value of the same shape that differs from the right one in every position.
            let wrong: String = right.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
            let wrong = if wrong.is_empty() { "000000".to_string() } else { wrong };
            let response = wallet
                .token_request(
                    &metadata,
                    &[
                        ("grant_type", PRE_AUTHORIZED_GRANT),
                        ("pre-authorized_code", code(&offer)?),
                        ("tx_code", &wrong),
                    ],
                )
                .await?;
            Ok(expect_error(&response, 400, te::INVALID_GRANT))
        }
        .await,
    )
}

pub async fn tx_code_unexpected(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (offer, metadata) = offer_and_metadata(&wallet, false).await?;
            if offer.expects_tx_code() {
                return Err(precondition("offer without tx_code", "the offer asks for a tx_code"));
            }
            let response = wallet
                .token_request(
                    &metadata,
                    &[
                        ("grant_type", PRE_AUTHORIZED_GRANT),
                        ("pre-authorized_code", code(&offer)?),
                        ("tx_code", "123456"),
                    ],
                )
                .await?;
            Ok(expect_error(&response, 400, te::INVALID_REQUEST))
        }
        .await,
    )
}

pub async fn unsupported_grant_type(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (offer, metadata) = offer_and_metadata(&wallet, false).await?;
            let response = wallet
                .token_request(
                    &metadata,
                    &[
                        ("grant_type", "urn:dialtone:params:oauth:grant-type:unknown"),
                        ("pre-authorized_code", code(&offer)?),
                    ],
                )
                .await?;
            Ok(expect_error(&response, 400, te::UNSUPPORTED_GRANT_TYPE))
        }
        .await,
    )
}

pub async fn missing_code(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let response = wallet.token_request(&metadata, &[("grant_type", PRE_AUTHORIZED_GRANT)]).await?;
            Ok(expect_error(&response, 400, te::INVALID_REQUEST))
        }
        .await,
    )
}
