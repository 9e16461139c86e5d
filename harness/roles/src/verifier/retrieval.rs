//! The reference verifier's request URI answering a POST (OpenID4VP §5.10): it reads the form the
//! wallet sent (`wallet_metadata`, `wallet_nonce`, anything else ignored) and says which
//! `wallet_nonce` the request object must echo — as its [`Retrieval`] behaviour says.

use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vp::message::{WALLET_METADATA, WALLET_NONCE, WalletMetadata};

crate::seam::behaviour! {
    /// How it answers a POST to its request URI; the default is correct.
    #[derive(Debug, Clone, Copy)]
    pub struct Retrieval {
        /// The request object carries the `wallet_nonce` the wallet sent.
        pub(crate) echoes_wallet_nonce: bool,
        /// Form parameters it does not know are ignored (§5.10: MUST).
        pub(crate) ignores_unknown_parameters: bool,
        /// A request URI is served again when fetched again (a wallet may re-fetch it: nothing in
        /// OpenID4VP 1.0 makes it single-use).
        pub(crate) serves_again: bool,
    }
}

impl Default for Retrieval {
    fn default() -> Self {
        Self { echoes_wallet_nonce: true, ignores_unknown_parameters: true, serves_again: true }
    }
}

/// How a wallet fetched one request object: what the harness, playing this verifier in front of a
/// wallet under test, judges of the wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    /// The request's id (the last segment of its request URI).
    pub request: String,
    /// `GET` or `POST`.
    pub method: &'static str,
    pub wallet_nonce: Option<String>,
    /// The `wallet_metadata` form parameter as sent.
    pub wallet_metadata: Option<String>,
    pub content_type: Option<String>,
}

/// The fetches of its request URIs, in order (shared with whoever started the verifier).
pub type FetchLog = std::sync::Arc<std::sync::Mutex<Vec<Fetch>>>;

/// Records a fetch of request `id`; whether that request was fetched before.
pub(super) fn record(log: &FetchLog, id: &str, method: &'static str, body: &[u8], content_type: Option<&str>) -> bool {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let fetch = Fetch {
        request: id.to_string(),
        method,
        wallet_nonce: get(WALLET_NONCE),
        wallet_metadata: get(WALLET_METADATA),
        content_type: content_type.map(str::to_string),
    };
    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
    let before = log.iter().any(|f| f.request == id);
    // Bounded: a wallet that fetches without end does not grow it without end.
    if log.len() < 256 {
        log.push(fetch);
    }
    before
}

/// The `wallet_nonce` to echo from a POSTed form, or why the POST is an `invalid_request`.
pub(super) fn read_post(body: &[u8], behaviour: Retrieval) -> Result<Option<String>, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| format!("the form does not read: {e}"))?;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    if let Some(metadata) = get(WALLET_METADATA) {
        // A JSON object of wallet metadata (§10); its members it does not know are the wallet's.
        WalletMetadata::parse_bytes(metadata.as_bytes()).map_err(|e| format!("wallet_metadata: {e}"))?;
    }
    if !behaviour.ignores_unknown_parameters
        && let Some((unknown, _)) = pairs.iter().find(|(k, _)| k != WALLET_METADATA && k != WALLET_NONCE)
    {
        return Err(format!("unknown parameter {unknown:?}"));
    }
    Ok(get(WALLET_NONCE).filter(|_| behaviour.echoes_wallet_nonce).map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_form_gives_its_nonce_and_unknown_parameters_are_ignored() {
        let ok = Retrieval::default();
        assert_eq!(read_post(b"wallet_nonce=n1&extra=1", ok).unwrap().as_deref(), Some("n1"));
        assert_eq!(read_post(b"", ok).unwrap(), None);
        assert!(read_post(b"wallet_metadata=not-json", ok).is_err());
        let strict = Retrieval { ignores_unknown_parameters: false, ..ok };
        assert!(read_post(b"wallet_nonce=n1&extra=1", strict).is_err());
        let forgetful = Retrieval { echoes_wallet_nonce: false, ..ok };
        assert_eq!(read_post(b"wallet_nonce=n1", forgetful).unwrap(), None);
    }
}
