//! OpenID for Verifiable Presentations 1.0: identifiers, the authorization request URI, client
//! identifier prefixes (§5.9), and the response (§8).

pub mod holder;
pub mod message;

/// `typ` of a signed Request Object (RFC 9101 §10.8, OpenID4VP §5).
pub const REQUEST_TYP: &str = "oauth-authz-req+jwt";
pub const SCHEME: &str = "openid4vp://";
pub const RESPONSE_TYPE: &str = "vp_token";
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

/// Authorization request parameters whose values are JSON (OpenID4VP 1.0 §5.1, §6, §8.4).
const JSON_PARAMETERS: &[&str] = &["dcql_query", "client_metadata", "transaction_data", "verifier_info"];

/// An authorization request passed by value (query parameters, as an unsigned `redirect_uri`
/// client sends it, §5.9.3) in the shape of a request object: no header, no signature, the
/// parameters as claims (JSON-valued ones parsed). Unparseable JSON stays a string.
pub fn request_by_value(params: &[(String, String)]) -> crate::jose::CompactJws {
    let mut payload = serde_json::Map::new();
    for (name, value) in params {
        let v = if JSON_PARAMETERS.contains(&name.as_str()) {
            serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.clone()))
        } else {
            serde_json::Value::String(value.clone())
        };
        payload.insert(name.clone(), v);
    }
    crate::jose::CompactJws {
        header: serde_json::Map::new(),
        payload,
        signing_input: String::new(),
        signature: Vec::new(),
    }
}

/// The `openid4vp://` URI of a request passed by value: each claim of `payload` a parameter
/// (objects and arrays as JSON).
pub fn request_uri_by_value(payload: &serde_json::Map<String, serde_json::Value>) -> String {
    let pairs: Vec<(String, String)> = payload
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            )
        })
        .collect();
    format!("{SCHEME}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
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

    #[test]
    fn requests_by_value_round_trip() {
        let payload = serde_json::json!({
            "client_id": "redirect_uri:https://v.example/cb",
            "response_uri": "https://v.example/cb",
            "nonce": "n-0S6",
            "dcql_query": {"credentials": [{"id": "p", "format": "dc+sd-jwt"}]},
            "client_metadata": {"vp_formats_supported": {}},
        });
        let uri = super::request_uri_by_value(payload.as_object().expect("object"));
        assert!(uri.starts_with("openid4vp://?"));
        let params: Vec<(String, String)> =
            serde_urlencoded::from_str(uri.split_once('?').expect("query").1).expect("form");
        let object = super::request_by_value(&params);
        assert!(object.signature.is_empty() && object.alg().is_none());
        assert_eq!(serde_json::Value::Object(object.payload), payload);
    }
}
