//! The reference issuer: OpenID4VCI 1.0 pre-authorized code flow (with and without `tx_code`),
//! issuing SD-JWT VCs (`dc+sd-jwt`, ES256, `cnf.jwk` from the proof), with its key at
//! `/.well-known/jwt-vc-issuer`, plus dialtone's control API (`suites/control-api.yaml`).
//!
//! Fault hooks (`self.faulty(Fault::…)`) are the only difference between the reference and its
//! mutants; each is one deliberate deviation from the specification.

use super::minter::{Minter, STATUS_LIST_PATH, VCT_VERIFIED_PERSON};
use super::mutants::Fault;
use super::state::*;
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::jose::{CompactJws, is_asymmetric_alg, verifying_key_from_jwk};
use dialtone_protocols::now_epoch;
use dialtone_protocols::oid4vci::{self, credential_error as ce, token_error as te};
use dialtone_protocols::sd_jwt_vc;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::status_list;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub const CONFIG_VERIFIED_PERSON: &str = "VerifiedPerson_dc_sd_jwt";
#[derive(Debug, Clone, Default)]
pub struct IssuerConfig {
    pub fault: Option<Fault>,
    pub seed: Option<u64>,
}

pub struct Issuer {
    config: IssuerConfig,
    /// The Credential Issuer Identifier, exactly as published (no trailing slash).
    identifier: String,
    minter: Arc<Minter>,
    entropy: Entropy,
    state: IssuerState,
    log: Arc<IssuerLog>,
}

/// What the harness keeps of a reference issuer it runs as a counterpart.
#[derive(Clone)]
pub struct IssuerHandle {
    pub minter: Arc<Minter>,
    pub log: Arc<IssuerLog>,
    pub control_url: String,
}

/// Starts the reference issuer (or a mutant) on `127.0.0.1:port` (0: any free port), over TLS
/// when `tls` is given (the specifications require https), else plain http.
pub async fn start(
    config: IssuerConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let identifier = format!("{scheme}://{}", listener.local_addr()?);
    let (server, _) = serve(listener, identifier, config, tls)?;
    Ok(server)
}

/// Like [`start`], and also hands back the issuer's [`Minter`]: the harness uses it as the issuer
/// counterpart of a verifier under test, minting credentials (faulty ones too) with the published keys.
pub async fn start_with_minter(
    config: IssuerConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<(RunningServer, IssuerHandle)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let identifier = format!("{scheme}://{}", listener.local_addr()?);
    serve(listener, identifier, config, tls)
}

fn serve(
    listener: tokio::net::TcpListener,
    identifier: String,
    config: IssuerConfig,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<(RunningServer, IssuerHandle)> {
    let entropy = Entropy::new(config.seed).derive(&format!("reference-issuer {identifier}"));
    let minter = Arc::new(Minter::new(identifier.clone(), entropy.derive("minter")));
    let log = Arc::new(IssuerLog::default());
    let control_url = format!("{identifier}/control");
    let issuer = Arc::new(Issuer {
        config,
        identifier,
        minter: minter.clone(),
        entropy,
        state: IssuerState::default(),
        log: log.clone(),
    });
    let server = match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router(issuer))?,
        None => RunningServer::serve(listener, router(issuer))?,
    };
    Ok((server, IssuerHandle { minter, log, control_url }))
}

fn router(issuer: Arc<Issuer>) -> Router {
    Router::new()
        .route("/.well-known/openid-credential-issuer", get(credential_issuer_metadata))
        .route("/.well-known/oauth-authorization-server", get(authorization_server_metadata))
        .route("/.well-known/jwt-vc-issuer", get(jwt_vc_issuer_metadata))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential))
        .route(STATUS_LIST_PATH, get(status_list_token))
        .route("/control/offers", post(control_offer))
        .route("/control/status", post(control_status))
        .route("/control/health", get(|| async { Json(json!({"status": "ok"})) }))
        .with_state(issuer)
}

/// A JSON response with `Cache-Control: no-store` unless `cacheable`.
struct Json(Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        let mut r = (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], self.0.to_string()).into_response();
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

fn json_status(status: StatusCode, body: Value) -> Response {
    let mut r = Json(body).into_response();
    *r.status_mut() = status;
    r
}

impl Issuer {
    fn faulty(&self, fault: Fault) -> bool {
        self.config.fault == Some(fault)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.identifier, path)
    }

    fn published_identifier(&self, fault: Fault) -> String {
        if self.faulty(fault) { format!("{}/", self.identifier) } else { self.identifier.clone() }
    }

    fn token_error(&self, status: StatusCode, code: &str, description: &str) -> Response {
        if self.faulty(Fault::TokenGenericErrors) {
            return json_status(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "server_error"}));
        }
        json_status(status, json!({"error": code, "error_description": description}))
    }

    fn credential_error(&self, code: &str, description: &str) -> Response {
        if self.faulty(Fault::CredentialGenericErrors) {
            return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain")], "bad request").into_response();
        }
        json_status(StatusCode::BAD_REQUEST, json!({"error": code, "error_description": description}))
    }
}

async fn credential_issuer_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    let mut config = json!({
        "format": oid4vci::FORMAT_SD_JWT_VC,
        "scope": "verified_person",
        "vct": VCT_VERIFIED_PERSON,
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": ["ES256"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
        "credential_metadata": {
            "display": [
                {"name": "Verified Person", "locale": "en-CA"},
                {"name": "Personne vérifiée", "locale": "fr-CA"}
            ],
            "claims": [
                {"path": ["given_name"], "display": [{"name": "Given name", "locale": "en-CA"}]},
                {"path": ["family_name"], "display": [{"name": "Family name", "locale": "en-CA"}]},
                {"path": ["birthdate"]},
                {"path": ["address", "locality"]},
                {"path": ["email"]}
            ]
        }
    });
    if issuer.faulty(Fault::MetadataConfigWithoutVct) {
        config.as_object_mut().map(|c| c.remove("vct"));
    }
    if issuer.faulty(Fault::MetadataProofTypesMissing) {
        config.as_object_mut().map(|c| c.remove("proof_types_supported"));
    }
    if issuer.faulty(Fault::MetadataSigningAlgNone) {
        config["credential_signing_alg_values_supported"] = json!(["none"]);
    }
    let mut metadata = json!({
        "credential_issuer": issuer.published_identifier(Fault::MetadataIssuerTrailingSlash),
        "credential_endpoint": issuer.url("/credential"),
        "nonce_endpoint": issuer.url("/nonce"),
        "display": [{"name": "dialtone reference issuer", "locale": "en-CA"}],
        "credential_configurations_supported": { CONFIG_VERIFIED_PERSON: config },
    });
    if issuer.faulty(Fault::MetadataHttpEndpoint) {
        let plain = issuer.url("/deferred").replacen("https://", "http://", 1);
        metadata["deferred_credential_endpoint"] = json!(plain);
    }
    if issuer.faulty(Fault::MetadataMissingCredentialEndpoint) {
        metadata.as_object_mut().map(|m| m.remove("credential_endpoint"));
    }
    let mut response = Json(metadata).into_response();
    if issuer.faulty(Fault::MetadataWrongContentType) {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}

async fn authorization_server_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    Json(json!({
        "issuer": issuer.published_identifier(Fault::AsMetadataWrongIssuer),
        "token_endpoint": issuer.url("/token"),
        "grant_types_supported": [oid4vci::PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
        "token_endpoint_auth_methods_supported": ["none"],
    }))
    .into_response()
}

async fn jwt_vc_issuer_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    Json(json!({
        "issuer": issuer.published_identifier(Fault::JwtVcIssuerWrongIssuer),
        "jwks": issuer.minter.jwks(),
    }))
    .into_response()
}

/// The Status List Token (Token Status List §5.1, §8.2).
async fn status_list_token(State(issuer): State<Arc<Issuer>>) -> Response {
    let typ = if issuer.faulty(Fault::StatusListWrongTyp) { "JWT" } else { status_list::TYP };
    let sub = if issuer.faulty(Fault::StatusListSubMismatch) {
        format!("{}/status/2", issuer.identifier)
    } else {
        issuer.minter.status_uri()
    };
    let token = issuer.minter.status_list_token(typ, &sub);
    (StatusCode::OK, [(header::CONTENT_TYPE, status_list::MEDIA_TYPE)], token).into_response()
}

/// Control API: set the status of an issued credential's entry (revoke, suspend, reinstate).
async fn control_status(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let idx = request.get("idx").and_then(Value::as_u64);
    let status = match request.get("status").and_then(Value::as_str) {
        Some("valid") => Some(status_list::VALID),
        Some("revoked") | Some("invalid") => Some(status_list::INVALID),
        Some("suspended") => Some(status_list::SUSPENDED),
        _ => None,
    };
    let (Some(idx), Some(status)) = (idx, status) else {
        return json_status(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "idx and status (valid, revoked, suspended) are required"}),
        );
    };
    if !issuer.faulty(Fault::RevocationIgnored)
        && let Err(e) = issuer.minter.set_status(idx, status)
    {
        return json_status(StatusCode::BAD_REQUEST, json!({"error": "invalid_request", "error_description": e}));
    }
    Json(json!({"idx": idx, "status": status})).into_response()
}

async fn control_offer(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let request: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return json_status(
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid_request", "error_description": format!("body is not JSON: {e}")}),
                );
            }
        }
    };
    let configuration = request
        .get("credential_configuration_id")
        .and_then(Value::as_str)
        .unwrap_or(CONFIG_VERIFIED_PERSON)
        .to_string();
    let with_tx_code = request.get("tx_code").and_then(Value::as_bool).unwrap_or(false);
    let offered = if issuer.faulty(Fault::OfferUnknownConfiguration) {
        format!("{configuration}_v2")
    } else {
        configuration.clone()
    };
    let code = issuer.entropy.token(24);
    let tx_code = with_tx_code.then(|| issuer.entropy.digits(6));
    lock(&issuer.state.codes).insert(
        code.clone(),
        OfferedCode {
            configuration_ids: vec![configuration],
            tx_code: tx_code.clone(),
            created: now_epoch(),
            redeemed: false,
            failed_attempts: 0,
        },
    );
    let mut grant = json!({"pre-authorized_code": code});
    if tx_code.is_some() {
        grant["tx_code"] =
            json!({"input_mode": "numeric", "length": 6, "description": "Enter the code sent to you by SMS"});
    }
    let offer = json!({
        "credential_issuer": issuer.identifier,
        "credential_configuration_ids": [offered],
        "grants": { oid4vci::PRE_AUTHORIZED_GRANT: grant },
    });
    let uri = format!("{}?credential_offer={}", oid4vci::OFFER_SCHEME, percent_encode(&offer.to_string()));
    Json(json!({"credential_offer": offer, "credential_offer_uri": uri, "tx_code": tx_code})).into_response()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn token(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let form: Vec<(String, String)> = match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        Ok(f) => {
            lock(&issuer.log.token_requests).push(f.clone());
            f
        }
        Err(_) => {
            return issuer.token_error(
                StatusCode::BAD_REQUEST,
                te::INVALID_REQUEST,
                "body is not application/x-www-form-urlencoded",
            );
        }
    };
    // A parameter given twice is a malformed request (RFC 6749 §3.2).
    let param = |name: &str| -> Result<Option<&str>, ()> {
        let mut values = form.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() { Err(()) } else { Ok(first) }
    };
    let (grant_type, code, tx_code) = match (param("grant_type"), param("pre-authorized_code"), param("tx_code")) {
        (Ok(g), Ok(c), Ok(t)) => (g, c, t),
        _ => {
            return issuer.token_error(StatusCode::BAD_REQUEST, te::INVALID_REQUEST, "repeated parameter");
        }
    };
    match grant_type {
        None => {
            return issuer.token_error(StatusCode::BAD_REQUEST, te::INVALID_REQUEST, "grant_type is missing");
        }
        Some(g) if g != oid4vci::PRE_AUTHORIZED_GRANT && !issuer.faulty(Fault::TokenIgnoresGrantType) => {
            return issuer.token_error(
                StatusCode::BAD_REQUEST,
                te::UNSUPPORTED_GRANT_TYPE,
                "only the pre-authorized code grant is supported",
            );
        }
        Some(_) => {}
    }
    let Some(code) = code else {
        return issuer.token_error(StatusCode::BAD_REQUEST, te::INVALID_REQUEST, "pre-authorized_code is missing");
    };
    let now = now_epoch();
    let configuration_ids = {
        let mut codes = lock(&issuer.state.codes);
        let entry = codes.get_mut(code);

        match entry {
            None if issuer.faulty(Fault::TokenAcceptsAnyCode) => {
                vec![CONFIG_VERIFIED_PERSON.to_string()]
            }
            None => {
                return issuer.token_error(StatusCode::BAD_REQUEST, te::INVALID_GRANT, "unknown pre-authorized code");
            }
            Some(offered) => {
                if (offered.redeemed && !issuer.faulty(Fault::TokenCodeReusable))
                    || now - offered.created > CODE_LIFETIME_SECS
                    || offered.failed_attempts >= TX_CODE_ATTEMPTS
                {
                    return issuer.token_error(
                        StatusCode::BAD_REQUEST,
                        te::INVALID_GRANT,
                        "pre-authorized code expired or already used",
                    );
                }
                if !issuer.faulty(Fault::TokenTxCodeIgnored) {
                    match (&offered.tx_code, tx_code) {
                        (Some(_), None) => {
                            return issuer.token_error(
                                StatusCode::BAD_REQUEST,
                                te::INVALID_REQUEST,
                                "tx_code is required for this code",
                            );
                        }
                        (None, Some(_)) => {
                            return issuer.token_error(
                                StatusCode::BAD_REQUEST,
                                te::INVALID_REQUEST,
                                "no tx_code was expected",
                            );
                        }
                        (Some(expected), Some(given))
                            if expected != given && !issuer.faulty(Fault::TokenTxCodePresenceOnly) =>
                        {
                            offered.failed_attempts += 1;
                            return issuer.token_error(StatusCode::BAD_REQUEST, te::INVALID_GRANT, "wrong tx_code");
                        }
                        _ => {}
                    }
                }
                offered.redeemed = true;
                offered.configuration_ids.clone()
            }
        }
    };
    let access_token = issuer.entropy.token(32);
    lock(&issuer.state.tokens)
        .insert(access_token.clone(), AccessGrant { configuration_ids, expires: now + TOKEN_LIFETIME_SECS });
    let mut response =
        Json(json!({"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECS}))
            .into_response();
    if issuer.faulty(Fault::TokenNoCacheControl) {
        response.headers_mut().remove(header::CACHE_CONTROL);
    }
    response
}

async fn nonce(State(issuer): State<Arc<Issuer>>, headers: HeaderMap) -> Response {
    if issuer.faulty(Fault::NonceRequiresToken) && !headers.contains_key(header::AUTHORIZATION) {
        return bearer_challenge(&issuer, None);
    }
    let c_nonce =
        if issuer.faulty(Fault::NonceConstant) { "constant-nonce-0000".to_string() } else { issuer.entropy.token(16) };
    lock(&issuer.state.nonces).insert(c_nonce.clone(), NonceRecord { issued: now_epoch(), used: false });
    lock(&issuer.log.nonces).push(c_nonce.clone());
    let mut response = Json(json!({"c_nonce": c_nonce})).into_response();
    if issuer.faulty(Fault::NonceCacheable) {
        response.headers_mut().remove(header::CACHE_CONTROL);
    }
    response
}

/// RFC 6750 §3: 401 with a `WWW-Authenticate: Bearer` challenge; an error code only when a token was sent.
fn bearer_challenge(issuer: &Issuer, error: Option<&str>) -> Response {
    let challenge = match error {
        // What Credo 0.6 sends: parameter names without values.
        _ if issuer.faulty(Fault::CredentialMalformedChallenge) => "Bearer error, error_description, scope".to_string(),
        Some(e) => format!("Bearer error=\"{e}\""),
        None => "Bearer".to_string(),
    };
    let status =
        if issuer.faulty(Fault::CredentialAuthFailure403) { StatusCode::FORBIDDEN } else { StatusCode::UNAUTHORIZED };
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": error.unwrap_or("invalid_request")}).to_string(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

async fn credential(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, body: Bytes) -> Response {
    // Access token (RFC 6750 §2.1, §3).
    let grant = {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
        let tokens = lock(&issuer.state.tokens);
        match token.map(|t| tokens.get(t).cloned()) {
            _ if issuer.faulty(Fault::CredentialNoAuthCheck) => {
                AccessGrant { configuration_ids: vec![CONFIG_VERIFIED_PERSON.into()], expires: i64::MAX }
            }
            None => return bearer_challenge(&issuer, None),
            Some(None) => return bearer_challenge(&issuer, Some(ce::INVALID_TOKEN)),
            Some(Some(g)) if g.expires < now_epoch() => {
                return bearer_challenge(&issuer, Some(ce::INVALID_TOKEN));
            }
            Some(Some(g)) => g,
        }
    };
    let request: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(m)) => {
            lock(&issuer.log.credential_requests).push(Value::Object(m.clone()));
            m
        }
        _ => {
            return issuer.credential_error(ce::INVALID_CREDENTIAL_REQUEST, "body is not a JSON object");
        }
    };
    let configuration = match (request.get("credential_configuration_id"), request.get("credential_identifier")) {
        (Some(Value::String(c)), None) => c.clone(),
        (None, Some(_)) => {
            return issuer.credential_error(
                ce::UNKNOWN_CREDENTIAL_IDENTIFIER,
                "no credential identifiers were issued with this token",
            );
        }
        _ => {
            return issuer.credential_error(
                ce::INVALID_CREDENTIAL_REQUEST,
                "exactly one of credential_configuration_id and credential_identifier is required",
            );
        }
    };
    if configuration != CONFIG_VERIFIED_PERSON {
        let code = if issuer.faulty(Fault::UnknownConfigGenericError) {
            ce::INVALID_CREDENTIAL_REQUEST
        } else {
            ce::UNKNOWN_CREDENTIAL_CONFIGURATION
        };
        return issuer.credential_error(code, "unknown credential configuration");
    }
    if !grant.configuration_ids.contains(&configuration) {
        return issuer
            .credential_error(ce::CREDENTIAL_REQUEST_DENIED, "the access token does not cover this configuration");
    }
    let holder_jwk = match request.get("proofs") {
        None if issuer.faulty(Fault::ProofOptional) => None,
        None => return issuer.credential_error(ce::INVALID_PROOF, "proofs is missing"),
        Some(proofs) => match check_proofs(&issuer, proofs) {
            Ok(jwk) => Some(jwk),
            Err((code, why)) => return issuer.credential_error(code, &why),
        },
    };
    let credential = issue_sd_jwt_vc(&issuer, holder_jwk);
    if issuer.faulty(Fault::CredentialLegacyResponse) {
        return Json(json!({"credential": credential, "format": oid4vci::FORMAT_SD_JWT_VC})).into_response();
    }
    Json(json!({"credentials": [{"credential": credential}]})).into_response()
}

/// Validates the `proofs` object (OID4VCI §8.2, Appendix F.1, F.4); returns the holder's key.
fn check_proofs(issuer: &Issuer, proofs: &Value) -> Result<Value, (&'static str, String)> {
    let invalid = |why: &str| (ce::INVALID_PROOF, why.to_string());
    let jwts = proofs
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("jwt"))
        .and_then(Value::as_array)
        .filter(|a| a.len() == 1)
        .ok_or_else(|| invalid("proofs must hold exactly one jwt proof"))?;
    let text = jwts[0].as_str().ok_or_else(|| invalid("the proof is not a string"))?;
    let jws = CompactJws::parse(text).map_err(|e| invalid(&format!("proof is not a JWS: {e}")))?;
    if jws.typ() != Some(oid4vci::PROOF_TYP) && !issuer.faulty(Fault::ProofTypUnchecked) {
        return Err(invalid("proof typ must be openid4vci-proof+jwt"));
    }
    let jwk = jws.header.get("jwk").cloned().ok_or_else(|| invalid("the proof header has no jwk"))?;
    if jws.header.contains_key("kid") || jws.header.contains_key("x5c") {
        return Err(invalid("jwk must not be combined with kid or x5c"));
    }
    if jwk.get("d").is_some() {
        return Err(invalid("the proof jwk contains a private key"));
    }
    if !issuer.faulty(Fault::ProofSignatureUnchecked) {
        if !jws.alg().is_some_and(|a| a == "ES256" && is_asymmetric_alg(a)) {
            return Err(invalid("proof alg must be ES256 (proof_signing_alg_values_supported)"));
        }
        let key = verifying_key_from_jwk(&jwk).map_err(|e| invalid(&format!("proof jwk: {e}")))?;
        jws.verify_es256(&key).map_err(|e| invalid(&format!("proof signature: {e}")))?;
    }
    let aud_ok = match jws.payload.get("aud") {
        Some(Value::String(a)) => a == &issuer.identifier,
        Some(Value::Array(a)) => a.len() == 1 && a[0] == Value::String(issuer.identifier.clone()),
        _ => false,
    };
    if !aud_ok && !issuer.faulty(Fault::ProofAudUnchecked) {
        return Err(invalid("proof aud must be the Credential Issuer Identifier"));
    }
    let now = now_epoch();
    match jws.payload.get("iat").and_then(Value::as_i64) {
        Some(iat) if iat <= now + 60 && iat >= now - NONCE_LIFETIME_SECS => {}
        _ => return Err(invalid("proof iat is missing or not recent")),
    }
    if !issuer.faulty(Fault::ProofNonceUnchecked) {
        let nonce = jws.payload.get("nonce").and_then(Value::as_str).ok_or_else(|| invalid("proof has no nonce"))?;
        let mut nonces = lock(&issuer.state.nonces);
        match nonces.get_mut(nonce) {
            Some(record)
                if (!record.used
                    || issuer.faulty(Fault::ProofNonceReusable)
                    || issuer.faulty(Fault::NonceConstant))
                    && now - record.issued <= NONCE_LIFETIME_SECS =>
            {
                record.used = true
            }
            _ => {
                return Err((ce::INVALID_NONCE, "c_nonce is unknown, used or expired".into()));
            }
        }
    }
    Ok(jwk)
}

fn issue_sd_jwt_vc(issuer: &Issuer, holder_jwk: Option<Value>) -> String {
    let minter = &issuer.minter;
    let mut spec = minter.spec(holder_jwk);
    let now = now_epoch();
    spec.iss = issuer.published_identifier(Fault::SdJwtIssTrailingSlash);
    if issuer.faulty(Fault::SdJwtWrongVct) {
        spec.vct = "urn:dialtone:vct:verified-persn:1".into();
    }
    if issuer.faulty(Fault::SdJwtExpired) {
        (spec.iat, spec.nbf, spec.exp) = (now - 86_400 * 30, Some(now - 86_400 * 30), Some(now - 86_400));
    }
    if issuer.faulty(Fault::SdJwtNoExp) {
        spec.exp = None;
    }
    if issuer.faulty(Fault::SdJwtCnfOtherKey) && spec.holder_jwk.is_some() {
        spec.holder_jwk = Some(minter.unlisted_key().public_jwk());
    }
    if issuer.faulty(Fault::SdJwtClaimInClear) {
        spec.sd_paths.retain(|p| p != &["given_name"]);
    }
    if issuer.faulty(Fault::SdJwtVctDisclosable) {
        spec.sd_paths.push(vec!["vct".into()]);
    }
    if issuer.faulty(Fault::SdJwtShortSalt) {
        spec.salt_bytes = 4;
    }
    if issuer.faulty(Fault::StatusMissing) {
        spec.status = None;
    }
    if issuer.faulty(Fault::SdJwtBirthdateNotFullDate) {
        spec.subject.insert("birthdate".into(), json!("01/07/1990"));
    }
    spec.digest_off = issuer.faulty(Fault::SdJwtDigestOff);
    spec.sign_with_unlisted_key = issuer.faulty(Fault::SdJwtSignedByUnlistedKey);
    spec.drop_trailing_tilde = issuer.faulty(Fault::SdJwtNoTrailingTilde);
    if issuer.faulty(Fault::SdJwtLegacyTyp) {
        spec.typ = sd_jwt_vc::LEGACY_TYP.into();
    }
    minter.mint(&spec)
}
