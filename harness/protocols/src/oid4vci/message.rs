//! OpenID4VCI 1.0 messages, typed. Members the specification requires but that the harness must be
//! able to see missing (to report which) are `Option`s with an accessor that names the clause;
//! members a party may add beyond the specification are kept in `extra` (the specification says
//! they MUST be ignored, and a report may still want to show them).
//!
//! These types are the one place where OpenID4VCI member names are spelled.

use crate::message::{Message, MessageError, required};
use dialtone_http::SecretMembers;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Members whose values are secrets, never shown in evidence: OpenID4VCI's, the OAuth 2.0 ones
/// they sit beside, and a JWK's private part (RFC 7518 §6.2.2, §6.3.2, §6.4.1). The evidence
/// recorder learns their values and replaces them wherever they appear, in every encoding. A
/// `c_nonce` is not one: it buys nothing without the holder's key, and proofs show it.
pub const SECRET_MEMBERS: SecretMembers = SecretMembers {
    anywhere: &[
        "pre-authorized_code",
        "tx_code",
        "access_token",
        "refresh_token",
        "code_verifier",
        "client_secret",
        "issuer_state",
    ],
    // The authorization code: a form and query parameter (RFC 6749 §4.1.2, §4.1.3).
    in_forms: &["code"],
    in_keys: &["d", "p", "q", "dp", "dq", "qi", "k"],
};

/// The query parameter that carries an access token (RFC 6750 §2.3, which OpenID4VCI does not use).
pub const QUERY_ACCESS_TOKEN: &str = "access_token";

/// The parameter of an `openid-credential-offer://` URI that carries the offer by value (§4.1).
pub const OFFER_BY_VALUE: &str = "credential_offer";
/// The parameter that carries it by reference (§4.1).
pub const OFFER_BY_REFERENCE: &str = "credential_offer_uri";

/// §4.1.1
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialOffer {
    pub credential_issuer: String,
    pub credential_configuration_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Grants>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for CredentialOffer {
    const NAME: &'static str = "credential offer";
    const CLAUSE: &'static str = "OID4VCI-1.0 §4.1.1";
}

impl CredentialOffer {
    pub fn pre_authorized(&self) -> Option<&PreAuthorizedCodeGrant> {
        self.grants.as_ref()?.pre_authorized_code.as_ref()
    }
    pub fn pre_authorized_code(&self) -> Option<&str> {
        self.pre_authorized().map(|g| g.pre_authorized_code.as_str())
    }
    /// Whether the offer asks for a transaction code (a `tx_code` object, even empty).
    pub fn expects_tx_code(&self) -> bool {
        self.pre_authorized().is_some_and(|g| g.tx_code.is_some())
    }
    /// The authorization code grant, when the offer has one (§4.1.1).
    pub fn authorization_code(&self) -> Option<&AuthorizationCodeGrant> {
        self.grants.as_ref()?.authorization_code.as_ref()
    }
    pub fn first_configuration(&self) -> Option<&str> {
        self.credential_configuration_ids.first().map(String::as_str)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Grants {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<AuthorizationCodeGrant>,
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<PreAuthorizedCodeGrant>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationCodeGrant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreAuthorizedCodeGrant {
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<TxCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

/// §4.1.1: how the transaction code looks, for the wallet's input screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TxCode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// §12.2.4
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialIssuerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_servers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_credential_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_request_encryption: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_credential_issuance: Option<BatchCredentialIssuance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_metadata: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<Display>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_configurations_supported: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for CredentialIssuerMetadata {
    const NAME: &'static str = "credential issuer metadata";
    const CLAUSE: &'static str = "OID4VCI-1.0 §12.2.4";
}

impl CredentialIssuerMetadata {
    /// The Credential Issuer Metadata parameters (§12.2.4): those signed metadata must carry as
    /// claims when the issuer uses them (§12.2.3); other members of its metadata are its own.
    pub const PARAMETERS: [&'static str; 11] = [
        "credential_issuer",
        "authorization_servers",
        "credential_endpoint",
        "nonce_endpoint",
        "deferred_credential_endpoint",
        "notification_endpoint",
        "credential_request_encryption",
        "credential_response_encryption",
        "batch_credential_issuance",
        "display",
        "credential_configurations_supported",
    ];

    pub const CREDENTIAL_ENDPOINT: &'static str = "credential_endpoint";

    pub fn credential_endpoint(&self) -> Result<&str, MessageError> {
        required(self.credential_endpoint.as_deref(), Self::NAME, Self::CLAUSE, Self::CREDENTIAL_ENDPOINT)
    }

    /// The authorization server to use: the first of `authorization_servers`, else the issuer
    /// itself (§12.2.4).
    pub fn authorization_server<'a>(&'a self, issuer: &'a str) -> &'a str {
        self.authorization_servers.as_ref().and_then(|a| a.first()).map(String::as_str).unwrap_or(issuer)
    }

    /// The URL members a wallet is sent to, by name (for the https rule of §12.2.4).
    pub fn endpoint_urls(&self) -> Vec<(&'static str, &str)> {
        let mut urls = Vec::new();
        for (name, value) in [
            ("credential_issuer", &self.credential_issuer),
            ("credential_endpoint", &self.credential_endpoint),
            ("nonce_endpoint", &self.nonce_endpoint),
            ("deferred_credential_endpoint", &self.deferred_credential_endpoint),
            ("notification_endpoint", &self.notification_endpoint),
        ] {
            if let Some(v) = value {
                urls.push((name, v.as_str()));
            }
        }
        for server in self.authorization_servers.iter().flatten() {
            urls.push(("authorization_servers[]", server.as_str()));
        }
        urls
    }

    /// The optional endpoint members present, by name (each must be a URL).
    pub fn optional_endpoints(&self) -> Vec<(&'static str, &str)> {
        [
            ("nonce_endpoint", &self.nonce_endpoint),
            ("deferred_credential_endpoint", &self.deferred_credential_endpoint),
            ("notification_endpoint", &self.notification_endpoint),
        ]
        .into_iter()
        .filter_map(|(n, v)| v.as_deref().map(|v| (n, v)))
        .collect()
    }

    /// One configuration, typed.
    pub fn configuration(&self, id: &str) -> Option<Result<CredentialConfiguration, MessageError>> {
        let value = self.credential_configurations_supported.as_ref()?.get(id)?;
        Some(CredentialConfiguration::parse(value).map(|r| r.value))
    }

    /// Every configuration, typed (one that is not an object, or malformed, is an `Err`).
    pub fn configurations(&self) -> Vec<(&str, Result<CredentialConfiguration, MessageError>)> {
        self.credential_configurations_supported
            .iter()
            .flatten()
            .map(|(id, v)| (id.as_str(), CredentialConfiguration::parse(v).map(|r| r.value)))
            .collect()
    }
}

/// Display properties for one language (§12.2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Display {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Display {
    pub fn named(name: &str, locale: &str) -> Self {
        Self { name: Some(name.into()), locale: Some(locale.into()), extra: Map::new() }
    }
}

/// `credential_metadata` of a configuration (§12.2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<Display>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimDescription>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A claims description (Appendix B.2): the claim's path and how to show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimDescription {
    pub path: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Vec<Display>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ClaimDescription {
    pub fn at(path: &[&str]) -> Self {
        Self { path: path.iter().map(|p| Value::String((*p).into())).collect(), ..Self::default() }
    }
}

/// A proof type's metadata (§12.2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProofTypeMetadata {
    pub proof_signing_alg_values_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_attestations_required: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCredentialIssuance {
    pub batch_size: u32,
}

/// One entry of `credential_configurations_supported` (§12.2.4, Appendix A).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `dc+sd-jwt` (Appendix A.3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct: Option<String>,
    /// `mso_mdoc` (Appendix A.2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cryptographic_binding_methods_supported: Option<Vec<String>>,
    /// Strings for JOSE formats, COSE algorithm numbers for mdoc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_signing_alg_values_supported: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_types_supported: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_metadata: Option<CredentialMetadata>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for CredentialConfiguration {
    const NAME: &'static str = "credential configuration";
    const CLAUSE: &'static str = "OID4VCI-1.0 §12.2.4";
}

impl CredentialConfiguration {
    /// The signing algorithms listed, as strings (JOSE formats).
    pub fn signing_algs(&self) -> Option<Vec<String>> {
        let list = self.credential_signing_alg_values_supported.as_ref()?.as_array()?;
        Some(list.iter().filter_map(Value::as_str).map(str::to_string).collect())
    }

    /// `proof_types_supported` as name → `proof_signing_alg_values_supported` (None where that
    /// member is absent or not an array of strings); `Err` when it is not an object.
    pub fn proof_types(&self) -> Option<Result<Vec<ProofTypeAlgs<'_>>, &Value>> {
        let value = self.proof_types_supported.as_ref()?;
        let Some(types) = value.as_object() else { return Some(Err(value)) };
        Some(Ok(types
            .iter()
            .map(|(name, t)| {
                let algs = t
                    .get("proof_signing_alg_values_supported")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|x| x.as_str().unwrap_or("")).collect());
                (name.as_str(), algs)
            })
            .collect()))
    }
}

/// A proof type's name and its `proof_signing_alg_values_supported`, when that is an array.
pub type ProofTypeAlgs<'a> = (&'a str, Option<Vec<&'a str>>);

/// RFC 8414 §2 with OpenID4VCI's additions (§12.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    #[serde(
        rename = "pre-authorized_grant_anonymous_access_supported",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_grant_anonymous_access_supported: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// RFC 8414 §2 (REQUIRED there; the pre-authorized code flow alone has no use for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// RFC 9396 §10: `openid_credential` when `authorization_details` is understood (§5.1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details_types_supported: Option<Vec<String>>,
    /// RFC 9207 §3: the authorization response carries `iss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for AuthorizationServerMetadata {
    const NAME: &'static str = "authorization server metadata";
    const CLAUSE: &'static str = "RFC8414 §2, OID4VCI-1.0 §12.3";
}

impl AuthorizationServerMetadata {
    pub const TOKEN_ENDPOINT: &'static str = "token_endpoint";

    pub fn token_endpoint(&self) -> Result<&str, MessageError> {
        required(self.token_endpoint.as_deref(), Self::NAME, Self::CLAUSE, Self::TOKEN_ENDPOINT)
    }

    pub fn authorization_endpoint(&self) -> Result<&str, MessageError> {
        required(self.authorization_endpoint.as_deref(), Self::NAME, Self::CLAUSE, "authorization_endpoint")
    }

    /// Whether authorization requests must be pushed (RFC 9126 §5; absent means false).
    pub fn requires_par(&self) -> bool {
        self.require_pushed_authorization_requests == Some(true)
    }

    /// Whether `authorization_details` of type `openid_credential` is understood (RFC 9396 §10).
    pub fn takes_authorization_details(&self) -> bool {
        self.authorization_details_types_supported.iter().flatten().any(|t| t == AuthorizationDetail::OPENID_CREDENTIAL)
    }
}

// ---- The authorization code flow (§5, RFC 6749 §4.1, RFC 7636, RFC 9126) ----

/// An authorization details object (RFC 9396 §2) of type `openid_credential` (§5.1.1), and as the
/// token response returns it with `credential_identifiers` (§6.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationDetail {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_configuration_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_identifiers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AuthorizationDetail {
    pub const OPENID_CREDENTIAL: &'static str = "openid_credential";

    /// A request for one configuration.
    pub fn for_configuration(configuration_id: &str) -> Self {
        Self {
            kind: Self::OPENID_CREDENTIAL.into(),
            credential_configuration_id: Some(configuration_id.into()),
            ..Self::default()
        }
    }

    /// The `authorization_details` parameter's value: a JSON array as text.
    pub fn encode(details: &[Self]) -> String {
        serde_json::to_string(details).unwrap_or_default()
    }

    /// Reads the parameter: a non-empty JSON array of objects each with a string `type`.
    pub fn decode(text: &str) -> Result<Vec<Self>, String> {
        let details: Vec<Self> =
            serde_json::from_str(text).map_err(|e| format!("authorization_details is not an array of objects: {e}"))?;
        if details.is_empty() {
            return Err("authorization_details is empty".into());
        }
        Ok(details)
    }
}

/// Reads parameters into `target`'s slots: one given twice is an error (RFC 6749 §3.1, §3.2),
/// unknown ones are ignored.
fn read_pairs<T>(
    pairs: &[(String, String)],
    target: &mut T,
    slot: for<'a> fn(&'a mut T, &str) -> Option<&'a mut Option<String>>,
) -> Result<(), TokenRequestError> {
    for (name, value) in pairs {
        let Some(slot) = slot(target, name.as_str()) else { continue };
        if slot.is_some() {
            return Err(TokenRequestError::Repeated(name.clone()));
        }
        *slot = Some(value.clone());
    }
    Ok(())
}

/// An authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, §5.1 here), as query or form
/// parameters; pushed (RFC 9126 §2.1) with the same members, or referenced by `request_uri` (§4
/// there). Every member is optional so that the harness can send (and the reference judge) requests
/// that lack one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    /// JSON text (RFC 9396 §2).
    pub authorization_details: Option<String>,
    pub issuer_state: Option<String>,
    pub request_uri: Option<String>,
}

impl AuthorizationRequest {
    /// The only `response_type` of the flow (RFC 6749 §4.1.1).
    pub const CODE: &'static str = "code";

    fn members(&self) -> [(&'static str, &Option<String>); 10] {
        [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("authorization_details", &self.authorization_details),
            ("issuer_state", &self.issuer_state),
            ("request_uri", &self.request_uri),
        ]
    }

    /// The parameters present, in the order above.
    pub fn form(&self) -> Vec<(&'static str, &str)> {
        self.members().into_iter().filter_map(|(k, v)| v.as_deref().map(|v| (k, v))).collect()
    }

    /// The authorization endpoint URL carrying these parameters in its query.
    pub fn url(&self, endpoint: &str) -> String {
        let query = serde_urlencoded::to_string(self.form()).unwrap_or_default();
        let joiner = if endpoint.contains('?') { '&' } else { '?' };
        format!("{endpoint}{joiner}{query}")
    }

    /// What the client sends to the authorization endpoint after a pushed request (RFC 9126 §4).
    pub fn by_reference(client_id: Option<&str>, request_uri: &str) -> Self {
        Self { client_id: client_id.map(str::to_string), request_uri: Some(request_uri.into()), ..Self::default() }
    }

    /// Reads parameters; one given twice is an error, unknown ones are ignored (§5.1.3).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, TokenRequestError> {
        let mut r = Self::default();
        read_pairs(pairs, &mut r, |r, name| {
            Some(match name {
                "response_type" => &mut r.response_type,
                "client_id" => &mut r.client_id,
                "redirect_uri" => &mut r.redirect_uri,
                "scope" => &mut r.scope,
                "state" => &mut r.state,
                "code_challenge" => &mut r.code_challenge,
                "code_challenge_method" => &mut r.code_challenge_method,
                "authorization_details" => &mut r.authorization_details,
                "issuer_state" => &mut r.issuer_state,
                "request_uri" => &mut r.request_uri,
                _ => return None,
            })
        })?;
        Ok(r)
    }

    /// Whether the request is by reference to a pushed one (RFC 9126 §4).
    pub fn is_by_reference(&self) -> bool {
        self.request_uri.is_some()
    }

    /// Reads a form body or a URL's query.
    pub fn from_query(query: &str) -> Result<Self, TokenRequestError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| TokenRequestError::NotForm)?;
        Self::from_pairs(&pairs)
    }
}

/// The pushed authorization response (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushedAuthorizationResponse {
    pub request_uri: String,
    pub expires_in: i64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for PushedAuthorizationResponse {
    const NAME: &'static str = "pushed authorization response";
    const CLAUSE: &'static str = "RFC9126 §2.2";
}

impl PushedAuthorizationResponse {
    /// The URN prefix of request URIs a server makes (RFC 9126 §2.2).
    pub const REQUEST_URI_PREFIX: &'static str = "urn:ietf:params:oauth:request_uri:";
}

/// The authorization response (RFC 6749 §4.1.2, §4.1.2.1; `iss` of RFC 9207), read from the query of
/// the redirect the authorization server sends the user agent to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationResponse {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl AuthorizationResponse {
    /// The redirect URL: `redirect_uri` with this response in its query.
    pub fn redirect(&self, redirect_uri: &str) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("code", &self.code),
            ("state", &self.state),
            ("iss", &self.iss),
            ("error", &self.error),
            ("error_description", &self.error_description),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect();
        let joiner = if redirect_uri.contains('?') { '&' } else { '?' };
        format!("{redirect_uri}{joiner}{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }

    /// Reads the response from a redirect URL (its query; a fragment is ignored).
    pub fn from_redirect(url: &str) -> Result<Self, String> {
        let without_fragment = url.split('#').next().unwrap_or_default();
        let query = without_fragment.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| format!("the redirect's query is not form-encoded: {e}"))?;
        let mut r = Self::default();
        read_pairs(&pairs, &mut r, |r, name| {
            Some(match name {
                "code" => &mut r.code,
                "state" => &mut r.state,
                "iss" => &mut r.iss,
                "error" => &mut r.error,
                "error_description" => &mut r.error_description,
                _ => return None,
            })
        })
        .map_err(|e| e.to_string())?;
        Ok(r)
    }
}

/// A token request (RFC 6749 §4.1.3, §6 here), as form parameters. Every member is optional so
/// that the harness can send (and the reference can judge) requests that lack one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub pre_authorized_code: Option<String>,
    pub tx_code: Option<String>,
    pub code: Option<String>,
    pub code_verifier: Option<String>,
    pub redirect_uri: Option<String>,
    pub client_id: Option<String>,
    pub authorization_details: Option<String>,
}

/// Why a token request's form does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRequestError {
    #[error("the body is not application/x-www-form-urlencoded")]
    NotForm,
    #[error("parameter {0} is repeated (RFC 6749 §3.2)")]
    Repeated(String),
}

impl TokenRequest {
    /// The pre-authorized code grant for `code` (and `tx_code`).
    pub fn pre_authorized(code: &str, tx_code: Option<&str>) -> Self {
        Self {
            grant_type: Some(super::PRE_AUTHORIZED_GRANT.into()),
            pre_authorized_code: Some(code.into()),
            tx_code: tx_code.map(str::to_string),
            ..Self::default()
        }
    }

    /// The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5).
    pub fn authorization_code(code: &str, redirect_uri: &str, code_verifier: Option<&str>, client_id: &str) -> Self {
        Self {
            grant_type: Some(super::AUTHORIZATION_CODE_GRANT.into()),
            code: Some(code.into()),
            redirect_uri: Some(redirect_uri.into()),
            code_verifier: code_verifier.map(str::to_string),
            client_id: Some(client_id.into()),
            ..Self::default()
        }
    }

    fn members(&self) -> [(&'static str, &Option<String>); 8] {
        [
            ("grant_type", &self.grant_type),
            ("pre-authorized_code", &self.pre_authorized_code),
            ("tx_code", &self.tx_code),
            ("code", &self.code),
            ("code_verifier", &self.code_verifier),
            ("redirect_uri", &self.redirect_uri),
            ("client_id", &self.client_id),
            ("authorization_details", &self.authorization_details),
        ]
    }

    /// The form parameters, in the order above.
    pub fn form(&self) -> Vec<(&'static str, &str)> {
        self.members().into_iter().filter_map(|(k, v)| v.as_deref().map(|v| (k, v))).collect()
    }

    /// Reads a form body; a parameter given twice is an error, unknown ones are ignored (§6.1).
    pub fn from_form(body: &[u8]) -> Result<Self, TokenRequestError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|_| TokenRequestError::NotForm)?;
        Self::from_pairs(&pairs)
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, TokenRequestError> {
        let mut request = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "grant_type" => &mut request.grant_type,
                "pre-authorized_code" => &mut request.pre_authorized_code,
                "tx_code" => &mut request.tx_code,
                "code" => &mut request.code,
                "code_verifier" => &mut request.code_verifier,
                "redirect_uri" => &mut request.redirect_uri,
                "client_id" => &mut request.client_id,
                "authorization_details" => &mut request.authorization_details,
                _ => continue,
            };
            if slot.is_some() {
                return Err(TokenRequestError::Repeated(name.clone()));
            }
            *slot = Some(value.clone());
        }
        Ok(request)
    }
}

/// RFC 6749 §5.1, §6.2 here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for TokenResponse {
    const NAME: &'static str = "token response";
    const CLAUSE: &'static str = "RFC6749 §5.1, OID4VCI-1.0 §6.2";
}

impl TokenResponse {
    /// The `openid_credential` authorization details returned (§6.2), typed; entries of other
    /// types, or that do not read, are left out.
    pub fn credential_details(&self) -> Vec<AuthorizationDetail> {
        self.authorization_details
            .iter()
            .flatten()
            .filter_map(|v| serde_json::from_value::<AuthorizationDetail>(v.clone()).ok())
            .filter(|d| d.kind == AuthorizationDetail::OPENID_CREDENTIAL)
            .collect()
    }

    /// The first credential identifier returned for `configuration_id` (§6.2).
    pub fn credential_identifier(&self, configuration_id: &str) -> Option<String> {
        self.credential_details()
            .into_iter()
            .filter(|d| d.credential_configuration_id.as_deref() == Some(configuration_id))
            .find_map(|d| d.credential_identifiers.and_then(|ids| ids.into_iter().next()))
    }
}

/// §7.2
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonceResponse {
    pub c_nonce: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for NonceResponse {
    const NAME: &'static str = "nonce response";
    const CLAUSE: &'static str = "OID4VCI-1.0 §7.2";
}

/// §8.2
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_configuration_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_identifier: Option<String>,
    /// Kept as JSON: a malformed `proofs` is `invalid_proof`, not an unreadable request (§8.3.1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proofs: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for CredentialRequest {
    const NAME: &'static str = "credential request";
    const CLAUSE: &'static str = "OID4VCI-1.0 §8.2";
}

/// The proof types of `proofs` (§8.2, Appendix F).
pub mod proof_type {
    pub const JWT: &str = "jwt";
    pub const ATTESTATION: &str = "attestation";
    pub const DI_VP: &str = "di_vp";
}

impl CredentialRequest {
    /// A request for `configuration_id` with JWT proofs.
    pub fn with_jwt_proofs(configuration_id: &str, proofs: Vec<String>) -> Self {
        let mut request = Self { credential_configuration_id: Some(configuration_id.into()), ..Self::default() };
        request.set_jwt_proofs(proofs);
        request
    }

    pub fn set_jwt_proofs(&mut self, proofs: Vec<String>) {
        let mut object = Map::new();
        object.insert(proof_type::JWT.into(), Value::from(proofs));
        self.proofs = Some(Value::Object(object));
    }

    /// A request for `configuration_id` whose proof is one key attestation (Appendix F.3).
    pub fn with_attestation_proof(configuration_id: &str, attestation: String) -> Self {
        let mut object = Map::new();
        object.insert(proof_type::ATTESTATION.into(), Value::from(vec![attestation]));
        Self {
            credential_configuration_id: Some(configuration_id.into()),
            proofs: Some(Value::Object(object)),
            ..Self::default()
        }
    }

    /// The key attestation of an `attestation` proof: `proofs` holds exactly that type, with an
    /// array of exactly one string (Appendix F.3). `Some(Err)` when the type is there, malformed.
    pub fn attestation_proof(&self) -> Option<Result<&str, &'static str>> {
        let object = self.proofs.as_ref()?.as_object()?;
        let list = object.get(proof_type::ATTESTATION)?;
        if object.len() != 1 {
            return Some(Err("proofs must hold one proof type"));
        }
        Some(match list.as_array().map(Vec::as_slice) {
            Some([one]) => one.as_str().ok_or("the attestation proof must be a JWT string"),
            _ => Err("the attestation proof type holds exactly one key attestation (Appendix F.3)"),
        })
    }

    /// The JWT proofs, when `proofs` holds exactly the `jwt` type with an array of strings.
    pub fn jwt_proofs(&self) -> Option<Vec<&str>> {
        let object = self.proofs.as_ref()?.as_object().filter(|o| o.len() == 1)?;
        object.get(proof_type::JWT)?.as_array()?.iter().map(Value::as_str).collect()
    }
}

/// §8.3
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Vec<IssuedCredential>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for CredentialResponse {
    const NAME: &'static str = "credential response";
    const CLAUSE: &'static str = "OID4VCI-1.0 §8.3";
}

impl CredentialResponse {
    pub fn immediate(credentials: Vec<Value>) -> Self {
        Self {
            credentials: Some(
                credentials.into_iter().map(|credential| IssuedCredential { credential, extra: Map::new() }).collect(),
            ),
            ..Self::default()
        }
    }

    /// The first credential when it is a string (the JOSE and SD-JWT formats).
    pub fn first_string(&self) -> Option<&str> {
        self.credentials.as_ref()?.first()?.credential.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCredential {
    pub credential: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The shape of credential responses before OpenID4VCI 1.0 (drafts up to 13): one top-level
/// `credential` and its `format`. Still seen in the wild; not conformant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyCredentialResponse {
    pub credential: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl Message for LegacyCredentialResponse {
    const NAME: &'static str = "draft-13 credential response";
    const CLAUSE: &'static str = "OID4VCI draft 13 §7.3";
}

/// An OAuth 2.0 error response (RFC 6749 §5.2, RFC 6750 §3.1, §8.3.1.2 here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ErrorResponse {
    const NAME: &'static str = "error response";
    const CLAUSE: &'static str = "RFC6749 §5.2, OID4VCI-1.0 §8.3.1.2";
}

impl ErrorResponse {
    pub fn new(error: &str, description: impl Into<String>) -> Self {
        Self { error: error.into(), error_description: Some(description.into()), error_uri: None, extra: Map::new() }
    }

    /// An error response with its code alone.
    pub fn code(error: &str) -> Self {
        Self { error: error.into(), error_description: None, error_uri: None, extra: Map::new() }
    }

    /// Whether `error_description` keeps to `%x20-21 / %x23-5B / %x5D-7E` (§8.3.1.2); the first
    /// character outside when not.
    pub fn description_outside_charset(&self) -> Option<char> {
        self.error_description
            .as_deref()?
            .chars()
            .find(|c| !matches!(*c as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
    }
}

/// The JWT proof's claims (Appendix F.1). `aud` is a string or an array of one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProofClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ProofClaims {
    const NAME: &'static str = "key proof claims";
    const CLAUSE: &'static str = "OID4VCI-1.0 §F.1";
}

impl ProofClaims {
    /// Whether `aud` names exactly `issuer` (a string, or an array holding only it).
    pub fn audience_is(&self, issuer: &str) -> bool {
        match &self.aud {
            Some(Value::String(a)) => a == issuer,
            Some(Value::Array(a)) => a.len() == 1 && a[0].as_str() == Some(issuer),
            _ => false,
        }
    }
}

/// The JWT proof's header members (Appendix F.1) beyond `alg`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProofHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_attestation: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ProofHeader {
    const NAME: &'static str = "key proof header";
    const CLAUSE: &'static str = "OID4VCI-1.0 §F.1";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's token response example (§6.2) grants two identifiers; a request's
    /// parameter reads back, an empty one does not.
    #[test]
    fn the_specifications_token_response_example_grants_two_identifiers() {
        let response = TokenResponse::parse(&serde_json::json!({
            "access_token": "x", "token_type": "Bearer",
            "authorization_details": [{"type": "openid_credential", "credential_configuration_id": "UniversityDegreeCredential",
                "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineeringDegree-2023"]}]
        }))
        .unwrap()
        .value;
        let granted = response.credential_details();
        assert_eq!(granted[0].credential_identifiers.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            response.credential_identifier("UniversityDegreeCredential").as_deref(),
            Some("CivilEngineeringDegree-2023")
        );
        let param = AuthorizationDetail::encode(&[AuthorizationDetail::for_configuration("A")]);
        assert_eq!(AuthorizationDetail::decode(&param).unwrap()[0].credential_configuration_id.as_deref(), Some("A"));
        assert!(AuthorizationDetail::decode("[]").is_err());
    }

    fn example(name: &str) -> Value {
        let path =
            format!("{}/../../../shared/vectors-public/openid4vci-1.0/1.0/examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // Examples given as HTTP responses: the body starts at the first '{'.
        let body = &text[text.find('{').expect("a JSON body")..];
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_specifications_examples_read_and_write_back_unchanged() {
        for name in [
            "credential_offer_authz_code.txt",
            "credential_offer_by_reference.json",
            "credential_offer_multiple_credentials.json",
            "credential_offer_pre-authz_code.json",
        ] {
            let value = example(name);
            let offer = CredentialOffer::parse(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(offer.to_json(), value, "{name}");
        }
        let offer = CredentialOffer::parse(&example("credential_offer_pre-authz_code.json")).unwrap();
        assert!(offer.pre_authorized_code().is_some());
        let value = example("credential_issuer_metadata_sd_jwt_long.json");
        let metadata = CredentialIssuerMetadata::parse(&value).unwrap();
        assert_eq!(metadata.to_json(), value);
        assert_eq!(metadata.credential_endpoint().unwrap(), "https://credential-issuer.example.com/credential");
        assert_eq!(metadata.authorization_server("x"), "https://server.example.com");
        for (id, config) in metadata.configurations() {
            let config = config.unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(config.format.is_some(), "{id}");
        }
        assert_eq!(metadata.batch_credential_issuance.as_ref().map(|b| b.batch_size), Some(10));
        let value = example("credential_request_iso_mdl.json");
        let request = CredentialRequest::parse(&value).unwrap();
        assert_eq!(request.to_json(), value);
        // (the SD-JWT VC response example wraps its credential across lines, which JSON does not allow)
        let value = example("credential_response_mso_mdoc.txt");
        let response = CredentialResponse::parse(&value).unwrap();
        assert_eq!(response.to_json(), value);
    }

    #[test]
    fn a_missing_member_is_named_with_its_clause() {
        let e = NonceResponse::parse(&serde_json::json!({"nonce": "x"})).unwrap_err();
        assert!(e.to_string().contains("c_nonce") && e.to_string().contains("§7.2"), "{e}");
        let e = CredentialIssuerMetadata::default().credential_endpoint().unwrap_err();
        assert_eq!(e.to_string(), "the credential issuer metadata has no credential_endpoint (OID4VCI-1.0 §12.2.4)");
        assert!(matches!(TokenResponse::parse(&serde_json::json!([1])), Err(MessageError::NotObject { .. })));
    }

    #[test]
    fn token_requests_round_trip_and_refuse_repeated_parameters() {
        let request = TokenRequest::pre_authorized("c0de", Some("493536"));
        let form = serde_urlencoded::to_string(request.form()).unwrap();
        assert_eq!(TokenRequest::from_form(form.as_bytes()).unwrap(), request);
        assert_eq!(
            TokenRequest::from_form(b"grant_type=a&grant_type=b"),
            Err(TokenRequestError::Repeated("grant_type".into()))
        );
        assert_eq!(TokenRequest::from_form(b"unknown=1").unwrap(), TokenRequest::default());
    }
}
