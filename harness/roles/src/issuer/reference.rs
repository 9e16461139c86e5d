//! The reference issuer: OpenID4VCI 1.0 pre-authorized code flow (with and without `tx_code`) and
//! authorization code flow (PAR and PKCE S256 required, `authorization_details` or `scope`; in
//! `authorize`), issuing SD-JWT VCs (`dc+sd-jwt`, ES256, `cnf.jwk` from the proof), with its key at
//! `/.well-known/jwt-vc-issuer`, plus dialtone's control API (`suites/control-api.yaml`).
//!
//! The handlers do what its [`Behaviour`] says; a mutant is the same server with one value of it
//! changed (`mutants.rs`).

mod authorize;

use super::behaviour::{Behaviour, ProofPolicy, TxCodeCheck};
use super::client_auth::{CHALLENGE_PATH, ClientAuth};
use super::dpop;
use super::followup::{self, Followups};
use super::key_attestation::KeyAttestationTrust;
use super::minter::{Minter, STATUS_LIST_PATH, VCT_VERIFIED_PERSON};
use super::mutants::IssuerFault;
use super::resource::{authorize_presented, authorize_resource, bearer_challenge};
use super::state::*;
use crate::seam::{Part, Seams};
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::control::{OfferCreated, OfferRequest, StatusChange};
use dialtone_protocols::message::Message;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oauth::client_attestation::{self, AttestationMetadata};
use dialtone_protocols::oauth::pkce;
use dialtone_protocols::oid4vci::key_attestation::KeyAttestationsRequired;
use dialtone_protocols::oid4vci::message::{
    AuthorizationCodeGrant, AuthorizationDetail, AuthorizationRequest, AuthorizationServerMetadata, ClaimDescription,
    CredentialConfiguration, CredentialIssuerMetadata, CredentialMetadata, CredentialOffer, CredentialRequest, Display,
    ErrorResponse, Grants, LegacyCredentialResponse, NonceResponse, OFFER_BY_VALUE, PreAuthorizedCodeGrant,
    ProofTypeMetadata, TokenRequest, TokenResponse, TxCode, proof_type,
};
use dialtone_protocols::oid4vci::{self, credential_error as ce, proof, token_error as te};
use dialtone_protocols::sd_jwt_vc::JwtVcIssuerMetadata;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::status_list;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub(crate) const CONFIG_VERIFIED_PERSON: &str = "VerifiedPerson_dc_sd_jwt";
pub(crate) const METADATA_PATH: &str = oid4vci::WELL_KNOWN_ISSUER;
pub const TOKEN_PATH: &str = "/token";
pub(crate) const NONCE_PATH: &str = "/nonce";
pub const CREDENTIAL_PATH: &str = "/credential";
const PROOF_ALGS: &[&str] = &["ES256"];

#[derive(Debug, Clone, Default)]
pub struct IssuerConfig {
    pub fault: Option<IssuerFault>,
    pub seed: Option<u64>,
    pub options: IssuerOptions,
    /// Public JWKs of the wallet providers it trusts to attest clients (OAuth attestation-based
    /// client authentication) and keys (OID4VCI Appendix D); none: it takes no attestations.
    pub attesters: Vec<Value>,
    /// Every key proof must carry a key attestation (`key_attestations_required`).
    pub key_attestations_required: bool,
    /// Every token request must authenticate its client with an attestation (by an attester of
    /// `attesters`); else an attestation is checked when sent (the pre-authorized code grant allows
    /// anonymous access).
    pub require_client_attestation: bool,
    /// How long each second it announces lasts on its own clock: a request URI's `expires_in`, a
    /// deferred transaction's `interval`. `None`: a second. Only an issuer in the harness's own
    /// process, whose driver is told the same through its manifest
    /// (`IssuerSection::announced_second`), runs faster; one that anyone else meets never does.
    pub announced_second: Option<std::time::Duration>,
    /// Where its behaviour's reads are noted (the selftest's reference run).
    pub seams: Option<Arc<crate::seam::SeamLog>>,
}

/// How a counterpart issuer is set up for a wallet under test (the defaults are the reference's).
#[derive(Debug, Clone, Copy, Default)]
pub struct IssuerOptions {
    /// The test user is signed in already: the authorization endpoint redirects with a code at once,
    /// as a browser the user is signed in to would see.
    pub auto_login: bool,
    /// `authorization_details` are not taken (nor advertised): a wallet must ask by `scope`, and the
    /// token response carries no `authorization_details` (§6.2).
    pub scope_only: bool,
}

pub struct Issuer {
    pub(crate) behaviour: Seams<Behaviour>,
    /// The Credential Issuer Identifier, exactly as published (no trailing slash).
    pub(crate) identifier: String,
    pub(crate) minter: Arc<Minter>,
    pub(crate) entropy: Entropy,
    pub(crate) state: IssuerState,
    pub(crate) log: Arc<IssuerLog>,
    pub(crate) followup: Followups,
    pub(crate) client_auth: ClientAuth,
    pub(crate) key_attestations: KeyAttestationTrust,
    /// How long each second it announces lasts ([`IssuerConfig::announced_second`]).
    pub(crate) second: std::time::Duration,
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
    let behaviour = Behaviour::configured(config.options, config.fault);
    // Client and key attestations are checked apart from the handlers, each with its part.
    let client_auth = ClientAuth::new(
        config.attesters.clone(),
        config.require_client_attestation,
        Seams::part_apart("issuer", "client_attestation", behaviour.client_attestation, config.seams.clone()),
        entropy.derive("challenges"),
        log.clone(),
    );
    let key_attestations = KeyAttestationTrust {
        trusted: config.attesters.clone(),
        required: config.key_attestations_required,
        policy: Seams::part_apart("issuer", "key_attestation", behaviour.key_attestation, config.seams.clone()),
    };
    let behaviour = Seams::new("issuer", behaviour, config.seams.clone());
    let issuer = Arc::new(Issuer {
        behaviour,
        identifier,
        minter: minter.clone(),
        entropy,
        state: IssuerState::default(),
        log: log.clone(),
        followup: Followups::new(&Entropy::new(config.seed).derive("reference-issuer followups")),
        client_auth,
        key_attestations,
        second: config.announced_second.unwrap_or(std::time::Duration::from_secs(1)),
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
        .route(authorize::PAR_PATH, post(authorize::pushed_authorization_request))
        .route(authorize::AUTHORIZE_PATH, get(authorize::authorization_endpoint))
        .route(authorize::LOGIN_PATH, post(authorize::login))
        .route("/control/authorize", post(authorize::control_authorize))
        .route(
            CHALLENGE_PATH,
            post(|State(issuer): State<Arc<Issuer>>| async move { issuer.client_auth.challenge_response() }),
        )
        .route(NONCE_PATH, post(nonce))
        .route(CREDENTIAL_PATH, post(credential))
        .route(followup::DEFERRED_PATH, post(followup::deferred::endpoint))
        .route(followup::NOTIFICATION_PATH, post(followup::notification::endpoint))
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
    if let Some((target, rewrite)) = issuer.behaviour.response()
        && *target == path
    {
        rewrite(response.headers_mut());
    }
    response
}

/// A JSON response with `Cache-Control: no-store`.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body.to_string())
        .into_response()
}

fn message<T: Message>(body: &T) -> Response {
    json_response(StatusCode::OK, body.to_json())
}

impl Issuer {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.identifier, path)
    }

    fn token_error(&self, code: &str, description: &str) -> Response {
        if !self.behaviour.token().oauth_errors() {
            return json_response(StatusCode::INTERNAL_SERVER_ERROR, ErrorResponse::code("server_error").to_json());
        }
        json_response(StatusCode::BAD_REQUEST, ErrorResponse::new(code, description).to_json())
    }

    pub(crate) fn credential_error(&self, code: &str, description: &str) -> Response {
        if !self.behaviour.credential().json_errors() {
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

async fn credential_issuer_metadata(State(issuer): State<Arc<Issuer>>, headers: HeaderMap) -> Response {
    let mut configurations = Map::new();
    let sd_jwt_vc = configuration(&issuer.key_attestations);
    let mdl = super::mdoc::configuration(sd_jwt_vc.proof_types_supported.clone());
    configurations.insert(CONFIG_VERIFIED_PERSON.into(), sd_jwt_vc.to_json());
    configurations.insert(super::mdoc::CONFIG_MDL.into(), mdl.to_json());
    let mut metadata = CredentialIssuerMetadata {
        credential_issuer: Some(issuer.identifier.clone()),
        credential_endpoint: Some(issuer.url(CREDENTIAL_PATH)),
        nonce_endpoint: Some(issuer.url(NONCE_PATH)),
        display: Some(vec![Display::named("dialtone reference issuer", "en-CA")]),
        credential_configurations_supported: Some(configurations),
        ..CredentialIssuerMetadata::default()
    };
    followup::advertise(&issuer, &mut metadata);
    if let Some(rewrite) = issuer.behaviour.metadata() {
        rewrite(&mut metadata, &issuer.identifier);
    }
    if followup::signed_metadata::wanted(&headers) {
        return followup::signed_metadata::response(&issuer, &metadata.to_json());
    }
    message(&metadata)
}

async fn authorization_server_metadata(State(issuer): State<Arc<Issuer>>) -> Response {
    let policy = issuer.behaviour.authorize();
    let mut metadata = AuthorizationServerMetadata {
        issuer: Some(issuer.identifier.clone()),
        authorization_endpoint: Some(issuer.url(authorize::AUTHORIZE_PATH)),
        token_endpoint: Some(issuer.url(TOKEN_PATH)),
        pushed_authorization_request_endpoint: Some(issuer.url(authorize::PAR_PATH)),
        require_pushed_authorization_requests: Some(*policy.par_advertised()),
        grant_types_supported: Some(vec![
            oid4vci::PRE_AUTHORIZED_GRANT.into(),
            oid4vci::AUTHORIZATION_CODE_GRANT.into(),
        ]),
        pre_authorized_grant_anonymous_access_supported: Some(true),
        token_endpoint_auth_methods_supported: Some(vec!["none".into()]),
        code_challenge_methods_supported: Some(vec![pkce::S256.into()]),
        response_types_supported: Some(vec![AuthorizationRequest::CODE.into()]),
        scopes_supported: configuration(&issuer.key_attestations).scope.map(|s| vec![s]),
        authorization_details_types_supported: policy
            .authorization_details()
            .then(|| vec![AuthorizationDetail::OPENID_CREDENTIAL.into()]),
        authorization_response_iss_parameter_supported: Some(true),
        dpop_signing_alg_values_supported: issuer
            .behaviour
            .dpop()
            .advertised()
            .then(|| dialtone_protocols::dpop::ALGS.iter().map(|a| a.to_string()).collect()),
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
    if let Some(rewrite) = issuer.behaviour.as_metadata() {
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
    if let Some(rewrite) = issuer.behaviour.jwt_vc_issuer() {
        rewrite(&mut metadata, &issuer.identifier);
    }
    message(&metadata)
}

/// The Status List Token (Token Status List §5.1, §8.2).
async fn status_list_token(State(issuer): State<Arc<Issuer>>) -> Response {
    let policy = issuer.behaviour.status_list();
    let sub =
        if *policy.sub_elsewhere() { format!("{}/status/2", issuer.identifier) } else { issuer.minter.status_uri() };
    let token = issuer.minter.status_list_token(policy.typ(), &sub);
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
    if *issuer.behaviour.status_list().honours_changes()
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
    let configuration =
        request.credential_configuration_id.clone().unwrap_or_else(|| CONFIG_VERIFIED_PERSON.to_string());
    if request.wants_authorization_code() {
        return authorization_code_offer(&issuer, configuration);
    }
    let code = issuer.entropy.token(24);
    let tx_code = request.tx_code.then(|| issuer.entropy.digits(6));
    if request.deferred {
        issuer.followup.defer_code(&code);
    }
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
    let offer = CredentialOffer {
        credential_issuer: issuer.identifier.clone(),
        credential_configuration_ids: vec![configuration],
        grants: Some(Grants { pre_authorized_code: Some(grant), ..Grants::default() }),
        extra: Map::new(),
    };
    offer_created(&issuer, offer, tx_code)
}

/// An offer with the authorization code grant and a fresh `issuer_state` (§4.1.1).
fn authorization_code_offer(issuer: &Issuer, configuration: String) -> Response {
    let issuer_state = issuer.entropy.token(18);
    lock(&issuer.state.issuer_states).insert(issuer_state.clone(), vec![configuration.clone()]);
    let grant = AuthorizationCodeGrant { issuer_state: Some(issuer_state), authorization_server: None };
    let offer = CredentialOffer {
        credential_issuer: issuer.identifier.clone(),
        credential_configuration_ids: vec![configuration],
        grants: Some(Grants { authorization_code: Some(grant), ..Grants::default() }),
        extra: Map::new(),
    };
    offer_created(issuer, offer, None)
}

/// The control API's answer carrying `offer` (rewritten as the behaviour says).
fn offer_created(issuer: &Issuer, mut offer: CredentialOffer, tx_code: Option<String>) -> Response {
    if let Some(rewrite) = issuer.behaviour.offer() {
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
    let policy = issuer.behaviour.token();
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
    // RFC 9449 §5: a proof binds the token to its key, whatever the grant.
    let jkt = match dpop::token_binding(&issuer, &headers, TOKEN_PATH) {
        Ok(jkt) => jkt,
        Err(refusal) => return refusal.into_response(),
    };
    if let Err(refusal) =
        issuer.client_auth.authenticate_client(&headers, &issuer.identifier, request.client_id.as_deref())
    {
        return refusal.response();
    }
    // One function per grant.
    match request.grant_type.as_deref() {
        None => issuer.token_error(te::INVALID_REQUEST, "grant_type is missing"),
        Some(oid4vci::AUTHORIZATION_CODE_GRANT) => authorize::redeem(&issuer, &request, jkt),
        Some(g) if g != oid4vci::PRE_AUTHORIZED_GRANT && *policy.grant_type_checked() => issuer.token_error(
            te::UNSUPPORTED_GRANT_TYPE,
            "only the pre-authorized code and authorization code grants are supported",
        ),
        Some(_) => pre_authorized_grant(&issuer, &request, jkt),
    }
}

/// The pre-authorized code grant (§6.1, §3.5).
fn pre_authorized_grant(issuer: &Issuer, request: &TokenRequest, jkt: Option<String>) -> Response {
    let policy = issuer.behaviour.token();
    let Some(code) = request.pre_authorized_code.as_deref() else {
        return issuer.token_error(te::INVALID_REQUEST, "pre-authorized_code is missing");
    };
    let now = now_epoch();
    let configuration_ids = {
        let mut codes = lock(&issuer.state.codes);
        match codes.get_mut(code) {
            None if !policy.known_codes_only() => vec![CONFIG_VERIFIED_PERSON.to_string()],
            None => return issuer.token_error(te::INVALID_GRANT, "unknown pre-authorized code"),
            Some(offered) => {
                if (offered.redeemed && *policy.single_use_codes())
                    || now - offered.created > CODE_LIFETIME_SECS
                    || offered.failed_attempts >= TX_CODE_ATTEMPTS
                {
                    return issuer.token_error(te::INVALID_GRANT, "pre-authorized code expired or already used");
                }
                // What is wrong with the tx_code, if anything; its policy is read only then.
                let wrong = match (&offered.tx_code, request.tx_code.as_deref()) {
                    (None, None) => None,
                    (Some(expected), Some(given)) if expected == given => None,
                    (Some(_), None) => Some((te::INVALID_REQUEST, "tx_code is required for this code")),
                    (None, Some(_)) => Some((te::INVALID_REQUEST, "no tx_code was expected")),
                    (Some(_), Some(_)) => Some((te::INVALID_GRANT, "wrong tx_code")),
                };
                if let Some((error, why)) = wrong {
                    let wrong_value = error == te::INVALID_GRANT;
                    let refused = match *policy.tx_code() {
                        TxCodeCheck::Value => true,
                        TxCodeCheck::PresenceOnly => !wrong_value,
                        TxCodeCheck::None => false,
                    };
                    if refused {
                        if wrong_value {
                            offered.failed_attempts += 1;
                        }
                        return issuer.token_error(error, why);
                    }
                }
                offered.redeemed = true;
                offered.configuration_ids.clone()
            }
        }
    };
    let access_token = issuer.entropy.token(32);
    let authorization_details = match followup::on_token(issuer, request, &configuration_ids, &access_token) {
        Ok(details) => details,
        Err(refusal) => return *refusal,
    };
    let grant = AccessGrant { jkt, ..AccessGrant::new(configuration_ids, now + TOKEN_LIFETIME_SECS) };
    message(&grant_access_token(issuer, access_token, grant, authorization_details))
}

/// A fresh access token for `grant`, remembered, and the token response carrying it (a DPoP token
/// when the grant is bound to a DPoP key, RFC 9449 §5).
fn grant_access_token(
    issuer: &Issuer,
    access_token: String,
    grant: AccessGrant,
    authorization_details: Option<Vec<Value>>,
) -> TokenResponse {
    let token_type = if grant.jkt.is_some() { dialtone_protocols::dpop::SCHEME } else { "Bearer" };
    lock(&issuer.state.tokens).insert(access_token.clone(), grant);
    TokenResponse {
        access_token,
        token_type: token_type.into(),
        expires_in: Some(TOKEN_LIFETIME_SECS),
        refresh_token: None,
        authorization_details,
        extra: Map::new(),
    }
}

async fn nonce(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, uri: Uri) -> Response {
    let policy = issuer.behaviour.nonce();
    if *policy.requires_token() && !headers.contains_key(header::AUTHORIZATION) {
        return bearer_challenge(&issuer, None);
    }
    // No token is needed here (§7.1); one that is presented is checked like anywhere else.
    if headers.contains_key(header::AUTHORIZATION)
        && let Err(refusal) = authorize_resource(&issuer, &headers, "POST", &uri)
    {
        return refusal.into_response();
    }
    let c_nonce = if *policy.constant() { "constant-nonce-0000".to_string() } else { issuer.entropy.token(16) };
    lock(&issuer.state.nonces).insert(c_nonce.clone(), NonceRecord { issued: now_epoch(), used: false });
    lock(&issuer.log.nonces).push(c_nonce.clone());
    // §7.2: the answer may carry a DPoP nonce for the credential request.
    dpop::with_nonce(&issuer, message(&NonceResponse { c_nonce, extra: Map::new() }))
}

async fn credential(State(issuer): State<Arc<Issuer>>, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    let policy = issuer.behaviour.credential();
    let (token, grant) = match authorize_presented(&issuer, &headers, "POST", &uri) {
        Ok(grant) => grant,
        Err(refusal) => return refusal.into_response(),
    };
    let body = match followup::encryption::read_body(&issuer, &headers, &body) {
        Ok(b) => b,
        Err(refusal) => return *refusal,
    };
    let request = match CredentialRequest::parse_bytes(&body) {
        Ok(r) => {
            lock(&issuer.log.credential_requests).push(r.value.clone());
            r.value
        }
        Err(e) => return issuer.credential_error(ce::INVALID_CREDENTIAL_REQUEST, &e.to_string()),
    };
    let encryption = match followup::encryption::asked(&issuer, request.credential_response_encryption.clone()) {
        Ok(e) => e,
        Err(refusal) => return *refusal,
    };
    let configuration = match followup::configuration_of(
        &issuer,
        &token,
        request.credential_configuration_id.as_deref(),
        request.credential_identifier.as_deref(),
        &grant.configuration_ids,
        &grant.credential_identifiers,
    ) {
        Ok(c) => c,
        Err((code, why)) => return issuer.credential_error(code, &why),
    };
    if configuration != CONFIG_VERIFIED_PERSON && configuration != super::mdoc::CONFIG_MDL {
        return issuer.credential_error(policy.unknown_configuration_error(), "unknown credential configuration");
    }
    if !grant.configuration_ids.contains(&configuration) {
        return issuer
            .credential_error(ce::CREDENTIAL_REQUEST_DENIED, "the access token does not cover this configuration");
    }
    if followup::waiting_for_notification(&issuer, &token) {
        return issuer.credential_error(ce::CREDENTIAL_REQUEST_DENIED, "the last credentials were not notified");
    }
    let holder_jwks = match &request.proofs {
        None if !issuer.behaviour.proof().required() => vec![None],
        None => return issuer.credential_error(ce::INVALID_PROOF, "proofs is missing"),
        Some(_) => match check_proofs(&issuer, &request) {
            Ok(jwks) => followup::holder_keys(&issuer, jwks).into_iter().map(Some).collect(),
            Err((code, why)) => return issuer.credential_error(code, &why),
        },
    };
    let credentials: Vec<Value> = if configuration == super::mdoc::CONFIG_MDL {
        // An mdoc is bound to the proof's key (its MSO's deviceKey, OpenID4VCI Appendix A.2).
        let minted: Result<Vec<Value>, String> = holder_jwks
            .iter()
            .map(|jwk| {
                let jwk = jwk.as_ref().ok_or("an mso_mdoc credential needs a proof of the device key")?;
                issuer.minter.mint_mdoc(jwk, issuer.behaviour.mint_mdoc()).map(Value::String)
            })
            .collect();
        match minted {
            Ok(c) => c,
            Err(why) => return issuer.credential_error(ce::INVALID_PROOF, &why),
        }
    } else {
        holder_jwks.into_iter().map(|jwk| Value::String(issue_sd_jwt_vc(&issuer, jwk))).collect()
    };
    if *policy.legacy_response() {
        let credential = credentials.into_iter().next().unwrap_or(Value::Null);
        return message(&LegacyCredentialResponse { credential, format: Some(oid4vci::FORMAT_SD_JWT_VC.into()) });
    }
    followup::respond(&issuer, &token, credentials, encryption)
}

/// Validates the proofs (OID4VCI §8.2, Appendix F.1, F.4): one, or a batch of at most `batch_size`
/// (§12.2.4); returns the holders' keys, one per proof.
fn check_proofs(issuer: &Issuer, request: &CredentialRequest) -> Result<Vec<Value>, (&'static str, String)> {
    let policy = issuer.behaviour.proof();
    let invalid = |why: String| (ce::INVALID_PROOF, why);
    let now = now_epoch();
    // Each proof's key and nonce: one key attestation (Appendix F.3), or jwt proofs, one per
    // credential of a batch (§8.2), each with the key attestation it may carry (Appendix D).
    let proofs: Vec<(Value, Option<String>)> = match request.attestation_proof() {
        Some(attestation) => {
            let jwt = attestation.map_err(|why| invalid(why.into()))?;
            vec![issuer.key_attestations.attestation_proof(jwt, now).map_err(invalid)?]
        }
        None => {
            let jwts = request
                .jwt_proofs()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| invalid("proofs must hold a non-empty array of jwt proofs".into()))?;
            if followup::too_many_proofs(issuer, jwts.len()) {
                return Err((ce::INVALID_CREDENTIAL_REQUEST, "more proofs than batch_size allows".into()));
            }
            let mut proofs = Vec::new();
            for jwt in jwts {
                // Noted only where a mutant's checks would judge this proof otherwise.
                let checked = policy
                    .judged_by(
                        "checks",
                        |p| &p.checks,
                        || Behaviour::others(|b| &b.proof.checks),
                        |checks| proof::check(jwt, &issuer.identifier, now, NONCE_LIFETIME_SECS, PROOF_ALGS, *checks),
                    )
                    .map_err(invalid)?;
                issuer.key_attestations.jwt_proof(&checked, now).map_err(invalid)?;
                proofs.push((checked.jwk, checked.claims.nonce));
            }
            proofs
        }
    };
    let mut nonces = lock(&issuer.state.nonces);
    // Whether the nonces are checked is noted only where that decides the answer: a check that
    // passes answers as no check does (a passing check marks its nonces used, which a later
    // proof with one of them then meets, noting the read there).
    let current = current_nonces(&proofs, &nonces, policy, now);
    let checked = policy.judged_by(
        "nonce_checked",
        |p| &p.nonce_checked,
        || Behaviour::others(|b| &b.proof.nonce_checked),
        |checked| match checked {
            true => current.as_ref().map(|_| ()).map_err(Clone::clone),
            false => Ok(()),
        },
    );
    checked?;
    if *policy.as_judged(|p| &p.nonce_checked) {
        for nonce in current.unwrap_or_default() {
            if let Some(record) = nonces.get_mut(&nonce) {
                record.used = true;
            }
        }
    }
    Ok(proofs.into_iter().map(|(jwk, _)| jwk).collect())
}

/// The nonces of `proofs` when each is one the issuer gave, unexpired and, where nonces buy one
/// credential, unused (a nonce serves every proof of one request); else the error: `invalid_proof`
/// for a proof without a nonce, `invalid_nonce` for a nonce not current.
fn current_nonces(
    proofs: &[(Value, Option<String>)],
    nonces: &std::collections::HashMap<String, NonceRecord>,
    policy: Part<'_, ProofPolicy>,
    now: i64,
) -> Result<Vec<String>, (&'static str, String)> {
    let mut used: Vec<String> = Vec::new();
    for (_, nonce) in proofs {
        let nonce = nonce.as_deref().ok_or((ce::INVALID_PROOF, "proof has no nonce".to_string()))?;
        match nonces.get(nonce) {
            _ if used.iter().any(|u| u == nonce) => {}
            Some(record)
                if (!record.used || !policy.single_use_nonces()) && now - record.issued <= NONCE_LIFETIME_SECS =>
            {
                used.push(nonce.to_string())
            }
            _ => return Err((ce::INVALID_NONCE, "c_nonce is unknown, used or expired".into())),
        }
    }
    Ok(used)
}

fn issue_sd_jwt_vc(issuer: &Issuer, holder_jwk: Option<Value>) -> String {
    let minter = &issuer.minter;
    let mut spec = minter.spec(holder_jwk);
    minter.deviate(&mut spec, issuer.behaviour.mint(), now_epoch());
    minter.mint(&spec)
}
