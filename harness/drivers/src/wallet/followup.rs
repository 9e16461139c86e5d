//! A wallet under test with an issuer that batches, defers and asks to be notified (OID4VCI §8.2,
//! §9, §11): the harness's issuer is the reference issuer (it advertises `batch_credential_issuance`,
//! a deferred and a notification endpoint); its log shows what the wallet sent.

use super::stack::{Driver, Stack, precondition, stack};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::WalletAnswer;
use dialtone_protocols::jose::CompactJws;
use dialtone_protocols::jose::thumbprint;
use dialtone_protocols::oid4vci::notification::event;
use dialtone_roles::issuer;
use serde_json::Value;

driver!("oid4vci.wallet.batch_keys", binding::WALLET, batch_keys);
driver!("oid4vci.wallet.deferred_stored", binding::WALLET, deferred_stored);
driver!("oid4vci.wallet.deferred_interval", binding::WALLET, deferred_interval);
driver!("oid4vci.wallet.notifies", binding::WALLET, notifies);

/// The counterpart issuer's `batch_size` and the deferred `interval` (seconds) it gives.
const BATCH_SIZE: usize = issuer::BATCH_SIZE as usize;
const INTERVAL_SECS: u64 = issuer::DEFERRED_INTERVAL_SECS as u64;

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn received(ctx: &Ctx, deferred: bool) -> Result<(Stack, WalletAnswer), Outcome> {
    let stack = stack(ctx, None).await?;
    let answer = Driver { ctx }.receive_offer_with(&stack, false, deferred).await?;
    Ok((stack, answer))
}

/// The batch of proofs in the wallet's first credential request: distinct keys, within `batch_size`.
async fn batch_keys(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, _) = received(&ctx, false).await?;
            let requests = lock(&stack.issuer.log.credential_requests).clone();
            let request =
                requests.first().ok_or_else(|| precondition("credential request from the wallet", "none arrived"))?;
            let proofs = request.jwt_proofs().unwrap_or_default();
            let keys: Vec<Option<String>> = proofs
                .iter()
                .map(|p| CompactJws::parse(p).ok().and_then(|j| j.header.get("jwk").and_then(thumbprint)))
                .collect();
            let distinct = keys.iter().flatten().collect::<std::collections::HashSet<_>>().len();
            let observed = format!("{} proofs, {distinct} distinct keys (batch_size {BATCH_SIZE})", proofs.len());
            Ok(if proofs.len() >= 2 && proofs.len() <= BATCH_SIZE && distinct == proofs.len() {
                Outcome::pass(observed)
            } else {
                Outcome::fail("a batch of 2 to batch_size proofs, each by a different key (§3.3.2, §12.2.4)", observed)
            })
        }
        .await,
    )
}

/// Deferred: the wallet polls the deferred endpoint and stores the credential when it comes.
async fn deferred_stored(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, answer) = received(&ctx, true).await?;
            let polls = lock(&stack.issuer.log.deferred_requests).len();
            let held = Driver { ctx: &ctx }.credentials().await?;
            let observed =
                format!("{polls} deferred request(s); wallet answer {:?}; {} held", answer.status, held.len());
            Ok(if polls > 0 && answer.status == "stored" && !held.is_empty() {
                Outcome::pass(observed)
            } else {
                Outcome::fail("the credential fetched from the deferred endpoint and stored (§9)", observed)
            })
        }
        .await,
    )
}

/// Deferred: the first poll comes no sooner than `interval` after the 202 (§8.3).
async fn deferred_interval(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, _) = received(&ctx, true).await?;
            let answered = lock(&stack.issuer.log.deferred_answers).first().copied();
            let polled = lock(&stack.issuer.log.deferred_requests).first().map(|(at, _)| *at);
            let (Some(answered), Some(polled)) = (answered, polled) else {
                return Err(precondition("deferred credential request from the wallet", "none arrived"));
            };
            let waited = polled.saturating_duration_since(answered);
            // The interval on the wallet's clock, and a tenth of its second for clock slack.
            let (interval, slack) = (ctx.manifest.seconds(INTERVAL_SECS), ctx.manifest.seconds(1) / 10);
            let observed = format!(
                "the first poll {} ms after the 202 (interval {INTERVAL_SECS} s{})",
                waited.as_millis(),
                if ctx.manifest.clock_second.is_some() {
                    format!(", {} ms on the wallet's clock", interval.as_millis())
                } else {
                    String::new()
                }
            );
            Ok(if waited + slack >= interval {
                Outcome::pass(observed)
            } else {
                Outcome::fail("no deferred request before the interval has passed (§8.3)", observed)
            })
        }
        .await,
    )
}

/// The wallet tells the issuer `credential_accepted` for the notification id it was given (§11.1).
async fn notifies(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, answer) = received(&ctx, false).await?;
            if answer.status != "stored" {
                return Err(precondition("stored credential", format!("wallet answer {answer:?}")));
            }
            let given = lock(&stack.issuer.log.notification_ids).clone();
            let sent = lock(&stack.issuer.log.notifications).clone();
            let accepted =
                sent.iter().any(|n| n.event == event::CREDENTIAL_ACCEPTED && given.contains(&n.notification_id));
            let observed: Vec<Value> =
                sent.iter().map(|n| Value::from(format!("{} {}", n.event, n.notification_id))).collect();
            Ok(if accepted {
                Outcome::pass("credential_accepted sent for the notification_id given")
            } else {
                Outcome::fail(
                    "a credential_accepted notification for the response's notification_id (§11.1)",
                    format!("notifications: {observed:?}"),
                )
            })
        }
        .await,
    )
}
