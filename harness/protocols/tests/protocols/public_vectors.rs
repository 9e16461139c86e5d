//! Cross-checks the SD-JWT implementation against the specifications' own examples in
//! `../shared/vectors-public/` (read in place, never copied; see its NOTICE.md for licences).

use dialtone_protocols::jose::{CompactJws, verifying_key_from_jwk};
use dialtone_protocols::sdjwt::{HashAlg, SdJwt, sd_hash};
use serde_json::{Value, json};
use std::path::PathBuf;

fn shared(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors-public");
    let file = root.join(path);
    std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{} is needed by this test (shared/ beside the checkout): {e}", file.display()))
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Keys of `openid4vp-1.0/1.0/examples/sd_jwt_vcld/settings.yml` (the examples' generator settings).
fn issuer_key() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ", "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"})
}

fn holder_key() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc", "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"})
}

#[test]
fn settings_keys_are_the_ones_in_the_yaml() {
    let settings = shared("openid4vp-1.0/1.0/examples/sd_jwt_vcld/settings.yml");
    for key in [issuer_key(), holder_key()] {
        assert!(settings.contains(key["x"].as_str().unwrap()) && settings.contains(key["y"].as_str().unwrap()));
    }
}

#[test]
fn openid4vp_sd_jwt_presentation_verifies_and_processes_to_the_published_contents() {
    let dir = "openid4vp-1.0/1.0/examples/sd_jwt_vcld/01";
    let presentation = without_whitespace(&shared(&format!("{dir}/sd_jwt_presentation.txt")));
    let sd = SdJwt::parse(&presentation).expect("the example presentation parses");
    sd.issuer_jwt.verify_es256(&verifying_key_from_jwk(&issuer_key()).unwrap()).expect("issuer signature");
    let processed = sd.process().expect("RFC 9901 §7.1 processing");
    let expected: Value = serde_json::from_str(&shared(&format!("{dir}/verified_contents.json"))).unwrap();
    assert_eq!(Value::Object(processed.claims), expected);

    let kb = sd.kb_jwt.as_ref().expect("a key binding JWT");
    kb.verify_es256(&verifying_key_from_jwk(&holder_key()).unwrap()).expect("KB-JWT signature by the cnf key");
    assert_eq!(kb.typ(), Some("kb+jwt"));
    assert_eq!(kb.payload["sd_hash"], json!(sd_hash(&sd.sd_jwt_text, HashAlg::Sha256)));
    let kb_payload: Value = serde_json::from_str(&shared(&format!("{dir}/kb_jwt_payload.json"))).unwrap();
    assert_eq!(Value::Object(kb.payload.clone()), kb_payload);
}

#[test]
fn openid4vp_sd_jwt_issuance_holds_every_disclosure() {
    let dir = "openid4vp-1.0/1.0/examples/sd_jwt_vcld/01";
    let issued = without_whitespace(&shared(&format!("{dir}/sd_jwt_issuance.txt")));
    let sd = SdJwt::parse(&issued).unwrap();
    assert!(sd.kb_jwt.is_none() && issued.ends_with('~'));
    sd.issuer_jwt.verify_es256(&verifying_key_from_jwk(&issuer_key()).unwrap()).unwrap();
    let processed = sd.process().unwrap();
    assert_eq!(processed.disclosed.len(), sd.disclosures.len());
    let payload: Value = serde_json::from_str(&shared(&format!("{dir}/sd_jwt_payload.json"))).unwrap();
    assert_eq!(Value::Object(sd.issuer_jwt.payload.clone()), payload);
}

#[test]
fn openid4vci_credential_response_example_is_a_valid_sd_jwt_vc() {
    let text = shared("openid4vci-1.0/1.0/examples/credential_response_sd_jwt_vc.txt");
    let body = &text[text.find('{').unwrap()..];
    // The example wraps the credential string over lines for display; none of its values has spaces.
    let response: Value = serde_json::from_str(&without_whitespace(body)).unwrap();
    let credential = without_whitespace(response["credentials"][0]["credential"].as_str().unwrap());
    let sd = SdJwt::parse(&credential).unwrap();
    assert_eq!(sd.issuer_jwt.typ(), Some("dc+sd-jwt"));
    sd.issuer_jwt
        .verify_es256(&verifying_key_from_jwk(&issuer_key()).unwrap())
        .expect("signed with the examples' issuer key");
    let processed = sd.process().unwrap();
    assert_eq!(processed.claims["given_name"], json!("John"));
    assert!(!sd.issuer_jwt.payload.contains_key("given_name"));
    // The raw issuer JWT is a compact JWS on its own as well.
    assert!(CompactJws::parse(&sd.issuer_jwt_text).is_ok());
}

#[test]
fn verify_key_binding_accepts_the_specifications_presentation_and_only_in_its_context() {
    use dialtone_protocols::sdjwt::{KbError, verify_key_binding};
    let presentation = without_whitespace(&shared("openid4vp-1.0/1.0/examples/sd_jwt_vcld/01/sd_jwt_presentation.txt"));
    let sd = SdJwt::parse(&presentation).unwrap();
    let (nonce, aud, iat) = ("1234567890", "https://verifier.example.org", 1_744_743_394);
    verify_key_binding(&sd, nonce, aud, iat, 60).expect("the example's KB-JWT");
    assert!(matches!(verify_key_binding(&sd, "other", aud, iat, 60), Err(KbError::Nonce(_))));
    assert!(matches!(verify_key_binding(&sd, nonce, "https://evil.example", iat, 60), Err(KbError::Audience(_))));
    assert!(matches!(verify_key_binding(&sd, nonce, aud, iat + 3600, 60), Err(KbError::Iat { .. })));
}

/// A document ACA-Py 1.7.0 secured with eddsa-jcs-2022 (captured from the real peer; see
/// vectors/peers/). Its signature covers a proof configuration without the document's @context,
/// which the cryptosuite's proof configuration step adds: dialtone refuses it and says why. The
/// signature itself is sound (it verifies over the configuration ACA-Py used), so the difference is
/// exactly that step; altering the document fails it outright.
#[test]
fn acapy_eddsa_jcs_2022_proof_omits_the_context_step() {
    use dialtone_protocols::data_integrity::{DiError, verify_proof};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/peers/acapy-1.7.0-eddsa-jcs-2022.json");
    let sample: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("sample")).expect("JSON");
    let doc = &sample["securedDocument"];
    assert_eq!(verify_proof(doc), Err(DiError::ContextOmitted));
    let mut tampered = doc.clone();
    tampered["credentialSubject"]["name"] = serde_json::json!("K'omoks");
    assert_eq!(verify_proof(&tampered), Err(DiError::Signature));
}
