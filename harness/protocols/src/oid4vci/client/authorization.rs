//! The authorization code flow (§3.4, §5, §6; RFC 6749 §4.1, RFC 7636, RFC 9126), once, for the
//! reference wallet and for the harness as a wallet: the authorization request (pushed when the
//! authorization server publishes a PAR endpoint), the login (a browser the test user is signed in
//! to, or the issuer's control API), and the code redeemed with its `code_verifier`.

use super::{Client, FlowError, IssuanceSpec, Session, Step, message};
use crate::control::{AuthorizeAnswer, AuthorizeRequest};
use crate::oauth::pkce;
use crate::oid4vci::message::{
    AuthorizationDetail, AuthorizationRequest, AuthorizationResponse, AuthorizationServerMetadata,
    CredentialIssuerMetadata, CredentialOffer, PushedAuthorizationResponse, TokenRequest, TokenResponse,
};
use crate::oid4vci::sender::DpopBinding;
use crate::seed::Entropy;
use dialtone_http::HttpResponse;
use serde::Deserialize;

/// Who the wallet is to the authorization server: a public client (RFC 6749 §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    pub client_id: String,
    pub redirect_uri: String,
}

/// How the wallet uses PKCE (RFC 7636); the default is correct.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkceChoice {
    #[default]
    S256,
    Plain,
    /// No `code_challenge` at all.
    Omit,
}

/// When the wallet pushes its authorization request (RFC 9126).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParChoice {
    /// Whenever the authorization server publishes a PAR endpoint (RFC 9126 §5).
    #[default]
    WhenOffered,
    /// Never, even when the server requires it.
    Never,
}

/// How the wallet names the credential it wants (§5.1.1, §5.1.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialAsk {
    /// `authorization_details` when the server takes them (RFC 9396 §10), else the
    /// configuration's `scope`.
    #[default]
    Auto,
    AuthorizationDetails,
    Scope,
}

/// How the wallet runs the authorization code flow; the default is correct.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthorizationSpec {
    pub pkce: PkceChoice,
    pub par: ParChoice,
    pub ask: CredentialAsk,
    /// Give up when the token response has no `authorization_details` (a faulty wallet: §6.2 makes
    /// them optional when `scope` was used).
    pub needs_authorization_details: bool,
    /// Leave out the offer's `issuer_state` (a faulty wallet: §4.1.1 says MUST include it).
    pub drop_issuer_state: bool,
    /// Name the configuration in credential requests even when the token response returned
    /// credential identifiers (a faulty wallet: §8.2).
    pub ignore_credential_identifiers: bool,
}

/// How the login at the authorization endpoint is completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// A browser the test user is signed in to: GET the URL and read where it redirects.
    Follow,
    /// The issuer's control API (`POST {control}/authorize`) completes it as the test user.
    Control(String),
}

/// An authorization request under way: what the wallet keeps until the redirect comes back.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// The URL the user agent opens.
    pub url: String,
    pub request: AuthorizationRequest,
    pub pushed: Option<PushedAuthorizationResponse>,
    /// The PAR endpoint's HTTP status, when the request was pushed (RFC 9126 §2.2: 201).
    pub pushed_status: Option<u16>,
    pub code_verifier: Option<String>,
    pub client: ClientIdentity,
    pub as_metadata: AuthorizationServerMetadata,
    pub token_endpoint: String,
}

impl Authorization {
    /// The code of the redirect, after the checks a client makes (RFC 6749 §4.1.2, §10.12; RFC 9207
    /// §2.4 for `iss`).
    pub fn code(&self, redirect: &str) -> Result<String, FlowError> {
        let unusable = |reason: String| FlowError::Unusable { step: Step::Authorization, reason };
        let response = AuthorizationResponse::from_redirect(redirect).map_err(unusable)?;
        if let Some(error) = &response.error {
            return Err(unusable(format!(
                "the authorization server refused: {error} {}",
                response.error_description.as_deref().unwrap_or_default()
            )));
        }
        if response.state != self.request.state {
            return Err(unusable(format!("state {:?} is not the one sent", response.state)));
        }
        if let (Some(iss), Some(issuer)) = (&response.iss, &self.as_metadata.issuer)
            && iss != issuer
        {
            return Err(unusable(format!("iss {iss:?} is not the authorization server {issuer:?}")));
        }
        response.code.ok_or_else(|| unusable("the redirect carries no code".into()))
    }

    /// The token request redeeming `code` (RFC 6749 §4.1.3, RFC 7636 §4.5).
    pub fn token_request(&self, code: &str) -> TokenRequest {
        TokenRequest::authorization_code(
            code,
            &self.client.redirect_uri,
            self.code_verifier.as_deref(),
            &self.client.client_id,
        )
    }
}

/// What the wallet asks for: the offer's (first) configuration, and the `issuer_state` it carries.
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    pub configuration_id: &'a str,
    pub issuer_state: Option<&'a str>,
}

impl<'a> Wanted<'a> {
    pub fn from_offer(offer: &'a CredentialOffer) -> Result<Self, FlowError> {
        let configuration_id = offer
            .first_configuration()
            .ok_or(FlowError::Unusable { step: Step::Offer, reason: "no credential_configuration_ids".into() })?;
        let issuer_state = offer.authorization_code().and_then(|g| g.issuer_state.as_deref());
        Ok(Self { configuration_id, issuer_state })
    }
}

impl Client {
    /// The authorization server metadata of the issuer's (first) authorization server.
    pub async fn as_metadata(
        &self,
        issuer: &str,
        metadata: &CredentialIssuerMetadata,
    ) -> Result<AuthorizationServerMetadata, FlowError> {
        let response = self.fetch_as_metadata(metadata.authorization_server(issuer)).await?;
        if response.status != 200 {
            return Err(FlowError::Status { step: Step::AuthorizationServerMetadata, status: response.status });
        }
        message(Step::AuthorizationServerMetadata, &response)
    }

    /// The authorization request as `spec` says, and the `code_verifier` kept for the token request.
    pub fn authorization_request(
        spec: &AuthorizationSpec,
        client: &ClientIdentity,
        wanted: &Wanted<'_>,
        metadata: &CredentialIssuerMetadata,
        as_metadata: &AuthorizationServerMetadata,
        entropy: &Entropy,
    ) -> Result<(AuthorizationRequest, Option<String>), FlowError> {
        let scope = metadata.configuration(wanted.configuration_id).and_then(Result::ok).and_then(|c| c.scope);
        let use_details = match spec.ask {
            CredentialAsk::AuthorizationDetails => true,
            CredentialAsk::Scope => false,
            CredentialAsk::Auto => as_metadata.takes_authorization_details() || scope.is_none(),
        };
        let (authorization_details, scope) = if use_details {
            let mut detail = AuthorizationDetail::for_configuration(wanted.configuration_id);
            // §5.1.1: with `authorization_servers`, `locations` names the issuer.
            if metadata.authorization_servers.is_some() {
                detail.locations = metadata.credential_issuer.clone().map(|i| vec![i]);
            }
            (Some(AuthorizationDetail::encode(&[detail])), None)
        } else {
            let scope = scope.ok_or(FlowError::Unusable {
                step: Step::IssuerMetadata,
                reason: format!("configuration {:?} has no scope to ask for it by", wanted.configuration_id),
            })?;
            (None, Some(scope))
        };
        let verifier = (spec.pkce != PkceChoice::Omit).then(|| pkce::verifier(entropy));
        let method = match spec.pkce {
            PkceChoice::S256 => Some(pkce::S256),
            PkceChoice::Plain => Some(pkce::PLAIN),
            PkceChoice::Omit => None,
        };
        let request = AuthorizationRequest {
            response_type: Some(AuthorizationRequest::CODE.into()),
            client_id: Some(client.client_id.clone()),
            redirect_uri: Some(client.redirect_uri.clone()),
            scope,
            state: Some(entropy.token(16)),
            code_challenge: verifier.as_deref().zip(method).map(|(v, m)| pkce::challenge(m, v)),
            code_challenge_method: method.map(str::to_string),
            authorization_details,
            issuer_state: wanted.issuer_state.filter(|_| !spec.drop_issuer_state).map(str::to_string),
            request_uri: None,
        };
        Ok((request, verifier))
    }

    /// POSTs an authorization request to the PAR endpoint, unjudged (RFC 9126 §2.1).
    pub async fn post_par(&self, endpoint: &str, request: &AuthorizationRequest) -> Result<HttpResponse, FlowError> {
        Ok(self.http.post_form(endpoint, &request.form(), &[]).await?)
    }

    /// A pushed request that must succeed: a request URI, and the HTTP status it came with. RFC 9126
    /// §2.2 says 201; any 2xx carries the flow on, so that one wrong status is judged once (by the
    /// case that checks it) rather than failing every case after it.
    pub async fn push(
        &self,
        endpoint: &str,
        request: &AuthorizationRequest,
    ) -> Result<(PushedAuthorizationResponse, u16), FlowError> {
        let response = self.post_par(endpoint, request).await?;
        if !(200..300).contains(&response.status) {
            return Err(FlowError::Status { step: Step::PushedAuthorization, status: response.status });
        }
        message(Step::PushedAuthorization, &response).map(|pushed| (pushed, response.status))
    }

    /// Makes the authorization request of `spec`, pushing it when the server publishes a PAR
    /// endpoint (and `spec` does not say never): the URL to open.
    pub async fn begin_authorization(
        &self,
        issuer: &str,
        metadata: &CredentialIssuerMetadata,
        wanted: &Wanted<'_>,
        client: &ClientIdentity,
        spec: &AuthorizationSpec,
        entropy: &Entropy,
    ) -> Result<Authorization, FlowError> {
        let as_metadata = self.as_metadata(issuer, metadata).await?;
        let as_message = |error| FlowError::Message { step: Step::AuthorizationServerMetadata, error };
        let endpoint = as_metadata.authorization_endpoint().map_err(as_message)?.to_string();
        let token_endpoint = as_metadata.token_endpoint().map_err(as_message)?.to_string();
        let (request, code_verifier) =
            Self::authorization_request(spec, client, wanted, metadata, &as_metadata, entropy)?;
        let par_endpoint = as_metadata.pushed_authorization_request_endpoint.clone();
        let (url, pushed, pushed_status) = match par_endpoint.filter(|_| spec.par == ParChoice::WhenOffered) {
            Some(par) => {
                let (pushed, status) = self.push(&par, &request).await?;
                let by_reference = AuthorizationRequest::by_reference(Some(&client.client_id), &pushed.request_uri);
                (by_reference.url(&endpoint), Some(pushed), Some(status))
            }
            None => (request.url(&endpoint), None, None),
        };
        Ok(Authorization {
            url,
            request,
            pushed,
            pushed_status,
            code_verifier,
            client: client.clone(),
            as_metadata,
            token_endpoint,
        })
    }

    /// Completes the login at `url` as `login` says: where the authorization server redirects.
    pub async fn login(&self, url: &str, login: &Login) -> Result<String, FlowError> {
        let unusable = |reason: String| FlowError::Unusable { step: Step::Authorization, reason };
        match login {
            Login::Follow => {
                let response = self.http.get(url, &[("Accept", "text/html")]).await?;
                match (response.status, response.header("location")) {
                    (300..=399, Some(location)) => Ok(location.to_string()),
                    (status @ 200..=299, _) => Err(unusable(format!(
                        "HTTP {status}: the authorization endpoint shows a page for a person to sign in"
                    ))),
                    (status, _) => Err(FlowError::Status { step: Step::Authorization, status }),
                }
            }
            Login::Control(control) => match self.control_authorize(control, url).await? {
                AuthorizeAnswer { redirect: Some(redirect), .. } => Ok(redirect),
                AuthorizeAnswer { error, error_description, .. } => Err(unusable(format!(
                    "the authorization server refused without redirecting: {} {}",
                    error.unwrap_or_default(),
                    error_description.unwrap_or_default()
                ))),
            },
        }
    }

    /// Asks the issuer's control API to sign the test user in at `url` (`POST {control}/authorize`).
    pub async fn control_authorize(&self, control: &str, url: &str) -> Result<AuthorizeAnswer, FlowError> {
        let unusable = |reason: String| FlowError::Unusable { step: Step::Authorization, reason };
        let body =
            serde_json::to_value(AuthorizeRequest { authorization_url: url.into() }).unwrap_or(serde_json::Value::Null);
        let response = self.http.post_json(&format!("{}/authorize", control.trim_end_matches('/')), &body, &[]).await?;
        if response.status != 200 {
            return Err(unusable(format!("the control API's authorize answered HTTP {}", response.status)));
        }
        response
            .json()
            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .map_err(|e| unusable(format!("the control API's authorize answer: {e}")))
    }

    /// Offer → metadata → authorization (PAR, login) → token → nonce, as `spec` says.
    pub async fn authorized_session(
        &self,
        offer: &CredentialOffer,
        spec: &IssuanceSpec,
        client: &ClientIdentity,
        login: &Login,
        entropy: &Entropy,
    ) -> Result<(Session, TokenResponse), FlowError> {
        let issuer = offer.credential_issuer.clone();
        let wanted = Wanted::from_offer(offer)?;
        let metadata = self.issuer_metadata(&issuer, spec.checks).await?;
        let authorization =
            self.begin_authorization(&issuer, &metadata, &wanted, client, &spec.authorization, entropy).await?;
        let redirect = self.login(&authorization.url, login).await?;
        let code = authorization.code(&redirect)?;
        let dpop = DpopBinding::for_server(&spec.dpop, &authorization.as_metadata, self.entropy());
        let token =
            self.redeem(&authorization.token_endpoint, &authorization.token_request(&code), dpop.as_ref()).await?;
        if spec.authorization.needs_authorization_details && token.authorization_details.is_none() {
            return Err(FlowError::Unusable {
                step: Step::Token,
                reason: "the token response has no authorization_details".into(),
            });
        }
        let configuration_id = wanted.configuration_id.to_string();
        let mut session = self
            .session_from_token(issuer, metadata, configuration_id, authorization.token_endpoint, &token, dpop)
            .await?;
        if spec.authorization.ignore_credential_identifiers {
            session.credential_identifier = None;
        }
        Ok((session, token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> ClientIdentity {
        ClientIdentity { client_id: "wallet".into(), redirect_uri: "https://wallet.example/cb".into() }
    }

    #[test]
    fn a_redirect_is_checked_for_state_and_iss() {
        let entropy = Entropy::seeded(3);
        let as_metadata = AuthorizationServerMetadata {
            issuer: Some("https://as.example".into()),
            authorization_details_types_supported: Some(vec![AuthorizationDetail::OPENID_CREDENTIAL.into()]),
            ..AuthorizationServerMetadata::default()
        };
        let wanted = Wanted { configuration_id: "c", issuer_state: Some("st") };
        let (request, verifier) = Client::authorization_request(
            &AuthorizationSpec::default(),
            &identity(),
            &wanted,
            &CredentialIssuerMetadata::default(),
            &as_metadata,
            &entropy,
        )
        .unwrap();
        let verifier = verifier.unwrap();
        assert_eq!(request.code_challenge.as_deref(), Some(pkce::s256_challenge(&verifier).as_str()));
        assert_eq!(request.code_challenge_method.as_deref(), Some(pkce::S256));
        assert_eq!(request.issuer_state.as_deref(), Some("st"));
        let details = AuthorizationDetail::decode(request.authorization_details.as_deref().unwrap()).unwrap();
        assert_eq!(details[0].credential_configuration_id.as_deref(), Some("c"));
        let authorization = Authorization {
            url: String::new(),
            request: request.clone(),
            pushed: None,
            pushed_status: None,
            code_verifier: Some(verifier),
            client: identity(),
            as_metadata,
            token_endpoint: String::new(),
        };
        let good = AuthorizationResponse {
            code: Some("abc".into()),
            state: request.state.clone(),
            iss: Some("https://as.example".into()),
            ..AuthorizationResponse::default()
        };
        let cb = "https://wallet.example/cb";
        assert_eq!(authorization.code(&good.redirect(cb)).unwrap(), "abc");
        let other_state = AuthorizationResponse { state: Some("x".into()), ..good.clone() };
        assert!(authorization.code(&other_state.redirect(cb)).is_err());
        let other_iss = AuthorizationResponse { iss: Some("https://evil.example".into()), ..good.clone() };
        assert!(authorization.code(&other_iss.redirect(cb)).is_err());
        let refused = AuthorizationResponse { error: Some("access_denied".into()), ..good };
        assert!(authorization.code(&refused.redirect(cb)).is_err());
        let token = authorization.token_request("abc");
        assert_eq!(token.grant_type.as_deref(), Some(crate::oid4vci::AUTHORIZATION_CODE_GRANT));
        assert_eq!(token.redirect_uri.as_deref(), Some(cb));
    }
}
