//! Signed credential issuer metadata (§12.2.2, §12.2.3): the unsigned document's members as the
//! claims of a JWT signed with the issuer's credential signing key (`kid` in its JWT VC issuer
//! metadata, and its `x5c` chain when it has one), served when the wallet accepts `application/jwt`.

use super::super::reference::Issuer;
use super::policy::SignedMetadataFault;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dialtone_protocols::oid4vci::message::CredentialIssuerMetadata;
use dialtone_protocols::oid4vci::signed_metadata::{self, MEDIA_TYPE};
use serde_json::Value;

/// Whether the wallet asks for signed metadata.
pub(crate) fn wanted(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains(MEDIA_TYPE))
}

pub(crate) fn response(issuer: &Issuer, unsigned: &Value) -> Response {
    let mut claims = signed_metadata::claims(unsigned, &issuer.identifier, dialtone_protocols::now_epoch());
    let fault = issuer.behaviour.followup().signed_metadata();
    if *fault == SignedMetadataFault::Mismatch {
        claims[CredentialIssuerMetadata::CREDENTIAL_ENDPOINT] = Value::from(issuer.url("/credential-v2"));
    }
    let mut header = signed_metadata::header(issuer.minter.key_reference());
    if *fault == SignedMetadataFault::WrongTyp {
        header["typ"] = Value::from("JWT");
    }
    let jwt = issuer.minter.sign(&header, &claims);
    (StatusCode::OK, [(header::CONTENT_TYPE, MEDIA_TYPE)], jwt).into_response()
}
