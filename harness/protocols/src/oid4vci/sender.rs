//! The wallet's side of DPoP (RFC 9449) in OpenID4VCI: whether it binds its access token to a key
//! (when the authorization server advertises `dpop_signing_alg_values_supported`, §5.1), the key
//! and the latest server nonce it keeps, the headers it sends, and how it reads a nonce challenge
//! (§8, §9). The client calls these at the token and credential endpoints.

use crate::dpop::{self, DpopSpec, DpopTarget};
use crate::jose::EcKey;
use crate::message::Message;
use crate::oauth::challenge_params;
use crate::oid4vci::message::{AuthorizationServerMetadata, ErrorResponse};
use crate::seed::Entropy;
use dialtone_http::HttpResponse;
use std::sync::{Arc, Mutex};

/// How the wallet uses DPoP; the default is correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopUse {
    /// Bind the access token with DPoP when the authorization server supports it.
    pub when_supported: bool,
    /// Retry once with the nonce a `use_dpop_nonce` answer carries.
    pub answers_nonce: bool,
    /// How its proofs are built.
    pub proof: DpopSpec,
}

impl Default for DpopUse {
    fn default() -> Self {
        Self { when_supported: true, answers_nonce: true, proof: DpopSpec::default() }
    }
}

/// The DPoP key of one session and the latest nonce the server gave.
#[derive(Debug, Clone)]
pub struct DpopBinding {
    pub key: EcKey,
    nonce: Arc<Mutex<Option<String>>>,
    pub usage: DpopUse,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl DpopBinding {
    /// A binding when `usage` asks for one and the server supports ES256 proofs.
    pub fn for_server(usage: &DpopUse, metadata: &AuthorizationServerMetadata, entropy: &Entropy) -> Option<Self> {
        let supported = metadata
            .dpop_signing_alg_values_supported
            .as_ref()
            .is_some_and(|algs| algs.iter().any(|a| dpop::ALGS.contains(&a.as_str())));
        (usage.when_supported && supported).then(|| Self {
            key: EcKey::generate(entropy),
            nonce: Arc::new(Mutex::new(None)),
            usage: usage.clone(),
        })
    }

    pub fn nonce(&self) -> Option<String> {
        lock(&self.nonce).clone()
    }

    /// Keeps the nonce of a `DPoP-Nonce` response header (§8.2: the latest one is used).
    pub fn remember(&self, response: &HttpResponse) {
        if let Some(n) = response.header(dpop::NONCE_HEADER).filter(|n| !n.is_empty()) {
            *lock(&self.nonce) = Some(n.to_string());
        }
    }

    /// The `DPoP` header value for a request, built as `spec` says.
    pub fn proof_with(
        &self,
        spec: &DpopSpec,
        method: &str,
        url: &str,
        access_token: Option<&str>,
        entropy: &Entropy,
    ) -> String {
        let nonce = self.nonce();
        dpop::build(&self.key, spec, DpopTarget { method, url, nonce: nonce.as_deref(), access_token }, entropy)
    }

    /// The `DPoP` header value for a request, as the wallet builds it.
    pub fn proof(&self, method: &str, url: &str, access_token: Option<&str>, entropy: &Entropy) -> String {
        self.proof_with(&self.usage.proof, method, url, access_token, entropy)
    }
}

/// The `Authorization` value presenting `token`: `DPoP` scheme for a bound session (§7.1).
pub fn authorization(token: &str, bound: bool) -> String {
    if bound { format!("{} {token}", dpop::SCHEME) } else { format!("Bearer {token}") }
}

/// Whether a response is a nonce challenge (§8: HTTP 400 `use_dpop_nonce`; §9: HTTP 401 with a
/// `DPoP` challenge whose `error` is `use_dpop_nonce`) that carries a `DPoP-Nonce`.
pub fn is_nonce_challenge(response: &HttpResponse) -> bool {
    if response.header(dpop::NONCE_HEADER).is_none() {
        return false;
    }
    let in_body = ErrorResponse::parse_bytes(&response.body).is_ok_and(|e| e.value.error == dpop::USE_DPOP_NONCE);
    let in_challenge = response
        .header("www-authenticate")
        .and_then(|h| challenge_params(h, dpop::SCHEME).ok())
        .is_some_and(|p| p.iter().any(|(n, v)| n == "error" && v == dpop::USE_DPOP_NONCE));
    in_body || in_challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn nonce_challenges_of_the_authorization_and_resource_servers() {
        // RFC 9449 §8 (token endpoint) and §9 (resource), each with its DPoP-Nonce.
        let at_token = response(400, &[("DPoP-Nonce", "n1")], r#"{"error":"use_dpop_nonce"}"#);
        assert!(is_nonce_challenge(&at_token));
        let challenge =
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#;
        let at_resource = response(401, &[("WWW-Authenticate", challenge), ("DPoP-Nonce", "n2")], "");
        assert!(is_nonce_challenge(&at_resource));
        // Without the nonce there is nothing to answer with; another error is not a challenge.
        assert!(!is_nonce_challenge(&response(400, &[], r#"{"error":"use_dpop_nonce"}"#)));
        assert!(!is_nonce_challenge(&response(400, &[("DPoP-Nonce", "n")], r#"{"error":"invalid_dpop_proof"}"#)));
    }

    #[test]
    fn a_binding_only_where_the_server_supports_dpop_and_the_wallet_uses_it() {
        let entropy = Entropy::seeded(5);
        let mut metadata = AuthorizationServerMetadata::default();
        assert!(DpopBinding::for_server(&DpopUse::default(), &metadata, &entropy).is_none());
        metadata.dpop_signing_alg_values_supported = Some(vec!["PS256".into()]);
        assert!(DpopBinding::for_server(&DpopUse::default(), &metadata, &entropy).is_none());
        metadata.dpop_signing_alg_values_supported = Some(vec!["ES256".into()]);
        let binding = DpopBinding::for_server(&DpopUse::default(), &metadata, &entropy).expect("a binding");
        let off = DpopUse { when_supported: false, ..DpopUse::default() };
        assert!(DpopBinding::for_server(&off, &metadata, &entropy).is_none());
        // The latest DPoP-Nonce is the one used.
        binding.remember(&response(200, &[("DPoP-Nonce", "first")], ""));
        binding.remember(&response(200, &[("dpop-nonce", "second")], ""));
        binding.remember(&response(200, &[], ""));
        assert_eq!(binding.nonce().as_deref(), Some("second"));
        assert_eq!(authorization("t", true), "DPoP t");
        assert_eq!(authorization("t", false), "Bearer t");
    }
}
