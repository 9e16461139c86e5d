//! SHC-019: the card's `fhirBundle` is a FHIR R4 Bundle, judged by the FHIR R4 JSON schema
//! (`suites/schemas/fhir-r4.schema.json`, published by HL7 with FHIR 4.0; see its NOTICE).
//!
//! The schema chooses a resource's definition with `oneOf` over all 146 resource types and names
//! the member that tells them apart in a `discriminator` (`resourceType`). A failed `oneOf` says only
//! that no type matched, so the schema is read with that choice made explicit: a resource's
//! `resourceType` must be one of the 146, and its definition is the one that `resourceType` names.
//! This accepts exactly what the `oneOf` accepts (each definition requires its own `resourceType`)
//! and says which member of which resource is wrong. The root is the Bundle definition.

use dialtone_engine::model::Outcome;
use serde_json::{Value, json};
use std::sync::OnceLock;

const SCHEMA: &str = include_str!("../../../../suites/schemas/fhir-r4.schema.json");
/// Schema errors shown in an observation.
const SHOWN_ERRORS: usize = 3;
/// Resource types per group of the resource choice ([`discriminated`]): about the square root of the
/// 146, so that a resource meets about 24 `if`s instead of 146 (SHC-019 took a fifth of `check`'s time
/// on Health Cards, most of it in those `if`s).
const GROUP: usize = 12;

fn validator() -> Option<&'static jsonschema::Validator> {
    static CELL: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    CELL.get_or_init(|| {
        let schema = discriminated(serde_json::from_str(SCHEMA).ok()?)?;
        jsonschema::validator_for(&schema).ok()
    })
    .as_ref()
}

/// The published schema with its resource choice made by `resourceType`, rooted at Bundle.
///
/// The choice is made in two steps, so that a resource meets a few `if`s rather than one per type:
/// the types in groups of [`GROUP`] (in the mapping's order), a group chosen by an `enum` of its
/// types, then within it the type by its `const`. A group's `if` requires `resourceType`, so that a
/// resource without one is refused by the top-level `required` alone (as with the `oneOf`), not by
/// every definition; within a chosen group it is present.
fn discriminated(mut schema: Value) -> Option<Value> {
    let mapping = schema.get("discriminator")?.get("mapping")?.as_object()?.clone();
    let types: Vec<&String> = mapping.keys().collect();
    let targets: Vec<(&String, &Value)> = mapping.iter().collect();
    let branches: Vec<Value> = targets
        .chunks(GROUP)
        .map(|group| {
            let names: Vec<&String> = group.iter().map(|(name, _)| *name).collect();
            let within: Vec<Value> = group
                .iter()
                .map(|(name, target)| {
                    json!({
                        "if": {"properties": {"resourceType": {"const": name}}},
                        "then": {"$ref": target}
                    })
                })
                .collect();
            json!({
                "if": {"properties": {"resourceType": {"enum": names}}, "required": ["resourceType"]},
                "then": {"allOf": within}
            })
        })
        .collect();
    let definitions = schema.get_mut("definitions")?.as_object_mut()?;
    definitions.insert(
        "ResourceList".into(),
        json!({
            "type": "object",
            "required": ["resourceType"],
            "properties": {"resourceType": {"enum": types}},
            "allOf": branches
        }),
    );
    let root = schema.as_object_mut()?;
    root.remove("oneOf");
    root.remove("discriminator");
    root.remove("id");
    root.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    root.insert("allOf".into(), json!([{"$ref": "#/definitions/Bundle"}]));
    Some(schema)
}

/// SHC-019 for a card's `credentialSubject`.
pub(super) fn r4_bundle(subject: Option<&Value>) -> Outcome {
    let version = subject.and_then(|s| s.get("fhirVersion")).and_then(Value::as_str);
    let Some(version) = version else {
        return Outcome::skip("no fhirVersion (SHC-013): which FHIR release the bundle is is not said");
    };
    if !version.starts_with("4.0.") {
        return Outcome::skip(format!(
            "fhirVersion {version:?}: dialtone has the FHIR R4 (4.0.x) schema only, and judges no other release"
        ));
    }
    let Some(bundle) = subject.and_then(|s| s.get("fhirBundle")) else {
        return Outcome::skip("no fhirBundle (SHC-013)");
    };
    let Some(validator) = validator() else {
        return Outcome::error("the FHIR R4 schema built into dialtone does not compile (a defect of dialtone)");
    };
    // Most bundles are valid: asked first, the validator stops at the first error and builds
    // none; the errors are collected only for a bundle that has some.
    if validator.is_valid(bundle) {
        let entries = bundle.get("entry").and_then(Value::as_array).map_or(0, Vec::len);
        return Outcome::pass(format!("the bundle ({entries} entries) is valid against the FHIR R4 JSON schema"));
    }
    let errors: Vec<String> = validator
        .iter_errors(bundle)
        .take(SHOWN_ERRORS + 1)
        .map(|e| {
            let at = e.instance_path().to_string();
            bounded(&format!("at {}: {e}", if at.is_empty() { "/" } else { at.as_str() }))
        })
        .collect();
    if errors.is_empty() {
        let entries = bundle.get("entry").and_then(Value::as_array).map_or(0, Vec::len);
        return Outcome::pass(format!("the bundle ({entries} entries) is valid against the FHIR R4 JSON schema"));
    }
    let more = if errors.len() > SHOWN_ERRORS { "; …" } else { "" };
    Outcome::fail(
        format!("a FHIR {version} Bundle valid against the FHIR R4 JSON schema"),
        format!("{}{more}", errors.iter().take(SHOWN_ERRORS).cloned().collect::<Vec<_>>().join("; ")),
    )
}

/// A schema error as shown: at most 300 characters (an error may quote the whole value).
fn bounded(text: &str) -> String {
    let mut out: String = text.chars().take(300).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(bundle: Value) -> Value {
        json!({"fhirVersion": "4.0.1", "fhirBundle": bundle})
    }

    fn bundle(resource: Value) -> Value {
        json!({"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "resource:0", "resource": resource}]})
    }

    #[test]
    fn the_schema_compiles_and_names_the_member_that_is_wrong() {
        let patient = json!({"resourceType": "Patient", "name": [{"family": "Anyperson"}], "birthDate": "1951-01-20"});
        assert!(matches!(r4_bundle(Some(&subject(bundle(patient)))), Outcome::Pass { .. }));
        let stu3 = json!({"resourceType": "Immunization", "status": "completed", "doseNumber": 1,
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
            "patient": {"reference": "resource:0"}, "occurrenceDateTime": "2021-01-01"});
        let Outcome::Fail { observed, .. } = r4_bundle(Some(&subject(bundle(stu3)))) else { panic!("fails") };
        assert!(observed.contains("/entry/0/resource") && observed.contains("doseNumber"), "{observed}");
        let unknown = json!({"resourceType": "Vaccination"});
        let Outcome::Fail { observed, .. } = r4_bundle(Some(&subject(bundle(unknown)))) else { panic!("fails") };
        assert!(observed.contains("/entry/0/resource/resourceType"), "{observed}");
        let not_a_bundle = json!({"resourceType": "Parameters"});
        assert!(matches!(r4_bundle(Some(&subject(not_a_bundle))), Outcome::Fail { .. }));
    }

    /// The published schema rooted at Bundle, its `oneOf` kept: what the grouped choice must agree with.
    fn published() -> jsonschema::Validator {
        let mut schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let root = schema.as_object_mut().unwrap();
        for member in ["oneOf", "discriminator", "id"] {
            root.remove(member);
        }
        root.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
        root.insert("allOf".into(), json!([{"$ref": "#/definitions/Bundle"}]));
        jsonschema::validator_for(&schema).unwrap()
    }

    #[test]
    fn the_grouped_choice_accepts_exactly_what_the_published_one_of_accepts() {
        let (published, grouped) = (published(), validator().unwrap());
        let immunization = json!({"resourceType": "Immunization", "status": "completed",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
            "patient": {"reference": "resource:0"}, "occurrenceDateTime": "2021-01-01"});
        let resources = [
            json!({"resourceType": "Patient", "name": [{"family": "Anyperson"}], "birthDate": "1951-01-20"}),
            json!({"resourceType": "Patient", "birthDate": 1951}),
            immunization.clone(),
            json!({"resourceType": "Immunization", "status": "completed", "doseNumber": 1}),
            // The first and the last of the 146, from the first and the last group.
            json!({"resourceType": "Account", "status": "active"}),
            json!({"resourceType": "Account", "status": "active", "bogus": 1}),
            json!({"resourceType": "VisionPrescription", "status": "active"}),
            json!({"resourceType": "VisionPrescription", "status": "active", "bogus": 1}),
            // Resources inside resources choose their definitions the same way.
            json!({"resourceType": "Patient", "contained": [{"resourceType": "Organization", "name": "Clinic"}]}),
            json!({"resourceType": "Patient", "contained": [{"resourceType": "Organization", "bogus": 1}]}),
            json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": immunization}]}),
            // No type, an unknown one, one that is not a string.
            json!({"name": [{"family": "Anyperson"}]}),
            json!({"resourceType": "Vaccination"}),
            json!({"resourceType": 5}),
            json!("Patient"),
        ];
        let mut valid = 0;
        for resource in resources {
            let bundle = bundle(resource);
            assert_eq!(grouped.is_valid(&bundle), published.is_valid(&bundle), "{bundle}");
            valid += usize::from(published.is_valid(&bundle));
        }
        // Both verdicts are met.
        assert!((3..10).contains(&valid), "{valid}");
    }

    #[test]
    fn other_releases_are_not_judged_by_the_r4_schema() {
        let s = json!({"fhirVersion": "5.0.0", "fhirBundle": {"resourceType": "Bundle", "whatever": 1}});
        assert!(matches!(r4_bundle(Some(&s)), Outcome::Skip { .. }));
    }
}
