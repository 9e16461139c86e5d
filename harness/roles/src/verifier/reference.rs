//! The reference verifier's server: the control API that starts a presentation request, the request
//! object endpoint (`request_uri`), and the response endpoint (`direct_post`, `direct_post.jwt`). It
//! does what its [`Behaviour`] says.

use super::behaviour::{Base, Behaviour};
use super::mutants::VerifierFault;
use super::verify::Judge;
use crate::seam::{SeamLog, Seams};
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_http::{Evidence, HttpClient, HttpLimits};
use dialtone_protocols::control::{RequestOutcome, StartRequest, StartedRequest};
use dialtone_protocols::dcql::{self, Wanted};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::message::ErrorResponse;
use dialtone_protocols::oid4vp::message::{
    CLIENT_ID, ClientMetadata, REQUEST_URI, REQUEST_URI_METHOD, REQUEST_URI_METHOD_POST, RequestParameters,
    ResponseParameters,
};
use dialtone_protocols::oid4vp::{self, DIRECT_POST, DIRECT_POST_JWT, dc_api, transaction_data};
use dialtone_protocols::seed::Entropy;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) const DEFAULT_VCT: &str = "urn:dialtone:vct:verified-person:1";

#[derive(Clone)]
pub struct VerifierConfig {
    pub fault: Option<VerifierFault>,
    pub seed: Option<u64>,
    /// TRQP registry the verifier asks, and the authority it trusts.
    pub(crate) registry_url: String,
    pub authority_id: String,
    /// CA certificates (DER) trusted for outbound https (issuers, status lists, registry).
    pub trusted_roots: Vec<Vec<u8>>,
    /// Request signing: the key and the certificate chain (DER, leaf first) for `x509_san_dns`.
    pub(crate) signing_key: EcKey,
    pub(crate) signing_chain: Vec<Vec<u8>>,
    /// The DNS name in the leaf certificate, the `x509_san_dns` client identifier.
    pub dns_name: String,
    /// Roots (DER) an issuer's `x5c` chain may lead to (SD-JWT VC §2.5, Inline X.509).
    pub x5c_roots: Vec<Vec<u8>>,
    /// IACA roots (DER) an mdoc's document signer certificate may lead to (ISO/IEC 18013-5 §9.3.3).
    pub iaca_roots: Vec<Vec<u8>>,
    /// How wallets fetched its request objects (§5.10).
    pub fetches: super::retrieval::FetchLog,
    /// How its requests vary, correctly, from the plain one (a counterpart of a wallet case).
    pub variation: super::variation::RequestVariation,
    /// Where its behaviour's reads are noted (the selftest's reference run).
    pub seams: Option<Arc<SeamLog>>,
}

impl VerifierConfig {
    /// A verifier on loopback whose request-signing certificate is the PKI's `localhost` leaf
    /// (`x509_san_dns:localhost`), trusting the PKI's CA, asking `registry_url` about `authority_id`.
    pub fn on_loopback(
        pki: &crate::tls::TestPki,
        registry_url: String,
        authority_id: String,
        fault: Option<VerifierFault>,
        seed: Option<u64>,
    ) -> Self {
        Self {
            fault,
            seed,
            registry_url,
            authority_id,
            trusted_roots: vec![pki.ca_der.clone()],
            signing_key: pki.leaf_key.clone(),
            // The request object's x5c: the leaf only; the authority is the wallet's trust anchor
            // (HAIP 1.0 keeps the anchor out of x5c).
            signing_chain: vec![pki.leaf_der.clone()],
            dns_name: "localhost".into(),
            x5c_roots: Vec::new(),
            // The run's authority issues the counterpart issuers' document signer certificates.
            iaca_roots: vec![pki.ca_der.clone()],
            fetches: Default::default(),
            variation: Default::default(),
            seams: None,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) id: String,
    pub(super) nonce: String,
    state: String,
    dcql: Value,
    pub(super) outcome: Outcome,
    pub(super) response_mode: String,
    /// The client identifier this request uses (`x509_san_dns:…`, `x509_hash:…`, `redirect_uri:…`).
    pub(super) client_id: String,
    /// For direct_post.jwt: the key the wallet encrypts the response to.
    pub(super) encryption_key: Option<EcKey>,
    /// The transaction data it sends, base64url-encoded as in the request (§5.1).
    transaction_data: Vec<String>,
    /// Over the Digital Credentials API: the origin of its page, to which responses bind (§A.4).
    pub(super) origin: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Pending,
    Accepted(Map<String, Value>),
    Rejected(String),
}

pub(super) struct Verifier {
    config: VerifierConfig,
    pub(super) behaviour: Seams<Behaviour>,
    key: EcKey,
    /// The key its verifier attestation binds it to (`cnf`, §12).
    attested_key: EcKey,
    entropy: Entropy,
    /// `https://localhost:PORT`: the host is the client identifier's DNS name.
    public_base: String,
    http: HttpClient,
    sessions: Mutex<HashMap<String, Session>>,
}

pub async fn start(
    config: VerifierConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let port = listener.local_addr()?.port();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let key = config.signing_key.clone();
    let limits = HttpLimits::default();
    let client = dialtone_http::build_client(limits, &config.trusted_roots).map_err(std::io::Error::other)?;
    let verifier = Arc::new(Verifier {
        behaviour: Seams::new("verifier", Behaviour::with(config.fault), config.seams.clone()),
        entropy: Entropy::new(config.seed).derive("reference-verifier"),
        public_base: format!("{scheme}://{}:{port}", config.dns_name),
        key,
        attested_key: EcKey::generate(&Entropy::new(config.seed).derive("reference-verifier-attested-key")),
        http: HttpClient::new(client, limits, Evidence::discard()),
        config,
        sessions: Mutex::new(HashMap::new()),
    });
    let router = Router::new()
        .route("/control/requests", post(control_start))
        .route("/control/requests/{id}", get(control_outcome))
        .route("/control/health", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/request/{id}", get(request_object).post(request_object_posted))
        .route("/.well-known/did.json", get(did_document))
        .route("/response", post(response))
        .route("/control/dc-api/responses/{id}", post(super::dc_api::deliver))
        .with_state(verifier);
    match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router),
        None => RunningServer::serve(listener, router),
    }
}

impl Verifier {
    pub(super) fn identity(&self) -> super::client_id::Identity<'_> {
        super::client_id::Identity {
            public_base: &self.public_base,
            dns_name: &self.config.dns_name,
            signing_chain: &self.config.signing_chain,
            other_certificate: self.config.trusted_roots.first().map(Vec::as_slice),
            signing_jwk: self.key.public_jwk(),
            did_jwk: self.config.variation.did_jwk,
            attester: &self.key,
            attested: &self.attested_key,
        }
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn base(&self) -> Base<'_> {
        Base { public: &self.public_base, dns_name: &self.config.dns_name }
    }
}

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body.to_string())
        .into_response()
}

fn default_dcql() -> Value {
    dcql::query(
        "person",
        dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC,
        &[DEFAULT_VCT],
        &[Wanted::claim(&["given_name"]), Wanted::claim(&["family_name"])],
    )
}

/// Control API: starts a presentation request (optionally with the caller's DCQL query).
async fn control_start(State(v): State<Arc<Verifier>>, body: Bytes) -> Response {
    let start: StartRequest =
        if body.is_empty() { StartRequest::default() } else { serde_json::from_slice(&body).unwrap_or_default() };
    let response_mode = match start.response_mode.as_deref() {
        Some(DIRECT_POST_JWT) => DIRECT_POST_JWT,
        Some(dc_api::DC_API) => dc_api::DC_API,
        Some(dc_api::DC_API_JWT) => dc_api::DC_API_JWT,
        _ => DIRECT_POST,
    };
    let encrypted = response_mode == DIRECT_POST_JWT || response_mode == dc_api::DC_API_JWT;
    let session = Session {
        id: v.entropy.token(12),
        nonce: v.entropy.token(v.config.variation.token_bytes(*v.behaviour.nonce_bytes())),
        state: v.entropy.token(v.config.variation.token_bytes(16)),
        dcql: start.dcql_query.unwrap_or_else(default_dcql),
        outcome: Outcome::Pending,
        response_mode: response_mode.to_string(),
        client_id: super::client_id::client_id(
            start.client_id_prefix.as_deref(),
            &v.identity(),
            *v.behaviour.client_ids().whole(),
        ),
        encryption_key: encrypted.then(|| EcKey::generate(&v.entropy)),
        transaction_data: start.transaction_data.iter().flatten().map(transaction_data::encode).collect(),
        origin: dc_api::is_dc_api_mode(response_mode).then(|| v.public_base.clone()),
    };
    if session.origin.is_some() {
        // Over the Digital Credentials API: what its page hands the platform (Appendix A).
        let signed = start.client_id_prefix.is_some();
        let signatures = start.request_signatures.as_deref().filter(|s| signed && !s.is_empty());
        let started = super::dc_api::started(&v, &session, signed, signatures);
        v.lock().insert(session.id.clone(), session);
        return json_response(StatusCode::OK, serde_json::to_value(started).unwrap_or(Value::Null));
    }
    let request_uri = format!("{}/request/{}", v.public_base, session.id);
    let uri = if session.client_id.starts_with("redirect_uri:") && !v.behaviour.signing().unsigned() {
        // Unsigned by nature (§5.9.3): by value.
        let params = request_parameters(&v, &session).without_jwt_claims();
        format!("{}?{}", oid4vp::SCHEME, serde_urlencoded::to_string(params.query_pairs()).unwrap_or_default())
    } else {
        let mut query = vec![(CLIENT_ID, session.client_id.as_str()), (REQUEST_URI, request_uri.as_str())];
        if start.request_uri_method.as_deref() == Some(REQUEST_URI_METHOD_POST) {
            query.push((REQUEST_URI_METHOD, REQUEST_URI_METHOD_POST));
        }
        format!("{}?{}", oid4vp::SCHEME, serde_urlencoded::to_string(query).unwrap_or_default())
    };
    let id = session.id.clone();
    v.lock().insert(id.clone(), session);
    let started =
        StartedRequest { request_id: id, authorization_request: uri, request_uri: Some(request_uri), dc_api: None };
    json_response(StatusCode::OK, serde_json::to_value(started).unwrap_or(Value::Null))
}

async fn control_outcome(State(v): State<Arc<Verifier>>, Path(id): Path<String>) -> Response {
    let Some(session) = v.lock().get(&id).cloned() else {
        return json_response(StatusCode::NOT_FOUND, ErrorResponse::code("unknown request").to_json());
    };
    let outcome = match session.outcome {
        Outcome::Pending => RequestOutcome { status: "pending".into(), ..RequestOutcome::default() },
        Outcome::Accepted(claims) => {
            RequestOutcome { status: "accepted".into(), claims: Some(claims), ..RequestOutcome::default() }
        }
        Outcome::Rejected(reason) => RequestOutcome { status: "rejected".into(), reason, ..RequestOutcome::default() },
    };
    json_response(StatusCode::OK, serde_json::to_value(outcome).unwrap_or(Value::Null))
}

/// The request's parameters (OpenID4VP §5.1): as request object claims, or, for a `redirect_uri`
/// client, whose requests cannot be signed (§5.9.3), as the query parameters of a request by value.
pub(super) fn request_parameters(v: &Verifier, session: &Session) -> RequestParameters {
    let now = dialtone_protocols::now_epoch();
    let mut formats = json!({ "dc+sd-jwt": { "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"] } });
    if session.dcql.to_string().contains(dialtone_protocols::oid4vci::FORMAT_MSO_MDOC) {
        // ES256 (-7) for issuer and device authentication (Appendix B.2.3).
        formats[dialtone_protocols::oid4vci::FORMAT_MSO_MDOC] =
            json!({ "issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7] });
    }
    let mut client_metadata = ClientMetadata { vp_formats_supported: Some(formats), ..ClientMetadata::default() };
    if let Some(key) = &session.encryption_key {
        let mut jwk = key.public_jwk();
        jwk["kid"] = json!(session.id);
        jwk["use"] = json!("enc");
        jwk["alg"] = json!(dialtone_protocols::jwe::ALG);
        client_metadata.jwks = Some(json!({ "keys": [jwk] }));
        client_metadata.encrypted_response_enc_values_supported =
            Some(vec![dialtone_protocols::jwe::DEFAULT_ENC.into()]);
    }
    let mut params = RequestParameters {
        client_id: Some(session.client_id.clone()),
        aud: Some(json!(oid4vp::SELF_ISSUED_AUD)),
        response_type: Some(oid4vp::RESPONSE_TYPE.into()),
        response_mode: Some(session.response_mode.clone()),
        response_uri: Some(format!("{}/response", v.public_base)),
        nonce: Some(session.nonce.clone()),
        state: Some(session.state.clone()),
        dcql_query: Some(session.dcql.clone()),
        client_metadata: Some(client_metadata),
        transaction_data: (!session.transaction_data.is_empty())
            .then(|| Value::Array(session.transaction_data.iter().cloned().map(Value::String).collect())),
        iat: Some(now),
        exp: Some(now + 300),
        ..RequestParameters::default()
    };
    v.config.variation.apply(&mut params);
    if let Some(rewrite) = v.behaviour.request() {
        rewrite(&mut params, &v.base());
    }
    params
}

/// The request object (RFC 9101, OpenID4VP §5), fetched by GET.
async fn request_object(State(v): State<Arc<Verifier>>, Path(id): Path<String>) -> Response {
    let again = super::retrieval::record(&v.config.fetches, &id, "GET", &[], None);
    if again && !v.behaviour.retrieval().serves_again() {
        return json_response(StatusCode::NOT_FOUND, ErrorResponse::code("invalid_request_uri").to_json());
    }
    serve_request_object(&v, &id, None)
}

/// The request object fetched by POST (§5.10), echoing the wallet's `wallet_nonce`.
async fn request_object_posted(
    State(v): State<Arc<Verifier>>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|c| c.to_str().ok());
    let again = super::retrieval::record(&v.config.fetches, &id, "POST", &body, content_type);
    if again && !v.behaviour.retrieval().serves_again() {
        return json_response(StatusCode::NOT_FOUND, ErrorResponse::code("invalid_request_uri").to_json());
    }
    match super::retrieval::read_post(&body, *v.behaviour.retrieval().whole()) {
        Ok(wallet_nonce) => serve_request_object(&v, &id, wallet_nonce),
        Err(why) => json_response(StatusCode::BAD_REQUEST, ErrorResponse::new("invalid_request", why).to_json()),
    }
}

/// The request object, signed with the certificate's key (x509_san_dns, x509_hash).
fn serve_request_object(v: &Verifier, id: &str, wallet_nonce: Option<String>) -> Response {
    let Some(session) = v.lock().get(id).cloned() else {
        return json_response(StatusCode::NOT_FOUND, ErrorResponse::code("invalid_request_uri").to_json());
    };
    let payload = RequestParameters { wallet_nonce, ..request_parameters(v, &session) }.to_json();
    let jwt = request_jwt(v, &session, &payload);
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/oauth-authz-req+jwt")], jwt).into_response()
}

/// The request object of `session` with `payload`: signed with its client identifier's key
/// (x509_san_dns, x509_hash, decentralized_identifier, verifier_attestation), or unsigned as its
/// behaviour or its client says.
pub(super) fn request_jwt(v: &Verifier, session: &Session, payload: &Value) -> String {
    let signing = v.behaviour.signing();
    // A redirect_uri client cannot sign its requests (§5.9.3): the request object is unsigned.
    if *signing.unsigned() || session.client_id.starts_with("redirect_uri:") {
        let header = json!({ "alg": "none", "typ": signing.typ() });
        format!(
            "{}.{}.",
            dialtone_protocols::b64::encode(header.to_string()),
            dialtone_protocols::b64::encode(payload.to_string())
        )
    } else {
        let header = super::client_id::signing_header(
            &session.client_id,
            signing.typ(),
            &v.identity(),
            *v.behaviour.client_ids().whole(),
        );
        let identity = v.identity();
        let own = super::client_id::signing_key(&session.client_id, &identity);
        let key = if *signing.foreign_key() { EcKey::generate(&v.entropy) } else { own.clone() };
        key.sign_jws(&header, payload)
    }
}

/// Its `did:web` document, for its `decentralized_identifier` client identifier.
async fn did_document(State(v): State<Arc<Verifier>>) -> Response {
    json_response(StatusCode::OK, super::client_id::did_web_document(&v.identity()))
}

/// The response endpoint (OpenID4VP §8.2, §8.3.1).
async fn response(State(v): State<Arc<Verifier>>, body: Bytes) -> Response {
    let responses = v.behaviour.responses();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let reject =
        |why: &str| json_response(StatusCode::BAD_REQUEST, ErrorResponse::new("invalid_request", why).to_json());
    // direct_post.jwt (§8.3.1): the parameters arrive encrypted in `response`, to the request's key.
    let encrypted = ResponseParameters::encrypted(&pairs).filter(|_| *responses.read_encrypted());
    let parameters = match &encrypted {
        Some(jwe) => {
            let key = dialtone_protocols::jwe::kid(jwe)
                .and_then(|kid| v.lock().get(&kid).and_then(|s| s.encryption_key.clone()));
            let Some(key) = key else { return reject("the encrypted response names no request of this verifier") };
            let plain = match dialtone_protocols::jwe::decrypt(jwe, &key.private_jwk()) {
                Ok(p) => p,
                Err(e) => return reject(&format!("the encrypted response does not decrypt: {e}")),
            };
            match ResponseParameters::parse_bytes(&plain) {
                Ok(p) => p.value,
                Err(_) => return reject("the decrypted response is not JSON"),
            }
        }
        None => ResponseParameters::from_form(&pairs),
    };
    if parameters.vp_token.is_none() {
        return reject("vp_token is missing");
    }
    let Some(vp) = parameters.presentations().cloned() else { return reject("vp_token is not a JSON object") };
    let state = parameters.state.unwrap_or_default();
    let found = v.lock().values().find(|s| s.state == state).cloned();
    let session = match found {
        Some(s) => s,
        None if !responses.matched_by_state() => {
            // Find the request by the KB-JWT's nonce instead.
            let nonce = first_presentation(&vp).and_then(|p| kb_nonce(&p));
            match v.lock().values().find(|s| Some(&s.nonce) == nonce.as_ref()).cloned() {
                Some(s) => s,
                None => return reject("unknown state"),
            }
        }
        None => return reject("unknown state"),
    };
    if session.response_mode == DIRECT_POST_JWT && encrypted.is_none() && *responses.plain_refused_for_jwt() {
        return reject("this request asked for an encrypted response (direct_post.jwt)");
    }
    if !matches!(session.outcome, Outcome::Pending) && *responses.replay_refused() {
        return reject("this request was already answered");
    }
    let outcome = judge(&v, &session, &vp).await;
    let accepted = matches!(outcome, Outcome::Accepted(_));
    let reason = match &outcome {
        Outcome::Rejected(r) => r.clone(),
        _ => String::new(),
    };
    if let Some(s) = v.lock().get_mut(&session.id) {
        // A replayed response does not overwrite the first answer's record.
        if matches!(s.outcome, Outcome::Pending) || !responses.replay_refused() {
            s.outcome = outcome;
        }
    }
    if accepted { json_response(StatusCode::OK, json!({})) } else { reject(&reason) }
}

fn first_presentation(vp: &Map<String, Value>) -> Option<String> {
    vp.values().next()?.as_array()?.first()?.as_str().map(str::to_string)
}

fn kb_nonce(presentation: &str) -> Option<String> {
    let sd = dialtone_protocols::sdjwt::SdJwt::parse(presentation).ok()?;
    sd.kb_jwt?.payload.get("nonce")?.as_str().map(str::to_string)
}

pub(super) async fn judge(v: &Verifier, session: &Session, vp: &Map<String, Value>) -> Outcome {
    // Which credential queries the response answers, and whether that satisfies the query (§6.4.2).
    let queries = match dcql::select::answered(&session.dcql, vp, *v.behaviour.credential_sets()) {
        Ok(q) => q,
        Err(e) => return Outcome::Rejected(e),
    };
    // The response's audience: the client identifier, or over the Digital Credentials API the
    // origin of its page (§A.4).
    let audience = match &session.origin {
        Some(origin) => format!("{}{origin}", dc_api::ORIGIN_PREFIX),
        None => session.client_id.clone(),
    };
    let judge = Judge {
        behaviour: &v.behaviour,
        http: &v.http,
        registry_url: &v.config.registry_url,
        authority_id: &v.config.authority_id,
        client_id: &audience,
        x5c_roots: &v.config.x5c_roots,
        transaction_data: &session.transaction_data,
    };
    let now = dialtone_protocols::now_epoch();
    let mut claims = Map::new();
    for query in &queries {
        let query = if *v.behaviour.claim_sets_honoured() { query.clone() } else { query.without_claim_sets() };
        let query = &query;
        let Some(list) = vp.get(&query.id).and_then(Value::as_array) else {
            return Outcome::Rejected(format!("no presentation for credential query {:?}", query.id));
        };
        if list.len() != 1 && !(query.multiple && *v.behaviour.multiple_honoured()) {
            return Outcome::Rejected(format!("{} presentations for {:?}, which allows one", list.len(), query.id));
        }
        // What each presentation released; an array of them where `multiple` brought several.
        let mut each = Vec::new();
        for p in list {
            let Some(text) = p.as_str() else { return Outcome::Rejected("a presentation is not a string".into()) };
            let verified = if query.format == dialtone_protocols::oid4vci::FORMAT_MSO_MDOC {
                let params = request_parameters(v, session);
                let key = session.encryption_key.as_ref();
                let handover = super::mdoc::own_handover(&v.behaviour, &params, key, session.origin.as_deref());
                super::mdoc::verify(text, query, &handover, &v.config.iaca_roots, v.behaviour.mdoc(), now)
            } else {
                judge.presentation(text, query, &session.nonce, now).await
            };
            match verified {
                Ok(c) => each.push(Value::Object(c)),
                Err(reason) => return Outcome::Rejected(reason),
            }
        }
        let released = if each.len() == 1 { each.pop().unwrap_or_default() } else { Value::Array(each) };
        claims.insert(query.id.clone(), released);
    }
    Outcome::Accepted(claims)
}
