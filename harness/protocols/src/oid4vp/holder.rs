//! The wallet side of OpenID4VP 1.0, once: receiving a request (by value or by reference), judging
//! it as a wallet must before answering (the client identifier prefix rules of §5.9.3), building a
//! presentation of an SD-JWT VC with its key binding (RFC 9901 §7.3, §8.6 here) and sending the
//! response (`direct_post`, `direct_post.jwt`). The reference wallet runs it as a wallet does; the
//! harness, as the wallet in front of a verifier under test, with the one deviation a case needs.

use super::message::{CLIENT_ID, REQUEST_URI, REQUEST_URI_METHOD, RequestParameters, ResponseParameters};
use super::retrieval::Retrieval;
use super::{DIRECT_POST, DIRECT_POST_JWT, split_client_id};
use crate::dcql::CredentialQuery;
use crate::jose::{CompactJws, EcKey};
use crate::message::{Message, MessageError};
use crate::sdjwt::{self, Disclosure, HashAlg, SdJwt};
use crate::seed::Entropy;
use dialtone_http::{HttpClient, HttpError, HttpResponse};
use serde::Deserialize;
use serde_json::{Value, json};

/// An authorization request as the wallet received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `client_id` of the `openid4vp://` URI.
    pub client_id: String,
    /// Where the request object was fetched from (by reference), if it was.
    pub request_uri: Option<String>,
    /// The request object (by value: no header, no signature; the parameters as claims).
    pub object: CompactJws,
    pub content_type: Option<String>,
    pub params: RequestParameters,
    /// The `wallet_nonce` the wallet sent when it fetched the request object by POST (§5.10).
    pub wallet_nonce: Option<String>,
    /// A `decentralized_identifier` client's DID document, as resolved (or why it was not).
    pub did_document: Option<Result<Value, String>>,
    /// The context the request came in: over the Digital Credentials API, the verifier's origin
    /// as the platform gave it (§A.2). The key binding's audience (§A.4) — and an mdoc's
    /// `SessionTranscript` (§B.2.6.2) — bind to it; `None` for a request by link.
    pub origin: Option<String>,
}

/// Why a request could not be received.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("an openid4vp:// authorization request with a form-encoded query: {0}")]
    Uri(String),
    #[error("the authorization request has no client_id (§5.2): {0}")]
    NoClientId(String),
    #[error("HTTP {0} from request_uri")]
    Status(u16),
    #[error("the request object is not a JWT (RFC 9101): {0}")]
    Object(String),
    #[error(transparent)]
    Params(#[from] MessageError),
    #[error("invalid_request_uri_method: request_uri_method {0:?} is neither get nor post (§5.1, §8.5)")]
    Method(String),
}

impl Request {
    /// A request that was handed over, not fetched from a request URI: by value, or over the
    /// Digital Credentials API (which then sets its `origin`).
    pub(crate) fn unfetched(client_id: String, object: CompactJws, params: RequestParameters) -> Self {
        Self {
            client_id,
            request_uri: None,
            object,
            content_type: None,
            params,
            wallet_nonce: None,
            did_document: None,
            origin: None,
        }
    }

    /// The client identifier the request object names, else the URI's.
    pub fn effective_client_id(&self) -> &str {
        self.params.client_id.as_deref().unwrap_or(&self.client_id)
    }

    /// The audience of the response (a KB-JWT's `aud`): the full client identifier (§B.3.6), or
    /// over the Digital Credentials API the origin prefixed with `origin:` (§A.4), even for
    /// signed requests.
    pub fn audience(&self) -> String {
        match &self.origin {
            Some(origin) => format!("{}{origin}", super::dc_api::ORIGIN_PREFIX),
            None => self.effective_client_id().to_string(),
        }
    }

    pub fn response_mode(&self) -> Option<&str> {
        self.params.response_mode.as_deref()
    }

    /// The DCQL credential queries; `Err` says what is malformed.
    pub fn queries(&self) -> Result<Vec<CredentialQuery>, String> {
        let query = self.params.dcql_query.as_ref().ok_or("the request has no dcql_query")?;
        crate::dcql::parse(query)
    }

    /// Whether the request object carries a signature (not `alg: none`, not empty).
    pub fn signed(&self) -> bool {
        self.object.alg().is_some_and(|a| a != "none") && !self.object.signature.is_empty()
    }

    /// The `x5c` header of the request object, as base64 strings.
    pub fn x5c(&self) -> Vec<String> {
        self.object
            .header
            .get("x5c")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// The query parameters of a request link, when it names a client (`client_id`).
fn link_parameters(uri: &str) -> Result<(Vec<(String, String)>, String), RequestError> {
    let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|e| RequestError::Uri(e.to_string()))?;
    let client_id = pairs
        .iter()
        .find(|(k, _)| k == CLIENT_ID)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| RequestError::NoClientId(uri.to_string()))?;
    Ok((pairs, client_id))
}

/// Whether `uri` can be a request link (`openid4vp://…?client_id=…`, or an https link with the same
/// parameters), before anything is fetched.
pub fn check_link(uri: &str) -> Result<(), RequestError> {
    link_parameters(uri).map(|_| ())
}

/// Receives the request of an `openid4vp://` URI: by reference (GET `request_uri`, which must
/// answer 200) or by value.
pub async fn receive(http: &HttpClient, uri: &str) -> Result<Request, RequestError> {
    receive_with(http, uri, &Retrieval::default()).await
}

/// [`receive`], fetching a request object by reference as `retrieval` says (§5.10: by POST when
/// the link asks and the wallet supports it).
pub async fn receive_with(http: &HttpClient, uri: &str, retrieval: &Retrieval) -> Result<Request, RequestError> {
    let (pairs, client_id) = link_parameters(uri)?;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let Some(request_uri) = get(REQUEST_URI) else {
        // By value: the parameters are the request (an unsigned redirect_uri client, §5.9.3).
        let payload = RequestParameters::from_query_pairs(&pairs);
        let params = RequestParameters::parse(&Value::Object(payload.clone()))?.value;
        let object = CompactJws {
            header: Default::default(),
            payload,
            signing_input: String::new(),
            signature: Vec::new(),
            repeated: None,
        };
        return Ok(Request::unfetched(client_id, object, params));
    };
    let method = get(REQUEST_URI_METHOD);
    let (fetched, wallet_nonce) = super::retrieval::fetch(http, &request_uri, method.as_deref(), retrieval).await?;
    if fetched.status != 200 {
        return Err(RequestError::Status(fetched.status));
    }
    let object_text = String::from_utf8_lossy(&fetched.body).trim().to_string();
    let object = CompactJws::parse(&object_text).map_err(|e| RequestError::Object(e.to_string()))?;
    let params = RequestParameters::parse(&Value::Object(object.payload.clone()))?.value;
    let content_type = fetched.media_type();
    let did_document = match split_client_id(&client_id) {
        (Some("decentralized_identifier"), did) => Some(super::did::resolve(http, did).await),
        _ => None,
    };
    Ok(Request {
        client_id,
        request_uri: Some(request_uri),
        object,
        content_type,
        params,
        wallet_nonce,
        did_document,
        origin: None,
    })
}

/// What a wallet checks of a request before it answers; all of it unless a test wallet is told
/// otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestChecks {
    /// The request object's `client_id` is the request's (§5.9, RFC 9101 §5).
    pub client_id_matches: bool,
    /// An `x509_san_dns` or `x509_hash` client's request is signed (§5.9.3).
    pub x509_signed: bool,
    /// ... and its signature verifies with the certificate's key.
    pub x509_signature: bool,
    /// ... and its `response_uri` is on the certificate's host.
    pub response_uri_host: bool,
    /// A `redirect_uri` client's `response_uri` is its identifier (§5.9.3).
    pub redirect_uri_matches: bool,
    /// The `x509_hash` prefix is supported (HAIP 1.0 §5: a wallet must).
    pub x509_hash_supported: bool,
    /// ... and its identifier is compared with the hash of the `x5c` leaf certificate.
    pub x509_hash_matches: bool,
    /// A client identifier with a prefix the wallet does not know is refused (§5.9.2).
    pub unknown_prefix_refused: bool,
    /// A request object fetched by POST echoes the `wallet_nonce` sent (§5.10.1).
    pub wallet_nonce_echoed: bool,
    /// A request without a `nonce` is refused (§5.2).
    pub nonce_required: bool,
    /// A `direct_post` request carrying `redirect_uri` is refused (§8.2).
    pub redirect_uri_with_direct_post_refused: bool,
    /// A request object's `iss` must be its `client_id` (nothing requires it: a fault of test
    /// wallets only).
    pub iss_is_client_id: bool,
    /// The `decentralized_identifier` prefix is supported (did:jwk, did:web).
    pub did_supported: bool,
    /// ... its request's `kid` must name a verification method of its DID.
    pub did_kid_matches: bool,
    /// ... and the request's signature verifies with that method's key.
    pub did_signature: bool,
    /// The `verifier_attestation` prefix is supported.
    pub attestation_supported: bool,
    /// ... its attestation's `sub` must be the client identifier.
    pub attestation_sub_matches: bool,
    /// ... and the request be signed by the attested (`cnf`) key.
    pub attestation_pop: bool,
    /// Of a multi-signed request over the Digital Credentials API (§A.3.2.2), each signature is
    /// tried until one verifies (off: only the first is read, a test wallet's fault).
    pub multisigned_any_signer: bool,
}

impl Default for RequestChecks {
    fn default() -> Self {
        Self {
            client_id_matches: true,
            x509_signed: true,
            x509_signature: true,
            response_uri_host: true,
            redirect_uri_matches: true,
            x509_hash_supported: true,
            x509_hash_matches: true,
            unknown_prefix_refused: true,
            wallet_nonce_echoed: true,
            nonce_required: true,
            redirect_uri_with_direct_post_refused: true,
            iss_is_client_id: false,
            did_supported: true,
            did_kid_matches: true,
            did_signature: true,
            attestation_supported: true,
            attestation_sub_matches: true,
            attestation_pop: true,
            multisigned_any_signer: true,
        }
    }
}

/// Judges a request as a wallet must before answering it; `Err` says why it is refused.
pub fn check(request: &Request, trusted_roots: &[Vec<u8>], checks: RequestChecks) -> Result<(), String> {
    if request.params.client_id.as_deref() != Some(request.client_id.as_str()) && checks.client_id_matches {
        return Err("the request object's client_id differs from the request's".into());
    }
    super::retrieval::check_wallet_nonce(request, checks)?;
    super::parameters::check_parameters(request, checks)?;
    let response_uri = request.params.response_uri.as_deref().ok_or("no response_uri")?;
    super::client_id::check_prefix(request, response_uri, trusted_roots, checks)
}

/// How to present; the default is correct: the requested disclosures, a key binding JWT for the
/// request, the `vp_token` keyed by the query's id, the request's `state`, encrypted when asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PresentationSpec {
    pub disclosures: DisclosureChoice,
    /// Alter the value inside the first presented disclosure.
    pub tamper_disclosure: bool,
    /// Append a disclosure the credential does not reference.
    pub foreign_disclosure: bool,
    pub kb: KbSpec,
    pub vp_token: VpTokenShape,
    pub state: StateChoice,
    pub encryption: EncryptionChoice,
    /// mdoc-only deviations (an mdoc presentation reads `disclosures` and `kb` too).
    pub mdoc: super::mdoc::MdocSpec,
    /// Which credentials and claims answer the DCQL query (§6.4).
    pub dcql: crate::dcql::select::SelectionSpec,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureChoice {
    /// Those the query asks for, and the objects around them (data minimization).
    #[default]
    Requested,
    /// Every disclosure the credential has.
    All,
    /// None at all (withholding the requested claims).
    None,
}

/// The key binding JWT (RFC 9901 §4.3; OpenID4VP §B.3.6: `aud` the client identifier).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KbSpec {
    /// No key binding JWT.
    pub omit: bool,
    pub nonce: KbNonce,
    pub aud: KbAudience,
    /// Seconds added to the current time for `iat`.
    pub iat_offset: i64,
    pub key: KbKey,
    pub sd_hash: SdHashOver,
    /// How the request's transaction data is bound (`transaction_data_hashes`, §B.3.3.1).
    pub transaction_data: super::transaction_data::TransactionDataChoice,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KbNonce {
    /// The request's nonce.
    #[default]
    Request,
    /// Another value (the request's with a suffix).
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KbAudience {
    /// The full client identifier, prefix included.
    #[default]
    ClientId,
    /// The client identifier without its prefix.
    WithoutPrefix,
    Value(String),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KbKey {
    /// The key the credential is bound to (`cnf`).
    #[default]
    Holder,
    /// Another key.
    Other,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdHashOver {
    /// The presented SD-JWT (correct).
    #[default]
    Presentation,
    /// The issuer-signed JWT alone.
    IssuerJwt,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VpTokenShape {
    /// `{ "<query id>": [ presentation ] }` (§8.1).
    #[default]
    Keyed,
    /// The bare presentation (drafts before 1.0).
    Bare,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateChoice {
    /// The request's `state`.
    #[default]
    Request,
    Omit,
    /// A `state` no request has (the request's with a suffix).
    Other,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncryptionChoice {
    /// Encrypted when the request asks for `direct_post.jwt`.
    #[default]
    AsRequested,
    /// A plain `direct_post` form whatever the request asks.
    Never,
    /// Encrypted to the first key of `client_metadata.jwks`, whether usable or not.
    FirstKey,
}

/// A presentation of `credential` for `query` in answer to `request`, shaped by `spec`.
pub fn presentation(
    credential: &SdJwt,
    holder: &EcKey,
    query: &CredentialQuery,
    request: &Request,
    spec: &PresentationSpec,
    entropy: &Entropy,
) -> Result<String, String> {
    let mut keep: Vec<String> = match spec.disclosures {
        DisclosureChoice::Requested => {
            sdjwt::disclosures_for(credential, &query.key_paths()).map_err(|e| e.to_string())?
        }
        DisclosureChoice::All => credential.disclosures.iter().map(|d| d.encoded.clone()).collect(),
        DisclosureChoice::None => Vec::new(),
    };
    if spec.tamper_disclosure
        && let Some(first) = keep.first_mut()
        && let Ok(d) = Disclosure::decode(first)
    {
        let value = match &d.value {
            Value::String(s) => json!(format!("{s} (altered)")),
            _ => json!("altered"),
        };
        *first = Disclosure::new(&d.salt, d.name.as_deref(), &value).encoded;
    }
    if spec.foreign_disclosure {
        keep.push(Disclosure::new(&entropy.token(16), Some("given_name"), &json!("Mallory")).encoded);
    }
    let sd_part =
        format!("{}~{}", credential.issuer_jwt_text, keep.iter().map(|d| format!("{d}~")).collect::<String>());
    if spec.kb.omit {
        return Ok(sd_part);
    }
    let audience = request.audience();
    let nonce = request.params.nonce.clone().unwrap_or_default();
    let nonce = match spec.kb.nonce {
        KbNonce::Request => nonce,
        KbNonce::Other => format!("{nonce}-other"),
    };
    let aud = match &spec.kb.aud {
        KbAudience::ClientId => audience,
        KbAudience::WithoutPrefix => split_client_id(&audience).1.to_string(),
        KbAudience::Value(v) => v.clone(),
    };
    let hashed = match spec.kb.sd_hash {
        SdHashOver::Presentation => sd_part.clone(),
        SdHashOver::IssuerJwt => format!("{}~", credential.issuer_jwt_text),
    };
    let other;
    let signer = match spec.kb.key {
        KbKey::Holder => holder,
        KbKey::Other => {
            other = EcKey::generate(entropy);
            &other
        }
    };
    let mut payload = json!({
        "iat": crate::now_epoch() + spec.kb.iat_offset,
        "aud": aud,
        "nonce": nonce,
        "sd_hash": sdjwt::sd_hash(&hashed, HashAlg::Sha256),
    });
    super::transaction_data::bind(&mut payload, request, &query.id, spec.kb.transaction_data)?;
    let kb = signer.sign_jws(&json!({ "typ": sdjwt::KB_TYP }), &payload);
    Ok(format!("{sd_part}{kb}"))
}

/// The `vp_token` carrying `presentation` for `query`.
pub fn vp_token(query: &CredentialQuery, presentation: String, shape: VpTokenShape) -> Value {
    match shape {
        VpTokenShape::Keyed => json!({ query.id.clone(): [presentation] }),
        VpTokenShape::Bare => Value::String(presentation),
    }
}

/// Why a response could not be sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RespondError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("the request has no response_uri")]
    NoResponseUri,
    #[error("direct_post.jwt without an encryption key in client_metadata.jwks (§8.3): {0}")]
    NoEncryptionKey(String),
    #[error("the response does not encrypt to the verifier's key: {0}")]
    Encrypt(String),
    #[error("response_mode {0:?} is not supported")]
    UnsupportedMode(String),
}

/// POSTs the response to the request's `response_uri`: encrypted (`direct_post.jwt`, §8.3.1) when
/// the request asks for it and `spec` does not say otherwise, else `direct_post` (§8.2).
pub async fn respond(
    http: &HttpClient,
    request: &Request,
    vp_token: &Value,
    spec: &PresentationSpec,
) -> Result<HttpResponse, RespondError> {
    let response_uri = request.params.response_uri.as_deref().ok_or(RespondError::NoResponseUri)?;
    let state = match spec.state {
        StateChoice::Request => request.params.state.clone(),
        StateChoice::Omit => None,
        StateChoice::Other => Some(format!("{}-other", request.params.state.as_deref().unwrap_or("state"))),
    };
    let response = ResponseParameters { vp_token: Some(vp_token.clone()), state, ..Default::default() };
    let mode = request.response_mode().unwrap_or(DIRECT_POST);
    if mode == DIRECT_POST_JWT && spec.encryption != EncryptionChoice::Never {
        let metadata = request.params.client_metadata.clone().unwrap_or_default();
        let key = match spec.encryption {
            EncryptionChoice::FirstKey => metadata.first_encryption_key(),
            _ => metadata.encryption_key(),
        };
        let (key, enc) = key.ok_or_else(|| RespondError::NoEncryptionKey(metadata.to_json().to_string()))?;
        let jwe = crate::jwe::encrypt(response.to_json().to_string().as_bytes(), &key, &enc)
            .map_err(RespondError::Encrypt)?;
        return Ok(http.post_form(response_uri, &[(super::message::RESPONSE, jwe.as_str())], &[]).await?);
    }
    if mode != DIRECT_POST && mode != DIRECT_POST_JWT {
        return Err(RespondError::UnsupportedMode(mode.to_string()));
    }
    let form = response.form();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(http.post_form(response_uri, &form, &[]).await?)
}
