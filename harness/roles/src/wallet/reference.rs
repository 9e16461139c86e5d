//! The reference wallet's server: its control API, and the two protocol flows it runs through the
//! shared OpenID4VCI client and OpenID4VP holder of `dialtone_protocols`, as its [`Behaviour`] says.

mod mdoc;

use super::behaviour::Behaviour;
use super::mutants::WalletFault;
use crate::seam::{SeamLog, Seams};
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_http::{Evidence, HttpClient, HttpLimits};
use dialtone_protocols::control::{
    DcApiRequestDelivery, HeldCredential, HeldCredentials, OfferDelivery, PlatformResponse, RequestDelivery,
    WalletAnswer,
};
use dialtone_protocols::dcql;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::client_attestation::{AttestationSpec, Attester, ClientCredentials};
use dialtone_protocols::oid4vci::client::{Client, ClientIdentity, IssuanceSpec, Login};
use dialtone_protocols::oid4vci::client_followup::Answer;
use dialtone_protocols::oid4vci::message::CredentialOffer;
use dialtone_protocols::oid4vci::notification::event;
use dialtone_protocols::oid4vci::proof::ProofNonce;
use dialtone_protocols::oid4vp::answer::{self, HeldSdJwt};
use dialtone_protocols::oid4vp::dc_api;
use dialtone_protocols::oid4vp::holder;
use dialtone_protocols::oid4vp::retrieval::Retrieval;
use dialtone_protocols::oid4vp::transaction_data;
use dialtone_protocols::sdjwt::{self, SdJwt};
use dialtone_protocols::seed::Entropy;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Who the reference wallet is to an authorization server (a public client, RFC 6749 §2.1), and
/// where it asks to be sent back: an address no browser reaches, as the wallet reads the redirect
/// itself.
const CLIENT_ID: &str = "dialtone-reference-wallet";
const REDIRECT_URI: &str = "https://wallet.dialtone.invalid/callback";

/// The transaction data types the reference wallet knows (dialtone's test type).
const KNOWN_TRANSACTION_DATA: &[&str] = &[transaction_data::PAYMENT_CONSENT];

#[derive(Clone, Default)]
pub struct WalletConfig {
    pub fault: Option<WalletFault>,
    pub seed: Option<u64>,
    /// CA certificates (DER) trusted for https and for `x5c` chains.
    pub trusted_roots: Vec<Vec<u8>>,
    /// Its wallet provider, which attests it (client attestations) where an authorization server
    /// asks for them.
    pub attester: Option<Attester>,
    /// How long a second lasts on its clock (the deferred `interval` it waits out): shorter only
    /// for a wallet in the harness's own process, whose issuers keep the same clock; `None`: a second.
    pub clock_second: Option<std::time::Duration>,
    /// Where its behaviour's reads are noted (the selftest's reference run).
    pub seams: Option<Arc<SeamLog>>,
}

/// The reference wallet's `client_id`: the `sub` of its client attestations.
pub const WALLET_CLIENT_ID: &str = "https://wallet.dialtone.invalid";

struct Stored {
    credential: String,
    key: EcKey,
    /// The credential read for presenting, once, when it was stored (an SD-JWT VC whose
    /// disclosures process; else none).
    held: Option<Arc<HeldSdJwt>>,
}

struct Wallet {
    behaviour: Seams<Behaviour>,
    trusted_roots: Vec<Vec<u8>>,
    entropy: Arc<Entropy>,
    attester: Option<Attester>,
    http: HttpClient,
    credentials: Mutex<Vec<Stored>>,
    first_nonce: Mutex<Option<String>>,
    second: std::time::Duration,
    /// Its instance's client attestation and key, with the attestation's `exp`: a wallet instance
    /// keeps one attestation until it nears expiry, as its provider issues it.
    instance: Mutex<Option<(ClientCredentials, i64)>>,
}

pub async fn start(
    config: WalletConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let limits = HttpLimits::default();
    let client = dialtone_http::build_client(limits, &config.trusted_roots).map_err(std::io::Error::other)?;
    let wallet = Arc::new(Wallet {
        behaviour: Seams::new("wallet", Behaviour::with(config.fault), config.seams.clone()),
        entropy: Arc::new(Entropy::new(config.seed).derive("reference-wallet")),
        attester: config.attester,
        trusted_roots: config.trusted_roots,
        http: HttpClient::new(client, limits, Evidence::discard()),
        credentials: Mutex::new(Vec::new()),
        first_nonce: Mutex::new(None),
        second: config.clock_second.unwrap_or(std::time::Duration::from_secs(1)),
        instance: Mutex::new(None),
    });
    let router = Router::new()
        .route("/control/offers", post(receive_offer))
        .route("/control/presentations", post(receive_request))
        .route("/control/dc-api/requests", post(receive_dc_api_request))
        .route("/control/credentials", get(list_credentials))
        .route("/control/health", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .with_state(wallet);
    match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router),
        None => RunningServer::serve(listener, router),
    }
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn wallet_answer(status: StatusCode, body: WalletAnswer) -> Response {
    answer(status, serde_json::to_value(body).unwrap_or(Value::Null))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Wallet {
    /// The OpenID4VCI client, with its instance's client attestation from its wallet provider if it
    /// has one.
    fn client(&self) -> Client {
        let client = Client::new(self.http.clone());
        let Some(attester) = &self.attester else { return client };
        let spec = AttestationSpec::default();
        let now = dialtone_protocols::now_epoch();
        let mut instance = lock(&self.instance);
        let credentials = match &*instance {
            // Renewed a minute before it expires.
            Some((credentials, exp)) if now < exp - 60 => credentials.clone(),
            _ => {
                let key = EcKey::generate(&self.entropy);
                let attestation = attester.attest(WALLET_CLIENT_ID, &key, &spec, &self.entropy);
                let credentials = ClientCredentials { client_id: WALLET_CLIENT_ID.into(), attestation, instance: key };
                *instance = Some((credentials.clone(), now + spec.exp_offset));
                credentials
            }
        };
        drop(instance);
        client.with_client_attestation(credentials, self.entropy.clone())
    }

    /// The settings it hands the OpenID4VCI client for `offer`, noting each part where the flow
    /// the offer takes consults it: the metadata checks, DPoP and the proofs in every flow; the
    /// transaction code only for an offer that asks for one; `authorization_details` in the token
    /// request and the client attestation's use in the pre-authorized code flow (§3.5), the
    /// authorization settings (PAR, PKCE, `issuer_state`, …) in the authorization code flow (§3.4).
    fn issuance_spec(&self, offer: &CredentialOffer) -> &IssuanceSpec {
        let issuance = self.behaviour.issuance();
        issuance.checks();
        issuance.dpop();
        issuance.proof();
        if offer.pre_authorized().is_some() {
            issuance.authorization_details();
            issuance.client_attestation();
            if offer.expects_tx_code() {
                issuance.withhold_tx_code();
            }
        } else {
            issuance.authorization();
        }
        issuance.noted_field_by_field()
    }

    /// The pre-authorized code flow (§3.5) for the offer's first configuration.
    async fn issue(&self, offer: &CredentialOffer, tx_code: Option<&str>) -> Result<(), String> {
        let client = self.client();
        let mut spec = self.issuance_spec(offer).clone();
        let session = if offer.pre_authorized().is_some() {
            client.session(offer, tx_code, &spec).await.map_err(|e| e.to_string())?
        } else {
            // The authorization code flow (§3.4): the browser it opens has the issuer's test user
            // signed in, and hands back the redirect.
            let identity = ClientIdentity { client_id: CLIENT_ID.into(), redirect_uri: REDIRECT_URI.into() };
            let (session, _) = client
                .authorized_session(offer, &spec, &identity, &Login::Follow, &self.entropy)
                .await
                .map_err(|e| e.to_string())?;
            session
        };
        let first_nonce = {
            let mut first = lock(&self.first_nonce);
            if first.is_none() {
                *first = session.c_nonce.clone();
            }
            first.clone()
        };
        // Read on every issuance: which session got the first nonce depends on the order the
        // cases ran in, so no case can be said not to depend on it.
        if *self.behaviour.reuse_first_nonce()
            && let Some(n) = first_nonce
        {
            spec.proof.nonce = ProofNonce::Value(n);
        }
        let policy = self.behaviour.followup();
        // A batch when the issuer offers one (§12.2.4), each proof by its own key (§3.3.2).
        let n = session.batch_size().min(*policy.batch()).max(1);
        let first = EcKey::generate(&self.entropy);
        let keys: Vec<EcKey> = (0..n)
            .map(|i| if i == 0 || *policy.batch_reuses_key() { first.clone() } else { EcKey::generate(&self.entropy) })
            .collect();
        let request = session.batch_request(&keys, &spec.proof, &self.entropy);
        let response = match client.request_credential(&session, &request).await.map_err(|e| e.to_string())? {
            Answer::Issued(response) => response,
            Answer::Deferred { .. } if *policy.ignores_deferred() => {
                return Err("the issuer deferred the credential (HTTP 202)".into());
            }
            Answer::Deferred { transaction_id, interval } => {
                let wait = if *policy.ignores_interval() { 0 } else { interval };
                client.await_deferred(&session, &transaction_id, wait, self.second).await.map_err(|e| e.to_string())?
            }
        };
        let credentials: Vec<String> =
            response.credentials.iter().flatten().filter_map(|c| c.credential.as_str().map(str::to_string)).collect();
        if credentials.is_empty() {
            return Err("no credentials[].credential string in the response".into());
        }
        for credential in credentials {
            let key = holder_key(&credential, &keys)
                .or_else(|| mdoc::holder_key(&credential, &keys))
                .unwrap_or_else(|| first.clone());
            // Its behaviour is read only where it changes what it stores: a name with U+02BC.
            let folded = fold_apostrophes(&credential);
            let credential =
                if folded != credential && *self.behaviour.fold_apostrophes() { folded } else { credential };
            let held = SdJwt::parse(&credential).ok().and_then(|sd| HeldSdJwt::new(sd, key.clone()).ok()).map(Arc::new);
            lock(&self.credentials).push(Stored { credential, key, held });
        }
        // Stored: tell the issuer (§11.1). A notification that does not arrive changes nothing here:
        // the issuer cannot count on one (§11).
        if let Some(id) = response.notification_id.as_deref().filter(|_| *policy.notifies()) {
            let _ = client.notify(&session, id, event::CREDENTIAL_ACCEPTED).await;
        }
        Ok(())
    }

    /// OpenID4VP: receive and check the request (§5, §5.9.3), match DCQL (§6), present (§8.2).
    async fn present(&self, uri: &str) -> Result<u16, String> {
        let retrieval = match self.behaviour.request_uri_post() {
            true => Retrieval::post_with(self.entropy.token(16)),
            false => Retrieval::default(),
        };
        let request = holder::receive_with(&self.http, uri, &retrieval).await.map_err(|e| e.to_string())?;
        let roots = &self.trusted_roots;
        self.behaviour.judged_by(
            "request_checks",
            |b| &b.request_checks,
            Behaviour::other_request_checks,
            |checks| holder::check(&request, roots, *checks),
        )?;
        let vp_token = self.answer(&request)?;
        let spec = self.behaviour.presentation();
        let response = holder::respond(&self.http, &request, &vp_token, spec).await.map_err(|e| e.to_string())?;
        Ok(response.status)
    }

    /// OpenID4VP over the Digital Credentials API (Appendix A): the request the platform hands over
    /// with the calling `origin`, answered with the response data it returns to the platform — an
    /// `error` when it refuses (§A.4).
    fn present_dc_api(&self, delivery: &DcApiRequestDelivery) -> PlatformResponse {
        let origins_checked = !self.behaviour.expected_origins_ignored();
        let roots = &self.trusted_roots;
        let received = self.behaviour.judged_by(
            "request_checks",
            |b| &b.request_checks,
            Behaviour::other_request_checks,
            |checks| dc_api::receive_checked(&delivery.request, &delivery.origin, roots, *checks, origins_checked),
        );
        let data = received.and_then(|request| {
            let vp_token = self.answer(&request).map_err(|why| (error_code(&why), why))?;
            dc_api::response_data(&request, &vp_token, self.behaviour.presentation().encryption)
                .map_err(|why| ("invalid_request", why))
        });
        let data = data.unwrap_or_else(|(code, _)| dc_api::error_data(code));
        PlatformResponse { protocol: Some(delivery.request.protocol.clone()), data: Some(data) }
    }

    /// The `vp_token` answering `request`'s query from what it holds — an mdoc for an `mso_mdoc`
    /// query, else SD-JWT VCs — whether the request came by link or through the platform; `Err` says
    /// why it refuses.
    fn answer(&self, request: &holder::Request) -> Result<Value, String> {
        let queries = request.queries()?;
        if let Some(query) = queries.first().filter(|q| q.format == dialtone_protocols::oid4vci::FORMAT_MSO_MDOC) {
            return self.mdoc_vp_token(request, query);
        }
        // What the query asks for, from the held credentials, newest first (an issuer may have
        // re-issued); nothing at all when a required credential matches nothing (§6.4.2).
        let held: Vec<Arc<HeldSdJwt>> = lock(&self.credentials).iter().rev().filter_map(|s| s.held.clone()).collect();
        let spec = self.behaviour.presentation();
        if !self.behaviour.unknown_transaction_data_accepted() {
            // Every transaction data object of a type it knows, well-formed (§5.1, §8.5).
            let ids: Vec<&str> = queries.iter().map(|q| q.id.as_str()).collect();
            transaction_data::read(request.params.transaction_data.as_ref(), KNOWN_TRANSACTION_DATA, &ids)?;
        }
        let picks = answer::choose(&held, request, spec)?;
        answer::vp_token(&held, &picks, request, spec, &self.entropy)
    }
}

/// The error code of a refusal whose reason begins with one (`access_denied: …`), else
/// `invalid_request`.
fn error_code(why: &str) -> &'static str {
    [dcql::select::ACCESS_DENIED, transaction_data::INVALID_TRANSACTION_DATA]
        .into_iter()
        .find(|code| why.starts_with(code))
        .unwrap_or("invalid_request")
}

async fn receive_dc_api_request(State(w): State<Arc<Wallet>>, body: Bytes) -> Response {
    let Ok(delivery) = serde_json::from_slice::<DcApiRequestDelivery>(&body) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({ "reason": "the body is {\"origin\": …, \"request\": {\"protocol\": …, \"data\": …}}" }),
        );
    };
    answer(StatusCode::OK, serde_json::to_value(w.present_dc_api(&delivery)).unwrap_or(Value::Null))
}

/// Which of `keys` the credential is bound to (`cnf.jwk`).
fn holder_key(credential: &str, keys: &[EcKey]) -> Option<EcKey> {
    let sd = SdJwt::parse(credential).ok()?;
    let bound = dialtone_protocols::jose::thumbprint(sd.issuer_jwt.payload.get("cnf")?.get("jwk")?)?;
    keys.iter().find(|k| k.thumbprint() == bound).cloned()
}

/// The storage fault: disclosures re-encoded with U+02BC replaced by an ASCII apostrophe.
fn fold_apostrophes(credential: &str) -> String {
    let Ok(sd) = SdJwt::parse(credential) else { return credential.to_string() };
    let folded: Vec<String> = sd
        .disclosures
        .iter()
        .map(|d| match &d.value {
            Value::String(s) if s.contains('\u{2bc}') => {
                sdjwt::Disclosure::new(&d.salt, d.name.as_deref(), &json!(s.replace('\u{2bc}', "'"))).encoded
            }
            _ => d.encoded.clone(),
        })
        .collect();
    format!("{}~{}", sd.issuer_jwt_text, folded.iter().map(|d| format!("{d}~")).collect::<String>())
}

async fn receive_offer(State(w): State<Arc<Wallet>>, body: Bytes) -> Response {
    let delivery: OfferDelivery = serde_json::from_slice(&body).unwrap_or_default();
    let offer = match &delivery.offer {
        Some(object @ Value::Object(_)) => CredentialOffer::parse(object).map(|r| r.value).map_err(|e| e.to_string()),
        Some(Value::String(uri)) => Client::new(w.http.clone()).read_offer(uri).await.map_err(|e| e.to_string()),
        _ => Err("offer (object or openid-credential-offer:// URI) is required".to_string()),
    };
    let result = match offer {
        Ok(o) => w.issue(&o, delivery.tx_code.as_deref()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => wallet_answer(StatusCode::OK, WalletAnswer::status("stored")),
        Err(e) => wallet_answer(StatusCode::OK, WalletAnswer::with_reason("failed", e)),
    }
}

async fn list_credentials(State(w): State<Arc<Wallet>>) -> Response {
    let credentials = lock(&w.credentials)
        .iter()
        .map(|s| {
            if let Some(held) = mdoc::held(s) {
                return held;
            }
            let format = dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC.to_string();
            match SdJwt::parse(&s.credential).and_then(|sd| sd.process()) {
                Ok(p) => HeldCredential { format, claims: Some(p.claims), error: None },
                Err(e) => HeldCredential { format, claims: None, error: Some(e.to_string()) },
            }
        })
        .collect();
    answer(StatusCode::OK, serde_json::to_value(HeldCredentials { credentials }).unwrap_or(Value::Null))
}

async fn receive_request(State(w): State<Arc<Wallet>>, body: Bytes) -> Response {
    let delivery: RequestDelivery = serde_json::from_slice(&body).unwrap_or_default();
    let Some(Value::String(uri)) = delivery.authorization_request else {
        return wallet_answer(
            StatusCode::BAD_REQUEST,
            WalletAnswer::with_reason("failed", "authorization_request (an openid4vp:// URI) is required"),
        );
    };
    match w.present(&uri).await {
        Ok(status) => wallet_answer(
            StatusCode::OK,
            WalletAnswer { verifier_status: Some(status), ..WalletAnswer::status("sent") },
        ),
        Err(reason) => wallet_answer(StatusCode::OK, WalletAnswer::with_reason("refused", reason)),
    }
}
