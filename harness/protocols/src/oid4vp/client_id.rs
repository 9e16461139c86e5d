//! Client identifier prefixes (OpenID4VP §5.9.3), one function each: what a wallet checks of a
//! request under the prefix its client identifier names before it answers. `holder::check` calls
//! [`check_prefix`]; the verifier plan's request rules call the same verifications
//! ([`verify_x509_hash`]) on the requests a verifier under test sends.

use super::holder::{Request, RequestChecks};
use super::url_host;
use crate::b64;
use sha2::{Digest, Sha256};

/// The `x509_hash` client identifier of a certificate (§5.9.3): base64url (no padding) of the
/// SHA-256 hash of its DER encoding.
pub fn x509_hash(der: &[u8]) -> String {
    b64::encode(Sha256::digest(der))
}

/// Why an `x509_hash` request does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum X509HashError {
    #[error("the request object has no x5c certificate: {0}")]
    NoCertificate(String),
    #[error("the client identifier {identifier:?} is not the hash of the x5c leaf certificate ({leaf:?})")]
    HashMismatch { identifier: String, leaf: String },
    #[error("{0}")]
    Chain(String),
    #[error("{0}")]
    Signature(String),
}

/// `x509_hash` (§5.9.3): `identifier` is the hash of the `x5c` leaf certificate, the chain leads
/// to one of `roots`, and the request's ES256 signature verifies with the leaf's key.
pub fn verify_x509_hash(
    x5c: &[String],
    roots: &[Vec<u8>],
    identifier: &str,
    signing_input: &str,
    signature: &[u8],
) -> Result<(), X509HashError> {
    hash_matches(x5c, identifier)?;
    chain_and_signature(x5c, roots, signing_input, signature)
}

fn hash_matches(x5c: &[String], identifier: &str) -> Result<(), X509HashError> {
    let chain = crate::x509::x5c_der(x5c).map_err(X509HashError::NoCertificate)?;
    let leaf = chain.first().ok_or_else(|| X509HashError::NoCertificate("x5c is empty".into()))?;
    let leaf = x509_hash(leaf);
    if leaf != identifier {
        return Err(X509HashError::HashMismatch { identifier: identifier.to_string(), leaf });
    }
    Ok(())
}

fn chain_and_signature(
    x5c: &[String],
    roots: &[Vec<u8>],
    signing_input: &str,
    signature: &[u8],
) -> Result<(), X509HashError> {
    crate::x509::verify_x5c(x5c, roots, None, signing_input, signature).map_err(|e| {
        if e.contains("signature does not verify") || e.contains("r||s") {
            X509HashError::Signature(e)
        } else {
            X509HashError::Chain(e)
        }
    })
}

/// Judges `request` under its client identifier's prefix as a wallet must; `Err` says why it is
/// refused. `response_uri` is the request's.
pub(crate) fn check_prefix(
    request: &Request,
    response_uri: &str,
    trusted_roots: &[Vec<u8>],
    checks: RequestChecks,
) -> Result<(), String> {
    let (prefix, identifier) = super::split_client_id(&request.client_id);
    match prefix {
        Some("x509_san_dns") => x509_san_dns(request, identifier, response_uri, trusted_roots, checks),
        Some("x509_hash") if checks.x509_hash_supported => x509_hash_client(request, identifier, trusted_roots, checks),
        Some("redirect_uri") => redirect_uri(identifier, response_uri, checks),
        Some("decentralized_identifier") if checks.did_supported => {
            decentralized_identifier(request, identifier, checks)
        }
        Some("verifier_attestation") if checks.attestation_supported => {
            super::verifier_attestation::check(request, identifier, trusted_roots, checks)
        }
        // A prefix the wallet does not know names a pre-registered client at best (§5.9.2), and this
        // wallet has none: refused.
        None if !checks.unknown_prefix_refused && request.client_id.contains(':') => Ok(()),
        Some(prefix) => Err(format!("client identifier prefix {prefix:?} is not supported")),
        None => Err(format!(
            "client identifier {:?}: no client identifier prefix this wallet supports, and no client registered with it",
            request.client_id
        )),
    }
}

/// An `x509_san_dns` client's request is signed (§5.9.3), by a certificate naming `identifier` that
/// leads to `trusted_roots` — whether it came by link or over the Digital Credentials API.
pub(crate) fn x509_san_dns_signature(
    request: &Request,
    identifier: &str,
    trusted_roots: &[Vec<u8>],
    checks: RequestChecks,
) -> Result<(), String> {
    let signed = request.signed();
    if !signed && checks.x509_signed {
        return Err("an x509_san_dns client's request must be signed".into());
    }
    if !signed {
        return Ok(());
    }
    let verified = crate::x509::verify_x5c_signature(
        &request.x5c(),
        trusted_roots,
        identifier,
        &request.object.signing_input,
        &request.object.signature,
    );
    match verified {
        Ok(()) => Ok(()),
        Err(e) if !checks.x509_signature && e.contains("signature does not verify") => Ok(()),
        Err(e) => Err(format!("request signature: {e}")),
    }
}

/// `x509_san_dns`: signed, by a trusted certificate naming the identifier, and the `response_uri`
/// on that host.
fn x509_san_dns(
    request: &Request,
    identifier: &str,
    response_uri: &str,
    trusted_roots: &[Vec<u8>],
    checks: RequestChecks,
) -> Result<(), String> {
    x509_san_dns_signature(request, identifier, trusted_roots, checks)?;
    if url_host(response_uri) != Some(identifier) && checks.response_uri_host {
        return Err(format!("response_uri {response_uri:?} is not on the client identifier's host {identifier:?}"));
    }
    Ok(())
}

/// `x509_hash`: signed, the identifier the hash of the leaf certificate, the chain trusted, the
/// signature the leaf's.
fn x509_hash_client(
    request: &Request,
    identifier: &str,
    trusted_roots: &[Vec<u8>],
    checks: RequestChecks,
) -> Result<(), String> {
    if !request.signed() {
        return if checks.x509_signed { Err("an x509_hash client's request must be signed".into()) } else { Ok(()) };
    }
    let x5c = request.x5c();
    match hash_matches(&x5c, identifier) {
        Err(X509HashError::HashMismatch { .. }) if !checks.x509_hash_matches => {}
        Err(e) => return Err(format!("x509_hash: {e}")),
        Ok(()) => {}
    }
    match chain_and_signature(&x5c, trusted_roots, &request.object.signing_input, &request.object.signature) {
        Ok(()) => Ok(()),
        Err(X509HashError::Signature(_)) if !checks.x509_signature => Ok(()),
        Err(e) => Err(format!("request signature: {e}")),
    }
}

/// A `decentralized_identifier` request (its DID resolved when it was received) verifies: signed
/// by the key of a verification method of the client's DID, named by its `kid` (§5.9.3).
pub fn verify_decentralized_identifier(request: &Request) -> Result<(), String> {
    let (_, did) = super::split_client_id(&request.client_id);
    decentralized_identifier(request, did, RequestChecks::default())
}

/// `decentralized_identifier`: signed, by the key of the verification method of the DID that the
/// header's `kid` names (§5.9.3).
fn decentralized_identifier(request: &Request, did: &str, checks: RequestChecks) -> Result<(), String> {
    if !request.signed() {
        return Err("a decentralized_identifier client's request must be signed".into());
    }
    let kid = request.object.header.get("kid").and_then(serde_json::Value::as_str).unwrap_or_default();
    let named = kid.strip_prefix(did).is_some_and(|f| f.starts_with('#'));
    if !named && checks.did_kid_matches {
        return Err(format!("the request's kid {kid:?} is no verification method of the client's DID {did:?}"));
    }
    let document = match &request.did_document {
        Some(Ok(d)) => d,
        Some(Err(e)) => return Err(format!("the client's DID {did:?} does not resolve: {e}")),
        None => return Err(format!("the client's DID {did:?} was not resolved")),
    };
    // A kid of another DID (when its check is off) is looked up as a method of this one.
    let fragment = kid.find('#').map(|at| &kid[at..]).unwrap_or_default();
    let key = super::did::verification_key(document, did, &format!("{did}{fragment}"))?;
    match request.object.verify_with_jwk(&key) {
        Ok(()) => Ok(()),
        Err(_) if !checks.did_signature => Ok(()),
        Err(e) => Err(format!("request signature: {e}")),
    }
}

/// `redirect_uri`: the identifier is the response URI itself; the request cannot be signed.
fn redirect_uri(identifier: &str, response_uri: &str, checks: RequestChecks) -> Result<(), String> {
    if response_uri != identifier && checks.redirect_uri_matches {
        return Err(format!("response_uri {response_uri:?} is not the redirect_uri client identifier {identifier:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_of_a_certificate_is_base64url_sha256_of_its_der() {
        // SHA-256 of the empty string, base64url without padding.
        assert_eq!(x509_hash(b""), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
        let e = verify_x509_hash(&[b64::encode_std(b"not a certificate")], &[], "abc", "x.y", &[]).unwrap_err();
        assert!(matches!(e, X509HashError::HashMismatch { .. }), "{e}");
        assert!(matches!(verify_x509_hash(&[], &[], "abc", "x.y", &[]), Err(X509HashError::NoCertificate(_))));
    }
}
