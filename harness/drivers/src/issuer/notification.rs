//! The notification endpoint (OpenID4VCI 1.0 §11): a `notification_id` from a credential response
//! is acknowledged with a 2xx, again when repeated (notifications are idempotent); an unknown one is
//! refused with HTTP 400 (`invalid_notification_id`); and an issuer does not depend on being
//! notified (§11: the Wallet's use of the endpoint is not mandatory): with the last credentials not
//! notified, a further credential request on the same access token is served (the issuer MAY stop
//! accepting the token, "Multiple Accesses to the Credential Endpoint", which is a 401, not a refusal
//! of the request).

use super::wallet::{Wallet, credentials_in, error_code, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::oid4vci::client::Session;
use dialtone_protocols::oid4vci::message::CredentialResponse;
use dialtone_protocols::oid4vci::notification::{NotificationRequest, event, notification_error as ne};
use serde::Deserialize;

driver!("oid4vci.issuer.notification", binding::ISSUER, notification, NotificationCase);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NotificationCase {
    check: NotificationCheck,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NotificationCheck {
    /// `credential_accepted` for the response's id, twice: 2xx both times.
    Accepted,
    /// An id the issuer never gave: HTTP 400, `invalid_notification_id`.
    UnknownId,
    /// No notification, and a second credential with the same access token: issued.
    Skipped,
}

/// A credential through `session`; the response, parsed.
async fn issue(wallet: &Wallet, session: &Session) -> Result<CredentialResponse, Outcome> {
    let request = session.request(vec![wallet.good_proof(session)]);
    let response = wallet.credential_request(session, Some(&session.access_token), &request).await?;
    credentials_in(&response)?.ok_or_else(|| {
        precondition("credential endpoint", format!("HTTP {}, error {:?}", response.status, error_code(&response)))
    })
}

async fn notify(wallet: &Wallet, session: &Session, id: &str) -> Result<HttpResponse, Outcome> {
    let request = NotificationRequest::new(id, event::CREDENTIAL_ACCEPTED);
    wallet.client.post_notification(session, &request).await.map_err(|e| wallet.flow(e))
}

async fn notification(ctx: Ctx, case: NotificationCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let issued = issue(&wallet, &session).await?;
            match case.check {
                NotificationCheck::Accepted => {
                    let Some(id) = issued.notification_id.clone() else {
                        return Ok(Outcome::fail(
                            "a notification_id in the credential response of an issuer with a notification endpoint (§11)",
                            "none",
                        ));
                    };
                    let first = notify(&wallet, &session, &id).await?;
                    let second = notify(&wallet, &session, &id).await?;
                    let observed = format!("HTTP {} then HTTP {} (error {:?})", first.status, second.status, error_code(&second));
                    Ok(if (200..300).contains(&first.status) && (200..300).contains(&second.status) {
                        Outcome::pass(observed)
                    } else {
                        Outcome::fail("a 2xx (204 recommended) for the notification and for the same one repeated (§11, §11.2)", observed)
                    })
                }
                NotificationCheck::UnknownId => {
                    if issued.notification_id.is_none() {
                        return Err(precondition("notification_id in the credential response", "none"));
                    }
                    let response = notify(&wallet, &session, &wallet.ctx.entropy.token(16)).await?;
                    let code = error_code(&response);
                    let observed = format!("HTTP {}, error {code:?}", response.status);
                    // §11.3: HTTP 400 MUST; the code SHOULD be invalid_notification_id.
                    Ok(match (response.status, code.as_deref()) {
                        (400, Some(ne::INVALID_NOTIFICATION_ID)) => Outcome::pass(observed),
                        (400, Some(_)) => Outcome::pass(format!("{observed} (invalid_notification_id is recommended)")),
                        _ => Outcome::fail("HTTP 400 with a JSON error, invalid_notification_id (§11.3)", observed),
                    })
                }
                NotificationCheck::Skipped => {
                    let nonce = match &session.metadata.nonce_endpoint {
                        Some(endpoint) => {
                            Some(wallet.client.nonce(endpoint, session.dpop.as_ref()).await.map_err(|e| wallet.flow(e))?)
                        }
                        None => None,
                    };
                    let again = Session { c_nonce: nonce, ..session.clone() };
                    let request = again.request(vec![wallet.good_proof(&again)]);
                    let response = wallet.credential_request(&again, Some(&again.access_token), &request).await?;
                    Ok(if response.status == 200 {
                        Outcome::pass("a second credential issued on the same access token without a notification")
                    } else if response.status == 401 {
                        // §14.3 "Multiple Accesses": the issuer MAY stop accepting the token.
                        Outcome::pass("HTTP 401: the issuer no longer accepts the access token, which it may")
                    } else {
                        Outcome::fail(
                            "the issuer not to depend on notifications (§11): a further credential request served",
                            format!("HTTP {}, error {:?}", response.status, error_code(&response)),
                        )
                    })
                }
            }
        }
        .await,
    )
}
