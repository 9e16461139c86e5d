//! The harness as a TRQP consumer: builds queries (HTTPS binding) and judges answers against
//! dialtone's TRQP response schemas (`suites/schemas/`).

use crate::Ctx;
use crate::manifest::{RegistryQuery, RegistrySection};
use dialtone_engine::model::Outcome;
use dialtone_http::HttpResponse;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

pub const AUTHORIZATION_SCHEMA: &str =
    include_str!("../../../../suites/schemas/trqp-authorization-response.schema.json");
pub const RECOGNITION_SCHEMA: &str = include_str!("../../../../suites/schemas/trqp-recognition-response.schema.json");

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Authorization,
    Recognition,
}

impl Kind {
    pub fn path(self) -> &'static str {
        match self {
            Self::Authorization => "/authorization",
            Self::Recognition => "/recognition",
        }
    }
    pub(crate) fn answer_member(self) -> &'static str {
        match self {
            Self::Authorization => "authorized",
            Self::Recognition => "recognized",
        }
    }
}

fn validator(kind: Kind) -> Option<&'static jsonschema::Validator> {
    static AUTH: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    static RECO: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let (cell, text) = match kind {
        Kind::Authorization => (&AUTH, AUTHORIZATION_SCHEMA),
        Kind::Recognition => (&RECO, RECOGNITION_SCHEMA),
    };
    cell.get_or_init(|| serde_json::from_str(text).ok().and_then(|s: Value| jsonschema::validator_for(&s).ok()))
        .as_ref()
}

/// Schema problems of a response body, empty when it conforms.
pub fn schema_problems(kind: Kind, body: &Value) -> Vec<String> {
    match validator(kind) {
        Some(v) => v.iter_errors(body).map(|e| format!("{e} (at {})", e.instance_path())).collect(),
        None => vec!["dialtone's TRQP schema did not compile (a harness defect)".into()],
    }
}

pub(crate) struct Consumer {
    pub ctx: Ctx,
}

impl Consumer {
    pub fn new(ctx: Ctx) -> Self {
        Self { ctx }
    }

    pub fn registry(&self) -> Result<&RegistrySection, Outcome> {
        self.ctx.manifest.registry.as_ref().ok_or_else(|| Outcome::error("the manifest has no [registry] section"))
    }

    /// The query body for a fixture, with `context` carrying its time and jurisdiction.
    pub(crate) fn query_body(&self, query: &RegistryQuery) -> Result<Value, Outcome> {
        let registry = self.registry()?;
        let mut body = json!({
            "entity_id": query.entity_id,
            "authority_id": registry.authority_id,
            "action": query.action,
            "resource": query.resource,
        });
        let mut context = Map::new();
        if let Some(t) = &query.time {
            context.insert("time".into(), json!(t));
        }
        if let Some(j) = &query.jurisdiction {
            // TRQP requires `time` in any context; "now" is what the query means.
            context.entry("time").or_insert_with(|| json!(dialtone_protocols::time::now_rfc3339()));
            context.insert("jurisdiction".into(), json!(j));
        }
        if !context.is_empty() {
            body["context"] = Value::Object(context);
        }
        Ok(body)
    }

    /// POSTs a raw body to the binding's path, with the binding's headers.
    pub(crate) async fn post_raw(&self, kind: Kind, body: &[u8], content_type: &str) -> Result<HttpResponse, Outcome> {
        let registry = self.registry()?;
        let url = format!("{}{}", registry.url.trim_end_matches('/'), kind.path());
        let auth = registry.bearer_token.as_ref().map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", content_type)];
        if let Some(a) = auth.as_deref() {
            headers.push(("Authorization", a));
        }
        Ok(self.ctx.http.send("POST", &url, &headers, dialtone_http::Body::Raw(body)).await?)
    }

    pub async fn ask(&self, kind: Kind, body: &Value) -> Result<HttpResponse, Outcome> {
        self.post_raw(kind, body.to_string().as_bytes(), "application/json").await
    }

    /// Asks a fixture query and returns the answer object once it is a 200 JSON object.
    pub async fn answer(&self, kind: Kind, query: &RegistryQuery) -> Result<(Value, Map<String, Value>), Outcome> {
        let body = self.query_body(query)?;
        let response = self.ask(kind, &body).await?;
        if response.status != 200 {
            return Err(Outcome::fail("HTTP 200 with a TRQP response", format!("HTTP {}", response.status)));
        }
        let object = response.json_object().map_err(|e| Outcome::fail("a JSON object", e))?;
        Ok((body, object))
    }
}

/// Judges an error response: the status and a Problem Details body (RFC 7807 §3).
pub(crate) fn expect_problem(response: &HttpResponse, statuses: &[u16]) -> Outcome {
    let media = response.media_type();
    let expected = format!("HTTP {statuses:?} with an application/problem+json body (type, title, status)");
    if !statuses.contains(&response.status) {
        return Outcome::fail(expected, format!("HTTP {}", response.status));
    }
    if media.as_deref() != Some("application/problem+json") {
        return Outcome::fail(expected, format!("HTTP {}, Content-Type {media:?}", response.status));
    }
    match response.json_object() {
        Ok(p)
            if p.get("status").and_then(Value::as_u64) == Some(u64::from(response.status))
                && p.get("title").is_some_and(Value::is_string) =>
        {
            Outcome::pass(format!(
                "HTTP {}, problem {:?}",
                response.status,
                p.get("title").and_then(Value::as_str).unwrap_or_default()
            ))
        }
        Ok(p) => {
            Outcome::fail(expected, format!("problem body without matching status and title: {}", Value::Object(p)))
        }
        Err(e) => Outcome::fail(expected, e),
    }
}

/// dialtone's TRQP response schemas (suites/schemas/, written from the specification text) against
/// the upstream TRQP v2 schemas and examples, read in place from ../shared/vectors-public/trqp-v2.
#[cfg(test)]
mod tests {
    use super::{AUTHORIZATION_SCHEMA, Kind, RECOGNITION_SCHEMA, schema_problems};
    use serde_json::{Value, json};
    use std::path::PathBuf;

    fn upstream(name: &str) -> Value {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/vectors-public/trqp-v2/specification/v2/core/schema")
            .join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} (shared/ beside the checkout): {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    fn required(schema: &Value) -> Vec<String> {
        let mut r: Vec<String> =
            schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        r.sort();
        r
    }

    #[test]
    fn required_members_match_upstream() {
        for (ours, theirs) in [
            (AUTHORIZATION_SCHEMA, "trqp_authorization_response.schema.json"),
            (RECOGNITION_SCHEMA, "trqp_recognition_response.schema.json"),
        ] {
            let ours: Value = serde_json::from_str(ours).unwrap();
            assert_eq!(required(&ours), required(&upstream(theirs)), "{theirs}");
        }
    }

    #[test]
    fn the_specifications_example_answers_conform() {
        // The examples of the HTTPS binding section (core/https_binding.md).
        let authorization = json!({
            "entity_id": "user-1234", "authority_id": "auth-service-A", "action": "issue", "resource": "engineer-license",
            "authorized": true, "time_requested": "2025-06-19T11:30:00Z", "time_evaluated": "2025-06-19T11:30:00Z",
            "message": "User-1234 holds the admin role.", "context": {"time": "2025-06-19T11:30:00Z"}
        });
        assert!(schema_problems(Kind::Authorization, &authorization).is_empty());
        let mut recognition = authorization.clone();
        recognition.as_object_mut().unwrap().remove("authorized");
        recognition["recognized"] = json!(true);
        assert!(schema_problems(Kind::Recognition, &recognition).is_empty());
        // And the schemas reject what the upstream ones reject.
        let mut missing = authorization.clone();
        missing.as_object_mut().unwrap().remove("time_evaluated");
        assert!(!schema_problems(Kind::Authorization, &missing).is_empty());
        let mut wrong = authorization;
        wrong["authorized"] = json!("yes");
        assert!(!schema_problems(Kind::Authorization, &wrong).is_empty());
    }
}
