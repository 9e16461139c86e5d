//! Driving a wallet under test: each case starts its own counterparts — an issuer, a trust registry
//! that authorizes it, and a verifier (correct, or with one fault in its requests) — so concurrent
//! cases never share traffic, then works the wallet through its control API.

use crate::Ctx;
use crate::manifest::WalletSection;
use dialtone_engine::model::Outcome;
use dialtone_protocols::control::{
    DcApiRequestDelivery, DcApiResponseDelivery, DcApiStarted, HeldCredential, HeldCredentials, OfferCreated,
    OfferDelivery, OfferRequest, PlatformResponse, RequestDelivery, RequestOutcome, StartRequest, StartedRequest,
    WalletAnswer,
};
use dialtone_protocols::dcql::{self, Wanted};
use dialtone_protocols::oid4vp::dc_api::{self, ResponseData};
use dialtone_roles::issuer::{self, IssuerConfig, IssuerHandle};
use dialtone_roles::registry::{self, Ecosystem, RegistryConfig};
use dialtone_roles::server::RunningServer;
use dialtone_roles::verifier::variation::RequestVariation;
use dialtone_roles::verifier::{self, VerifierConfig, VerifierFault};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub type Step<T> = Result<T, Outcome>;

pub(crate) use crate::driver::precondition;

/// One case's counterparts; they stop when dropped.
pub(crate) struct Stack {
    pub issuer: IssuerHandle,
    pub(crate) issuer_url: String,
    /// Control API of the verifier, when the case needs one.
    pub(crate) verifier_control: Option<String>,
    /// How the wallet fetched that verifier's request objects (OpenID4VP §5.10).
    pub(crate) verifier_fetches: verifier::retrieval::FetchLog,
    _servers: Vec<RunningServer>,
}

pub(crate) async fn stack(ctx: &Ctx, verifier_fault: Option<Option<VerifierFault>>) -> Step<Stack> {
    stack_with(ctx, verifier_fault, IssuerConfig::default()).await
}

/// [`stack`] with its issuer configured as `issuer_config` says (e.g. demanding client attestations).
pub(crate) async fn stack_with(
    ctx: &Ctx,
    verifier_fault: Option<Option<VerifierFault>>,
    issuer_config: IssuerConfig,
) -> Step<Stack> {
    stack_varied(ctx, verifier_fault, issuer_config, RequestVariation::default()).await
}

/// [`stack_with`], the verifier's requests varying (correctly) as `variation` says.
pub(crate) async fn stack_varied(
    ctx: &Ctx,
    verifier_fault: Option<Option<VerifierFault>>,
    mut issuer_config: IssuerConfig,
    variation: RequestVariation,
) -> Step<Stack> {
    // The issuer keeps the wallet's clock (a second, but for a wallet in the harness's process).
    issuer_config.announced_second = ctx.manifest.clock_second;
    let pki = &ctx.counterparts()?.pki;
    let tls = Some(pki.server_config.clone());
    let err =
        |what: &str, e: &dyn std::fmt::Display| Outcome::error(format!("cannot start the counterpart {what}: {e}"));
    let (issuer_server, issuer) =
        issuer::start_with_minter(issuer_config, 0, tls.clone()).await.map_err(|e| err("issuer", &e))?;
    let issuer_url = issuer_server.base_url.clone();
    issuer.minter.mdoc_from(pki).map_err(Outcome::error)?;
    if ctx.manifest.x5c_only() {
        // The wallet resolves issuer keys only from x5c: this issuer signs with a chain from the run's
        // authority (SD-JWT VC §2.5).
        issuer.minter.x5c_from(pki).map_err(Outcome::error)?;
        issuer.minter.prefer_x5c(true);
    }
    let mut servers = vec![issuer_server];
    let mut verifier_control = None;
    let verifier_fetches = verifier::retrieval::FetchLog::default();
    if let Some(fault) = verifier_fault {
        let ecosystem = Ecosystem::parse_with(
            registry::ecosystem::EXAMPLE,
            &[("{reference_issuer}", issuer_url.as_str()), ("{counterpart_issuer}", issuer_url.as_str())],
        )
        .map_err(|e| err("registry", &e))?;
        let authority_id = ecosystem.authority_id.clone();
        let registry_server = registry::start(RegistryConfig { fault: None, ecosystem, seams: None }, 0, tls.clone())
            .await
            .map_err(|e| err("registry", &e))?;
        let mut verifier_config =
            VerifierConfig::on_loopback(pki, registry_server.base_url.clone(), authority_id, fault, None);
        verifier_config.x5c_roots = vec![pki.ca_der.clone()];
        verifier_config.fetches = verifier_fetches.clone();
        verifier_config.variation = variation;
        let verifier_server = verifier::start(verifier_config, 0, tls).await.map_err(|e| err("verifier", &e))?;
        verifier_control = Some(format!("{}/control", verifier_server.base_url));
        servers.extend([registry_server, verifier_server]);
    }
    Ok(Stack { issuer, issuer_url, verifier_control, verifier_fetches, _servers: servers })
}

/// Turns at handing a wallet credentials: cases take them side by side (read), and a case whose
/// query cannot pin its own issuer takes one alone (write), from its issuance to its presentation.
/// One set of turns per wallet under test (by its control API, or the one wallet a person drives):
/// runs against different wallets in one process (the selftest's mutants) do not wait on each other.
fn turns(ctx: &Ctx) -> std::sync::Arc<tokio::sync::RwLock<()>> {
    use std::sync::{Arc, Mutex, Weak};
    type Turns = Vec<(String, Weak<tokio::sync::RwLock<()>>)>;
    static TURNS: Mutex<Turns> = Mutex::new(Vec::new());
    let wallet = ctx.manifest.wallet.as_ref().and_then(|w| w.control.clone()).unwrap_or_default();
    let mut turns = TURNS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // The turns of wallets no case holds any more go.
    turns.retain(|(_, held)| held.strong_count() > 0);
    if let Some(held) = turns.iter().find(|(w, _)| *w == wallet).and_then(|(_, held)| held.upgrade()) {
        return held;
    }
    let fresh = Arc::new(tokio::sync::RwLock::new(()));
    turns.push((wallet, Arc::downgrade(&fresh)));
    fresh
}

tokio::task_local! {
    /// Set inside [`alone`]: this case holds the wallet's turn alone.
    static ALONE: bool;
}

/// Runs `work` while no other case hands the case's wallet credentials.
pub(crate) async fn alone<F: std::future::Future>(ctx: &Ctx, work: F) -> F::Output {
    let _turn = turns(ctx).write_owned().await;
    ALONE.scope(true, work).await
}

pub(crate) struct Driver<'a> {
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

    fn manual_prompt(&self, title: &str, instructions: String, payload: &str) -> Step<crate::manual::Prompt> {
        let wait = std::time::Duration::from_secs(self.section()?.manual_wait_seconds);
        self.ctx.evidence.note(format!("manual mode: shown as a QR code: {payload}"));
        Ok(crate::manual::Prompt {
            title: title.into(),
            instructions,
            payload: payload.into(),
            deadline: std::time::SystemTime::now() + wait,
        })
    }

    /// POSTs `body` and reads a typed JSON answer; `what` names the party for messages.
    async fn call<T: DeserializeOwned>(&self, url: &str, body: &impl serde::Serialize, wallet: bool) -> Step<T> {
        let body = serde_json::to_value(body).unwrap_or(Value::Null);
        let answer = self.ctx.http.post_json(url, &body, &[]).await.map_err(|e| transport(e, wallet))?;
        read(&answer, wallet)
    }

    /// Has the stack's issuer make an offer (through its own control API) and hands it to the wallet.
    /// Returns the wallet's answer.
    pub async fn receive_offer(&self, stack: &Stack, tx_code: bool) -> Step<WalletAnswer> {
        self.receive(stack, OfferRequest { tx_code, ..OfferRequest::default() }).await
    }

    /// As [`Driver::receive_offer`], the credentials issued deferred when `deferred` (OID4VCI §9).
    pub async fn receive_offer_with(&self, stack: &Stack, tx_code: bool, deferred: bool) -> Step<WalletAnswer> {
        self.receive(stack, OfferRequest { tx_code, deferred, ..OfferRequest::default() }).await
    }

    /// Has the stack's issuer make the offer `asked` says and hands it to the wallet.
    pub async fn receive(&self, stack: &Stack, asked: OfferRequest) -> Step<WalletAnswer> {
        self.receive_made(stack, asked).await.map(|(_, answer)| answer)
    }

    /// [`Self::receive`], also handing back the offer made.
    pub(crate) async fn receive_made(&self, stack: &Stack, asked: OfferRequest) -> Step<(OfferCreated, WalletAnswer)> {
        // Beside others, unless a case that cannot pin its issuer runs alone ([`exclusive`]).
        let _beside = if ALONE.try_with(|alone| *alone).unwrap_or(false) {
            None
        } else {
            Some(turns(self.ctx).read_owned().await)
        };
        let made: OfferCreated = self.call(&format!("{}/offers", stack.issuer.control_url), &asked, false).await?;
        let delivery = OfferDelivery {
            offer: made.credential_offer_uri.clone().map(Value::String),
            tx_code: made.tx_code.clone(),
        };
        let Some(control) = self.control()? else {
            // Manual mode: a person scans the offer; the issuer's log shows when the wallet came.
            let uri = made.credential_offer_uri.clone().unwrap_or_default();
            let code = made
                .tx_code
                .as_deref()
                .map(|c| format!(" When asked, enter the transaction code {c}."))
                .unwrap_or_default();
            let prompt = self.manual_prompt(
                "dialtone: receive a test credential",
                format!("Scan this code with the wallet under test.{code}"),
                &uri,
            )?;
            let log = stack.issuer.log.clone();
            let before = log.credential_requests.lock().unwrap_or_else(|p| p.into_inner()).len();
            let done = crate::manual::show_and_wait(&prompt, || {
                let log = log.clone();
                async move {
                    (log.credential_requests.lock().unwrap_or_else(|p| p.into_inner()).len() > before).then_some(())
                }
            })
            .await
            .map_err(Outcome::error)?;
            let answer = match done {
                Some(()) => WalletAnswer::status("stored"),
                None => WalletAnswer::with_reason("timeout", "the wallet did not redeem the offer before the deadline"),
            };
            return Ok((made, answer));
        };
        let answer = self.call(&format!("{control}/offers"), &delivery, true).await?;
        Ok((made, answer))
    }

    /// Issues the credential `asked` names to the wallet (a precondition of presentation cases).
    pub(crate) async fn holds(&self, stack: &Stack, asked: OfferRequest) -> Step<()> {
        let answer = self.receive(stack, asked).await?;
        if answer.status != "stored" {
            return Err(precondition("issuance to the wallet", format!("{answer:?}")));
        }
        Ok(())
    }

    /// The credentials the wallet reports holding.
    pub async fn credentials(&self) -> Step<Vec<HeldCredential>> {
        let Some(control) = self.control()? else {
            return Err(Outcome::skip(
                "manual mode: the wallet cannot report what it holds; this case needs a control API",
            ));
        };
        let answer = self.ctx.http.get(&format!("{control}/credentials"), &[]).await?;
        let held: HeldCredentials = read(&answer, true)?;
        Ok(held.credentials)
    }

    /// Starts a request at the stack's verifier (asking what `start` says) and hands it to the
    /// wallet. Returns the wallet's answer and the verifier's verdict afterwards.
    pub(crate) async fn present_with(
        &self,
        stack: &Stack,
        start: StartRequest,
    ) -> Step<(WalletAnswer, RequestOutcome)> {
        self.present_from(stack, start, None).await
    }

    /// [`Self::present_with`]; over the Digital Credentials API the platform (the harness) tells
    /// the wallet the request comes from `calling_origin` instead of the verifier's own origin.
    pub(crate) async fn present_from(
        &self,
        stack: &Stack,
        mut start: StartRequest,
        calling_origin: Option<&str>,
    ) -> Step<(WalletAnswer, RequestOutcome)> {
        let control = stack.verifier_control.clone().ok_or_else(|| Outcome::error("this case started no verifier"))?;
        // A verifier that wants this case's issuer says so in DCQL (§6.3 `values`), so a wallet
        // holding credentials from other issuers picks the right one.
        start.dcql_query = start.dcql_query.take().or_else(|| {
            Some(dcql::query(
                "person",
                dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC,
                &[dialtone_roles::issuer::minter::VCT_VERIFIED_PERSON],
                &[
                    Wanted::valued(&["iss"], vec![Value::String(stack.issuer_url.clone())]),
                    Wanted::claim(&["given_name"]),
                    Wanted::claim(&["family_name"]),
                ],
            ))
        });
        let started: StartedRequest = self.call(&format!("{control}/requests"), &start, false).await?;
        let id = started.request_id.clone();
        let answer = match (self.control()?, started.dc_api) {
            (Some(wallet), Some(platform)) => self.platform(&control, &wallet, &id, platform, calling_origin).await?,
            (None, Some(_)) => {
                return Err(Outcome::skip(
                    "manual mode: the Digital Credentials API needs the wallet's control API (dialtone plays the platform through it)",
                ));
            }
            (wallet, None) => match wallet {
                Some(wallet) => {
                    let delivery =
                        RequestDelivery { authorization_request: Some(Value::String(started.authorization_request)) };
                    self.call(&format!("{wallet}/presentations"), &delivery, true).await?
                }
                None => {
                    // Manual mode: a person scans the request; the verifier's verdict shows what happened.
                    let prompt = self.manual_prompt(
                        "dialtone: present a credential",
                        "Scan this code with the wallet under test and consent to share.".into(),
                        &started.authorization_request,
                    )?;
                    let url = format!("{control}/requests/{id}");
                    let done = crate::manual::show_and_wait(&prompt, || {
                        let (http, url) = (self.ctx.http.clone(), url.clone());
                        async move {
                            let outcome: RequestOutcome =
                                serde_json::from_value(http.get(&url, &[]).await.ok()?.json().ok()?).ok()?;
                            (outcome.status != "pending").then_some(())
                        }
                    })
                    .await
                    .map_err(Outcome::error)?;
                    match done {
                        Some(()) => WalletAnswer::status("sent"),
                        None => {
                            WalletAnswer::with_reason("refused", "nothing reached the verifier before the deadline")
                        }
                    }
                }
            },
        };
        let verdict =
            self.ctx.http.get(&format!("{control}/requests/{id}"), &[]).await.map_err(|e| transport(e, false))?;
        let verdict: RequestOutcome = read(&verdict, false)?;
        self.ctx
            .evidence
            .note(format!("counterpart verifier verdict: {}", serde_json::to_string(&verdict).unwrap_or_default()));
        Ok((answer, verdict))
    }
}

impl Driver<'_> {
    /// The harness as the platform of the Digital Credentials API (OpenID4VP Appendix A): hands the
    /// wallet the verifier's request with the calling origin (`POST {wallet}/dc-api/requests`), and
    /// the response data the wallet returns to the verifier's backend (`POST
    /// {verifier}/dc-api/responses/{id}`). An `error` (or no data) is the wallet's refusal, and
    /// nothing is delivered.
    async fn platform(
        &self,
        verifier: &str,
        wallet: &str,
        id: &str,
        platform: DcApiStarted,
        calling_origin: Option<&str>,
    ) -> Step<WalletAnswer> {
        let origin = calling_origin.unwrap_or(&platform.origin).to_string();
        self.ctx.evidence.note(format!("the platform hands the wallet the request of the page at {origin}"));
        let delivery = DcApiRequestDelivery { origin: origin.clone(), request: platform.request };
        let returned: PlatformResponse = self.call(&format!("{wallet}/dc-api/requests"), &delivery, true).await?;
        let data = match returned.data {
            Some(data) if !matches!(dc_api::read_response(&data), Ok(ResponseData::Error(_))) => data,
            Some(error) => return Ok(WalletAnswer::with_reason("refused", error.to_string())),
            None => return Ok(WalletAnswer::with_reason("refused", "the wallet returned no data")),
        };
        let delivery = DcApiResponseDelivery { origin, data };
        let body = serde_json::to_value(&delivery).unwrap_or(Value::Null);
        let answer = self
            .ctx
            .http
            .post_json(&format!("{verifier}/dc-api/responses/{id}"), &body, &[])
            .await
            .map_err(|e| transport(e, false))?;
        Ok(WalletAnswer { verifier_status: Some(answer.status), ..WalletAnswer::status("sent") })
    }
}

/// A failed exchange: with the wallet under test, what [`Outcome::from`] says; with a counterpart
/// (the harness's own server), the harness's fault.
fn transport(e: dialtone_http::HttpError, wallet: bool) -> Outcome {
    if wallet { e.into() } else { Outcome::error(format!("counterpart: {e}")) }
}

/// A control API answer as `T`: unreadable from the wallet under test is its failure; from a
/// counterpart, the harness's.
fn read<T: DeserializeOwned>(answer: &dialtone_http::HttpResponse, wallet: bool) -> Step<T> {
    let parsed = answer.json().and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()));
    parsed.map_err(|e| {
        if wallet {
            Outcome::fail("a JSON answer from the wallet's control API", e)
        } else {
            Outcome::error(format!("counterpart: {e}"))
        }
    })
}
