//! Deferred issuance (OpenID4VCI 1.0 §8.3, §9): asked through the control API (`deferred: true`),
//! the credential endpoint answers 202 with a `transaction_id` and an `interval`; the deferred
//! credential endpoint answers 202 again until the credentials are ready, then 200 with them, and
//! refuses a transaction id it never gave or that was spent with `invalid_transaction_id` (§9.3).

use super::wallet::{Wallet, credentials_in, error_code, expect_error, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::client::Session;
use dialtone_protocols::oid4vci::client_followup::{Answer, MAX_DEFERRED_POLLS, answer};
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::deferred::{DeferredCredentialRequest, MAX_INTERVAL_SECS};
use dialtone_protocols::oid4vci::message::CredentialResponse;
use serde::Deserialize;

driver!("oid4vci.issuer.deferred", binding::ISSUER, deferred, DeferredCase);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeferredCase {
    check: DeferredCheck,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DeferredCheck {
    /// 202 with a transaction, then the credentials from the deferred endpoint after `interval`.
    IssuedAfterInterval,
    /// The deferred endpoint asked at once: 202 with the same transaction id (or, if ready, 200).
    PendingBeforeReady,
    /// A transaction id the issuer never gave: `invalid_transaction_id`.
    UnknownTransaction,
    /// The transaction id again after its credentials were obtained: `invalid_transaction_id`.
    SpentTransaction,
}

async fn post(wallet: &Wallet, session: &Session, transaction_id: &str) -> Result<HttpResponse, Outcome> {
    wallet
        .client
        .post_deferred(session, &DeferredCredentialRequest::new(transaction_id))
        .await
        .map_err(|e| wallet.flow(e))
}

/// Polls until 200 (bounded), waiting each `interval`; the last answer.
async fn poll_until_issued(
    wallet: &Wallet,
    session: &Session,
    transaction_id: &str,
    interval: u64,
) -> Result<HttpResponse, Outcome> {
    let (mut transaction, mut wait) = (transaction_id.to_string(), interval);
    let mut last = None;
    for _ in 0..MAX_DEFERRED_POLLS {
        wallet.ctx.evidence.wait_on_candidate(wallet.ctx.manifest.seconds(wait.min(MAX_INTERVAL_SECS))).await;
        let response = post(wallet, session, &transaction).await?;
        match answer(dialtone_protocols::oid4vci::client::Step::Credential, &response, None) {
            Ok(Answer::Deferred { transaction_id, interval }) => (transaction, wait) = (transaction_id, interval),
            _ => return Ok(response),
        }
        last = Some(response);
    }
    last.ok_or_else(|| Outcome::error("no poll was made"))
}

async fn deferred(ctx: Ctx, case: DeferredCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            if case.check == DeferredCheck::UnknownTransaction {
                let session = wallet.session().await?;
                let response = post(&wallet, &session, &wallet.ctx.entropy.token(16)).await?;
                return Ok(expect_error(&response, 400, ce::INVALID_TRANSACTION_ID));
            }
            let session = wallet.session_with(true, false).await?;
            let request = session.request(vec![wallet.good_proof(&session)]);
            let first = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            let expected = "HTTP 202 with a transaction_id and a positive interval, no credentials (§8.3)";
            if first.status == 200 {
                // Issued at once, or the credential endpoint's own defect (VCI-ISS-CRED-001 judges it).
                credentials_in(&first)?;
            }
            let answer = answer(dialtone_protocols::oid4vci::client::Step::Credential, &first, None);
            let (transaction_id, interval) = match answer {
                Ok(Answer::Deferred { transaction_id, interval }) => (transaction_id, interval),
                other => {
                    let observed = match other {
                        Ok(Answer::Issued(_)) => "HTTP 200: issued at once, not deferred".to_string(),
                        Err(e) => format!("{e}; error {:?}", error_code(&first)),
                        Ok(_) => String::new(),
                    };
                    return Ok(if case.check == DeferredCheck::IssuedAfterInterval {
                        Outcome::fail(expected, observed)
                    } else {
                        precondition("deferred credential response", observed)
                    });
                }
            };
            match case.check {
                DeferredCheck::PendingBeforeReady => {
                    let response = post(&wallet, &session, &transaction_id).await?;
                    let read = CredentialResponse::parse_bytes(&response.body).ok().map(|r| r.value);
                    let observed = format!("HTTP {}, error {:?}", response.status, error_code(&response));
                    Ok(match (response.status, read) {
                        (202, Some(r))
                            if r.transaction_id.as_deref() == Some(transaction_id.as_str())
                                && r.interval.is_some_and(|i| i > 0) =>
                        {
                            Outcome::pass("HTTP 202 with the same transaction_id and an interval")
                        }
                        (200, Some(r)) if r.credentials.as_ref().is_some_and(|c| !c.is_empty()) => {
                            Outcome::pass("HTTP 200: the credentials were ready already")
                        }
                        _ => {
                            Outcome::fail("HTTP 202 with the request's transaction_id and an interval (§9.2)", observed)
                        }
                    })
                }
                DeferredCheck::IssuedAfterInterval | DeferredCheck::SpentTransaction => {
                    let response = poll_until_issued(&wallet, &session, &transaction_id, interval).await?;
                    let issued = (response.status == 200)
                        .then(|| CredentialResponse::parse_bytes(&response.body).ok())
                        .flatten()
                        .and_then(|r| r.value.first_string().map(str::to_string));
                    let Some(credential) = issued else {
                        let observed = format!(
                            "HTTP {}, error {:?} after {MAX_DEFERRED_POLLS} polls at most",
                            response.status,
                            error_code(&response)
                        );
                        return Ok(if case.check == DeferredCheck::IssuedAfterInterval {
                            Outcome::fail(
                                "HTTP 200 with the credentials from the deferred credential endpoint (§9.2)",
                                observed,
                            )
                        } else {
                            precondition("deferred credential response", observed)
                        });
                    };
                    wallet.ctx.evidence.artifact("issued credential", credential);
                    if case.check == DeferredCheck::IssuedAfterInterval {
                        return Ok(Outcome::pass(format!(
                            "HTTP 202 (interval {interval} s), then the credential from the deferred endpoint"
                        )));
                    }
                    let again = post(&wallet, &session, &transaction_id).await?;
                    Ok(expect_error(&again, 400, ce::INVALID_TRANSACTION_ID))
                }
                DeferredCheck::UnknownTransaction => Ok(Outcome::error("handled above")),
            }
        }
        .await,
    )
}
