//! The token endpoint with the pre-authorized code grant (§6, RFC 6749 §5): one driver, the cases
//! varying the offer, the form fields and the answer they expect.

use super::wallet::{Wallet, expect_error, precondition};
use crate::manifest::Trigger;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::PRE_AUTHORIZED_GRANT;
use dialtone_protocols::oid4vci::message::{TokenRequest, TokenResponse};
use serde::Deserialize;

driver!("oid4vci.issuer.token", binding::ISSUER, token, TokenCase);

/// One token request and the answer it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenCase {
    /// The offer the code comes from.
    #[serde(default)]
    offer: OfferKind,
    #[serde(default)]
    code: CodeValue,
    #[serde(default)]
    tx_code: TxCodeValue,
    /// The `grant_type`; the pre-authorized code grant when absent.
    grant_type: Option<String>,
    /// Redeem twice; the first must succeed, the second is judged.
    #[serde(default)]
    replay: bool,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OfferKind {
    /// An offer without a transaction code (which must not ask for one).
    #[default]
    Plain,
    /// An offer with a transaction code (which must ask for one).
    TxCode,
    /// No offer: the request needs none.
    None,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CodeValue {
    /// The offer's pre-authorized code.
    #[default]
    Offered,
    /// A code the issuer never gave.
    Random,
    /// No `pre-authorized_code` parameter.
    Absent,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TxCodeValue {
    /// The transaction code delivered with the offer, if any.
    #[default]
    AsOffered,
    Absent,
    /// One of the same shape that differs from the right one in every position.
    Wrong,
    Value(String),
}

/// `expect = "token"`, or `expect = { status = 400, error = "invalid_grant" }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expect {
    Answer(Answer),
    /// An error response.
    Error {
        status: u16,
        error: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    /// An access token (RFC 6749 §5.1).
    Token,
}

async fn token(ctx: Ctx, case: TokenCase) -> Outcome {
    if case.replay && matches!(ctx.manifest.trigger, Trigger::StaticOffer { .. }) {
        // The case needs a code redeemed once, by this case alone, then refused: a static offer's
        // code is shared by every case (and must be reusable for them to run at all).
        return Outcome::skip(
            "this case needs a fresh offer (a code redeemed once, then refused); the manifest's static offer is \
             shared by every case: use the control API ([trigger] kind = \"control\")",
        );
    }
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let offer = match case.offer {
                OfferKind::None => None,
                OfferKind::Plain | OfferKind::TxCode => {
                    let with_tx_code = matches!(case.offer, OfferKind::TxCode);
                    let offer = wallet.offer(with_tx_code).await?;
                    if with_tx_code && !offer.offer.expects_tx_code() {
                        return Err(precondition(
                            "offer with a tx_code (asked through the control API)",
                            "the offer has no tx_code object",
                        ));
                    }
                    if !with_tx_code && offer.offer.expects_tx_code() && !matches!(case.tx_code, TxCodeValue::AsOffered)
                    {
                        return Err(precondition("offer without tx_code", "the offer asks for a tx_code"));
                    }
                    Some(offer)
                }
            };
            let metadata = wallet.metadata().await?;
            let offered_code = || {
                offer
                    .as_ref()
                    .and_then(|o| o.offer.pre_authorized_code())
                    .map(str::to_string)
                    .ok_or_else(|| precondition("credential offer", "no pre-authorized_code"))
            };
            let code = match case.code {
                CodeValue::Offered => Some(offered_code()?),
                CodeValue::Random => Some(wallet.ctx.entropy.token(24)),
                CodeValue::Absent => None,
            };
            let delivered = offer.as_ref().and_then(|o| o.tx_code.clone());
            let tx_code = match case.tx_code {
                TxCodeValue::AsOffered => delivered,
                TxCodeValue::Absent => None,
                TxCodeValue::Wrong => {
                    let right = delivered.unwrap_or_default();
                    let wrong: String = right.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
                    Some(if wrong.is_empty() { "000000".to_string() } else { wrong })
                }
                TxCodeValue::Value(v) => Some(v),
            };
            let request = TokenRequest {
                grant_type: Some(case.grant_type.clone().unwrap_or_else(|| PRE_AUTHORIZED_GRANT.into())),
                pre_authorized_code: code,
                tx_code,
                ..TokenRequest::default()
            };
            let form = request.form();
            let mut response = wallet.token_request(&metadata, &form).await?;
            if case.replay {
                if response.status != 200 {
                    return Err(precondition("first redemption of the code", format!("HTTP {}", response.status)));
                }
                response = wallet.token_request(&metadata, &form).await?;
            }
            Ok(match &case.expect {
                Expect::Answer(Answer::Token) => expect_token(&response),
                Expect::Error { status, error } => expect_error(&response, *status, error),
            })
        }
        .await,
    )
}

/// HTTP 200, JSON with an access token and its type, not to be cached (RFC 6749 §5.1).
pub(crate) fn expect_token(response: &HttpResponse) -> Outcome {
    let expected =
        "HTTP 200, application/json with access_token and token_type Bearer, Cache-Control: no-store (RFC 6749 §5.1)";
    if response.status != 200 {
        return Outcome::fail(expected, format!("HTTP {}", response.status));
    }
    let token = match TokenResponse::parse_bytes(&response.body) {
        Ok(t) => t,
        Err(e) => return Outcome::fail(expected, e.to_string()),
    };
    let mut problems = Vec::new();
    if token.access_token.is_empty() {
        problems.push("an empty access_token".to_string());
    }
    if !(token.token_type.eq_ignore_ascii_case("bearer") || token.token_type.eq_ignore_ascii_case("dpop")) {
        problems.push(format!("token_type {:?}", token.token_type));
    }
    if response.media_type().as_deref() != Some("application/json") {
        problems.push(format!("Content-Type {:?}", response.media_type()));
    }
    if !response.no_store() {
        problems.push(format!("Cache-Control {:?}", response.header("cache-control")));
    }
    if problems.is_empty() {
        Outcome::pass("access token issued with no-store")
    } else {
        Outcome::fail(expected, problems.join("; "))
    }
}
