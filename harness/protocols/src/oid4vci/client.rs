//! The wallet side of OpenID4VCI 1.0, once: reading an offer, the issuer's and authorization
//! server's metadata, the token, nonce and credential endpoints, and the pre-authorized code flow
//! that strings them together. The reference wallet runs it as a wallet does; the harness, as the
//! wallet in front of an issuer under test, runs its steps one by one with the deviation a case needs.
//! Every exchange goes through the bounded, recording [`HttpClient`].

use super::message::{
    AuthorizationDetail, AuthorizationServerMetadata, CredentialIssuerMetadata, CredentialOffer, CredentialRequest,
    CredentialResponse, NonceResponse, OFFER_BY_REFERENCE, OFFER_BY_VALUE, TokenRequest, TokenResponse,
};
use super::proof::{self, ProofSpec, ProofTarget};
use super::sender::{self, DpopBinding, DpopUse};
use super::{WELL_KNOWN_AS, WELL_KNOWN_ISSUER, well_known_url};
use crate::jose::EcKey;
use crate::message::{Message, MessageError};
use crate::oauth::client_attestation::{
    AUTH_METHOD, AttestationMetadata, ChallengeResponse, ClientCredentials, PopSpec,
};
use crate::seed::Entropy;
use dialtone_http::{Body, HttpClient, HttpError, HttpResponse};
use serde_json::Value;
use std::sync::Arc;

mod authorization;
pub use authorization::{
    Authorization, AuthorizationSpec, ClientIdentity, CredentialAsk, Login, ParChoice, PkceChoice, Wanted,
};

/// The steps of the flow, as reports name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Offer,
    IssuerMetadata,
    AuthorizationServerMetadata,
    PushedAuthorization,
    Authorization,
    Token,
    Nonce,
    Credential,
    /// The challenge endpoint of attestation-based client authentication.
    AttestationChallenge,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Self::Offer => "credential offer",
            Self::IssuerMetadata => "credential issuer metadata endpoint",
            Self::AuthorizationServerMetadata => "authorization server metadata",
            Self::PushedAuthorization => "pushed authorization request endpoint",
            Self::Authorization => "authorization endpoint",
            Self::Token => "token endpoint",
            Self::Nonce => "nonce endpoint",
            Self::Credential => "credential endpoint",
            Self::AttestationChallenge => "attestation challenge endpoint",
        }
    }
}

/// Why a step did not give what the flow needs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FlowError {
    /// The exchange itself failed (unreachable, timeout, a body past the bound).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The step answered with a status that is not success.
    #[error("{}: HTTP {status}", .step.name())]
    Status { step: Step, status: u16 },
    /// The step's answer is not the message it must be.
    #[error("{}: {error}", .step.name())]
    Message { step: Step, error: MessageError },
    /// The answer is readable but unusable for this flow (what is said names why).
    #[error("{}: {reason}", .step.name())]
    Unusable { step: Step, reason: String },
}

impl FlowError {
    pub fn step(&self) -> Option<Step> {
        match self {
            Self::Http(_) => None,
            Self::Status { step, .. } | Self::Message { step, .. } | Self::Unusable { step, .. } => Some(*step),
        }
    }
}

/// What the wallet checks of the issuer before using its answers. A wallet checks everything; the
/// harness, to judge one thing per case, goes on past what another case judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletChecks {
    /// The metadata's `credential_issuer` is the identifier it was fetched for (§12.2.4).
    pub metadata_issuer: bool,
}

impl Default for WalletChecks {
    fn default() -> Self {
        Self { metadata_issuer: true }
    }
}

/// How the wallet runs the pre-authorized code flow; the default is correct.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuanceSpec {
    /// Leave out the transaction code the offer asks for.
    pub withhold_tx_code: bool,
    pub proof: ProofSpec,
    pub checks: WalletChecks,
    /// How it runs the authorization code flow, when the offer (or the wallet) takes that flow.
    pub authorization: AuthorizationSpec,
    /// How it binds its access token with DPoP (RFC 9449).
    pub dpop: DpopUse,
    /// Ask for the configuration with `authorization_details` in the token request (§6.1), and use
    /// the `credential_identifiers` granted (§6.2, §8.2).
    pub authorization_details: bool,
    /// How it authenticates with its client attestation, when it has one.
    pub client_attestation: ClientAttestationUse,
}

/// How a wallet that holds a client attestation uses it; the default is correct: it presents the
/// attestation and a PoP for the authorization server (its issuer identifier) whenever the server's
/// metadata lists `attest_jwt_client_auth`, with a fresh challenge from the server's challenge endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAttestationUse {
    /// Never presents it.
    pub withhold: bool,
    /// Never fetches a challenge.
    pub ignore_challenge: bool,
    pub pop: PopSpec,
}

/// Everything up to a credential request: metadata, an access token, a fresh nonce.
#[derive(Debug, Clone)]
pub struct Session {
    pub issuer: String,
    pub metadata: CredentialIssuerMetadata,
    pub configuration_id: String,
    pub token_endpoint: String,
    pub access_token: String,
    pub c_nonce: Option<String>,
    /// The credential identifier the token response returned for the configuration (§6.2), which
    /// the credential request then names instead of the configuration (§8.2).
    pub credential_identifier: Option<String>,
    /// The DPoP key the access token is bound to, when it is (`token_type` DPoP).
    pub dpop: Option<DpopBinding>,
}

impl Session {
    pub fn credential_endpoint(&self) -> Result<&str, FlowError> {
        self.metadata.credential_endpoint().map_err(|error| FlowError::Message { step: Step::IssuerMetadata, error })
    }

    /// The target a proof for this session names.
    pub fn proof_target(&self) -> ProofTarget<'_> {
        ProofTarget { issuer: &self.issuer, token_endpoint: &self.token_endpoint, c_nonce: self.c_nonce.as_deref() }
    }

    /// A credential request for the session's credential carrying `proofs`: by its credential
    /// identifier when the token response gave one, else by its configuration (§8.2).
    pub fn request(&self, proofs: Vec<String>) -> CredentialRequest {
        let mut request = CredentialRequest::with_jwt_proofs(&self.configuration_id, proofs);
        if let Some(identifier) = &self.credential_identifier {
            request.credential_configuration_id = None;
            request.credential_identifier = Some(identifier.clone());
        }
        request
    }
}

/// A credential obtained through the whole flow.
#[derive(Debug, Clone)]
pub struct Issued {
    pub session: Session,
    pub response: CredentialResponse,
    /// The first credential, when it is a string.
    pub credential: String,
}

/// The OpenID4VCI client.
#[derive(Clone)]
pub struct Client {
    http: HttpClient,
    /// Keys and `jti`s of DPoP proofs.
    entropy: std::sync::Arc<Entropy>,
    /// The wallet's client attestation and the entropy of its PoPs (`jti`), when it has one.
    attestation: Option<(ClientCredentials, Arc<Entropy>)>,
}

fn message<T: Message>(step: Step, response: &HttpResponse) -> Result<T, FlowError> {
    T::parse_bytes(&response.body).map(|r| r.value).map_err(|error| FlowError::Message { step, error })
}

impl Client {
    pub fn new(http: HttpClient) -> Self {
        Self { http, entropy: std::sync::Arc::new(Entropy::from_os()), attestation: None }
    }

    /// The same client drawing its DPoP keys and `jti`s from `entropy` (a seeded run repeats).
    pub fn with_entropy(self, entropy: Entropy) -> Self {
        Self { entropy: std::sync::Arc::new(entropy), ..self }
    }

    pub fn entropy(&self) -> &Entropy {
        &self.entropy
    }

    /// A client that authenticates with `credentials` where an authorization server asks for it.
    pub fn with_client_attestation(mut self, credentials: ClientCredentials, entropy: Arc<Entropy>) -> Self {
        self.attestation = Some((credentials, entropy));
        self
    }

    /// The header fields that authenticate the client at the authorization server `as_id` (OAuth
    /// attestation-based client authentication): none unless it holds a client attestation and the
    /// server's metadata lists `attest_jwt_client_auth`; the PoP carries a fresh challenge when the
    /// server has a challenge endpoint (§6.1).
    pub async fn client_authentication(
        &self,
        as_id: &str,
        metadata: &AuthorizationServerMetadata,
        how: &ClientAttestationUse,
    ) -> Result<Vec<(&'static str, String)>, FlowError> {
        let Some((credentials, entropy)) = &self.attestation else { return Ok(Vec::new()) };
        let asked = metadata.token_endpoint_auth_methods_supported.iter().flatten().any(|m| m == AUTH_METHOD);
        if !asked || how.withhold {
            return Ok(Vec::new());
        }
        let challenge = match AttestationMetadata::read(&metadata.extra).challenge_endpoint {
            Some(endpoint) if !how.ignore_challenge => Some(self.attestation_challenge(&endpoint).await?),
            _ => None,
        };
        Ok(credentials.headers(as_id, challenge.as_deref(), &how.pop, entropy))
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// GET a credential offer by reference (§4.1.3).
    pub(crate) async fn fetch_offer(&self, url: &str) -> Result<CredentialOffer, FlowError> {
        let response = self.http.get(url, &[("Accept", "application/json")]).await?;
        message(Step::Offer, &response)
    }

    /// Reads an `openid-credential-offer://` URI, by value or by reference (§4.1.2, §4.1.3).
    pub async fn read_offer(&self, uri: &str) -> Result<CredentialOffer, FlowError> {
        let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let params: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| FlowError::Unusable {
            step: Step::Offer,
            reason: format!("the offer URI's query is not form-encoded: {e}"),
        })?;
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        if let Some(by_value) = get(OFFER_BY_VALUE) {
            return CredentialOffer::parse_bytes(by_value.as_bytes())
                .map(|r| r.value)
                .map_err(|error| FlowError::Message { step: Step::Offer, error });
        }
        if let Some(by_reference) = get(OFFER_BY_REFERENCE) {
            return self.fetch_offer(&by_reference).await;
        }
        Err(FlowError::Unusable {
            step: Step::Offer,
            reason: format!("neither {OFFER_BY_VALUE} nor {OFFER_BY_REFERENCE} in {uri:?}"),
        })
    }

    /// GET the credential issuer metadata (§12.2.2), unjudged.
    pub async fn fetch_issuer_metadata(&self, issuer: &str) -> Result<HttpResponse, FlowError> {
        let url = well_known_url(issuer, WELL_KNOWN_ISSUER)
            .map_err(|e| FlowError::Unusable { step: Step::IssuerMetadata, reason: e.to_string() })?;
        Ok(self.http.get(&url, &[("Accept", "application/json")]).await?)
    }

    /// The credential issuer metadata: HTTP 200 and the message.
    pub async fn issuer_metadata(
        &self,
        issuer: &str,
        checks: WalletChecks,
    ) -> Result<CredentialIssuerMetadata, FlowError> {
        let response = self.fetch_issuer_metadata(issuer).await?;
        if response.status != 200 {
            return Err(FlowError::Status { step: Step::IssuerMetadata, status: response.status });
        }
        let metadata: CredentialIssuerMetadata = message(Step::IssuerMetadata, &response)?;
        if checks.metadata_issuer && metadata.credential_issuer.as_deref() != Some(issuer) {
            return Err(FlowError::Unusable {
                step: Step::IssuerMetadata,
                reason: format!(
                    "credential_issuer {:?} is not the identifier {issuer:?} (§12.2.4: the data MUST NOT be used)",
                    metadata.credential_issuer
                ),
            });
        }
        Ok(metadata)
    }

    /// GET an authorization server's metadata (RFC 8414 §3), unjudged.
    pub async fn fetch_as_metadata(&self, as_id: &str) -> Result<HttpResponse, FlowError> {
        let url = well_known_url(as_id, WELL_KNOWN_AS).map_err(|e| FlowError::Unusable {
            step: Step::AuthorizationServerMetadata,
            reason: format!("an authorization server identifier that is an https URL: {e}"),
        })?;
        Ok(self.http.get(&url, &[("Accept", "application/json")]).await?)
    }

    /// The token endpoint of the issuer's (first) authorization server.
    pub async fn token_endpoint(&self, issuer: &str, metadata: &CredentialIssuerMetadata) -> Result<String, FlowError> {
        token_endpoint_of(&self.as_metadata(issuer, metadata).await?)
    }

    /// POSTs form parameters to the token endpoint, unjudged.
    pub async fn post_token(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<HttpResponse, FlowError> {
        self.post_token_with(endpoint, form, &[]).await
    }

    /// POSTs form parameters to the token endpoint with extra header fields (a DPoP proof, a client
    /// attestation's), unjudged.
    pub async fn post_token_with(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, FlowError> {
        Ok(self.http.post_form(endpoint, form, headers).await?)
    }

    /// A fresh challenge from an authorization server's challenge endpoint (attestation-based client
    /// authentication §7.1).
    pub async fn attestation_challenge(&self, endpoint: &str) -> Result<String, FlowError> {
        let step = Step::AttestationChallenge;
        let response = self.http.send("POST", endpoint, &[("Accept", "application/json")], Body::None).await?;
        if response.status != 200 {
            return Err(FlowError::Status { step, status: response.status });
        }
        message::<ChallengeResponse>(step, &response).map(|c| c.attestation_challenge)
    }

    /// A token request that must succeed: HTTP 200 and a token response; with a DPoP proof when
    /// `dpop` is given, answering one nonce challenge if the wallet does (RFC 9449 §5, §8).
    pub async fn redeem(
        &self,
        endpoint: &str,
        request: &TokenRequest,
        dpop: Option<&DpopBinding>,
    ) -> Result<TokenResponse, FlowError> {
        self.redeem_with(endpoint, request, dpop, &[]).await
    }

    /// [`Self::redeem`] with extra header fields (client authentication).
    pub async fn redeem_with(
        &self,
        endpoint: &str,
        request: &TokenRequest,
        dpop: Option<&DpopBinding>,
        headers: &[(&'static str, String)],
    ) -> Result<TokenResponse, FlowError> {
        let form = request.form();
        let mut answered_nonce = false;
        let response = loop {
            let proof = dpop.map(|b| b.proof("POST", endpoint, None, &self.entropy));
            let mut fields: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            if let Some(p) = proof.as_deref() {
                fields.push((crate::dpop::HEADER, p));
            }
            let response = self.post_token_with(endpoint, &form, &fields).await?;
            if let Some(binding) = dpop {
                binding.remember(&response);
                if !answered_nonce && binding.usage.answers_nonce && sender::is_nonce_challenge(&response) {
                    answered_nonce = true;
                    continue;
                }
            }
            break response;
        };
        if response.status != 200 {
            return Err(FlowError::Status { step: Step::Token, status: response.status });
        }
        message(Step::Token, &response)
    }

    /// POSTs to the nonce endpoint, unjudged.
    pub async fn post_nonce(&self, endpoint: &str) -> Result<HttpResponse, FlowError> {
        Ok(self.http.send("POST", endpoint, &[], Body::None).await?)
    }

    /// A fresh `c_nonce` (§7), keeping the DPoP nonce the answer may carry (§7.2).
    pub async fn nonce(&self, endpoint: &str, dpop: Option<&DpopBinding>) -> Result<String, FlowError> {
        let response = self.post_nonce(endpoint).await?;
        if let Some(binding) = dpop {
            binding.remember(&response);
        }
        if !(200..300).contains(&response.status) {
            return Err(FlowError::Status { step: Step::Nonce, status: response.status });
        }
        message::<NonceResponse>(Step::Nonce, &response).map(|n| n.c_nonce)
    }

    /// POSTs a credential request (as JSON, so that a test can send what no type allows), with the
    /// access token as a Bearer token when given.
    pub async fn post_credential(
        &self,
        endpoint: &str,
        access_token: Option<&str>,
        body: &Value,
    ) -> Result<HttpResponse, FlowError> {
        self.post_credential_with(endpoint, access_token.map(|t| sender::authorization(t, false)), None, body).await
    }

    /// POSTs a credential request with this `Authorization` and `DPoP` header (each when given).
    pub async fn post_credential_with(
        &self,
        endpoint: &str,
        authorization: Option<String>,
        dpop: Option<String>,
        body: &Value,
    ) -> Result<HttpResponse, FlowError> {
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = authorization.as_deref() {
            headers.push(("Authorization", a));
        }
        if let Some(p) = dpop.as_deref() {
            headers.push((crate::dpop::HEADER, p));
        }
        Ok(self.http.post_json(endpoint, body, &headers).await?)
    }

    /// POSTs a credential request presenting `access_token` as the session does: with a DPoP proof
    /// when the session is bound and the token is its own (answering one nonce challenge if the
    /// wallet does, RFC 9449 §9), else as a Bearer token.
    pub async fn post_credential_for(
        &self,
        session: &Session,
        access_token: Option<&str>,
        body: &Value,
    ) -> Result<HttpResponse, FlowError> {
        let endpoint = session.credential_endpoint()?;
        let bound = session.dpop.as_ref().filter(|_| access_token == Some(session.access_token.as_str()));
        if bound.is_none() {
            return self.post_credential(endpoint, access_token, body).await;
        }
        self.post_presenting(session, endpoint, None, Body::Json(body)).await
    }

    /// POSTs `body` (of `content_type`, JSON when `None`) to a protected `endpoint` of the issuer,
    /// presenting the session's access token as the session does: with a DPoP proof when it is bound
    /// (answering one nonce challenge if the wallet does, RFC 9449 §9), else as a Bearer token.
    pub async fn post_presenting(
        &self,
        session: &Session,
        endpoint: &str,
        content_type: Option<&str>,
        body: Body<'_>,
    ) -> Result<HttpResponse, FlowError> {
        let token = session.access_token.as_str();
        let send = || {
            let (authorization, proof) = match &session.dpop {
                Some(binding) => (
                    sender::authorization(token, true),
                    Some(binding.proof("POST", endpoint, Some(token), &self.entropy)),
                ),
                None => (sender::authorization(token, false), None),
            };
            async move {
                let mut headers: Vec<(&str, &str)> = vec![("Authorization", authorization.as_str())];
                if let Some(p) = proof.as_deref() {
                    headers.push((crate::dpop::HEADER, p));
                }
                if let Some(c) = content_type {
                    headers.push(("Content-Type", c));
                }
                self.http.send("POST", endpoint, &headers, body).await
            }
        };
        let mut response = send().await?;
        if let Some(binding) = &session.dpop {
            binding.remember(&response);
            if binding.usage.answers_nonce && sender::is_nonce_challenge(&response) {
                response = send().await?;
                binding.remember(&response);
            }
        }
        Ok(response)
    }

    /// Offer → metadata → token → nonce: ready for a credential request (§3.5).
    pub async fn session(
        &self,
        offer: &CredentialOffer,
        tx_code: Option<&str>,
        spec: &IssuanceSpec,
    ) -> Result<Session, FlowError> {
        let issuer = offer.credential_issuer.clone();
        let configuration_id = offer
            .first_configuration()
            .ok_or(FlowError::Unusable { step: Step::Offer, reason: "no credential_configuration_ids".into() })?
            .to_string();
        let metadata = self.issuer_metadata(&issuer, spec.checks).await?;
        let code = offer
            .pre_authorized_code()
            .ok_or(FlowError::Unusable { step: Step::Offer, reason: "no pre-authorized code grant".into() })?;
        let tx_code = match (offer.expects_tx_code() && !spec.withhold_tx_code, tx_code) {
            (true, None) => {
                return Err(FlowError::Unusable {
                    step: Step::Offer,
                    reason: "the offer asks for a tx_code and none was given".into(),
                });
            }
            (true, given) => given,
            (false, _) => None,
        };
        let as_metadata = self.as_metadata(&issuer, &metadata).await?;
        let token_endpoint = token_endpoint_of(&as_metadata)?;
        let as_id = metadata.authorization_server(&issuer).to_string();
        let authentication = self.client_authentication(&as_id, &as_metadata, &spec.client_attestation).await?;
        let dpop = DpopBinding::for_server(&spec.dpop, &as_metadata, &self.entropy);
        let mut request = TokenRequest::pre_authorized(code, tx_code);
        if spec.authorization_details {
            request.authorization_details =
                Some(AuthorizationDetail::encode(&[AuthorizationDetail::for_configuration(&configuration_id)]));
        }
        let token = self.redeem_with(&token_endpoint, &request, dpop.as_ref(), &authentication).await?;
        self.session_from_token(issuer, metadata, configuration_id, token_endpoint, &token, dpop).await
    }

    /// The session an access token opens: a fresh nonce when the issuer has a nonce endpoint. `dpop`
    /// is the binding the token request was made with, if any.
    pub async fn session_from_token(
        &self,
        issuer: String,
        metadata: CredentialIssuerMetadata,
        configuration_id: String,
        token_endpoint: String,
        token: &TokenResponse,
        dpop: Option<DpopBinding>,
    ) -> Result<Session, FlowError> {
        // A server that binds the token says so in token_type (RFC 9449 §5); a Bearer token is
        // presented as one.
        let dpop = dpop.filter(|_| token.token_type.eq_ignore_ascii_case(crate::dpop::SCHEME));
        let c_nonce = match &metadata.nonce_endpoint {
            Some(endpoint) => Some(self.nonce(endpoint, dpop.as_ref()).await?),
            None => None,
        };
        let credential_identifier = token.credential_identifier(&configuration_id);
        Ok(Session {
            issuer,
            metadata,
            configuration_id,
            token_endpoint,
            access_token: token.access_token.clone(),
            c_nonce,
            credential_identifier,
            dpop,
        })
    }

    /// A credential request that must succeed: HTTP 200 and a credential (the first, a string).
    pub async fn credential(&self, session: &Session, request: &CredentialRequest) -> Result<Issued, FlowError> {
        let response = self.post_credential_for(session, Some(&session.access_token), &request.to_json()).await?;
        if response.status != 200 {
            return Err(FlowError::Status { step: Step::Credential, status: response.status });
        }
        let parsed: CredentialResponse = message(Step::Credential, &response)?;
        let credential = parsed
            .first_string()
            .ok_or(FlowError::Unusable {
                step: Step::Credential,
                reason: "no credentials[0].credential string in the response".into(),
            })?
            .to_string();
        Ok(Issued { session: session.clone(), response: parsed, credential })
    }

    /// The whole pre-authorized code flow, the proof signed by `holder`, as `spec` says.
    pub async fn issue(
        &self,
        offer: &CredentialOffer,
        tx_code: Option<&str>,
        holder: &EcKey,
        spec: &IssuanceSpec,
        entropy: &Entropy,
    ) -> Result<Issued, FlowError> {
        let session = self.session(offer, tx_code, spec).await?;
        let proof = proof::build(holder, &spec.proof, session.proof_target(), entropy);
        self.credential(&session, &session.request(vec![proof])).await
    }
}

fn token_endpoint_of(metadata: &AuthorizationServerMetadata) -> Result<String, FlowError> {
    metadata
        .token_endpoint()
        .map(str::to_string)
        .map_err(|error| FlowError::Message { step: Step::AuthorizationServerMetadata, error })
}
