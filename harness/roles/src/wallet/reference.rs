//! The reference wallet's server and its two flows.

use super::mutants::WalletFault as F;
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::dcql;
use dialtone_protocols::jose::{CompactJws, EcKey};
use dialtone_protocols::oid4vci::{self, well_known_url};
use dialtone_protocols::oid4vp::{self, split_client_id, url_host};
use dialtone_protocols::sdjwt::{self, HashAlg, SdJwt};
use dialtone_protocols::seed::Entropy;
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct WalletConfig {
    pub fault: Option<F>,
    pub seed: Option<u64>,
    /// CA certificates (DER) trusted for https and for `x5c` chains.
    pub trusted_roots: Vec<Vec<u8>>,
}

struct Stored {
    credential: String,
    key: EcKey,
}

struct Wallet {
    config: WalletConfig,
    entropy: Entropy,
    http: reqwest::Client,
    credentials: Mutex<Vec<Stored>>,
    first_nonce: Mutex<Option<String>>,
}

pub async fn start(
    config: WalletConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let http = crate::tls::outbound_client(&config.trusted_roots).map_err(std::io::Error::other)?;
    let wallet = Arc::new(Wallet {
        entropy: Entropy::new(config.seed).derive("reference-wallet"),
        config,
        http,
        credentials: Mutex::new(Vec::new()),
        first_nonce: Mutex::new(None),
    });
    let router = Router::new()
        .route("/control/offers", post(receive_offer))
        .route("/control/presentations", post(receive_request))
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

/// Sends a request and reads a JSON answer, with the failure as text.
async fn send_json(request: reqwest::RequestBuilder) -> Result<Value, String> {
    request.send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())
}

impl Wallet {
    fn faulty(&self, f: F) -> bool {
        self.config.fault == Some(f)
    }

    async fn get_json(&self, url: &str) -> Result<Map<String, Value>, String> {
        let r = self.http.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        match r.json::<Value>().await {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(format!("GET {url}: not a JSON object")),
        }
    }

    /// OpenID4VCI pre-authorized code flow (§3.5) for the offer's first configuration.
    async fn issue(&self, offer: &Map<String, Value>, tx_code: Option<&str>) -> Result<(), String> {
        let issuer = offer.get("credential_issuer").and_then(Value::as_str).ok_or("offer without credential_issuer")?;
        let configuration = offer
            .get("credential_configuration_ids")
            .and_then(|v| v.get(0))
            .and_then(Value::as_str)
            .ok_or("offer without credential_configuration_ids")?;
        let grant = offer
            .get("grants")
            .and_then(|g| g.get(oid4vci::PRE_AUTHORIZED_GRANT))
            .ok_or("no pre-authorized code grant")?;
        let code = grant.get("pre-authorized_code").and_then(Value::as_str).ok_or("no pre-authorized_code")?;
        let metadata =
            self.get_json(&well_known_url(issuer, oid4vci::WELL_KNOWN_ISSUER).map_err(|e| e.to_string())?).await?;
        if metadata.get("credential_issuer").and_then(Value::as_str) != Some(issuer) {
            return Err("metadata names another credential issuer".into());
        }
        let as_id = metadata
            .get("authorization_servers")
            .and_then(|a| a.get(0))
            .and_then(Value::as_str)
            .unwrap_or(issuer)
            .to_string();
        let as_metadata =
            self.get_json(&well_known_url(&as_id, oid4vci::WELL_KNOWN_AS).map_err(|e| e.to_string())?).await?;
        let token_endpoint = as_metadata.get("token_endpoint").and_then(Value::as_str).ok_or("no token_endpoint")?;
        let mut form = vec![("grant_type", oid4vci::PRE_AUTHORIZED_GRANT), ("pre-authorized_code", code)];
        if grant.get("tx_code").is_some() && !self.faulty(F::NoTxCode) {
            form.push(("tx_code", tx_code.ok_or("the offer asks for a tx_code and none was given")?));
        }
        let token = send_json(self.http.post(token_endpoint).form(&form)).await?;
        let access_token =
            token.get("access_token").and_then(Value::as_str).ok_or(format!("token endpoint: {token}"))?;
        let mut nonce = None;
        if let Some(url) = metadata.get("nonce_endpoint").and_then(Value::as_str) {
            let n = send_json(self.http.post(url)).await?;
            nonce = n.get("c_nonce").and_then(Value::as_str).map(str::to_string);
        }
        if self.faulty(F::ProofReusesNonce) {
            let mut first = self.first_nonce.lock().unwrap_or_else(|p| p.into_inner());
            if first.is_none() {
                *first = nonce.clone();
            }
            nonce = first.clone();
        }
        let key = EcKey::generate(&self.entropy);
        let typ = if self.faulty(F::ProofWrongTyp) { "JWT" } else { oid4vci::PROOF_TYP };
        let aud = if self.faulty(F::ProofWrongAud) { token_endpoint } else { issuer };
        let mut payload = json!({ "aud": aud, "iat": dialtone_protocols::now_epoch() });
        if let Some(n) = &nonce
            && !self.faulty(F::ProofOmitsNonce)
        {
            payload["nonce"] = json!(n);
        }
        let signer = if self.faulty(F::ProofForeignKey) { EcKey::generate(&self.entropy) } else { key.clone() };
        let proof = signer.sign_jws(&json!({ "typ": typ, "jwk": key.public_jwk() }), &payload);
        let endpoint = metadata.get("credential_endpoint").and_then(Value::as_str).ok_or("no credential_endpoint")?;
        let body = json!({ "credential_configuration_id": configuration, "proofs": { "jwt": [proof] } });
        let response = send_json(self.http.post(endpoint).bearer_auth(access_token).json(&body)).await?;
        let credential = response
            .get("credentials")
            .and_then(|c| c.get(0))
            .and_then(|c| c.get("credential"))
            .and_then(Value::as_str)
            .ok_or(format!("credential endpoint: {response}"))?;
        let credential =
            if self.faulty(F::ApostropheFolded) { fold_apostrophes(credential) } else { credential.to_string() };
        self.credentials.lock().unwrap_or_else(|p| p.into_inner()).push(Stored { credential, key });
        Ok(())
    }
}

/// The fault of ApostropheFolded: disclosures re-encoded with U+02BC replaced by an ASCII apostrophe
/// (a lossy "normalization" some systems apply to names).
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
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let offer = match request.get("offer") {
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(Value::String(uri)) => resolve_offer(&w, uri).await,
        _ => Err("offer (object or openid-credential-offer:// URI) is required".to_string()),
    };
    let result = match offer {
        Ok(o) => w.issue(&o, request.get("tx_code").and_then(Value::as_str)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => answer(StatusCode::OK, json!({ "status": "stored" })),
        Err(e) => answer(StatusCode::OK, json!({ "status": "failed", "reason": e })),
    }
}

async fn resolve_offer(w: &Wallet, uri: &str) -> Result<Map<String, Value>, String> {
    let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| e.to_string())?;
    let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if let Some(v) = get("credential_offer") {
        return match serde_json::from_str(&v) {
            Ok(Value::Object(o)) => Ok(o),
            _ => Err("credential_offer is not a JSON object".into()),
        };
    }
    match get("credential_offer_uri") {
        Some(u) => w.get_json(&u).await,
        None => Err("neither credential_offer nor credential_offer_uri".into()),
    }
}

async fn list_credentials(State(w): State<Arc<Wallet>>) -> Response {
    let list: Vec<Value> = w
        .credentials
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|s| match SdJwt::parse(&s.credential).and_then(|sd| sd.process()) {
            Ok(p) => json!({ "format": "dc+sd-jwt", "claims": p.claims }),
            Err(e) => json!({ "format": "dc+sd-jwt", "error": e.to_string() }),
        })
        .collect();
    answer(StatusCode::OK, json!({ "credentials": list }))
}

async fn receive_request(State(w): State<Arc<Wallet>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(uri) = request.get("authorization_request").and_then(Value::as_str) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({ "status": "failed", "reason": "authorization_request is required" }),
        );
    };
    match present(&w, uri).await {
        Ok(status) => answer(StatusCode::OK, json!({ "status": "sent", "verifier_status": status })),
        Err(reason) => answer(StatusCode::OK, json!({ "status": "refused", "reason": reason })),
    }
}

/// OpenID4VP: fetch and check the request (§5, §5.9.3), match DCQL (§6), present (§8.2).
async fn present(w: &Wallet, uri: &str) -> Result<u16, String> {
    let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| e.to_string())?;
    let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let client_id = get("client_id").ok_or("no client_id")?;
    // By reference (a request object, RFC 9101) or by value (the parameters themselves, unsigned).
    let object = match get("request_uri") {
        Some(request_uri) => {
            let text = w
                .http
                .get(&request_uri)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .text()
                .await
                .map_err(|e| e.to_string())?;
            CompactJws::parse(text.trim()).map_err(|e| format!("request object: {e}"))?
        }
        None => oid4vp::request_by_value(&params),
    };
    let (prefix, dns) = split_client_id(&client_id);
    if object.payload.get("client_id").and_then(Value::as_str) != Some(client_id.as_str())
        && !w.faulty(F::IgnoresClientIdMismatch)
    {
        return Err("the request object's client_id differs from the request's".into());
    }
    let claim = |n: &str| object.payload.get(n).and_then(Value::as_str).map(str::to_string);
    let response_uri = claim("response_uri").ok_or("no response_uri")?;
    match prefix {
        Some("x509_san_dns") => {
            let unsigned = object.alg().is_none_or(|a| a == "none") || object.signature.is_empty();
            if unsigned && !w.faulty(F::AcceptsUnsignedRequest) {
                return Err("an x509_san_dns client's request must be signed".into());
            }
            if !unsigned {
                let x5c: Vec<String> = object
                    .header
                    .get("x5c")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default();
                let checked = dialtone_protocols::x509::verify_x5c_signature(
                    &x5c,
                    &w.config.trusted_roots,
                    dns,
                    &object.signing_input,
                    &object.signature,
                );
                match checked {
                    Ok(()) => {}
                    Err(e) if w.faulty(F::SignatureUnchecked) && e.contains("signature does not verify") => {}
                    Err(e) => return Err(format!("request signature: {e}")),
                }
            }
            if url_host(&response_uri) != Some(dns) && !w.faulty(F::IgnoresResponseUriHost) {
                return Err(format!("response_uri {response_uri:?} is not on the client identifier's host {dns:?}"));
            }
        }
        // §5.9.3: the identifier is the response URI itself; the request cannot be signed.
        Some("redirect_uri") => {
            if response_uri != dns && !w.faulty(F::IgnoresRedirectUriMismatch) {
                return Err(format!("response_uri {response_uri:?} is not the redirect_uri client identifier {dns:?}"));
            }
        }
        other => return Err(format!("client identifier prefix {other:?} is not supported")),
    }
    let nonce = claim("nonce").ok_or("no nonce")?;
    let queries = dcql::parse(object.payload.get("dcql_query").ok_or("no dcql_query")?)?;
    let query = queries.first().ok_or("empty DCQL query")?;
    // The newest stored credential that satisfies the query (an issuer may have re-issued).
    let (credential, key) = {
        let store = w.credentials.lock().unwrap_or_else(|p| p.into_inner());
        store
            .iter()
            .rev()
            .find(|s| SdJwt::parse(&s.credential).and_then(|sd| sd.process()).is_ok_and(|p| query.matches(&p.claims)))
            .map(|s| (s.credential.clone(), s.key.clone()))
            .ok_or("no stored credential matches the query")?
    };
    let sd = SdJwt::parse(&credential).map_err(|e| e.to_string())?;
    let keep: Vec<String> = if w.faulty(F::OverDiscloses) {
        sd.disclosures.iter().map(|d| d.encoded.clone()).collect()
    } else {
        sdjwt::disclosures_for(&sd, &query.key_paths()).map_err(|e| e.to_string())?
    };
    let sd_part = format!("{}~{}", sd.issuer_jwt_text, keep.iter().map(|d| format!("{d}~")).collect::<String>());
    let aud = if w.faulty(F::KbWrongAud) { dns.to_string() } else { client_id.clone() };
    let hashed = if w.faulty(F::KbWrongSdHash) { format!("{}~", sd.issuer_jwt_text) } else { sd_part.clone() };
    let signer = if w.faulty(F::KbOtherKey) { EcKey::generate(&w.entropy) } else { key };
    let kb = signer.sign_jws(
        &json!({ "typ": sdjwt::KB_TYP }),
        &json!({ "iat": dialtone_protocols::now_epoch(), "aud": aud, "nonce": nonce, "sd_hash": sdjwt::sd_hash(&hashed, HashAlg::Sha256) }),
    );
    let presentation = format!("{sd_part}{kb}");
    let vp_token =
        if w.faulty(F::LegacyVpToken) { json!(presentation) } else { json!({ query.id.clone(): [presentation] }) };
    let vp_text = match &vp_token {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let state = claim("state").filter(|_| !w.faulty(F::DropsState));
    let mode = claim("response_mode").unwrap_or_default();
    let form: Vec<(String, String)> = if mode == oid4vp::DIRECT_POST_JWT && !w.faulty(F::IgnoresJwtResponseMode) {
        // §8.3.1: the response parameters, encrypted to the verifier's key.
        let metadata = object.payload.get("client_metadata").cloned().unwrap_or(Value::Null);
        let (key, enc) = dialtone_protocols::jwe::recipient(&metadata)
            .ok_or("direct_post.jwt without an encryption key in client_metadata")?;
        let mut inner = json!({ "vp_token": vp_token });
        if let Some(s) = &state {
            inner["state"] = json!(s);
        }
        let jwe = dialtone_protocols::jwe::encrypt(inner.to_string().as_bytes(), &key, &enc)?;
        vec![("response".to_string(), jwe)]
    } else if mode == oid4vp::DIRECT_POST || mode == oid4vp::DIRECT_POST_JWT {
        let mut form = vec![("vp_token".to_string(), vp_text)];
        if let Some(s) = state {
            form.push(("state".to_string(), s));
        }
        form
    } else {
        return Err(format!("response_mode {mode:?} is not supported"));
    };
    let response = w.http.post(&response_uri).form(&form).send().await.map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}
