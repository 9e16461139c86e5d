//! Fetching a request object by reference: GET as RFC 9101 has it, or — when the request link says
//! `request_uri_method=post` and the wallet supports it — POST with the wallet's metadata and a
//! fresh `wallet_nonce` the verifier must echo in the request object (OpenID4VP §5.10). The wallet
//! side, used by the reference wallet and by the harness as the wallet.

use super::holder::{Request, RequestChecks, RequestError};
use super::message::{REQUEST_URI_METHOD_GET, REQUEST_URI_METHOD_POST, WALLET_METADATA, WALLET_NONCE, WalletMetadata};
use crate::message::Message;
use dialtone_http::{HttpClient, HttpResponse};
use serde_json::json;

/// The media type of a request object, asked for in `Accept` (§5.10).
const REQUEST_OBJECT_TYPE: &str = "application/oauth-authz-req+jwt";

/// How a wallet fetches request objects; the default is RFC 9101's GET only.
#[derive(Debug, Clone, Default)]
pub struct Retrieval {
    /// It uses POST when the link asks for `request_uri_method=post`.
    pub post: bool,
    /// The `wallet_nonce` it sends with a POST.
    pub wallet_nonce: Option<String>,
    /// The `wallet_metadata` it sends with a POST.
    pub wallet_metadata: Option<WalletMetadata>,
    /// Further form parameters of the POST (a verifier must ignore those it does not know).
    pub extra: Vec<(String, String)>,
}

impl Retrieval {
    /// A wallet that supports POST, sending `wallet_nonce` and what it supports.
    pub fn post_with(wallet_nonce: String) -> Self {
        Self {
            post: true,
            wallet_nonce: Some(wallet_nonce),
            wallet_metadata: Some(wallet_metadata()),
            extra: Vec::new(),
        }
    }
}

/// What dialtone's wallets support (§10): SD-JWT VC with ES256, the prefixes they verify, signed
/// request objects by ES256, `vp_token` by `direct_post` and `direct_post.jwt`.
pub fn wallet_metadata() -> WalletMetadata {
    WalletMetadata {
        vp_formats_supported: Some(
            json!({ crate::oid4vci::FORMAT_SD_JWT_VC: { "sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"] } }),
        ),
        client_id_prefixes_supported: Some(
            ["x509_san_dns", "x509_hash", "redirect_uri"].iter().map(|p| p.to_string()).collect(),
        ),
        request_object_signing_alg_values_supported: Some(vec!["ES256".into()]),
        response_types_supported: Some(vec![super::RESPONSE_TYPE.into()]),
        response_modes_supported: Some(vec![super::DIRECT_POST.into(), super::DIRECT_POST_JWT.into()]),
        ..WalletMetadata::default()
    }
}

/// The `request_uri_method` a request link names, if any.
pub fn requested_method(link: &str) -> Option<String> {
    let query = link.split_once('?').map(|(_, q)| q)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == super::message::REQUEST_URI_METHOD).map(|(_, v)| v)
}

/// Fetches `request_uri` with the method `method` (the link's `request_uri_method`) as `retrieval`
/// allows. Returns the answer and the `wallet_nonce` sent, if any.
pub(crate) async fn fetch(
    http: &HttpClient,
    request_uri: &str,
    method: Option<&str>,
    retrieval: &Retrieval,
) -> Result<(HttpResponse, Option<String>), RequestError> {
    let accept = [("Accept", REQUEST_OBJECT_TYPE)];
    match method {
        None | Some(REQUEST_URI_METHOD_GET) => Ok((http.get(request_uri, &accept).await?, None)),
        // A wallet without POST support fetches by GET (§5.1).
        Some(REQUEST_URI_METHOD_POST) if !retrieval.post => Ok((http.get(request_uri, &accept).await?, None)),
        Some(REQUEST_URI_METHOD_POST) => {
            let metadata = retrieval.wallet_metadata.as_ref().map(|m| m.to_json().to_string());
            let mut form: Vec<(&str, &str)> = Vec::new();
            if let Some(m) = &metadata {
                form.push((WALLET_METADATA, m));
            }
            if let Some(n) = &retrieval.wallet_nonce {
                form.push((WALLET_NONCE, n));
            }
            form.extend(retrieval.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            Ok((http.post_form(request_uri, &form, &accept).await?, retrieval.wallet_nonce.clone()))
        }
        // `invalid_request_uri_method` (§8.5).
        Some(other) => Err(RequestError::Method(other.to_string())),
    }
}

/// The request object echoes the `wallet_nonce` the wallet sent (§5.10.1: else the wallet MUST
/// terminate).
pub(crate) fn check_wallet_nonce(request: &Request, checks: RequestChecks) -> Result<(), String> {
    let Some(sent) = &request.wallet_nonce else { return Ok(()) };
    if request.params.wallet_nonce.as_deref() != Some(sent.as_str()) && checks.wallet_nonce_echoed {
        return Err(format!(
            "the request object's wallet_nonce {:?} is not the one sent with the POST to request_uri ({sent:?})",
            request.params.wallet_nonce
        ));
    }
    Ok(())
}
