//! Signed credential issuer metadata (OpenID4VCI 1.0 §12.2.2, §12.2.3): the metadata as the claims
//! of a JWT served as `application/jwt` when a wallet asks for it, typed
//! `openidvci-issuer-metadata+jwt`, its `sub` the Credential Issuer Identifier, with `iat`, and every
//! metadata parameter a top-level claim. What a wallet checks of one is [`check`]; which key it
//! trusts is its own business (§12.2.3), so the key is given.

use super::message::CredentialIssuerMetadata;
use crate::jose::{CompactJws, is_asymmetric_alg};
use serde_json::{Map, Value};

/// §12.2.3
pub const TYP: &str = "openidvci-issuer-metadata+jwt";
/// The media type of signed metadata (§12.2.2).
pub const MEDIA_TYPE: &str = "application/jwt";

/// The JWT's claims for `metadata` (the unsigned document) of `identifier`, issued at `now`.
pub fn claims(metadata: &Value, identifier: &str, now: i64) -> Value {
    let mut claims: Map<String, Value> = metadata.as_object().cloned().unwrap_or_default();
    claims.insert("iss".into(), Value::from(identifier));
    claims.insert("sub".into(), Value::from(identifier));
    claims.insert("iat".into(), Value::from(now));
    Value::Object(claims)
}

/// The header members besides `alg` (and the key the signer names).
pub fn header(mut key_reference: Map<String, Value>) -> Value {
    key_reference.insert("typ".into(), Value::from(TYP));
    Value::Object(key_reference)
}

/// Every way `jwt` falls short of §12.2.3 for the issuer `identifier`, whose unsigned metadata is
/// `unsigned`, the signature checked with `jwk` (when given): an empty list when none.
pub fn check(jwt: &str, identifier: &str, unsigned: &Value, jwk: Option<&Value>) -> Vec<String> {
    let jws = match CompactJws::parse(jwt.trim()) {
        Ok(j) => j,
        Err(e) => return vec![format!("not a JWS: {e}")],
    };
    let mut problems = Vec::new();
    match jws.alg() {
        Some(alg) if is_asymmetric_alg(alg) => {}
        other => problems.push(format!("alg {other:?} is not an asymmetric signature algorithm")),
    }
    if jws.typ() != Some(TYP) {
        problems.push(format!("typ {:?}, not {TYP:?}", jws.typ()));
    }
    if let Some(jwk) = jwk
        && let Err(e) = jws.verify_with_jwk(jwk)
    {
        problems.push(format!("the signature does not verify: {e}"));
    }
    let payload = &jws.payload;
    if payload.get("sub").and_then(Value::as_str) != Some(identifier) {
        problems.push(format!("sub {:?} is not the Credential Issuer Identifier {identifier:?}", payload.get("sub")));
    }
    if !payload.get("iat").is_some_and(|v| v.is_i64() || v.is_u64()) {
        problems.push("no integer iat".into());
    }
    // §12.2.3: every metadata parameter the issuer uses (§12.2.4) is a claim; members of its own
    // (or of drafts) need not be signed.
    let parameters = unsigned.as_object().into_iter().flatten();
    for (name, value) in parameters.filter(|(name, _)| CredentialIssuerMetadata::PARAMETERS.contains(&name.as_str())) {
        match payload.get(name) {
            Some(signed) if signed == value => {}
            Some(_) => problems.push(format!("{name} differs from the unsigned metadata")),
            None => problems.push(format!("{name} is in the unsigned metadata but not among the claims")),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::EcKey;
    use crate::seed::Entropy;
    use serde_json::json;

    #[test]
    fn signed_metadata_checks_and_each_shortfall_is_named() {
        let key = EcKey::generate(&Entropy::seeded(4));
        let unsigned = json!({"credential_issuer": "https://i.example", "credential_endpoint": "https://i.example/c"});
        let jwt = key.sign_jws(&header(Map::new()), &claims(&unsigned, "https://i.example", 1));
        assert_eq!(check(&jwt, "https://i.example", &unsigned, Some(&key.public_jwk())), Vec::<String>::new());
        let other = EcKey::generate(&Entropy::seeded(5));
        assert!(check(&jwt, "https://i.example", &unsigned, Some(&other.public_jwk()))[0].contains("signature"));
        let changed = json!({"credential_issuer": "https://i.example", "credential_endpoint": "https://i.example/x"});
        assert!(check(&jwt, "https://i.example", &changed, None)[0].contains("credential_endpoint"));
        let untyped = key.sign_jws(&json!({"typ": "JWT"}), &claims(&unsigned, "https://i.example", 1));
        assert!(check(&untyped, "https://i.example", &unsigned, None)[0].contains("typ"));
        assert!(check(&jwt, "https://other.example", &unsigned, None)[0].contains("sub"));
        // A member that is no §12.2.4 parameter (a draft's `token_endpoint`) need not be signed.
        let with_extra = json!({"credential_issuer": "https://i.example", "credential_endpoint": "https://i.example/c",
            "token_endpoint": "https://i.example/token"});
        assert_eq!(check(&jwt, "https://i.example", &with_extra, None), Vec::<String>::new());
    }
}
