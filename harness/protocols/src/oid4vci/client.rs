//! The wallet side of OpenID4VCI 1.0, once: reading an offer, the issuer's and authorization
//! server's metadata, the token, nonce and credential endpoints, and the pre-authorized code flow
//! that strings them together. The reference wallet runs it as a wallet does; the harness, as the
//! wallet in front of an issuer under test, runs its steps one by one with the deviation a case needs.
//! Every exchange goes through the bounded, recording [`HttpClient`].

use super::message::{
    AuthorizationServerMetadata, CredentialIssuerMetadata, CredentialOffer, CredentialRequest, CredentialResponse,
    NonceResponse, OFFER_BY_REFERENCE, OFFER_BY_VALUE, TokenRequest, TokenResponse,
};
use super::proof::{self, ProofSpec, ProofTarget};
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

/// The steps of the flow, as reports name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Offer,
    IssuerMetadata,
    AuthorizationServerMetadata,
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
}

impl Session {
    pub fn credential_endpoint(&self) -> Result<&str, FlowError> {
        self.metadata.credential_endpoint().map_err(|error| FlowError::Message { step: Step::IssuerMetadata, error })
    }

    /// The target a proof for this session names.
    pub fn proof_target(&self) -> ProofTarget<'_> {
        ProofTarget { issuer: &self.issuer, token_endpoint: &self.token_endpoint, c_nonce: self.c_nonce.as_deref() }
    }

    /// A credential request for the session's configuration carrying `proofs`.
    pub fn request(&self, proofs: Vec<String>) -> CredentialRequest {
        CredentialRequest::with_jwt_proofs(&self.configuration_id, proofs)
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
    /// The wallet's client attestation and the entropy of its PoPs (`jti`), when it has one.
    attestation: Option<(ClientCredentials, Arc<Entropy>)>,
}

fn message<T: Message>(step: Step, response: &HttpResponse) -> Result<T, FlowError> {
    T::parse_bytes(&response.body).map(|r| r.value).map_err(|error| FlowError::Message { step, error })
}

impl Client {
    pub fn new(http: HttpClient) -> Self {
        Self { http, attestation: None }
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
        self.authorization_server(issuer, metadata).await.map(|(endpoint, _, _)| endpoint)
    }

    /// The issuer's (first) authorization server: its token endpoint, identifier and metadata.
    pub async fn authorization_server(
        &self,
        issuer: &str,
        metadata: &CredentialIssuerMetadata,
    ) -> Result<(String, String, AuthorizationServerMetadata), FlowError> {
        let as_id = metadata.authorization_server(issuer).to_string();
        let response = self.fetch_as_metadata(&as_id).await?;
        let as_metadata: AuthorizationServerMetadata = message(Step::AuthorizationServerMetadata, &response)?;
        let endpoint = as_metadata
            .token_endpoint()
            .map(str::to_string)
            .map_err(|error| FlowError::Message { step: Step::AuthorizationServerMetadata, error })?;
        Ok((endpoint, as_id, as_metadata))
    }

    /// POSTs form parameters to the token endpoint, unjudged.
    pub async fn post_token(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<HttpResponse, FlowError> {
        Ok(self.http.post_form(endpoint, form, &[]).await?)
    }

    /// POSTs form parameters with extra header fields (a client attestation's) to the token endpoint,
    /// unjudged.
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

    /// A token request that must succeed: HTTP 200 and a token response.
    pub async fn redeem(&self, endpoint: &str, request: &TokenRequest) -> Result<TokenResponse, FlowError> {
        self.redeem_with(endpoint, request, &[]).await
    }

    /// [`Self::redeem`] with extra header fields (client authentication).
    pub async fn redeem_with(
        &self,
        endpoint: &str,
        request: &TokenRequest,
        headers: &[(&'static str, String)],
    ) -> Result<TokenResponse, FlowError> {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let response = self.post_token_with(endpoint, &request.form(), &headers).await?;
        if response.status != 200 {
            return Err(FlowError::Status { step: Step::Token, status: response.status });
        }
        message(Step::Token, &response)
    }

    /// POSTs to the nonce endpoint, unjudged.
    pub async fn post_nonce(&self, endpoint: &str) -> Result<HttpResponse, FlowError> {
        Ok(self.http.send("POST", endpoint, &[], Body::None).await?)
    }

    /// A fresh `c_nonce` (§7).
    pub async fn nonce(&self, endpoint: &str) -> Result<String, FlowError> {
        let response = self.post_nonce(endpoint).await?;
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
        let auth = access_token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| vec![("Authorization", a)]).unwrap_or_default();
        Ok(self.http.post_json(endpoint, body, &headers).await?)
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
        let (token_endpoint, as_id, as_metadata) = self.authorization_server(&issuer, &metadata).await?;
        let authentication = self.client_authentication(&as_id, &as_metadata, &spec.client_attestation).await?;
        let token =
            self.redeem_with(&token_endpoint, &TokenRequest::pre_authorized(code, tx_code), &authentication).await?;
        let c_nonce = match &metadata.nonce_endpoint {
            Some(endpoint) => Some(self.nonce(endpoint).await?),
            None => None,
        };
        Ok(Session { issuer, metadata, configuration_id, token_endpoint, access_token: token.access_token, c_nonce })
    }

    /// A credential request that must succeed: HTTP 200 and a credential (the first, a string).
    pub async fn credential(&self, session: &Session, request: &CredentialRequest) -> Result<Issued, FlowError> {
        let response = self
            .post_credential(session.credential_endpoint()?, Some(&session.access_token), &request.to_json())
            .await?;
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
