//! End-to-end interop: the candidate's own issuer issues to the candidate's own wallet, which
//! presents to the candidate's own verifier. The harness only triggers each step (control APIs) and
//! records the chain; every protocol message passes between the candidate's roles.

use crate::manifest::Trigger;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::{
    OfferCreated, OfferDelivery, OfferRequest, RequestDelivery, RequestOutcome, StartRequest, StartedRequest,
    WalletAnswer,
};
use dialtone_protocols::dcql::{self, Wanted};
use dialtone_roles::issuer::minter::subject_claims;
use serde::de::DeserializeOwned;
use serde_json::Value;

driver!("chain.issue_hold_present_verify", binding::CHAIN, issue_hold_present_verify);

/// The chain through the candidate's own issuer, wallet and verifier (each through its control API).
pub struct Chain;

impl crate::binding::Binding for Chain {
    fn id(&self) -> &'static str {
        crate::binding::CHAIN
    }
    fn roles(&self) -> &'static [dialtone_engine::role::Role] {
        &[dialtone_engine::role::Role::Verifier]
    }
    fn section(&self) -> &'static str {
        "verifier"
    }
    fn exposed(&self, manifest: &crate::manifest::Manifest) -> bool {
        manifest.verifier.is_some()
    }
    fn mutants(&self) -> Option<&'static str> {
        None
    }
}

async fn issue_hold_present_verify(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let m = &ctx.manifest;
            let (Trigger::Control { url: issuer_control }, Some(Some(wallet_control)), Some(Some(verifier_control))) = (
                &m.trigger,
                m.wallet.as_ref().map(|w| w.control.clone()),
                m.verifier.as_ref().map(|v| v.control.clone()),
            ) else {
                return Ok(Outcome::skip(
                    "the chain needs the control APIs of the candidate's issuer, wallet and verifier (not manual mode)",
                ));
            };
            let (issuer_control, wallet_control) =
                (issuer_control.trim_end_matches('/'), wallet_control.trim_end_matches('/'));
            let verifier_control = verifier_control.trim_end_matches('/');
            // 1. The issuer makes an offer.
            let offer: OfferCreated = call(&ctx, &format!("{issuer_control}/offers"), &OfferRequest::default()).await?;
            ctx.evidence.note("chain step 1: the issuer created a credential offer");
            // 2. The wallet takes it and obtains the credential.
            let delivery = OfferDelivery { offer: offer.credential_offer_uri.map(Value::String), tx_code: None };
            let stored: WalletAnswer = call(&ctx, &format!("{wallet_control}/offers"), &delivery).await?;
            if stored.status != "stored" {
                return Ok(Outcome::fail("the wallet to obtain the issuer's credential", format!("{stored:?}")));
            }
            ctx.evidence.note("chain step 2: the wallet redeemed the offer and stored the credential");
            // 3. The verifier asks; 4. the wallet presents.
            let issuer_id = m.base_url();
            let dcql_query = dcql::query(
                "person",
                dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC,
                &[],
                &[
                    Wanted::valued(&["iss"], vec![Value::String(issuer_id)]),
                    Wanted::claim(&["given_name"]),
                    Wanted::claim(&["family_name"]),
                ],
            );
            let start = StartRequest { dcql_query: Some(dcql_query), ..StartRequest::default() };
            let request: StartedRequest = call(&ctx, &format!("{verifier_control}/requests"), &start).await?;
            ctx.evidence.note("chain step 3: the verifier created a presentation request");
            let delivery =
                RequestDelivery { authorization_request: Some(Value::String(request.authorization_request)) };
            let sent: WalletAnswer = call(&ctx, &format!("{wallet_control}/presentations"), &delivery).await?;
            ctx.evidence.note(format!("chain step 4: the wallet answered the request: {sent:?}"));
            if sent.status == "refused" {
                return Ok(Outcome::fail("the wallet to present the credential to the verifier", format!("{sent:?}")));
            }
            // 5. The verifier's verdict, and the names as issued.
            let response = ctx.http.get(&format!("{verifier_control}/requests/{}", request.request_id), &[]).await?;
            let verdict: RequestOutcome = read(&response)?;
            ctx.evidence.note(format!("chain step 5: the verifier's verdict: {}", verdict.status));
            if verdict.status != "accepted" {
                return Ok(Outcome::fail(
                    "the verifier to accept the wallet's presentation of the issuer's credential",
                    serde_json::to_string(&verdict).unwrap_or_default(),
                ));
            }
            let claims = verdict.claims_of("person").cloned().unwrap_or_default();
            let issued = subject_claims();
            for name in ["given_name", "family_name"] {
                if claims.get(name) != issued.get(name) {
                    return Ok(Outcome::fail(
                        format!("{name} exactly as issued ({:?})", issued.get(name)),
                        format!("{:?}", claims.get(name)),
                    ));
                }
            }
            Ok(Outcome::pass("issuer → wallet → verifier: accepted, names byte for byte as issued"))
        }
        .await,
    )
}

/// POSTs a control API request and reads its typed answer (the candidate's control API: an
/// unreadable answer is its failure).
async fn call<T: DeserializeOwned>(ctx: &Ctx, url: &str, body: &impl serde::Serialize) -> Result<T, Outcome> {
    let body = serde_json::to_value(body).unwrap_or(Value::Null);
    read(&ctx.http.post_json(url, &body, &[]).await?)
}

fn read<T: DeserializeOwned>(response: &dialtone_http::HttpResponse) -> Result<T, Outcome> {
    response
        .json()
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
        .map_err(|e| Outcome::fail("a JSON control API answer", e))
}
