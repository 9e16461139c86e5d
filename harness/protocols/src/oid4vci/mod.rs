//! OpenID for Verifiable Credential Issuance 1.0: identifiers, media types, error codes, and the
//! well-known URL rule of §12.2.2. Issuer identifiers stay strings: they are compared with a simple
//! string comparison (§12.2.4), so they are never round-tripped through a URL parser.

pub mod client;
pub mod client_followup;
pub mod deferred;
pub mod encryption;
pub mod key_attestation;
pub mod message;
pub mod notification;
pub mod proof;
pub mod sender;
pub mod signed_metadata;

/// §4.1.1 / §22.1.1
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// RFC 6749 §4.1.3
pub const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
/// Appendix F.1
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// Appendix A.3.1
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// ISO mdoc (OpenID4VCI Appendix A.2, OpenID4VP Appendix B.2).
pub const FORMAT_MSO_MDOC: &str = "mso_mdoc";
pub const WELL_KNOWN_ISSUER: &str = "/.well-known/openid-credential-issuer";
/// RFC 8414 §3
pub const WELL_KNOWN_AS: &str = "/.well-known/oauth-authorization-server";
pub const OFFER_SCHEME: &str = "openid-credential-offer://";

/// Token endpoint error codes (RFC 6749 §5.2, OID4VCI §6.3).
pub mod token_error {
    pub const INVALID_REQUEST: &str = "invalid_request";
    pub const INVALID_GRANT: &str = "invalid_grant";
    pub const UNSUPPORTED_GRANT_TYPE: &str = "unsupported_grant_type";
    pub const INVALID_CLIENT: &str = "invalid_client";
}

/// Authorization endpoint error codes (RFC 6749 §4.1.2.1, RFC 9396 §5).
pub mod authorization_error {
    pub const INVALID_REQUEST: &str = "invalid_request";
    pub const UNSUPPORTED_RESPONSE_TYPE: &str = "unsupported_response_type";
    pub const INVALID_SCOPE: &str = "invalid_scope";
    pub const INVALID_AUTHORIZATION_DETAILS: &str = "invalid_authorization_details";
    pub const ACCESS_DENIED: &str = "access_denied";
}

/// Credential endpoint error codes (OID4VCI §8.3.1.2) and RFC 6750 §3.1.
pub mod credential_error {
    pub const INVALID_CREDENTIAL_REQUEST: &str = "invalid_credential_request";
    pub const UNKNOWN_CREDENTIAL_CONFIGURATION: &str = "unknown_credential_configuration";
    pub const UNKNOWN_CREDENTIAL_IDENTIFIER: &str = "unknown_credential_identifier";
    pub const INVALID_PROOF: &str = "invalid_proof";
    pub const INVALID_NONCE: &str = "invalid_nonce";
    pub const CREDENTIAL_REQUEST_DENIED: &str = "credential_request_denied";
    pub const INVALID_TOKEN: &str = "invalid_token";
    pub const INVALID_ENCRYPTION_PARAMETERS: &str = "invalid_encryption_parameters";
    /// The deferred credential endpoint's (§9.3).
    pub const INVALID_TRANSACTION_ID: &str = "invalid_transaction_id";
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{0:?} does not start with https:// or http://")]
    Scheme(String),
    #[error("{0:?} has no host")]
    Host(String),
    #[error("{0:?} has a query or fragment component (OID4VCI §12.2.1)")]
    QueryOrFragment(String),
}

/// A URL split into `scheme://authority` and the path (possibly empty), without normalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitUrl<'a> {
    pub origin: &'a str,
    pub path: &'a str,
}

pub fn split_url(url: &str) -> Result<SplitUrl<'_>, IdentifierError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| IdentifierError::Scheme(url.into()))?;
    if url.contains(['?', '#']) {
        return Err(IdentifierError::QueryOrFragment(url.into()));
    }
    let authority_len = rest.find('/').unwrap_or(rest.len());
    if authority_len == 0 {
        return Err(IdentifierError::Host(url.into()));
    }
    let origin_len = url.len() - rest.len() + authority_len;
    Ok(SplitUrl { origin: &url[..origin_len], path: &url[origin_len..] })
}

/// Inserts a well-known segment between host and path (OID4VCI §12.2.2, RFC 8414 §3.1):
/// `https://issuer.example.com/tenant` → `https://issuer.example.com/.well-known/…/tenant`.
pub fn well_known_url(identifier: &str, well_known: &str) -> Result<String, IdentifierError> {
    let split = split_url(identifier)?;
    let path = split.path.trim_end_matches('/');
    Ok(format!("{}{}{}", split.origin, well_known, path))
}

pub fn is_https(url: &str) -> bool {
    url.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_examples_from_the_spec() {
        assert_eq!(
            well_known_url("https://issuer.example.com/tenant", WELL_KNOWN_ISSUER).unwrap(),
            "https://issuer.example.com/.well-known/openid-credential-issuer/tenant"
        );
        assert_eq!(
            well_known_url("https://tenant.issuer.example.com", WELL_KNOWN_ISSUER).unwrap(),
            "https://tenant.issuer.example.com/.well-known/openid-credential-issuer"
        );
        assert_eq!(
            well_known_url("http://127.0.0.1:8080", WELL_KNOWN_AS).unwrap(),
            "http://127.0.0.1:8080/.well-known/oauth-authorization-server"
        );
        assert!(well_known_url("https://a.example/x?y", WELL_KNOWN_AS).is_err());
        assert!(well_known_url("ftp://a.example", WELL_KNOWN_AS).is_err());
    }
}
