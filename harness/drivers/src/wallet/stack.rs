//! Driving a wallet under test: each case starts its own counterparts — an issuer, a trust registry
//! that authorizes it, and a verifier (correct, or with one fault in its requests) — so concurrent
//! cases never share traffic, then works the wallet through its control API.

use crate::Ctx;
use crate::manifest::WalletSection;
use dialtone_engine::model::Outcome;
use dialtone_roles::issuer::{self, IssuerConfig, IssuerHandle};
use dialtone_roles::registry::{self, Ecosystem, RegistryConfig};
use dialtone_roles::server::RunningServer;
use dialtone_roles::verifier::{self, VerifierConfig, VerifierFault};
use serde_json::{Value, json};

pub type Step<T> = Result<T, Outcome>;

pub fn precondition(step: &str, observed: impl Into<String>) -> Outcome {
    Outcome::fail(format!("a working {step} (precondition of this case)"), observed.into())
}

/// One case's counterparts; they stop when dropped.
pub struct Stack {
    pub issuer: IssuerHandle,
    pub issuer_url: String,
    /// Control API of the verifier, when the case needs one.
    pub verifier_control: Option<String>,
    _servers: Vec<RunningServer>,
}

pub async fn stack(ctx: &Ctx, verifier_fault: Option<Option<VerifierFault>>) -> Step<Stack> {
    let pki = &ctx.counterparts()?.pki;
    let tls = Some(pki.server_config.clone());
    let err =
        |what: &str, e: &dyn std::fmt::Display| Outcome::error(format!("cannot start the counterpart {what}: {e}"));
    let (issuer_server, issuer) =
        issuer::start_with_minter(IssuerConfig::default(), 0, tls.clone()).await.map_err(|e| err("issuer", &e))?;
    let issuer_url = issuer_server.base_url.clone();
    if crate::verifier::holder::x5c_only(&ctx.manifest) {
        // The wallet resolves issuer keys only from x5c: this issuer signs with a chain from the run's
        // authority (SD-JWT VC §2.5).
        issuer.minter.x5c_from(pki).map_err(Outcome::error)?;
        issuer.minter.prefer_x5c(true);
    }
    let mut servers = vec![issuer_server];
    let mut verifier_control = None;
    if let Some(fault) = verifier_fault {
        let ecosystem = Ecosystem::parse_with(
            registry::ecosystem::EXAMPLE,
            &[("{reference_issuer}", issuer_url.as_str()), ("{counterpart_issuer}", issuer_url.as_str())],
        )
        .map_err(|e| err("registry", &e))?;
        let authority_id = ecosystem.authority_id.clone();
        let registry_server = registry::start(RegistryConfig { fault: None, ecosystem }, 0, tls.clone())
            .await
            .map_err(|e| err("registry", &e))?;
        let mut verifier_config =
            VerifierConfig::on_loopback(pki, registry_server.base_url.clone(), authority_id, fault, None);
        verifier_config.x5c_roots = vec![pki.ca_der.clone()];
        let verifier_server = verifier::start(verifier_config, 0, tls).await.map_err(|e| err("verifier", &e))?;
        verifier_control = Some(format!("{}/control", verifier_server.base_url));
        servers.extend([registry_server, verifier_server]);
    }
    Ok(Stack { issuer, issuer_url, verifier_control, _servers: servers })
}

pub struct Driver<'a> {
    pub ctx: &'a Ctx,
}

impl Driver<'_> {
    fn section(&self) -> Step<&WalletSection> {
        self.ctx.manifest.wallet.as_ref().ok_or_else(|| Outcome::error("the manifest has no [wallet] section"))
    }

    /// The control API base, or `None` in manual mode.
    fn control(&self) -> Step<Option<String>> {
        Ok(self.section()?.control.as_ref().map(|c| c.trim_end_matches('/').to_string()))
    }

    fn manual_prompt(&self, title: &str, instructions: String, payload: &str) -> Step<super::manual::Prompt> {
        let wait = std::time::Duration::from_secs(self.section()?.manual_wait_seconds);
        self.ctx.evidence.note(format!("manual mode: shown as a QR code: {payload}"));
        Ok(super::manual::Prompt {
            title: title.into(),
            instructions,
            payload: payload.into(),
            deadline: std::time::SystemTime::now() + wait,
        })
    }

    /// Has the stack's issuer make an offer (through its own control API) and hands it to the wallet.
    /// Returns the wallet's answer.
    pub async fn receive_offer(&self, stack: &Stack, tx_code: bool) -> Step<Value> {
        let made = self
            .ctx
            .http
            .post_json(&format!("{}/offers", stack.issuer.control_url), &json!({ "tx_code": tx_code }), &[])
            .await?;
        let made = made.json_object().map_err(|e| Outcome::error(format!("counterpart issuer: {e}")))?;
        let mut body = json!({ "offer": made.get("credential_offer_uri").cloned().unwrap_or(Value::Null) });
        if let Some(code) = made.get("tx_code").filter(|v| v.is_string()) {
            body["tx_code"] = code.clone();
        }
        let Some(control) = self.control()? else {
            // Manual mode: a person scans the offer; the issuer's log shows when the wallet came.
            let uri = made.get("credential_offer_uri").and_then(Value::as_str).unwrap_or_default();
            let code = made
                .get("tx_code")
                .and_then(Value::as_str)
                .map(|c| format!(" When asked, enter the transaction code {c}."))
                .unwrap_or_default();
            let prompt = self.manual_prompt(
                "dialtone: receive a test credential",
                format!("Scan this code with the wallet under test.{code}"),
                uri,
            )?;
            let log = stack.issuer.log.clone();
            let before = log.credential_requests.lock().unwrap_or_else(|p| p.into_inner()).len();
            let done = super::manual::show_and_wait(&prompt, || {
                let log = log.clone();
                async move {
                    (log.credential_requests.lock().unwrap_or_else(|p| p.into_inner()).len() > before).then_some(())
                }
            })
            .await
            .map_err(Outcome::error)?;
            return Ok(match done {
                Some(()) => json!({ "status": "stored" }),
                None => {
                    json!({ "status": "timeout", "reason": "the wallet did not redeem the offer before the deadline" })
                }
            });
        };
        let answer = self.ctx.http.post_json(&format!("{control}/offers"), &body, &[]).await?;
        answer.json().map_err(|e| Outcome::fail("a JSON answer from the wallet's control API", e))
    }

    /// Issues a credential to the wallet (a precondition of presentation cases).
    pub async fn holds_credential(&self, stack: &Stack) -> Step<()> {
        let answer = self.receive_offer(stack, false).await?;
        if answer.get("status").and_then(Value::as_str) != Some("stored") {
            return Err(precondition("issuance to the wallet", answer.to_string()));
        }
        Ok(())
    }

    /// The claims of the credentials the wallet reports holding.
    pub async fn credentials(&self) -> Step<Vec<Value>> {
        let Some(control) = self.control()? else {
            return Err(Outcome::skip(
                "manual mode: the wallet cannot report what it holds; this case needs a control API",
            ));
        };
        let answer = self.ctx.http.get(&format!("{control}/credentials"), &[]).await?;
        let body = answer.json().map_err(|e| Outcome::fail("a JSON answer from the wallet's control API", e))?;
        Ok(body.get("credentials").and_then(Value::as_array).cloned().unwrap_or_default())
    }

    /// Starts a request at the stack's verifier and hands it to the wallet. Returns the wallet's
    /// answer and the verifier's verdict afterwards (`status`, and `claims` when accepted).
    pub async fn present(&self, stack: &Stack) -> Step<(Value, Value)> {
        self.present_with_mode(stack, dialtone_protocols::oid4vp::DIRECT_POST).await
    }

    /// Like [`Driver::present`], the verifier asking for `response_mode`.
    pub async fn present_with_mode(&self, stack: &Stack, response_mode: &str) -> Step<(Value, Value)> {
        self.present_with(stack, json!({ "response_mode": response_mode })).await
    }

    /// Like [`Driver::present`], with extra parameters for the verifier's control API
    /// (`response_mode`, `client_id_prefix`).
    pub async fn present_with(&self, stack: &Stack, extra: Value) -> Step<(Value, Value)> {
        let control = stack.verifier_control.clone().ok_or_else(|| Outcome::error("this case started no verifier"))?;
        // A verifier that wants this case's issuer says so in DCQL (§6.3 `values`), so a wallet
        // holding credentials from other issuers picks the right one.
        let dcql = json!({ "credentials": [{
            "id": "person",
            "format": "dc+sd-jwt",
            "meta": { "vct_values": ["urn:dialtone:vct:verified-person:1"] },
            "claims": [{ "path": ["iss"], "values": [stack.issuer_url] }, { "path": ["given_name"] }, { "path": ["family_name"] }]
        }]});
        let mut start = extra;
        start["dcql_query"] = dcql;
        let started = self.ctx.http.post_json(&format!("{control}/requests"), &start, &[]).await?;
        let started = started.json_object().map_err(|e| Outcome::error(format!("counterpart verifier: {e}")))?;
        let id = started.get("request_id").and_then(Value::as_str).unwrap_or_default().to_string();
        let uri = started.get("authorization_request").cloned().unwrap_or(Value::Null);
        let answer = match self.control()? {
            Some(wallet) => {
                let answer = self
                    .ctx
                    .http
                    .post_json(&format!("{wallet}/presentations"), &json!({ "authorization_request": uri }), &[])
                    .await?;
                answer.json().map_err(|e| Outcome::fail("a JSON answer from the wallet's control API", e))?
            }
            None => {
                // Manual mode: a person scans the request; the verifier's verdict shows what happened.
                let payload = uri.as_str().unwrap_or_default().to_string();
                let prompt = self.manual_prompt(
                    "dialtone: present a credential",
                    "Scan this code with the wallet under test and consent to share.".into(),
                    &payload,
                )?;
                let url = format!("{control}/requests/{id}");
                let done = super::manual::show_and_wait(&prompt, || {
                    let (http, url) = (self.ctx.http.clone(), url.clone());
                    async move {
                        let v = http.get(&url, &[]).await.ok()?.json().ok()?;
                        (v.get("status").and_then(Value::as_str) != Some("pending")).then_some(())
                    }
                })
                .await
                .map_err(Outcome::error)?;
                match done {
                    Some(()) => json!({ "status": "sent" }),
                    None => {
                        json!({ "status": "refused", "reason": "nothing reached the verifier before the deadline" })
                    }
                }
            }
        };
        let verdict = self.ctx.http.get(&format!("{control}/requests/{id}"), &[]).await?;
        let verdict = verdict.json().map_err(|e| Outcome::error(format!("counterpart verifier: {e}")))?;
        self.ctx.evidence.note(format!("counterpart verifier verdict: {verdict}"));
        Ok((answer, verdict))
    }
}
