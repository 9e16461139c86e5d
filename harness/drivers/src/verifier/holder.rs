//! The harness as a wallet (holder) in front of a verifier under test: starts a request through the
//! verifier's control API, receives it with the shared OpenID4VP holder, presents credentials minted
//! by the counterpart issuers — correct ones, and ones with the one deviation a case names — and
//! reads the verdict.

use crate::Ctx;
use crate::counterparts::Counterparts;
use crate::manifest::VerifierSection;
use dialtone_engine::model::Outcome;
use dialtone_http::HttpResponse;
use dialtone_protocols::control::{RequestOutcome, StartRequest, StartedRequest};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::oid4vp::holder::{self, PresentationSpec, Request, RequestError, RespondError};
use dialtone_protocols::sdjwt::SdJwt;
use dialtone_roles::issuer::Deviation;
use serde::Deserialize;
use serde_json::Value;

pub type Step<T> = Result<T, Outcome>;

/// A request the harness started at the verifier under test, as it received it.
#[derive(Debug, Clone)]
pub(crate) struct Started {
    pub request_id: String,
    pub request: Request,
}

pub(crate) fn precondition(step: &str, observed: impl Into<String>) -> Outcome {
    Outcome::fail(format!("a working {step} (precondition of this case)"), observed.into())
}

/// What the harness asks the verifier's control API for (a response mode, a client identifier
/// prefix); a case skips when the verifier does not honour it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestAsk {
    response_mode: Option<String>,
    client_id_prefix: Option<String>,
}

impl RequestAsk {
    pub(crate) fn start(&self) -> StartRequest {
        StartRequest {
            response_mode: self.response_mode.clone(),
            client_id_prefix: self.client_id_prefix.clone(),
            ..StartRequest::default()
        }
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

    fn control(&self) -> Step<String> {
        Ok(self.section()?.control.trim_end_matches('/').to_string())
    }

    /// Starts a request with what `start` asks (a response mode, a client identifier prefix); skips
    /// when the verifier does not honour it.
    pub(crate) async fn request_with(&self, start: StartRequest) -> Step<Started> {
        let body = serde_json::to_value(&start).unwrap_or(Value::Null);
        let answer = self.ctx.http.post_json(&format!("{}/requests", self.control()?), &body, &[]).await?;
        let started: StartedRequest = answer
            .json()
            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .map_err(|e| Outcome::error(format!("control API: {e}")))?;
        let request = holder::receive(&self.ctx.http, &started.authorization_request).await.map_err(|e| match e {
            RequestError::Http(e) => e.into(),
            e @ RequestError::Status(_) => Outcome::fail("HTTP 200 from request_uri", e.to_string()),
            e => Outcome::fail("an authorization request the wallet can read (§5)", e.to_string()),
        })?;
        let label =
            if request.request_uri.is_some() { "request object payload" } else { "request parameters (by value)" };
        self.ctx.evidence.artifact(label, Value::Object(request.object.payload.clone()).to_string());
        if let Some(mode) = &start.response_mode
            && request.response_mode() != Some(mode.as_str())
        {
            return Err(Outcome::skip(format!("the verifier did not honour a request for response_mode {mode}")));
        }
        if let Some(prefix) = &start.client_id_prefix
            && !request.client_id.starts_with(&format!("{prefix}:"))
        {
            return Err(Outcome::skip(format!(
                "the verifier did not honour a request for the {prefix} client identifier prefix"
            )));
        }
        Ok(Started { request_id: started.request_id, request })
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

    /// The `vp_token` for `request` from `credential`, shaped by `spec`.
    pub fn vp_token(&self, request: &Request, credential: &SdJwt, spec: &PresentationSpec) -> Step<Value> {
        let queries = request.queries().map_err(|e| precondition("request with a well-formed dcql_query", e))?;
        let query = queries.first().ok_or_else(|| precondition("DCQL query", "no credential query"))?;
        let presentation = holder::presentation(credential, &self.key, query, request, spec, &self.ctx.entropy)
            .map_err(Outcome::error)?;
        self.ctx.evidence.artifact("presentation", presentation.clone());
        Ok(holder::vp_token(query, presentation, spec.vp_token))
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

    /// The verifier's verdict after `response`: read once when the response was refused (the
    /// verifier has answered), else waited for (bounded) while it is still pending.
    pub(crate) async fn verdict_after(&self, request_id: &str, response: &HttpResponse) -> Step<Verdict> {
        self.verdict(request_id, (200..300).contains(&response.status)).await
    }

    /// The verifier's verdict, waiting (bounded) while it is still pending when `wait` is set.
    pub async fn verdict(&self, request_id: &str, wait: bool) -> Step<Verdict> {
        let section = self.section()?;
        let url = format!("{}/requests/{request_id}", self.control()?);
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

/// A verifier rejected a presentation when it did not accept it over HTTP and does not report it accepted.
pub(crate) fn expect_rejected(response: &HttpResponse, verdict: &Verdict) -> Outcome {
    let observed = observed(response, verdict);
    if (200..300).contains(&response.status) || verdict.status == "accepted" {
        Outcome::fail("the presentation rejected (HTTP 4xx from response_uri, verdict not accepted)", observed)
    } else {
        Outcome::pass(observed)
    }
}

/// A verifier accepted a presentation: HTTP 2xx and the verdict `accepted`.
pub(crate) fn expect_accepted(response: &HttpResponse, verdict: &Verdict) -> Outcome {
    let observed = observed(response, verdict);
    if (200..300).contains(&response.status) && verdict.status == "accepted" {
        Outcome::pass(observed)
    } else {
        Outcome::fail("the presentation accepted (HTTP 2xx from response_uri, verdict accepted)", observed)
    }
}

fn observed(response: &HttpResponse, verdict: &Verdict) -> String {
    format!(
        "response HTTP {}, verdict {:?}{}",
        response.status,
        verdict.status,
        if verdict.reason.is_empty() { String::new() } else { format!(" ({})", verdict.reason) }
    )
}
