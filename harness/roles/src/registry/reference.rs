//! The reference trust registry: TRQP v2 authorization and recognition queries over the HTTPS
//! binding (`POST /authorization`, `POST /recognition`), errors as Problem Details (RFC 7807).

use super::ecosystem::Ecosystem;
use super::mutants::{Answer, Behaviour, RegistryFault};
use crate::seam::{SeamLog, Seams};
use crate::server::RunningServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dialtone_protocols::time::parse_rfc3339_utc as parse_utc;
use serde_json::{Map, Value, json};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct RegistryConfig {
    pub fault: Option<RegistryFault>,
    pub ecosystem: Ecosystem,
    /// Where its behaviour's reads are noted (the selftest's reference run).
    pub seams: Option<Arc<SeamLog>>,
}

struct Registry {
    config: RegistryConfig,
    behaviour: Seams<Behaviour>,
}

pub async fn start(
    config: RegistryConfig,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let behaviour = Seams::new("registry", Behaviour::with(config.fault), config.seams.clone());
    let registry = Arc::new(Registry { behaviour, config });
    let router = Router::new()
        .route("/authorization", post(|s, h, b| query(s, h, b, Kind::Authorization)))
        .route("/recognition", post(|s, h, b| query(s, h, b, Kind::Recognition)))
        .route("/control/health", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .with_state(registry);
    match tls {
        Some(tls) => RunningServer::serve_tls(listener, tls, router),
        None => RunningServer::serve(listener, router),
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Authorization,
    Recognition,
}

impl Registry {
    fn problem(&self, status: StatusCode, title: &str, detail: &str) -> Response {
        if !*self.behaviour.problem_details() {
            return (status, [(header::CONTENT_TYPE, "text/plain")], format!("{title}: {detail}")).into_response();
        }
        let body = json!({
            "type": format!("https://dialtone.example/problems/{}", title.replace(' ', "-")),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        });
        (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
    }
}

async fn query(State(registry): State<Arc<Registry>>, headers: HeaderMap, body: Bytes, kind: Kind) -> Response {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return registry.problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported media type",
            "send Content-Type: application/json",
        );
    }
    let request: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(m)) => m,
        _ => return registry.problem(StatusCode::BAD_REQUEST, "invalid query", "the body is not a JSON object"),
    };
    let b = &registry.behaviour;
    let lenient = !*b.complete_queries_only();
    let mut fields = Vec::new();
    for name in ["entity_id", "authority_id", "action", "resource"] {
        match request.get(name) {
            Some(Value::String(s)) if !s.is_empty() => fields.push(s.clone()),
            _ if lenient => fields.push(String::new()),
            _ => {
                return registry.problem(
                    StatusCode::BAD_REQUEST,
                    "invalid query",
                    &format!("{name} is required and must be a non-empty string"),
                );
            }
        }
    }
    let (entity_id, authority_id, action, resource) = (&fields[0], &fields[1], &fields[2], &fields[3]);
    let context = match request.get("context") {
        None => None,
        Some(Value::Object(c)) => Some(c.clone()),
        Some(_) => return registry.problem(StatusCode::BAD_REQUEST, "invalid query", "context must be a JSON object"),
    };
    let time_requested = match context.as_ref().map(|c| c.get("time")) {
        None => None,
        Some(Some(Value::String(t))) if parse_utc(t).is_some() => Some(t.clone()),
        Some(_) => {
            return registry.problem(
                StatusCode::BAD_REQUEST,
                "invalid query",
                "context.time is required in a context and must be RFC 3339 with the Z offset",
            );
        }
    };
    let jurisdiction = context.as_ref().and_then(|c| c.get("jurisdiction")).and_then(Value::as_str).map(str::to_string);
    let ecosystem = &registry.config.ecosystem;
    let unknown_authority = *authority_id != ecosystem.authority_id;
    if unknown_authority && *b.unknown_authority_refused() {
        return registry.problem(
            StatusCode::NOT_FOUND,
            "authority not found",
            "this registry does not serve that authority_id",
        );
    }
    if !unknown_authority && !ecosystem.knows_entity(entity_id) && !lenient {
        return registry.problem(StatusCode::NOT_FOUND, "entity not found", "no statement names that entity_id");
    }
    let now = dialtone_protocols::now_epoch();
    let evaluated = dialtone_protocols::time::format_rfc3339(now);
    let at = if !*b.honours_time() {
        evaluated.clone()
    } else {
        time_requested.clone().unwrap_or_else(|| evaluated.clone())
    };
    let jurisdiction = if *b.honours_jurisdiction() { jurisdiction } else { None };
    let statements = match kind {
        Kind::Authorization => &ecosystem.authorization,
        Kind::Recognition => &ecosystem.recognition,
    };
    let holds = !unknown_authority
        && match *b.answer() {
            Answer::Never => false,
            Answer::Always => true,
            Answer::Statements => {
                statements.iter().any(|s| s.holds(entity_id, action, resource, &at, jurisdiction.as_deref()))
            }
        };
    let answered_entity = if *b.echoes_entity() { entity_id.clone() } else { "urn:dialtone:someone-else".to_string() };
    let mut response = json!({
        "entity_id": answered_entity,
        "authority_id": authority_id,
        "action": action,
        "resource": resource,
        "time_evaluated": evaluated,
        "message": if holds { "a statement of the ecosystem holds" } else { "no statement of the ecosystem holds" },
    });
    match kind {
        Kind::Authorization => response["authorized"] = json!(holds),
        Kind::Recognition => response["recognized"] = json!(holds),
    }
    if let Some(t) = time_requested {
        response["time_requested"] = json!(t);
    }
    if let Some(c) = context {
        response["context"] = Value::Object(c);
    }
    if !*b.time_evaluated() {
        response.as_object_mut().map(|r| r.remove("time_evaluated"));
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], response.to_string()).into_response()
}
