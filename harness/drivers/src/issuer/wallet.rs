//! The harness as a wallet in front of an issuer under test: the OpenID4VCI client of
//! `dialtone_protocols::oid4vci::client` (the one the reference wallet runs too), driven step by
//! step so that each case can deviate where it needs, with the offer obtained through the
//! candidate's trigger. A step that cannot proceed returns the `Outcome` the case ends with.

use crate::Ctx;
use crate::manifest::Trigger;
use dialtone_engine::model::Outcome;
use dialtone_http::HttpResponse;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::client::{Client, FlowError, IssuanceSpec, Session, Step as FlowStep, WalletChecks};
use dialtone_protocols::oid4vci::message::{
    CredentialConfiguration, CredentialIssuerMetadata, CredentialOffer, CredentialRequest, CredentialResponse,
    ErrorResponse,
};
use dialtone_protocols::oid4vci::proof::{self, ProofSpec};
use serde::Serialize;
use serde_json::Value;

pub use dialtone_protocols::oid4vci::client::Issued;

pub type Step<T> = Result<T, Outcome>;

/// A credential offer as received, and the transaction code delivered out of band (if any).
#[derive(Debug, Clone)]
pub struct Offer {
    pub offer: CredentialOffer,
    pub tx_code: Option<String>,
}

/// What the control API answers to a request for an offer (`suites/control-api.yaml`).
#[derive(Debug, serde::Deserialize)]
struct ControlOffer {
    credential_offer: Option<Value>,
    credential_offer_uri: Option<String>,
    tx_code: Option<String>,
}

/// What the harness asks of the control API.
#[derive(Serialize)]
struct OfferRequest<'a> {
    tx_code: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_configuration_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deferred: bool,
}

pub(crate) use crate::driver::precondition;

/// The harness runs every step even where another case judges the previous one: a case judges one
/// thing, and the failure of a step is reported once, by its own case.
const HARNESS_CHECKS: WalletChecks = WalletChecks { metadata_issuer: false };

pub struct Wallet {
    pub ctx: Ctx,
    pub key: EcKey,
    pub client: Client,
    /// The configuration to ask offers for, when a case names one (else the manifest's first).
    configuration: Option<String>,
}

impl Wallet {
    pub fn new(ctx: Ctx) -> Self {
        let key = EcKey::generate(&ctx.entropy);
        ctx.private_key(&key);
        let client = Client::new(ctx.http.clone()).with_entropy(ctx.entropy.derive("oid4vci client"));
        Self { ctx, key, client, configuration: None }
    }

    /// This wallet asking offers for `configuration_id` (through the control API).
    pub(crate) fn for_configuration(mut self, configuration_id: String) -> Self {
        self.configuration = Some(configuration_id);
        self
    }

    pub fn issuer_id(&self) -> String {
        self.ctx.manifest.base_url()
    }

    /// A flow step's failure as this case's outcome: the environment's fault is an error, the
    /// candidate's a failed precondition naming the step.
    pub fn flow(&self, e: FlowError) -> Outcome {
        match e {
            FlowError::Http(e) => e.into(),
            FlowError::Status { step: FlowStep::Token, status }
                if matches!(self.ctx.manifest.trigger, Trigger::StaticOffer { .. }) =>
            {
                precondition(
                    FlowStep::Token.name(),
                    format!(
                        "HTTP {status} (the manifest's static offer is shared by every case: its code must be \
                         reusable, or use the control API)"
                    ),
                )
            }
            FlowError::Status { step, status } => precondition(step.name(), format!("HTTP {status}")),
            FlowError::Message { step, error } => precondition(step.name(), error.to_string()),
            FlowError::Unusable { step, reason } => precondition(step.name(), reason),
        }
    }

    /// GET the credential issuer metadata (§12.2.2), unjudged.
    pub(crate) async fn fetch_metadata(&self) -> Step<HttpResponse> {
        self.client.fetch_issuer_metadata(&self.issuer_id()).await.map_err(|e| self.flow(e))
    }

    /// The metadata: HTTP 200 and the message, or a failed precondition.
    pub async fn metadata(&self) -> Step<CredentialIssuerMetadata> {
        self.client.issuer_metadata(&self.issuer_id(), HARNESS_CHECKS).await.map_err(|e| self.flow(e))
    }

    /// The authorization server's identifier and its metadata response, unjudged.
    pub async fn fetch_as_metadata(&self, metadata: &CredentialIssuerMetadata) -> Step<(String, HttpResponse)> {
        let issuer = self.issuer_id();
        let as_id = metadata.authorization_server(&issuer).to_string();
        let response = self.client.fetch_as_metadata(&as_id).await.map_err(|e| match e {
            FlowError::Unusable { reason, .. } => Outcome::fail("an authorization server identifier", reason),
            e => self.flow(e),
        })?;
        Ok((as_id, response))
    }

    pub async fn token_endpoint(&self, metadata: &CredentialIssuerMetadata) -> Step<String> {
        self.client.token_endpoint(&self.issuer_id(), metadata).await.map_err(|e| self.flow(e))
    }

    /// POSTs form parameters to the token endpoint, unjudged.
    pub(crate) async fn token_request(
        &self,
        metadata: &CredentialIssuerMetadata,
        form: &[(&str, &str)],
    ) -> Step<HttpResponse> {
        let endpoint = self.token_endpoint(metadata).await?;
        self.client.post_token(&endpoint, form).await.map_err(|e| self.flow(e))
    }

    /// The configuration this run asks for: the conformance statement's first, if any.
    pub(crate) fn wanted_configuration(&self) -> Option<String> {
        if let Some(c) = &self.configuration {
            return Some(c.clone());
        }
        self.ctx.manifest.conformance.credential.first().map(|c| c.configuration_id.clone())
    }

    /// Asks the candidate for a fresh credential offer through its trigger.
    pub async fn offer(&self, with_tx_code: bool) -> Step<Offer> {
        self.offer_for(with_tx_code, None).await
    }

    /// A fresh offer of the grant named (`authorization_code`; the pre-authorized code when `None`).
    pub async fn offer_for(&self, with_tx_code: bool, grant: Option<&str>) -> Step<Offer> {
        self.offer_asking(with_tx_code, grant, false).await
    }

    /// A fresh offer, its credentials issued deferred when `deferred` (the control API's `deferred`).
    pub async fn offer_with(&self, with_tx_code: bool, deferred: bool) -> Step<Offer> {
        self.offer_asking(with_tx_code, None, deferred).await
    }

    /// A fresh offer as the control API is asked for it (grant, deferred issuance).
    async fn offer_asking(&self, with_tx_code: bool, grant: Option<&str>, deferred: bool) -> Step<Offer> {
        if deferred && !matches!(self.ctx.manifest.trigger, Trigger::Control { .. }) {
            return Err(Outcome::skip("a deferred issuance is asked for through the control API (deferred: true)"));
        }
        match &self.ctx.manifest.trigger {
            Trigger::Control { url } => {
                let wanted = self.wanted_configuration();
                let body = serde_json::to_value(OfferRequest {
                    tx_code: with_tx_code,
                    credential_configuration_id: wanted.as_deref(),
                    grant,
                    deferred,
                })
                .unwrap_or(Value::Null);
                let response =
                    self.ctx.http.post_json(&format!("{}/offers", url.trim_end_matches('/')), &body, &[]).await?;
                if response.status != 200 {
                    return Err(Outcome::error(format!(
                        "the control API refused to create an offer: HTTP {}",
                        response.status
                    )));
                }
                let answer: ControlOffer = response
                    .json()
                    .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
                    .map_err(|e| Outcome::error(format!("control API answer: {e}")))?;
                let offer = match (answer.credential_offer, answer.credential_offer_uri) {
                    (Some(object), _) => CredentialOffer::parse(&object)
                        .map(|r| r.value)
                        .map_err(|e| Outcome::fail("a credential offer (§4.1.1)", e.to_string()))?,
                    (None, Some(uri)) => self.client.read_offer(&uri).await.map_err(|e| self.offer_error(e))?,
                    (None, None) => {
                        return Err(Outcome::error(
                            "the control API answer has neither credential_offer nor credential_offer_uri",
                        ));
                    }
                };
                Ok(Offer { offer, tx_code: answer.tx_code })
            }
            Trigger::StaticOffer { offer } => {
                if with_tx_code {
                    return Err(Outcome::skip("a static offer cannot deliver a transaction code; use the control API"));
                }
                let offer = if offer.trim_start().starts_with('{') {
                    CredentialOffer::parse_bytes(offer.as_bytes())
                        .map(|r| r.value)
                        .map_err(|e| Outcome::error(format!("the manifest's static offer: {e}")))?
                } else {
                    self.client.read_offer(offer).await.map_err(|e| self.offer_error(e))?
                };
                Ok(Offer { offer, tx_code: None })
            }
            Trigger::None => Err(Outcome::error("the manifest gives no [trigger] to obtain a credential offer")),
            Trigger::Manual { .. } => Err(Outcome::skip(
                "manual trigger: this case needs a fresh credential offer per run, which needs the control API",
            )),
        }
    }

    fn offer_error(&self, e: FlowError) -> Outcome {
        match e {
            FlowError::Http(e) => e.into(),
            e => Outcome::fail("a credential offer by value or by reference (§4.1)", e.to_string()),
        }
    }

    /// Offer → metadata → token → nonce: ready for a credential request.
    pub async fn session(&self) -> Step<Session> {
        self.session_with(false, false).await
    }

    /// A session whose credentials are deferred (`deferred`), or which asks for credential
    /// identifiers with `authorization_details` in the token request (§6.1).
    pub async fn session_with(&self, deferred: bool, authorization_details: bool) -> Step<Session> {
        let offer = self.offer_with(false, deferred).await?;
        let spec = IssuanceSpec { checks: HARNESS_CHECKS, authorization_details, ..IssuanceSpec::default() };
        let session =
            self.client.session(&offer.offer, offer.tx_code.as_deref(), &spec).await.map_err(|e| self.flow(e))?;
        if let Some(binding) = &session.dpop {
            self.ctx.private_key(&binding.key);
        }
        Ok(session)
    }

    /// A proof JWT for this session, built as `spec` says.
    pub fn proof(&self, session: &Session, spec: &ProofSpec) -> String {
        proof::build(&self.key, spec, session.proof_target(), &self.ctx.entropy)
    }

    /// A correct proof for this session.
    pub(crate) fn good_proof(&self, session: &Session) -> String {
        self.proof(session, &ProofSpec::default())
    }

    /// POSTs a credential request body, with the access token given (if any) presented as the
    /// session does (with a DPoP proof when the token is bound), unjudged.
    pub(crate) async fn credential_request(
        &self,
        session: &Session,
        access_token: Option<&str>,
        body: &CredentialRequest,
    ) -> Step<HttpResponse> {
        self.client.post_credential_for(session, access_token, &body.to_json()).await.map_err(|e| self.flow(e))
    }

    /// The whole happy path: the issued credential (the first of `credentials`).
    pub async fn issue(&self) -> Step<Issued> {
        let session = self.session().await?;
        let request = session.request(vec![self.good_proof(&session)]);
        let issued = self.client.credential(&session, &request).await.map_err(|e| self.flow(e))?;
        self.ctx.evidence.artifact("issued credential", issued.credential.clone());
        Ok(issued)
    }

    /// The session's credential configuration, typed (None when absent or malformed).
    pub fn configuration(session: &Session) -> Option<CredentialConfiguration> {
        session.metadata.configuration(&session.configuration_id)?.ok()
    }
}

/// A credential response that must carry credentials: HTTP 200 without a `credentials` array is the
/// credential endpoint's defect (VCI-ISS-CRED-001 judges it), so a case that needed credentials is
/// blocked by it, not failed; any other status is `None` (the case judges it).
pub(crate) fn credentials_in(response: &HttpResponse) -> Step<Option<CredentialResponse>> {
    if response.status != 200 {
        return Ok(None);
    }
    match CredentialResponse::parse_bytes(&response.body) {
        Ok(r) if r.value.credentials.as_ref().is_some_and(|c| !c.is_empty()) => Ok(Some(r.value)),
        Ok(_) => Err(precondition("credential endpoint", "HTTP 200 without a credentials array")),
        Err(e) => Err(precondition("credential endpoint", e.to_string())),
    }
}

/// The OAuth error code of an error response, if it is one.
pub(crate) fn error_code(response: &HttpResponse) -> Option<String> {
    ErrorResponse::parse_bytes(&response.body).ok().map(|e| e.value.error)
}

/// Judges an error response against the expected status and error code.
pub(crate) fn expect_error(response: &HttpResponse, status: u16, code: &str) -> Outcome {
    let observed_code = error_code(response);
    let observed = match (&observed_code, response.status) {
        (_, 200..=299) => format!("HTTP {}: the request was accepted", response.status),
        (Some(c), s) => format!("HTTP {s}, error {c:?}"),
        (None, s) => format!("HTTP {s}, no error code (body not a JSON object with a string error)"),
    };
    if response.status == status && observed_code.as_deref() == Some(code) {
        Outcome::pass(observed)
    } else {
        Outcome::fail(format!("HTTP {status} with error \"{code}\""), observed)
    }
}
