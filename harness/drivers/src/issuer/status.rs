//! Token Status List at the issuer: the `status` claim of issued credentials, the Status List Token
//! it points to, and revocation and suspension through the control API.

use super::metadata::issuer_jwks;
use super::wallet::{Issued, Wallet, precondition};
use crate::manifest::Trigger;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::sdjwt::SdJwt;
use dialtone_protocols::status_list::{self, StatusReference};
use serde_json::json;

driver!("token_status_list.issued.reference", binding::ISSUER, reference);
driver!("token_status_list.issuer.list_valid", binding::ISSUER, list_valid);
driver!("token_status_list.issuer.change", binding::ISSUER, change_status, Change);

/// A status the issuer is asked to set, through its control API.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Wanted {
    Revoked,
    Suspended,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Change {
    status: Wanted,
}

async fn issued_reference(wallet: &Wallet) -> Result<(Issued, StatusReference), Outcome> {
    let issued = wallet.issue().await?;
    let sd = SdJwt::parse(&issued.credential).map_err(|e| precondition("SD-JWT credential", e.to_string()))?;
    let reference = StatusReference::from_claims(&sd.issuer_jwt.payload).map_err(|e| {
        Outcome::fail("a status claim with status_list {idx, uri} (Token Status List §6.2)", e.to_string())
    })?;
    Ok((issued, reference))
}

/// Fetches and validates the Status List Token; the entry's status.
async fn status_of(wallet: &Wallet, reference: &StatusReference) -> Result<u8, Outcome> {
    let response = wallet.ctx.http.get(&reference.uri, &[("Accept", status_list::MEDIA_TYPE)]).await?;
    let expected = "HTTP 200 application/statuslist+jwt with a valid Status List Token (§5.1, §8.2, §8.3)";
    if !(200..300).contains(&response.status) {
        return Err(Outcome::fail(expected, format!("HTTP {}", response.status)));
    }
    if response.media_type().as_deref() != Some(status_list::MEDIA_TYPE) {
        return Err(Outcome::fail(expected, format!("Content-Type {:?}", response.media_type())));
    }
    let token = String::from_utf8(response.body.clone()).map_err(|_| Outcome::fail(expected, "body is not UTF-8"))?;
    let jwks = issuer_jwks(wallet).await?;
    let list = status_list::verify_token(token.trim(), &jwks, &reference.uri, dialtone_protocols::now_epoch())
        .map_err(|e| Outcome::fail(expected, e.to_string()))?;
    list.get(reference.idx).map_err(|e| Outcome::fail(expected, e.to_string()))
}

async fn reference(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (_, r) = issued_reference(&wallet).await?;
            Ok(Outcome::pass(format!("status_list idx {} at {}", r.idx, r.uri)))
        }
        .await,
    )
}

async fn list_valid(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let (_, r) = issued_reference(&wallet).await?;
            let status = status_of(&wallet, &r).await?;
            Ok(if status == status_list::VALID {
                Outcome::pass(format!("entry {} is VALID in a well-formed, signed Status List Token", r.idx))
            } else {
                Outcome::fail(
                    "a freshly issued credential's entry to be VALID (0x00)",
                    format!("status 0x{status:02x}"),
                )
            })
        }
        .await,
    )
}

/// Asks the issuer, through its control API, to set the credential's status, then reads the list.
async fn change_status(ctx: Ctx, Change { status: wanted }: Change) -> Outcome {
    let (name, value) = match wanted {
        Wanted::Revoked => ("revoked", status_list::INVALID),
        Wanted::Suspended => ("suspended", status_list::SUSPENDED),
    };
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let Trigger::Control { url } = &wallet.ctx.manifest.trigger else {
                return Ok(Outcome::skip("changing a credential's status needs the control API"));
            };
            let (_, r) = issued_reference(&wallet).await?;
            let body = json!({ "idx": r.idx, "status": name });
            let answer =
                wallet.ctx.http.post_json(&format!("{}/status", url.trim_end_matches('/')), &body, &[]).await?;
            if answer.status != 200 {
                return Err(Outcome::error(format!(
                    "the control API refused to set the status: HTTP {}",
                    answer.status
                )));
            }
            let status = status_of(&wallet, &r).await?;
            Ok(if status == value {
                Outcome::pass(format!("entry {} now reads 0x{status:02x} ({name})", r.idx))
            } else {
                Outcome::fail(
                    format!("entry {} to read 0x{value:02x} ({name}) after the issuer set it", r.idx),
                    format!("0x{status:02x}"),
                )
            })
        }
        .await,
    )
}
