//! dialtone's TRQP response schemas (suites/schemas/, written from the specification text) against
//! the upstream TRQP v2 schemas and examples, read in place from ../shared/vectors-public/trqp-v2.

use dialtone_drivers::registry::consumer::{AUTHORIZATION_SCHEMA, Kind, RECOGNITION_SCHEMA, schema_problems};
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
