//! The harness as a wallet (holder) in front of a verifier under test: starts a request through the
//! verifier's control API, receives it with the shared OpenID4VP holder, presents credentials minted
//! by the counterpart issuers — correct ones, and ones with the one deviation a case names — and
//! reads the verdict.

use crate::Ctx;
use crate::counterparts::Counterparts;
use crate::manifest::VerifierSection;
use crate::transaction_ask::TransactionDataAsk;
use dialtone_engine::model::Outcome;
use dialtone_http::HttpResponse;
use dialtone_protocols::control::{DcApiResponseDelivery, RequestOutcome, StartRequest, StartedRequest};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::oid4vp::answer::{self, HeldSdJwt};
use dialtone_protocols::oid4vp::dc_api;
use dialtone_protocols::oid4vp::holder::{self, PresentationSpec, Request, RequestError, RespondError};
use dialtone_protocols::oid4vp::mdoc;
use dialtone_protocols::oid4vp::retrieval::Retrieval;
use dialtone_protocols::sdjwt::SdJwt;
use dialtone_roles::issuer::{Deviation, MdocDeviation};
use serde::Deserialize;
use serde_json::Value;

pub type Step<T> = Result<T, Outcome>;

/// A request the harness started at the verifier under test, as it received it.
#[derive(Debug, Clone)]
pub(crate) struct Started {
    /// Its identifier at the control API; `None` in manual mode (a person started it).
    pub request_id: Option<String>,
    pub request: Request,
}

pub(crate) use crate::driver::precondition;

/// Why a case that needs the verifier's own verdict cannot have it in manual mode.
pub(crate) const NO_VERDICT: &str = "manual mode: the verifier has no control API to report its verdict, and its answer to the response (HTTP 2xx) does not say whether it accepted the presentation; see the verifier's own interface";

/// What the harness asks the verifier's control API for (a response mode, a client identifier
/// prefix); a case skips when the verifier does not honour it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestAsk {
    response_mode: Option<String>,
    client_id_prefix: Option<String>,
    request_uri_method: Option<String>,
    /// A DCQL query to ask for (`StartRequest.dcql_query`, e.g. with credential sets).
    dcql: Option<crate::dcql_ask::DcqlAsk>,
    /// Transaction data to ask the verifier to send (`StartRequest.transaction_data`).
    transaction_data: Option<TransactionDataAsk>,
}

impl RequestAsk {
    pub(crate) fn start(&self) -> StartRequest {
        StartRequest {
            response_mode: self.response_mode.clone(),
            client_id_prefix: self.client_id_prefix.clone(),
            request_uri_method: self.request_uri_method.clone(),
            dcql_query: self.dcql.map(|ask| ask.query(None)),
            transaction_data: self.transaction_data.map(TransactionDataAsk::objects),
            request_signatures: None,
        }
    }

    /// Starts the request as asked; skips when the verifier does not honour what was asked.
    pub(crate) async fn start_at(&self, holder: &Holder) -> Step<Started> {
        let started = holder.request_with(self.start()).await?;
        if let Some(ask) = self.transaction_data
            && !ask.carried_by(started.request.params.transaction_data.as_ref())
        {
            return Err(Outcome::skip(format!(
                "the verifier did not honour a request for the transaction data {:?}",
                ask.objects()
            )));
        }
        Ok(started)
    }
}

/// Which counterpart issuer a credential comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum IssuerChoice {
    /// The one the verifier's trust registry authorizes.
    #[default]
    Trusted,
    /// One it does not.
    Untrusted,
}

/// The verifier's verdict on a request, from its control API.
pub type Verdict = RequestOutcome;

pub struct Holder {
    pub ctx: Ctx,
    pub key: EcKey,
}

impl Holder {
    pub fn new(ctx: Ctx) -> Self {
        let key = EcKey::generate(&ctx.entropy);
        ctx.private_key(&key);
        Self { ctx, key }
    }

    pub fn section(&self) -> Step<&VerifierSection> {
        self.ctx.manifest.verifier.as_ref().ok_or_else(|| Outcome::error("the manifest has no [verifier] section"))
    }

    pub fn issuers(&self) -> Step<&Counterparts> {
        self.ctx.counterparts()
    }

    /// The control API base, or `None` in manual mode.
    fn control(&self) -> Step<Option<String>> {
        Ok(self.section()?.control.as_ref().map(|c| c.trim_end_matches('/').to_string()))
    }

    /// Starts a request with what `start` asks (a response mode, a client identifier prefix) —
    /// through the control API, or in manual mode by asking a person to start it in the verifier's
    /// own interface and hand back its link; skips when the verifier does not honour what was asked.
    pub(crate) async fn request_with(&self, start: StartRequest) -> Step<Started> {
        self.request_retrieved(start, &[]).await
    }

    /// [`Self::request_with`], the harness fetching a request object by POST when the link asks
    /// (OpenID4VP §5.10) with its metadata, a fresh `wallet_nonce` and the `extra` form parameters.
    pub(crate) async fn request_retrieved(&self, start: StartRequest, extra: &[(String, String)]) -> Step<Started> {
        let over_dc_api = start.response_mode.as_deref().is_some_and(dc_api::is_dc_api_mode);
        let (request_id, link, platform) = match self.control()? {
            Some(control) => {
                let body = serde_json::to_value(&start).unwrap_or(Value::Null);
                let answer = self.ctx.http.post_json(&format!("{control}/requests"), &body, &[]).await?;
                let started: StartedRequest = answer
                    .json()
                    .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
                    .map_err(|e| Outcome::error(format!("control API: {e}")))?;
                (Some(started.request_id), started.authorization_request, started.dc_api)
            }
            None if over_dc_api => {
                return Err(Outcome::skip(
                    "manual mode: the Digital Credentials API needs the verifier's control API (dialtone plays the platform through it)",
                ));
            }
            None => (None, self.ask_for_request(&start).await?, None),
        };
        let request = match platform {
            // The harness is the platform: it hands the wallet (itself) the request with the origin
            // of the verifier's page (OpenID4VP Appendix A).
            Some(platform) => {
                self.ctx
                    .evidence
                    .artifact("Digital Credentials API request", serde_json::to_string(&platform).unwrap_or_default());
                dc_api::receive(&platform.request, &platform.origin).map_err(|e| {
                    Outcome::fail("a request over the Digital Credentials API the wallet can read (Appendix A)", e)
                })?
            }
            None if over_dc_api => {
                return Err(Outcome::skip(format!(
                    "the verifier did not honour a request for response_mode {} (its control API answered no dc_api request)",
                    start.response_mode.as_deref().unwrap_or_default()
                )));
            }
            None => {
                if let Some(method) = &start.request_uri_method
                    && dialtone_protocols::oid4vp::retrieval::requested_method(&link).as_deref()
                        != Some(method.as_str())
                {
                    return Err(Outcome::skip(format!(
                        "the verifier did not honour a request for request_uri_method={method} (its link: {link})"
                    )));
                }
                let mut retrieval = Retrieval::post_with(self.ctx.entropy.token(16));
                retrieval.extra = extra.to_vec();
                holder::receive_with(&self.ctx.http, &link, &retrieval).await.map_err(|e| match e {
                    RequestError::Http(e) => e.into(),
                    e @ RequestError::Status(_) => Outcome::fail("HTTP 200 from request_uri", e.to_string()),
                    e => Outcome::fail("an authorization request the wallet can read (§5)", e.to_string()),
                })?
            }
        };
        let label =
            if request.request_uri.is_some() { "request object payload" } else { "request parameters (by value)" };
        self.ctx.evidence.artifact(label, Value::Object(request.object.payload.clone()).to_string());
        if let Some(mode) = &start.response_mode
            && request.response_mode() != Some(mode.as_str())
        {
            return Err(Outcome::skip(format!("the verifier did not honour a request for response_mode {mode}")));
        }
        if let Some(query) = &start.dcql_query
            && request.params.dcql_query.as_ref() != Some(query)
        {
            return Err(Outcome::skip(format!(
                "the verifier did not honour a request for the DCQL query {query} (it asked for {})",
                request.params.dcql_query.as_ref().map(Value::to_string).unwrap_or_else(|| "none".into())
            )));
        }
        if let Some(prefix) = &start.client_id_prefix
            && !request.client_id.starts_with(&format!("{prefix}:"))
        {
            return Err(Outcome::skip(format!(
                "the verifier did not honour a request for the {prefix} client identifier prefix"
            )));
        }
        Ok(Started { request_id, request })
    }

    /// Manual mode: a person starts the request in the verifier's interface and hands its link over.
    async fn ask_for_request(&self, start: &StartRequest) -> Step<String> {
        let section = self.section()?;
        let mut asked = vec![match &start.dcql_query {
            // An mdoc case asks for an mDL.
            Some(query) => format!("what this DCQL query asks for: {query}"),
            None => format!(
                "a credential of type {} (format dc+sd-jwt)",
                dialtone_roles::issuer::minter::VCT_VERIFIED_PERSON
            ),
        }];
        if let Some(mode) = &start.response_mode {
            asked.push(format!("response mode {mode}"));
        }
        if let Some(prefix) = &start.client_id_prefix {
            asked.push(format!("the {prefix} client identifier prefix"));
        }
        let prompt = crate::manual::Prompt {
            title: format!("{}: start a presentation request at the verifier under test", self.ctx.case.id),
            instructions: format!(
                "In the verifier's own interface, start a new presentation request asking for {}. Then hand its \
                 request link (openid4vp://… or an https link with request_uri) to dialtone: paste it into this \
                 page, or into the terminal. dialtone answers it as the wallet.",
                asked.join(", ")
            ),
            payload: String::new(),
            deadline: std::time::SystemTime::now() + std::time::Duration::from_secs(section.manual_wait_seconds),
        };
        self.ctx.evidence.note(format!("manual mode: asked a person for a request link ({})", asked.join(", ")));
        match crate::manual::ask_for_link(&prompt, request_link).await.map_err(Outcome::error)? {
            Some(link) => {
                self.ctx.evidence.note(format!("manual mode: the person handed over {link}"));
                Ok(link)
            }
            None => Err(Outcome::error(format!(
                "manual mode: no request link was handed over within {} s",
                section.manual_wait_seconds
            ))),
        }
    }

    /// What the verifier must be configured with to tell the counterpart issuers apart: the trust
    /// registry it asks, and whom that registry authorizes.
    pub(crate) fn registry_configuration(&self) -> Step<String> {
        let c = self.issuers()?;
        Ok(format!(
            "the verifier asks the trust registry {} (authority {}), which authorizes {} and not {} \
             (`dialtone counterparts export` writes this configuration)",
            c.registry.url, c.registry.authority_id, c.trusted.minter.identifier, c.untrusted.minter.identifier
        ))
    }

    /// A credential for the holder's key from a counterpart issuer, deviating as `deviation` says.
    pub fn credential(&self, issuer: IssuerChoice, deviation: &Deviation) -> Step<SdJwt> {
        let issuers = self.issuers()?;
        let minter = match issuer {
            IssuerChoice::Trusted => &issuers.trusted.minter,
            IssuerChoice::Untrusted => &issuers.untrusted.minter,
        };
        let mut spec = minter.spec(Some(self.key.public_jwk()));
        spec.x5c = self.ctx.manifest.x5c_only();
        minter.deviate(&mut spec, deviation, dialtone_protocols::now_epoch());
        let text = minter.mint(&spec);
        SdJwt::parse(&text).map_err(|e| Outcome::error(format!("the counterpart minted an unreadable credential: {e}")))
    }

    /// An mdoc (base64url `IssuerSigned`) bound to the holder's key from the trusted counterpart
    /// issuer, deviating as `deviation` says.
    pub fn mdoc_credential(&self, deviation: &MdocDeviation) -> Step<String> {
        let minter = &self.issuers()?.trusted.minter;
        minter.mint_mdoc(&self.key.public_jwk(), deviation).map_err(Outcome::error)
    }

    /// The `vp_token` for `request` from a stored mdoc: the base64url `DeviceResponse` over the
    /// request's handover (OpenID4VP Appendix B.2: over the Digital Credentials API the one naming
    /// the origin), shaped by `spec`.
    pub fn mdoc_vp_token(&self, request: &Request, credential: &str, spec: &PresentationSpec) -> Step<Value> {
        let queries = request.queries().map_err(|e| precondition("request with a well-formed dcql_query", e))?;
        let query = queries.first().ok_or_else(|| precondition("DCQL query", "no credential query"))?;
        let handover = mdoc::handover(request, spec);
        let presentation = mdoc::presentation(credential, &self.key, query, &handover, spec, &self.ctx.entropy)
            .map_err(Outcome::error)?;
        self.ctx.evidence.artifact("presentation (DeviceResponse, base64url)", presentation.clone());
        Ok(holder::vp_token(query, presentation, spec.vp_token))
    }

    /// The `vp_token` for `request` from `credential`, shaped by `spec`.
    /// The `vp_token` for `request` from `credential`, shaped by `spec`: what the query asks for
    /// (`dcql::select`); when the case's deviation makes the credential match nothing, presented
    /// for the first credential query anyway, for the verifier to judge.
    pub fn vp_token(&self, request: &Request, credential: &SdJwt, spec: &PresentationSpec) -> Step<Value> {
        self.vp_token_of(request, std::slice::from_ref(credential), spec)
    }

    /// [`Self::vp_token`] from several held credentials (a query with `multiple` presents each).
    pub fn vp_token_of(&self, request: &Request, credentials: &[SdJwt], spec: &PresentationSpec) -> Step<Value> {
        let queries = request.queries().map_err(|e| precondition("request with a well-formed dcql_query", e))?;
        let first = queries.first().ok_or_else(|| precondition("DCQL query", "no credential query"))?;
        let held = credentials
            .iter()
            .map(|c| HeldSdJwt::new(c.clone(), self.key.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Outcome::error(format!("the counterpart minted an unprocessable credential: {e}")))?;
        let picks = answer::choose(&held, request, spec).unwrap_or_else(|_| vec![answer::forced_pick(first)]);
        let vp = answer::vp_token(&held, &picks, request, spec, &self.ctx.entropy).map_err(Outcome::error)?;
        let presented: Vec<&str> = match &vp {
            Value::Object(keyed) => {
                keyed.values().filter_map(Value::as_array).flatten().filter_map(Value::as_str).collect()
            }
            other => other.as_str().into_iter().collect(),
        };
        for p in presented {
            self.ctx.evidence.artifact("presentation", p.to_string());
        }
        Ok(vp)
    }

    /// Sends the response as `spec` says (encrypted when the request asks, unless told otherwise).
    pub async fn respond(&self, request: &Request, vp_token: &Value, spec: &PresentationSpec) -> Step<HttpResponse> {
        holder::respond(&self.ctx.http, request, vp_token, spec).await.map_err(|e| match e {
            RespondError::Http(e) => e.into(),
            e @ RespondError::NoEncryptionKey(_) => {
                Outcome::fail("an encryption key in client_metadata.jwks for direct_post.jwt (§8.3)", e.to_string())
            }
            e @ RespondError::Encrypt(_) => {
                Outcome::fail("a usable encryption key in client_metadata.jwks", e.to_string())
            }
            e => precondition("request with a response_uri and a direct_post response mode", e.to_string()),
        })
    }

    /// Sends the response of `started` as `spec` says: over the Digital Credentials API, the
    /// response data the platform returns to the verifier's page, delivered to its backend through
    /// the control API (`POST {control}/dc-api/responses/{id}`, with the origin the platform saw);
    /// else to its `response_uri`.
    pub(crate) async fn respond_started(
        &self,
        started: &Started,
        vp_token: &Value,
        spec: &PresentationSpec,
    ) -> Step<HttpResponse> {
        let (Some(origin), Some(id), Some(control)) = (&started.request.origin, &started.request_id, self.control()?)
        else {
            return self.respond(&started.request, vp_token, spec).await;
        };
        let data = dc_api::response_data(&started.request, vp_token, spec.encryption)
            .map_err(|e| Outcome::fail("an encryption key in client_metadata.jwks for dc_api.jwt (§8.3)", e))?;
        let delivery = DcApiResponseDelivery { origin: origin.clone(), data };
        let body = serde_json::to_value(&delivery).unwrap_or(Value::Null);
        Ok(self.ctx.http.post_json(&format!("{control}/dc-api/responses/{id}"), &body, &[]).await?)
    }

    /// The verifier's verdict after `response`: read once when the response was refused (the
    /// verifier has answered), else waited for (bounded) while it is still pending. `None` in manual
    /// mode: only the protocol's answer (`response`) is known.
    pub(crate) async fn verdict_after(&self, started: &Started, response: &HttpResponse) -> Step<Option<Verdict>> {
        match (&started.request_id, self.control()?) {
            (Some(id), Some(control)) => {
                self.verdict(&control, id, (200..300).contains(&response.status)).await.map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The verifier's verdict, waiting (bounded) while it is still pending when `wait` is set.
    async fn verdict(&self, control: &str, request_id: &str, wait: bool) -> Step<Verdict> {
        let section = self.section()?;
        let url = format!("{control}/requests/{request_id}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(section.outcome_wait_ms);
        loop {
            let answer = self.ctx.http.get(&url, &[]).await?;
            let verdict: Verdict = answer
                .json()
                .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
                .map_err(|e| Outcome::error(format!("control API outcome: {e}")))?;
            if !wait || verdict.status != "pending" || std::time::Instant::now() >= deadline {
                return Ok(verdict);
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

/// Whether a link a person hands over can be a request link (it names a client; the rest is judged
/// when the wallet receives it).
fn request_link(link: &str) -> Result<(), String> {
    holder::check_link(link).map_err(|e| e.to_string())
}

/// A verifier rejected a presentation when it did not accept it over HTTP and does not report it
/// accepted. In manual mode (no verdict) a refusal over HTTP is what shows it; HTTP 2xx says nothing.
pub(crate) fn expect_rejected(response: &HttpResponse, verdict: Option<&Verdict>) -> Outcome {
    let observed = observed(response, verdict);
    let answered_ok = (200..300).contains(&response.status);
    match verdict {
        None if answered_ok => Outcome::skip(format!("{NO_VERDICT} ({observed})")),
        None => Outcome::pass(format!("{observed}: the verifier refused the response")),
        Some(v) if answered_ok || v.status == "accepted" => {
            Outcome::fail("the presentation rejected (HTTP 4xx from response_uri, verdict not accepted)", observed)
        }
        Some(_) => Outcome::pass(observed),
    }
}

/// A verifier accepted a presentation: HTTP 2xx and the verdict `accepted`. In manual mode (no
/// verdict) a refusal over HTTP fails it, and HTTP 2xx cannot confirm it.
pub(crate) fn expect_accepted(response: &HttpResponse, verdict: Option<&Verdict>) -> Outcome {
    let observed = observed(response, verdict);
    let answered_ok = (200..300).contains(&response.status);
    match verdict {
        None if answered_ok => Outcome::skip(format!("{NO_VERDICT} ({observed})")),
        Some(v) if answered_ok && v.status == "accepted" => Outcome::pass(observed),
        _ => Outcome::fail("the presentation accepted (HTTP 2xx from response_uri, verdict accepted)", observed),
    }
}

fn observed(response: &HttpResponse, verdict: Option<&Verdict>) -> String {
    let verdict = match verdict {
        Some(v) => format!(
            ", verdict {:?}{}",
            v.status,
            if v.reason.is_empty() { String::new() } else { format!(" ({})", v.reason) }
        ),
        None => String::new(),
    };
    format!("response HTTP {}{verdict}", response.status)
}
