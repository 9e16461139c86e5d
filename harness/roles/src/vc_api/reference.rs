//! The reference VC-API service (W3C VC-API, as the W3C VC test suites drive implementations):
//! `POST /credentials/issue` secures a credential with a Data Integrity proof (`eddsa-jcs-2022`,
//! `did:key`), `POST /credentials/verify` verifies one.

use super::mutants::{Behaviour, VcApiFault as F};
use crate::seam::{SeamLog, Seams};
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::data_integrity::{self, Ed25519Key};
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::time;
use serde_json::{Value, json};
use std::sync::Arc;

pub const V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

#[derive(Debug, Clone, Default)]
pub struct VcApiConfig {
    pub fault: Option<F>,
    pub seed: Option<u64>,
    /// Where its behaviour's reads are noted (the selftest's reference run).
    pub seams: Option<Arc<SeamLog>>,
}

struct Service {
    behaviour: Seams<Behaviour>,
    key: Ed25519Key,
}

/// A started service and its issuer identifier (a `did:key`).
pub struct VcApiHandle {
    pub server: RunningServer,
    pub issuer_id: String,
}

pub async fn start(
    config: VcApiConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<VcApiHandle> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    // The key is derived from the seed (or the OS) so that its did:key can go into a manifest.
    let entropy = Entropy::new(config.seed);
    let key = Ed25519Key::generate(&entropy.derive("reference-vc-api"));
    let issuer_id = key.did();
    let behaviour = Seams::new("vc_api", Behaviour::with(config.fault), config.seams.clone());
    let service = Arc::new(Service { behaviour, key });
    let router = Router::new()
        .route("/credentials/issue", post(issue))
        .route("/credentials/verify", post(verify))
        .route("/health", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .with_state(service);
    let server = match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router)?,
        None => RunningServer::serve(listener, router)?,
    };
    Ok(VcApiHandle { server, issuer_id })
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn bad_request(message: impl Into<String>) -> Response {
    answer(StatusCode::BAD_REQUEST, json!({"errors": [message.into()]}))
}

fn types(doc: &Value) -> Vec<&str> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What the reference refuses to issue: not a VC 2.0 credential of this issuer.
fn invalid_credential(service: &Service, credential: &Value) -> Option<String> {
    let first_context = match credential.get("@context") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if first_context != Some(V2_CONTEXT) {
        return Some(format!("@context must start with {V2_CONTEXT}"));
    }
    if !types(credential).contains(&"VerifiableCredential") {
        return Some("type must include VerifiableCredential".into());
    }
    let issuer = match credential.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    };
    if issuer != Some(service.key.did().as_str()) {
        return Some(format!("issuer must be this service's identifier {}", service.key.did()));
    }
    let subject_ok = match credential.get("credentialSubject") {
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    };
    if !subject_ok && service.behaviour.issue().subject_required {
        return Some("credentialSubject is required".into());
    }
    if credential.get("proof").is_some() {
        return Some("the credential already has a proof".into());
    }
    None
}

fn fold_apostrophes(value: &mut Value) {
    match value {
        Value::String(s) => *s = s.replace('\u{2BC}', "'"),
        Value::Array(a) => a.iter_mut().for_each(fold_apostrophes),
        Value::Object(o) => o.values_mut().for_each(fold_apostrophes),
        _ => {}
    }
}

async fn issue(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("the body is not JSON");
    };
    let Some(mut credential) = request.get("credential").cloned() else {
        return bad_request("no credential");
    };
    if let Some(why) = invalid_credential(&service, &credential) {
        return bad_request(why);
    }
    if !service.behaviour.issue().keeps_names {
        fold_apostrophes(&mut credential);
    }
    if !service.behaviour.issue().keeps_vc_type {
        credential["type"] =
            json!(types(&credential).into_iter().filter(|t| *t != "VerifiableCredential").collect::<Vec<_>>());
    }
    if !service.behaviour.issue().proof {
        return answer(StatusCode::CREATED, json!({ "verifiableCredential": credential }));
    }
    let purpose = service.behaviour.issue().proof_purpose;
    let created = time::now_rfc3339();
    let secured = match data_integrity::add_proof(&credential, &service.key, &created, purpose) {
        Ok(s) => s,
        Err(e) => return bad_request(e.to_string()),
    };
    let secured = if !service.behaviour.issue().proof_over_document {
        // A proof made over another document, transplanted.
        let mut other = credential.clone();
        other["credentialSubject"] = json!({"id": "did:example:someone-else"});
        let forged = data_integrity::add_proof(&other, &service.key, &created, purpose).unwrap_or(Value::Null);
        let mut s = secured;
        s["proof"]["proofValue"] = forged["proof"]["proofValue"].clone();
        s
    } else {
        secured
    };
    answer(StatusCode::CREATED, json!({ "verifiableCredential": secured }))
}

async fn verify(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("the body is not JSON");
    };
    let Some(vc) = request.get("verifiableCredential") else {
        return bad_request("no verifiableCredential");
    };
    if service.behaviour.verify().refuses_all {
        return answer(StatusCode::BAD_REQUEST, json!({"checks": [], "errors": ["refused"]}));
    }
    let proof_result = match data_integrity::verify_proof(vc) {
        Ok(_) => Ok(()),
        Err(data_integrity::DiError::NoProof) if !service.behaviour.verify().proof_required => Ok(()),
        Err(data_integrity::DiError::Signature | data_integrity::DiError::ContextOmitted)
            if !service.behaviour.verify().signature_checked =>
        {
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = proof_result {
        return answer(StatusCode::BAD_REQUEST, json!({"checks": ["proof"], "errors": [format!("proof: {e}")]}));
    }
    if vc
        .get("proof")
        .and_then(|p| p.get("proofPurpose"))
        .and_then(Value::as_str)
        .is_some_and(|p| p != "assertionMethod")
        && service.behaviour.verify().signature_checked
    {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"checks": ["proof"], "errors": ["proofPurpose must be assertionMethod"]}),
        );
    }
    let now = dialtone_protocols::now_epoch();
    let until = vc.get("validUntil").and_then(Value::as_str).and_then(time::parse_datetime_stamp);
    let from = vc.get("validFrom").and_then(Value::as_str).and_then(time::parse_datetime_stamp);
    if service.behaviour.verify().validity_checked && (until.is_some_and(|u| u < now) || from.is_some_and(|f| f > now))
    {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"checks": ["proof", "validity"], "errors": ["outside its validity period"]}),
        );
    }
    answer(StatusCode::OK, json!({"checks": ["proof", "validity"], "warnings": [], "errors": []}))
}
