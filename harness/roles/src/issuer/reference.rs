//! The reference issuer: OpenID4VCI 1.0 pre-authorized code flow (with and without `tx_code`),
//! issuing SD-JWT VCs (`dc+sd-jwt`, ES256, `cnf.jwk` from the proof), with its key at
//! `/.well-known/jwt-vc-issuer`, plus dialtone's control API (`suites/control-api.yaml`).
//!
//! The handlers do what its [`Behaviour`] says; a mutant is the same server with one value of it
//! changed (`mutants.rs`).

use super::behaviour::{Behaviour, TxCodeCheck};
use super::client_auth::{CHALLENGE_PATH, ClientAuth};
use super::key_attestation::KeyAttestationTrust;
use super::minter::{Minter, STATUS_LIST_PATH, VCT_VERIFIED_PERSON};
use super::mutants::IssuerFault;
use super::state::*;
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::control::{OfferCreated, OfferRequest, StatusChange};
use dialtone_protocols::message::Message;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oauth::client_attestation::{self, AttestationMetadata};
use dialtone_protocols::oid4vci::key_attestation::KeyAttestationsRequired;
use dialtone_protocols::oid4vci::message::{
    AuthorizationServerMetadata, ClaimDescription, CredentialConfiguration, CredentialIssuerMetadata,
    CredentialMetadata, CredentialOffer, CredentialRequest, CredentialResponse, Display, ErrorResponse, Grants,
    LegacyCredentialResponse, NonceResponse, OFFER_BY_VALUE, PreAuthorizedCodeGrant, ProofTypeMetadata, TokenRequest,
    TokenResponse, TxCode, proof_type,
};
use dialtone_protocols::oid4vci::{self, credential_error as ce, proof, token_error as te};
use dialtone_protocols::sd_jwt_vc::JwtVcIssuerMetadata;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::status_list;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub(crate) const CONFIG_VERIFIED_PERSON: &str = "VerifiedPerson_dc_sd_jwt";
pub(crate) const METADATA_PATH: &str = oid4vci::WELL_KNOWN_ISSUER;
pub(crate) const TOKEN_PATH: &str = "/token";
pub(crate) const NONCE_PATH: &str = "/nonce";
const CREDENTIAL_PATH: &str = "/credential";
const PROOF_ALGS: &[&str] = &["ES256"];

#[derive(Debug, Clone, Default)]
pub struct IssuerConfig {
    pub fault: Option<IssuerFault>,
    pub seed: Option<u64>,
    /// Public JWKs of the wallet providers it trusts to attest clients (OAuth attestation-based
    /// client authentication) and keys (OID4VCI Appendix D); none: it takes no attestations.
    pub attesters: Vec<Value>,
    /// Every key proof must carry a key attestation (`key_attestations_required`).
    pub key_attestations_required: bool,
    /// Every token request must authenticate its client with an attestation (by an attester of
    /// `attesters`); else an attestation is checked when sent (the pre-authorized code grant allows
    /// anonymous access).
    pub require_client_attestation: bool,
}

pub struct Issuer {
    behaviour: Behaviour,
    /// The Credential Issuer Identifier, exactly as published (no trailing slash).
    identifier: String,
    minter: Arc<Minter>,
    entropy: Entropy,
    state: IssuerState,
    log: Arc<IssuerLog>,
    client_auth: ClientAuth,
    key_attestations: KeyAttestationTrust,
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
    start_with_minter(config, port, tls).await.map(|(server, _)| server)
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
    let minter = Arc::new(minter(&config, identifier));
    serve(config, listener, minter, tls)
}

/// The issuing core of an issuer with identifier `identifier`: its keys follow from `config.seed`
/// alone (never from its port), so a seeded issuer has the same keys on every run.
pub fn minter(config: &IssuerConfig, identifier: String) -> Minter {
    Minter::new(identifier, Entropy::new(config.seed).derive("reference-issuer minter"))
}

/// Serves the reference issuer (or a mutant) on a bound `listener` with `minter`, whose identifier
/// is this server's URL.
pub fn serve(
    config: IssuerConfig,
    listener: tokio::net::TcpListener,
    minter: Arc<Minter>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<(RunningServer, IssuerHandle)> {
    let identifier = minter.identifier.clone();
    let entropy = Entropy::new(config.seed).derive("reference-issuer");
    let log = Arc::new(IssuerLog::default());
    let control_url = format!("{identifier}/control");
    let behaviour = Behaviour::with(config.fault);
    let client_auth = ClientAuth::new(
        config.attesters.clone(),
        config.require_client_attestation,
        behaviour.client_attestation,
        entropy.derive("challenges"),
        log.clone(),
    );
    let key_attestations = KeyAttestationTrust {
        trusted: config.attesters.clone(),
        required: config.key_attestations_required,
        policy: behaviour.key_attestation,
    };
    let issuer = Arc::new(Issuer {
        behaviour,
        identifier,
        minter: minter.clone(),
        entropy,
        state: IssuerState::default(),
        log: log.clone(),
        client_auth,
        key_attestations,
    });
    let server = match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router(issuer))?,
        None => RunningServer::serve(listener, router(issuer))?,
    };
    Ok((server, IssuerHandle { minter, log, control_url }))
}

fn router(issuer: Arc<Issuer>) -> Router {
    Router::new()
        .route(METADATA_PATH, get(credential_issuer_metadata))
        .route(oid4vci::WELL_KNOWN_AS, get(authorization_server_metadata))
        .route(dialtone_protocols::sd_jwt_vc::WELL_KNOWN_JWT_VC_ISSUER, get(jwt_vc_issuer_metadata))
        .route(TOKEN_PATH, post(token))
        .route(
            CHALLENGE_PATH,
            post(|State(issuer): State<Arc<Issuer>>| async move { issuer.client_auth.challenge_response() }),
        )
        .route(NONCE_PATH, post(nonce))
        .route(CREDENTIAL_PATH, post(credential))
        .route(STATUS_LIST_PATH, get(status_list_token))
        .route("/control/offers", post(control_offer))
        .route("/control/status", post(control_status))
        .route("/control/health", get(|| async { json_response(StatusCode::OK, json!({"status": "ok"})) }))
        .layer(axum::middleware::from_fn_with_state(issuer.clone(), rewrite_response))
        .with_state(issuer)
}

/// The response-rewriting seam: a behaviour may change the headers of one path's responses.
async fn rewrite_response(State(issuer): State<Arc<Issuer>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    if let Some((target, rewrite)) = issuer.behaviour.response
        && target == path
    {
        rewrite(response.headers_mut());
    }
    response
}

/// A JSON response with `Cache-Control: no-store`.
fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body.to_string())
        .into_response()
}

fn message<T: Message>(body: &T) -> Response {
    json_response(StatusCode::OK, body.to_json())
}

impl Issuer {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.identifier, path)
    }

    fn token_error(&self, code: &str, description: &str) -> Response {
        if !self.behaviour.token.oauth_errors {
            return json_response(StatusCode::INTERNAL_SERVER_ERROR, ErrorResponse::code("server_error").to_json());
        }
        json_response(StatusCode::BAD_REQUEST, ErrorResponse::new(code, description).to_json())
    }

    fn credential_error(&self, code: &str, description: &str) -> Response {
        if !self.behaviour.credential.json_errors {
            return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain")], "bad request").into_response();
        }
        json_response(StatusCode::BAD_REQUEST, ErrorResponse::new(code, description).to_json())
    }
}

/// The credential configuration it issues; with trusted key attesters, it also takes the
/// `attestation` proof type (Appendix F.3), and requires key attestations when configured to.
fn configuration(key_attestations: &KeyAttestationTrust) -> CredentialConfiguration {
    let mut proof_types = Map::new();
    proof_types.insert(proof_type::JWT.into(), proof_type_metadata(PROOF_ALGS, key_attestations.required));
    if key_attestations.enabled() {
        proof_types.insert(proof_type::ATTESTATION.into(), proof_type_metadata(PROOF_ALGS, true));
    }
    let given = ClaimDescription {
        display: Some(vec![Display::named("Given name", "en-CA")]),
        ..ClaimDescription::at(&["given_name"])
    };
    let family = ClaimDescription {
        display: Some(vec![Display::named("Family name", "en-CA")]),
        ..ClaimDescription::at(&["family_name"])
    };
    CredentialConfiguration {
        format: Some(oid4vci::FORMAT_SD_JWT_VC.into()),
        scope: Some("verified_person".into()),
        vct: Some(VCT_VERIFIED_PERSON.into()),
        cryptographic_binding_methods_supported: Some(vec!["jwk".into()]),
        credential_signing_alg_values_supported: Some(json!(["ES256"])),
        proof_types_supported: Some(Value::Object(proof_types)),
        credential_metadata: Some(CredentialMetadata {
            display: Some(vec![
                Display::named("Verified Person", "en-CA"),
                Display::named("Personne vérifiée", "fr-CA"),
            ]),
            claims: Some(vec![
                given,
                family,
                ClaimDescription::at(&["birthdate"]),
                ClaimDescription::at(&["address", "locality"]),
                ClaimDescription::at(&["email"]),
            ]),
            ..CredentialMetadata::default()
        }),
        ..CredentialConfiguration::default()
    }
}

fn proof_type_metadata(algs: &[&str], key_attestations_required: bool) -> Value {
    serde_json::to_value(ProofTypeMetadata {
        proof_signing_alg_values_supported: algs.iter().map(|a| a.to_string()).collect(),
        key_attestations_required: key_attestations_required
            .then(|| serde_json::to_value(KeyAttestationsRequired::default()).unwrap_or(Value::Null)),
    })
    .unwrap_or(Value::Null)
}

async fn credential_issuer_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    let mut configurations = Map::new();
    configurations.insert(CONFIG_VERIFIED_PERSON.into(), configuration(&issuer.key_attestations).to_json());
    let mut metadata = CredentialIssuerMetadata {
        credential_issuer: Some(issuer.identifier.clone()),
        credential_endpoint: Some(issuer.url(CREDENTIAL_PATH)),
        nonce_endpoint: Some(issuer.url(NONCE_PATH)),
        display: Some(vec![Display::named("dialtone reference issuer", "en-CA")]),
        credential_configurations_supported: Some(configurations),
        ..CredentialIssuerMetadata::default()
    };
    if let Some(rewrite) = issuer.behaviour.metadata {
        rewrite(&mut metadata, &issuer.identifier);
    }
    message(&metadata)
}

async fn authorization_server_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    let mut metadata = AuthorizationServerMetadata {
        issuer: Some(issuer.identifier.clone()),
        token_endpoint: Some(issuer.url(TOKEN_PATH)),
        grant_types_supported: Some(vec![oid4vci::PRE_AUTHORIZED_GRANT.into()]),
        pre_authorized_grant_anonymous_access_supported: Some(true),
        token_endpoint_auth_methods_supported: Some(vec!["none".into()]),
        ..AuthorizationServerMetadata::default()
    };
    if issuer.client_auth.required() {
        metadata.token_endpoint_auth_methods_supported = Some(Vec::new());
        metadata.pre_authorized_grant_anonymous_access_supported = Some(false);
    }
    if issuer.client_auth.enabled() {
        metadata
            .token_endpoint_auth_methods_supported
            .get_or_insert_with(Vec::new)
            .push(client_attestation::AUTH_METHOD.into());
        AttestationMetadata::publish(&mut metadata.extra, &issuer.url(CHALLENGE_PATH), PROOF_ALGS);
    }
    if let Some(rewrite) = issuer.behaviour.as_metadata {
        rewrite(&mut metadata, &issuer.identifier);
    }
    message(&metadata)
}

async fn jwt_vc_issuer_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    let mut metadata = JwtVcIssuerMetadata {
        issuer: Some(issuer.identifier.clone()),
        jwks: Some(issuer.minter.jwks()),
        ..JwtVcIssuerMetadata::default()
    };
    if let Some(rewrite) = issuer.behaviour.jwt_vc_issuer {
        rewrite(&mut metadata, &issuer.identifier);
    }
    message(&metadata)
}

/// The Status List Token (Token Status List §5.1, §8.2).
async fn status_list_token(State(issuer): State<Arc<Issuer>>) -> Response {
    let policy = issuer.behaviour.status_list;
    let sub = if policy.sub_elsewhere { format!("{}/status/2", issuer.identifier) } else { issuer.minter.status_uri() };
    let token = issuer.minter.status_list_token(policy.typ, &sub);
    (StatusCode::OK, [(header::CONTENT_TYPE, status_list::MEDIA_TYPE)], token).into_response()
}

/// Control API: set the status of an issued credential's entry (revoke, suspend, reinstate).
async fn control_status(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let refused =
        |why: &str| json_response(StatusCode::BAD_REQUEST, ErrorResponse::new(te::INVALID_REQUEST, why).to_json());
    let Ok(change) = serde_json::from_slice::<StatusChange>(&body) else {
        return refused("idx and status (valid, revoked, suspended) are required");
    };
    let status = match change.status.as_str() {
        "valid" => status_list::VALID,
        "revoked" | "invalid" => status_list::INVALID,
        "suspended" => status_list::SUSPENDED,
        _ => return refused("idx and status (valid, revoked, suspended) are required"),
    };
    if issuer.behaviour.status_list.honours_changes
        && let Err(e) = issuer.minter.set_status(change.idx, status)
    {
        return refused(&e);
    }
    json_response(StatusCode::OK, json!({"idx": change.idx, "status": status}))
}

async fn control_offer(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let request: OfferRequest = if body.is_empty() {
        OfferRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    ErrorResponse::new(te::INVALID_REQUEST, format!("body is not an offer request: {e}")).to_json(),
                );
            }
        }
    };
    let configuration = request.credential_configuration_id.unwrap_or_else(|| CONFIG_VERIFIED_PERSON.to_string());
    let code = issuer.entropy.token(24);
    let tx_code = request.tx_code.then(|| issuer.entropy.digits(6));
    lock(&issuer.state.codes).insert(
        code.clone(),
        OfferedCode {
            configuration_ids: vec![configuration.clone()],
            tx_code: tx_code.clone(),
            created: now_epoch(),
            redeemed: false,
            failed_attempts: 0,
        },
    );
    let grant = PreAuthorizedCodeGrant {
        pre_authorized_code: code,
        tx_code: tx_code.as_ref().map(|_| TxCode {
            input_mode: Some("numeric".into()),
            length: Some(6),
            description: Some("Enter the code sent to you by SMS".into()),
        }),
        authorization_server: None,
    };
    let mut offer = CredentialOffer {
        credential_issuer: issuer.identifier.clone(),
        credential_configuration_ids: vec![configuration],
        grants: Some(Grants { pre_authorized_code: Some(grant), ..Grants::default() }),
        extra: Map::new(),
    };
    if let Some(rewrite) = issuer.behaviour.offer {
        rewrite(&mut offer, &issuer.identifier);
    }
    let uri = format!(
        "{}?{}",
        oid4vci::OFFER_SCHEME,
        serde_urlencoded::to_string([(OFFER_BY_VALUE, offer.to_json().to_string())]).unwrap_or_default()
    );
    let created = OfferCreated { credential_offer: Some(offer.to_json()), credential_offer_uri: Some(uri), tx_code };
    json_response(StatusCode::OK, serde_json::to_value(created).unwrap_or(Value::Null))
}

async fn token(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, body: Bytes) -> Response {
    let policy = issuer.behaviour.token;
    let request = match TokenRequest::from_form(&body) {
        Ok(r) => {
            lock(&issuer.log.token_requests).push(r.clone());
            r
        }
        Err(e @ dialtone_protocols::oid4vci::message::TokenRequestError::NotForm) => {
            return issuer.token_error(te::INVALID_REQUEST, &e.to_string());
        }
        Err(e) => return issuer.token_error(te::INVALID_REQUEST, &e.to_string()),
    };
    if let Err(refusal) =
        issuer.client_auth.authenticate_client(&headers, &issuer.identifier, request.client_id.as_deref())
    {
        return refusal.response();
    }
    match request.grant_type.as_deref() {
        None => return issuer.token_error(te::INVALID_REQUEST, "grant_type is missing"),
        Some(g) if g != oid4vci::PRE_AUTHORIZED_GRANT && policy.grant_type_checked => {
            return issuer.token_error(te::UNSUPPORTED_GRANT_TYPE, "only the pre-authorized code grant is supported");
        }
        Some(_) => {}
    }
    let Some(code) = request.pre_authorized_code.as_deref() else {
        return issuer.token_error(te::INVALID_REQUEST, "pre-authorized_code is missing");
    };
    let now = now_epoch();
    let configuration_ids = {
        let mut codes = lock(&issuer.state.codes);
        match codes.get_mut(code) {
            None if !policy.known_codes_only => vec![CONFIG_VERIFIED_PERSON.to_string()],
            None => return issuer.token_error(te::INVALID_GRANT, "unknown pre-authorized code"),
            Some(offered) => {
                if (offered.redeemed && policy.single_use_codes)
                    || now - offered.created > CODE_LIFETIME_SECS
                    || offered.failed_attempts >= TX_CODE_ATTEMPTS
                {
                    return issuer.token_error(te::INVALID_GRANT, "pre-authorized code expired or already used");
                }
                if policy.tx_code != TxCodeCheck::None {
                    match (&offered.tx_code, request.tx_code.as_deref()) {
                        (Some(_), None) => {
                            return issuer.token_error(te::INVALID_REQUEST, "tx_code is required for this code");
                        }
                        (None, Some(_)) => return issuer.token_error(te::INVALID_REQUEST, "no tx_code was expected"),
                        (Some(expected), Some(given)) if expected != given && policy.tx_code == TxCodeCheck::Value => {
                            offered.failed_attempts += 1;
                            return issuer.token_error(te::INVALID_GRANT, "wrong tx_code");
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
    message(&TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: Some(TOKEN_LIFETIME_SECS),
        refresh_token: None,
        authorization_details: None,
        extra: Map::new(),
    })
}

async fn nonce(State(issuer): State<Arc<Issuer>>, headers: HeaderMap) -> Response {
    let policy = issuer.behaviour.nonce;
    if policy.requires_token && !headers.contains_key(header::AUTHORIZATION) {
        return bearer_challenge(&issuer, None);
    }
    let c_nonce = if policy.constant { "constant-nonce-0000".to_string() } else { issuer.entropy.token(16) };
    lock(&issuer.state.nonces).insert(c_nonce.clone(), NonceRecord { issued: now_epoch(), used: false });
    lock(&issuer.log.nonces).push(c_nonce.clone());
    message(&NonceResponse { c_nonce, extra: Map::new() })
}

/// RFC 6750 §3: a refusal with a `WWW-Authenticate: Bearer` challenge; an error code only when a
/// token was sent.
fn bearer_challenge(issuer: &Issuer, error: Option<&str>) -> Response {
    let policy = issuer.behaviour.credential;
    let challenge = match error {
        // What Credo 0.6 sends: parameter names without values.
        _ if !policy.well_formed_challenge => "Bearer error, error_description, scope".to_string(),
        Some(e) => format!("Bearer error=\"{e}\""),
        None => "Bearer".to_string(),
    };
    let status = StatusCode::from_u16(policy.auth_failure_status).unwrap_or(StatusCode::UNAUTHORIZED);
    let body = ErrorResponse::code(error.unwrap_or(te::INVALID_REQUEST)).to_json();
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

async fn credential(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, body: Bytes) -> Response {
    let policy = issuer.behaviour.credential;
    // Access token (RFC 6750 §2.1, §3).
    let grant = {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
        let tokens = lock(&issuer.state.tokens);
        match token.map(|t| tokens.get(t).cloned()) {
            _ if !policy.auth_checked => {
                AccessGrant { configuration_ids: vec![CONFIG_VERIFIED_PERSON.into()], expires: i64::MAX }
            }
            None => return bearer_challenge(&issuer, None),
            Some(None) => return bearer_challenge(&issuer, Some(ce::INVALID_TOKEN)),
            Some(Some(g)) if g.expires < now_epoch() => return bearer_challenge(&issuer, Some(ce::INVALID_TOKEN)),
            Some(Some(g)) => g,
        }
    };
    let request = match CredentialRequest::parse_bytes(&body) {
        Ok(r) => {
            lock(&issuer.log.credential_requests).push(r.value.clone());
            r.value
        }
        Err(e) => return issuer.credential_error(ce::INVALID_CREDENTIAL_REQUEST, &e.to_string()),
    };
    let configuration = match (&request.credential_configuration_id, &request.credential_identifier) {
        (Some(c), None) => c.clone(),
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
        return issuer.credential_error(policy.unknown_configuration_error, "unknown credential configuration");
    }
    if !grant.configuration_ids.contains(&configuration) {
        return issuer
            .credential_error(ce::CREDENTIAL_REQUEST_DENIED, "the access token does not cover this configuration");
    }
    let holder_jwk = match &request.proofs {
        None if !issuer.behaviour.proof.required => None,
        None => return issuer.credential_error(ce::INVALID_PROOF, "proofs is missing"),
        Some(_) => match check_proofs(&issuer, &request) {
            Ok(jwk) => Some(jwk),
            Err((code, why)) => return issuer.credential_error(code, &why),
        },
    };
    let credential = Value::String(issue_sd_jwt_vc(&issuer, holder_jwk));
    if policy.legacy_response {
        return message(&LegacyCredentialResponse { credential, format: Some(oid4vci::FORMAT_SD_JWT_VC.into()) });
    }
    message(&CredentialResponse::immediate(vec![credential]))
}

/// Validates the proofs (OID4VCI §8.2, Appendix F.1, F.4); returns the holder's key.
fn check_proofs(issuer: &Issuer, request: &CredentialRequest) -> Result<Value, (&'static str, String)> {
    let policy = issuer.behaviour.proof;
    let invalid = |why: String| (ce::INVALID_PROOF, why);
    let now = now_epoch();
    let (jwk, nonce) = match request.attestation_proof() {
        Some(attestation) => {
            let jwt = attestation.map_err(|why| invalid(why.into()))?;
            issuer.key_attestations.attestation_proof(jwt, now).map_err(invalid)?
        }
        None => {
            let jwts = request
                .jwt_proofs()
                .filter(|p| p.len() == 1)
                .ok_or_else(|| invalid("proofs must hold exactly one jwt proof".into()))?;
            let checked =
                proof::check(jwts[0], &issuer.identifier, now, NONCE_LIFETIME_SECS, PROOF_ALGS, policy.checks)
                    .map_err(invalid)?;
            issuer.key_attestations.jwt_proof(&checked, now).map_err(invalid)?;
            (checked.jwk, checked.claims.nonce)
        }
    };
    if policy.nonce_checked {
        let nonce = nonce.as_deref().ok_or_else(|| invalid("proof has no nonce".into()))?;
        let mut nonces = lock(&issuer.state.nonces);
        match nonces.get_mut(nonce) {
            Some(record)
                if (!record.used || !policy.single_use_nonces) && now - record.issued <= NONCE_LIFETIME_SECS =>
            {
                record.used = true
            }
            _ => return Err((ce::INVALID_NONCE, "c_nonce is unknown, used or expired".into())),
        }
    }
    Ok(jwk)
}

fn issue_sd_jwt_vc(issuer: &Issuer, holder_jwk: Option<Value>) -> String {
    let minter = &issuer.minter;
    let mut spec = minter.spec(holder_jwk);
    minter.deviate(&mut spec, &issuer.behaviour.mint, now_epoch());
    minter.mint(&spec)
}
