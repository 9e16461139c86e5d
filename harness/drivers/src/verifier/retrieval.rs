//! How the verifier under test serves its request object by reference (OpenID4VP §5.10, RFC 9101):
//! answering a POST of the wallet's metadata and `wallet_nonce` with a request object echoing the
//! nonce, ignoring form parameters it does not know, and serving a request URI fetched again.

use super::holder::{Holder, RequestAsk, expect_accepted};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::oid4vp::holder::{self, PresentationSpec};
use dialtone_protocols::oid4vp::retrieval::Retrieval;
use dialtone_roles::issuer::Deviation;
use serde::Deserialize;

driver!("oid4vp.verifier.retrieval", binding::VERIFIER, retrieval, RetrievalCase);

/// One property of how the verifier serves its request URI, when asked as `request` says.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetrievalCase {
    rule: RetrievalRule,
    #[serde(default)]
    request: RequestAsk,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RetrievalRule {
    /// The request object fetched by POST carries the `wallet_nonce` the harness sent (§5.10).
    WalletNonceEchoed,
    /// A POST with a form parameter and a wallet metadata member the verifier cannot know is
    /// answered as any other (§5.10: the verifier MUST ignore unrecognized parameters).
    UnknownParametersIgnored,
    /// The request URI fetched a second time is served again, and a presentation answering the
    /// second fetch is accepted.
    ServedTwice,
}

/// A form parameter and a wallet metadata member no specification defines.
const UNKNOWN: &str = "dialtone_unknown_parameter";

async fn retrieval(ctx: Ctx, case: RetrievalCase) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            match case.rule {
                RetrievalRule::WalletNonceEchoed => {
                    let r = holder.request_with(case.request.start()).await?.request;
                    let sent = r.wallet_nonce.clone().ok_or_else(|| {
                        Outcome::error("the harness fetched the request object without a wallet_nonce")
                    })?;
                    Ok(match r.params.wallet_nonce.as_deref() {
                        Some(n) if n == sent => Outcome::pass(format!("wallet_nonce {n:?} echoed")),
                        other => Outcome::fail(
                            format!("the request object's wallet_nonce {sent:?}, as the wallet sent (§5.10)"),
                            format!("wallet_nonce {other:?}"),
                        ),
                    })
                }
                RetrievalRule::UnknownParametersIgnored => {
                    let extra = [(UNKNOWN.to_string(), "1".to_string())];
                    let started = holder.request_retrieved(case.request.start(), &extra).await?;
                    Ok(Outcome::pass(format!(
                        "a POST with {UNKNOWN}=1 answered with a request object ({})",
                        started.request.content_type.as_deref().unwrap_or("no content type")
                    )))
                }
                RetrievalRule::ServedTwice => served_twice(&holder, case.request).await,
            }
        }
        .await,
    )
}

/// Fetches the request URI a second time (as a wallet retrying may) and answers that request.
async fn served_twice(holder: &Holder, ask: RequestAsk) -> Result<Outcome, Outcome> {
    let started = holder.request_with(ask.start()).await?;
    let Some(request_uri) = started.request.request_uri.clone() else {
        return Ok(Outcome::skip("the verifier passes its request by value: there is no request URI to fetch again"));
    };
    let link = format!(
        "{}?{}",
        dialtone_protocols::oid4vp::SCHEME,
        serde_urlencoded::to_string([
            (dialtone_protocols::oid4vp::message::CLIENT_ID, started.request.client_id.as_str()),
            (dialtone_protocols::oid4vp::message::REQUEST_URI, request_uri.as_str()),
        ])
        .unwrap_or_default()
    );
    let again = match holder::receive_with(&holder.ctx.http, &link, &Retrieval::default()).await {
        Ok(r) => r,
        Err(holder::RequestError::Http(e)) => return Err(e.into()),
        Err(e) => {
            return Ok(Outcome::fail(
                "the request URI served again when fetched a second time (a wallet may re-fetch it)",
                e.to_string(),
            ));
        }
    };
    let spec = PresentationSpec::default();
    let credential = holder.credential(Default::default(), &Deviation::default())?;
    let vp = holder.vp_token(&again, &credential, &spec)?;
    let response = holder.respond(&again, &vp, &spec).await?;
    let again_started = super::holder::Started { request_id: started.request_id.clone(), request: again };
    let verdict = holder.verdict_after(&again_started, &response).await?;
    Ok(match expect_accepted(&response, verdict.as_ref()) {
        Outcome::Pass { observed } => {
            Outcome::pass(format!("served again; the presentation answering the second fetch: {observed}"))
        }
        other => other,
    })
}
