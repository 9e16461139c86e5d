//! End-to-end interop: the candidate's own issuer issues to the candidate's own wallet, which
//! presents to the candidate's own verifier. The harness only triggers each step (control APIs) and
//! records the chain; every protocol message passes between the candidate's roles.

use crate::Ctx;
use crate::manifest::Trigger;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_roles::issuer::minter::subject_claims;
use serde_json::{Value, json};

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

pub async fn issue_hold_present_verify(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let m = &ctx.manifest;
            let (Trigger::Control { url: issuer_control }, Some(Some(wallet_control)), Some(verifier)) =
                (&m.trigger, m.wallet.as_ref().map(|w| w.control.clone()), &m.verifier)
            else {
                return Ok(Outcome::skip("the chain needs the candidate's issuer control API, wallet and verifier"));
            };
            let json_of = |r: dialtone_http::HttpResponse| r.json().map_err(|e| Outcome::fail("a JSON control API answer", e));
            // 1. The issuer makes an offer.
            let offer = json_of(ctx.http.post_json(&format!("{}/offers", issuer_control.trim_end_matches('/')), &json!({}), &[]).await?)?;
            let uri = offer.get("credential_offer_uri").cloned().unwrap_or(Value::Null);
            ctx.evidence.note("chain step 1: the issuer created a credential offer");
            // 2. The wallet takes it and obtains the credential.
            let stored = json_of(ctx.http.post_json(&format!("{}/offers", wallet_control.trim_end_matches('/')), &json!({ "offer": uri }), &[]).await?)?;
            if stored.get("status").and_then(Value::as_str) != Some("stored") {
                return Ok(Outcome::fail("the wallet to obtain the issuer's credential", stored.to_string()));
            }
            ctx.evidence.note("chain step 2: the wallet redeemed the offer and stored the credential");
            // 3. The verifier asks; 4. the wallet presents.
            let issuer_id = m.base_url();
            let dcql = json!({ "credentials": [{ "id": "person", "format": "dc+sd-jwt",
                "claims": [{ "path": ["iss"], "values": [issuer_id] }, { "path": ["given_name"] }, { "path": ["family_name"] }] }]});
            let control = verifier.control.trim_end_matches('/');
            let request = json_of(ctx.http.post_json(&format!("{control}/requests"), &json!({ "dcql_query": dcql }), &[]).await?)?;
            let id = request.get("request_id").and_then(Value::as_str).unwrap_or_default().to_string();
            ctx.evidence.note("chain step 3: the verifier created a presentation request");
            let sent = json_of(
                ctx.http
                    .post_json(&format!("{}/presentations", wallet_control.trim_end_matches('/')), &json!({ "authorization_request": request.get("authorization_request") }), &[])
                    .await?,
            )?;
            ctx.evidence.note(format!("chain step 4: the wallet answered the request: {sent}"));
            if sent.get("status").and_then(Value::as_str) == Some("refused") {
                return Ok(Outcome::fail("the wallet to present the credential to the verifier", sent.to_string()));
            }
            // 5. The verifier's verdict, and the names as issued.
            let verdict = json_of(ctx.http.get(&format!("{control}/requests/{id}"), &[]).await?)?;
            ctx.evidence.note(format!("chain step 5: the verifier's verdict: {}", verdict.get("status").and_then(Value::as_str).unwrap_or("?")));
            if verdict.get("status").and_then(Value::as_str) != Some("accepted") {
                return Ok(Outcome::fail("the verifier to accept the wallet's presentation of the issuer's credential", verdict.to_string()));
            }
            let claims = verdict.get("claims").and_then(|c| c.get("person")).cloned().unwrap_or(Value::Null);
            let issued = subject_claims();
            for name in ["given_name", "family_name"] {
                if claims.get(name) != issued.get(name) {
                    return Ok(Outcome::fail(format!("{name} exactly as issued ({:?})", issued.get(name)), format!("{:?}", claims.get(name))));
                }
            }
            Ok(Outcome::pass("issuer → wallet → verifier: accepted, names byte for byte as issued"))
        }
        .await,
    )
}
