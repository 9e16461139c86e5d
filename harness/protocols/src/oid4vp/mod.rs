//! OpenID for Verifiable Presentations 1.0: identifiers, the authorization request URI, client
//! identifier prefixes (§5.9), and the response (§8).

pub mod answer;
pub mod client_id;
pub mod dc_api;
pub mod did;
pub mod holder;
pub mod mdoc;
pub mod message;
pub mod multisigned;
pub(crate) mod parameters;
pub mod retrieval;
pub mod transaction_data;
pub mod verifier_attestation;

/// `typ` of a signed Request Object (RFC 9101 §10.8, OpenID4VP §5).
pub const REQUEST_TYP: &str = "oauth-authz-req+jwt";
pub const SCHEME: &str = "openid4vp://";
pub use message::RESPONSE_TYPE;
pub const DIRECT_POST: &str = "direct_post";
pub const DIRECT_POST_JWT: &str = "direct_post.jwt";
/// `aud` of a request object under static discovery (§5.8).
pub const SELF_ISSUED_AUD: &str = "https://self-issued.me/v2";

/// A client identifier split at its prefix (§5.9.1): `x509_san_dns:verifier.example` →
/// (`Some("x509_san_dns")`, `verifier.example`); no recognized prefix → (`None`, whole).
pub fn split_client_id(client_id: &str) -> (Option<&str>, &str) {
    const KNOWN: &[&str] = &[
        "redirect_uri",
        "x509_san_dns",
        "x509_hash",
        "decentralized_identifier",
        "verifier_attestation",
        "openid_federation",
        "origin",
    ];
    match client_id.split_once(':') {
        Some((prefix, rest)) if KNOWN.contains(&prefix) => (Some(prefix), rest),
        _ => (None, client_id),
    }
}

/// The host of an https URL (for the x509_san_dns rule on `response_uri`, §5.9.3).
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return host.split(']').next().map(|h| &h[1..]);
    }
    Some(host.split(':').next().unwrap_or(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_hosts() {
        assert_eq!(split_client_id("x509_san_dns:verifier.example"), (Some("x509_san_dns"), "verifier.example"));
        assert_eq!(
            split_client_id("redirect_uri:https://v.example/cb"),
            (Some("redirect_uri"), "https://v.example/cb")
        );
        assert_eq!(split_client_id("plain-client"), (None, "plain-client"));
        assert_eq!(url_host("https://localhost:8443/response"), Some("localhost"));
        assert_eq!(url_host("https://[::1]:8443/x"), Some("::1"));
        assert_eq!(url_host("ftp://x"), None);
    }
}
