//! The `decentralized_identifier` client identifier prefix (OpenID4VP §5.9.3): the request is
//! signed with a key of the DID's document, named by the JOSE header's `kid` (a DID URL). Two DID
//! methods resolve here: `did:jwk` (the document is the identifier itself) and `did:web` (the
//! document is fetched over https from the host the identifier names).

use crate::b64;
use dialtone_http::HttpClient;
use serde_json::{Value, json};

/// The `did:jwk` of a public JWK (its JSON, base64url).
pub fn did_jwk(jwk: &Value) -> String {
    format!("did:jwk:{}", b64::encode(jwk.to_string()))
}

/// The https URL of a `did:web`'s document: `did:web:host%3Aport` →
/// `https://host:port/.well-known/did.json`; `did:web:host:a:b` → `https://host/a/b/did.json`.
pub fn did_web_url(did: &str) -> Result<String, String> {
    let rest = did.strip_prefix("did:web:").ok_or_else(|| format!("{did:?} is not a did:web"))?;
    let mut parts = rest.split(':');
    let host = parts.next().filter(|h| !h.is_empty()).ok_or("a did:web without a host")?;
    let host = host.replace("%3A", ":").replace("%3a", ":");
    if host.contains(['/', '?', '#', '@']) {
        return Err(format!("{did:?} names no host"));
    }
    let path: Vec<&str> = parts.collect();
    Ok(if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    })
}

/// The DID document of `did:jwk`: one verification method, `#0`, the key itself.
fn did_jwk_document(did: &str) -> Result<Value, String> {
    let encoded = did.strip_prefix("did:jwk:").ok_or_else(|| format!("{did:?} is not a did:jwk"))?;
    let bytes = b64::decode(encoded).map_err(|e| format!("did:jwk is not base64url: {e}"))?;
    let jwk: Value = serde_json::from_slice(&bytes).map_err(|e| format!("did:jwk is not a JWK: {e}"))?;
    if !jwk.is_object() {
        return Err("did:jwk is not a JWK object".into());
    }
    let id = format!("{did}#0");
    Ok(json!({
        "id": did,
        "verificationMethod": [{ "id": id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk }],
    }))
}

/// Resolves `did` (did:jwk locally, did:web over https) to its DID document.
pub async fn resolve(http: &HttpClient, did: &str) -> Result<Value, String> {
    if did.starts_with("did:jwk:") {
        return did_jwk_document(did);
    }
    let url = did_web_url(did)?;
    let answer =
        http.get(&url, &[("Accept", "application/did+json, application/json")]).await.map_err(|e| e.to_string())?;
    if answer.status != 200 {
        return Err(format!("HTTP {} from {url}", answer.status));
    }
    let document = answer.json()?;
    if document.get("id").and_then(Value::as_str) != Some(did) {
        return Err(format!("the document at {url} is not {did:?}'s (its id: {:?})", document.get("id")));
    }
    Ok(document)
}

/// The public JWK of the verification method `kid` (a DID URL of `did`) in `document`.
pub fn verification_key(document: &Value, did: &str, kid: &str) -> Result<Value, String> {
    let fragment = kid
        .strip_prefix(did)
        .filter(|f| f.starts_with('#'))
        .ok_or_else(|| format!("kid {kid:?} is no verification method of {did:?}"))?;
    let methods = document
        .get("verificationMethod")
        .and_then(Value::as_array)
        .ok_or("the DID document has no verificationMethod")?;
    methods
        .iter()
        .find(|m| m.get("id").and_then(Value::as_str).is_some_and(|id| id == kid || id == fragment))
        .and_then(|m| m.get("publicKeyJwk"))
        .cloned()
        .ok_or_else(|| format!("the DID document has no verification method {kid:?} with a publicKeyJwk"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_jwk_and_did_web_resolve_as_their_methods_say() {
        let jwk = json!({ "kty": "EC", "crv": "P-256", "x": "x", "y": "y" });
        let did = did_jwk(&jwk);
        let document = did_jwk_document(&did).unwrap();
        assert_eq!(verification_key(&document, &did, &format!("{did}#0")).unwrap(), jwk);
        assert!(verification_key(&document, &did, "did:jwk:other#0").is_err());
        assert_eq!(did_web_url("did:web:localhost%3A8443").unwrap(), "https://localhost:8443/.well-known/did.json");
        assert_eq!(did_web_url("did:web:v.example:users:a").unwrap(), "https://v.example/users/a/did.json");
        assert!(did_web_url("did:web:").is_err());
        assert!(did_web_url("did:web:evil.example%2Fx@y").is_err());
    }
}
