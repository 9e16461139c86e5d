//! The reference verifier's server: the control API that starts a presentation request, the request
//! object endpoint (`request_uri`), and the `direct_post` response endpoint.

use super::mutants::VerifierFault as F;
use super::verify::Judge;
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::dcql;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::oid4vp;
use dialtone_protocols::seed::Entropy;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const DEFAULT_VCT: &str = "urn:dialtone:vct:verified-person:1";

#[derive(Clone)]
pub struct VerifierConfig {
    pub fault: Option<F>,
    pub seed: Option<u64>,
    /// TRQP registry the verifier asks, and the authority it trusts.
    pub registry_url: String,
    pub authority_id: String,
    /// CA certificates (DER) trusted for outbound https (issuers, status lists, registry).
    pub trusted_roots: Vec<Vec<u8>>,
    /// Request signing: the key and the certificate chain (DER, leaf first) for `x509_san_dns`.
    pub signing_key_pkcs8: Vec<u8>,
    pub signing_chain: Vec<Vec<u8>>,
    /// The DNS name in the leaf certificate, the `x509_san_dns` client identifier.
    pub dns_name: String,
    /// Roots (DER) an issuer's `x5c` chain may lead to (SD-JWT VC §2.5, Inline X.509).
    pub x5c_roots: Vec<Vec<u8>>,
}

impl VerifierConfig {
    /// A verifier on loopback whose request-signing certificate is the PKI's `localhost` leaf
    /// (`x509_san_dns:localhost`), trusting the PKI's CA, asking `registry_url` about `authority_id`.
    pub fn on_loopback(
        pki: &crate::tls::TestPki,
        registry_url: String,
        authority_id: String,
        fault: Option<F>,
        seed: Option<u64>,
    ) -> Self {
        Self {
            fault,
            seed,
            registry_url,
            authority_id,
            trusted_roots: vec![pki.ca_der.clone()],
            signing_key_pkcs8: pki.leaf_key_pkcs8.clone(),
            signing_chain: vec![pki.leaf_der.clone(), pki.ca_der.clone()],
            dns_name: "localhost".into(),
            x5c_roots: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    nonce: String,
    state: String,
    dcql: Value,
    outcome: Outcome,
    response_mode: String,
    /// The client identifier this request uses (`x509_san_dns:…` or `redirect_uri:…`).
    client_id: String,
    /// For direct_post.jwt: the key the wallet encrypts the response to.
    encryption_key: Option<EcKey>,
}

#[derive(Debug, Clone)]
enum Outcome {
    Pending,
    Accepted(Map<String, Value>),
    Rejected(String),
}

struct Verifier {
    config: VerifierConfig,
    key: EcKey,
    entropy: Entropy,
    /// `https://localhost:PORT`: the host is the client identifier's DNS name.
    public_base: String,
    http: reqwest::Client,
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
    let key = EcKey::from_pkcs8_der(&config.signing_key_pkcs8).map_err(|e| std::io::Error::other(e.to_string()))?;
    let http = crate::tls::outbound_client(&config.trusted_roots).map_err(std::io::Error::other)?;
    let verifier = Arc::new(Verifier {
        entropy: Entropy::new(config.seed).derive("reference-verifier"),
        public_base: format!("{scheme}://{}:{port}", config.dns_name),
        key,
        http,
        config,
        sessions: Mutex::new(HashMap::new()),
    });
    let router = Router::new()
        .route("/control/requests", post(control_start))
        .route("/control/requests/{id}", get(control_outcome))
        .route("/control/health", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/request/{id}", get(request_object))
        .route("/response", post(response))
        .with_state(verifier);
    match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router),
        None => RunningServer::serve(listener, router),
    }
}

impl Verifier {
    fn faulty(&self, f: F) -> bool {
        self.config.fault == Some(f)
    }

    fn client_id(&self) -> String {
        format!("x509_san_dns:{}", self.config.dns_name)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body.to_string())
        .into_response()
}

fn default_dcql() -> Value {
    json!({ "credentials": [{
        "id": "person",
        "format": "dc+sd-jwt",
        "meta": { "vct_values": [DEFAULT_VCT] },
        "claims": [{ "path": ["given_name"] }, { "path": ["family_name"] }]
    }]})
}

/// Control API: starts a presentation request (optionally with the caller's DCQL query).
async fn control_start(State(v): State<Arc<Verifier>>, body: Bytes) -> Response {
    let request: Value = if body.is_empty() { json!({}) } else { serde_json::from_slice(&body).unwrap_or(json!({})) };
    let mut dcql = request.get("dcql_query").cloned().unwrap_or_else(default_dcql);
    if v.faulty(F::DcqlMalformed)
        && let Some(Value::Array(list)) = dcql.get_mut("credentials")
        && let Some(first) = list.first().cloned()
    {
        list.push(first);
    }
    let nonce_len = if v.faulty(F::RequestShortNonce) { 4 } else { 16 };
    let response_mode = match request.get("response_mode").and_then(Value::as_str) {
        Some(oid4vp::DIRECT_POST_JWT) => oid4vp::DIRECT_POST_JWT,
        _ => oid4vp::DIRECT_POST,
    };
    let session = Session {
        id: v.entropy.token(12),
        nonce: v.entropy.token(nonce_len),
        state: v.entropy.token(16),
        dcql,
        outcome: Outcome::Pending,
        response_mode: response_mode.to_string(),
        client_id: match request.get("client_id_prefix").and_then(Value::as_str) {
            Some("redirect_uri") => format!("redirect_uri:{}/response", v.public_base),
            _ => v.client_id(),
        },
        encryption_key: (response_mode == oid4vp::DIRECT_POST_JWT).then(|| EcKey::generate(&v.entropy)),
    };
    let request_uri = format!("{}/request/{}", v.public_base, session.id);
    let uri = if session.client_id.starts_with("redirect_uri:") && !v.faulty(F::RequestUnsigned) {
        // Unsigned by nature (§5.9.3): by value.
        let mut payload = request_payload(&v, &session);
        if let Some(p) = payload.as_object_mut() {
            for jwt_claim in ["aud", "iat", "exp"] {
                p.remove(jwt_claim);
            }
        }
        oid4vp::request_uri_by_value(payload.as_object().unwrap_or(&serde_json::Map::new()))
    } else {
        format!(
            "{}?client_id={}&request_uri={}",
            oid4vp::SCHEME,
            form_encode(&session.client_id),
            form_encode(&request_uri)
        )
    };
    let id = session.id.clone();
    v.lock().insert(id.clone(), session);
    json_response(StatusCode::OK, json!({ "request_id": id, "authorization_request": uri, "request_uri": request_uri }))
}

fn form_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e[1..].to_string()).unwrap_or_default()
}

async fn control_outcome(State(v): State<Arc<Verifier>>, Path(id): Path<String>) -> Response {
    let Some(session) = v.lock().get(&id).cloned() else {
        return json_response(StatusCode::NOT_FOUND, json!({ "error": "unknown request" }));
    };
    let body = match session.outcome {
        Outcome::Pending => json!({ "status": "pending" }),
        Outcome::Accepted(claims) => json!({ "status": "accepted", "claims": claims }),
        Outcome::Rejected(reason) => json!({ "status": "rejected", "reason": reason }),
    };
    json_response(StatusCode::OK, body)
}

/// The request's parameters (OpenID4VP §5): as request object claims, or as query parameters for
/// a `redirect_uri` client, whose requests cannot be signed (§5.9.3) and so go by value.
fn request_payload(v: &Verifier, session: &Session) -> Value {
    let response_uri = if v.faulty(F::ResponseUriHostMismatch) {
        v.public_base.replacen(&v.config.dns_name, "127.0.0.1", 1) + "/response"
    } else {
        format!("{}/response", v.public_base)
    };
    let redirect_uri_client = session.client_id.starts_with("redirect_uri:");
    let response_uri = if redirect_uri_client && v.faulty(F::RedirectUriMismatch) {
        format!("{}/response-elsewhere", v.public_base)
    } else {
        response_uri
    };
    let client_id = if v.faulty(F::ClientIdMismatch) {
        "x509_san_dns:verifier.example".to_string()
    } else {
        session.client_id.clone()
    };
    let now = dialtone_protocols::now_epoch();
    let mut payload = json!({
        "client_id": client_id,
        "aud": oid4vp::SELF_ISSUED_AUD,
        "response_type": oid4vp::RESPONSE_TYPE,
        "response_mode": session.response_mode,
        "response_uri": response_uri,
        "nonce": session.nonce,
        "state": session.state,
        "dcql_query": session.dcql,
        "client_metadata": { "vp_formats_supported": { "dc+sd-jwt": { "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"] } } },
        "iat": now,
        "exp": now + 300,
    });
    if let Some(key) = &session.encryption_key
        && !v.faulty(F::JwtRequestWithoutKey)
    {
        let mut jwk = key.public_jwk();
        jwk["kid"] = json!(session.id);
        jwk["use"] = json!("enc");
        jwk["alg"] = json!(dialtone_protocols::jwe::ALG);
        payload["client_metadata"]["jwks"] = json!({ "keys": [jwk] });
        payload["client_metadata"]["encrypted_response_enc_values_supported"] =
            json!([dialtone_protocols::jwe::DEFAULT_ENC]);
    }
    if v.faulty(F::RequestNoNonce) {
        payload.as_object_mut().map(|p| p.remove("nonce"));
    }
    payload
}

/// The request object (RFC 9101, OpenID4VP §5), signed with the x509_san_dns certificate's key.
async fn request_object(State(v): State<Arc<Verifier>>, Path(id): Path<String>) -> Response {
    let Some(session) = v.lock().get(&id).cloned() else {
        return json_response(StatusCode::NOT_FOUND, json!({ "error": "invalid_request_uri" }));
    };
    let redirect_uri_client = session.client_id.starts_with("redirect_uri:");
    let payload = request_payload(&v, &session);
    let typ = if v.faulty(F::RequestWrongTyp) { "JWT" } else { oid4vp::REQUEST_TYP };
    // A redirect_uri client cannot sign its requests (§5.9.3): the request object is unsigned.
    let jwt = if v.faulty(F::RequestUnsigned) || redirect_uri_client {
        let header = json!({ "alg": "none", "typ": typ });
        format!(
            "{}.{}.",
            dialtone_protocols::b64::encode(header.to_string()),
            dialtone_protocols::b64::encode(payload.to_string())
        )
    } else {
        let x5c: Vec<String> = v.config.signing_chain.iter().map(dialtone_protocols::b64::encode_std).collect();
        let key = if v.faulty(F::RequestForeignSignature) { EcKey::generate(&v.entropy) } else { v.key.clone() };
        key.sign_jws(&json!({ "typ": typ, "x5c": x5c }), &payload)
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/oauth-authz-req+jwt")], jwt).into_response()
}

/// `direct_post` (OpenID4VP §8.2): `vp_token` and `state`, form-encoded.
async fn response(State(v): State<Arc<Verifier>>, body: Bytes) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let reject = |why: &str| {
        json_response(StatusCode::BAD_REQUEST, json!({ "error": "invalid_request", "error_description": why }))
    };
    // direct_post.jwt (§8.3.1): the parameters arrive encrypted in `response`, to the request's key.
    let encrypted = get("response").filter(|_| !v.faulty(F::JwtResponseIgnored));
    let (vp_token, posted_state) = match &encrypted {
        Some(jwe) => {
            let key = dialtone_protocols::jwe::kid(jwe)
                .and_then(|kid| v.lock().get(&kid).and_then(|s| s.encryption_key.clone()));
            let Some(key) = key else { return reject("the encrypted response names no request of this verifier") };
            let plain = match dialtone_protocols::jwe::decrypt(jwe, &key.private_jwk()) {
                Ok(p) => p,
                Err(e) => return reject(&format!("the encrypted response does not decrypt: {e}")),
            };
            let Ok(inner) = serde_json::from_slice::<Value>(&plain) else {
                return reject("the decrypted response is not JSON");
            };
            let vp = match inner.get("vp_token") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
                None => None,
            };
            (vp, inner.get("state").and_then(Value::as_str).map(str::to_string))
        }
        None => (get("vp_token"), get("state")),
    };
    let Some(vp_token) = vp_token else { return reject("vp_token is missing") };
    let vp: Map<String, Value> = match serde_json::from_str(&vp_token) {
        Ok(Value::Object(m)) => m,
        _ => return reject("vp_token is not a JSON object"),
    };
    let state = posted_state.unwrap_or_default();
    let found = v.lock().values().find(|s| s.state == state).cloned();
    let session = match found {
        Some(s) => s,
        None if v.faulty(F::IgnoresState) => {
            // The fault: find the request by the KB-JWT's nonce instead.
            let nonce = first_presentation(&vp).and_then(|p| kb_nonce(&p));
            match v.lock().values().find(|s| Some(&s.nonce) == nonce.as_ref()).cloned() {
                Some(s) => s,
                None => return reject("unknown state"),
            }
        }
        None => return reject("unknown state"),
    };
    if session.response_mode == oid4vp::DIRECT_POST_JWT && encrypted.is_none() && !v.faulty(F::AcceptsPlainForJwt) {
        return reject("this request asked for an encrypted response (direct_post.jwt)");
    }
    if !matches!(session.outcome, Outcome::Pending) && !v.faulty(F::AcceptsReplay) {
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
        if matches!(s.outcome, Outcome::Pending) || v.faulty(F::AcceptsReplay) {
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

async fn judge(v: &Verifier, session: &Session, vp: &Map<String, Value>) -> Outcome {
    let queries = match dcql::parse(&session.dcql) {
        Ok(q) => q,
        Err(e) => return Outcome::Rejected(format!("the request's own DCQL query is invalid: {e}")),
    };
    let client_id = session.client_id.clone();
    let judge = Judge {
        fault: v.config.fault,
        http: &v.http,
        registry_url: &v.config.registry_url,
        authority_id: &v.config.authority_id,
        client_id: &client_id,
        x5c_roots: &v.config.x5c_roots,
    };
    let now = dialtone_protocols::now_epoch();
    let mut claims = Map::new();
    for query in &queries {
        let Some(list) = vp.get(&query.id).and_then(Value::as_array) else {
            return Outcome::Rejected(format!("no presentation for credential query {:?}", query.id));
        };
        if list.len() != 1 && !query.multiple {
            return Outcome::Rejected(format!("{} presentations for {:?}, which allows one", list.len(), query.id));
        }
        for p in list {
            let Some(text) = p.as_str() else { return Outcome::Rejected("a presentation is not a string".into()) };
            match judge.presentation(text, query, &session.nonce, now).await {
                Ok(c) => {
                    claims.insert(query.id.clone(), Value::Object(c));
                }
                Err(reason) => return Outcome::Rejected(reason),
            }
        }
    }
    Outcome::Accepted(claims)
}
