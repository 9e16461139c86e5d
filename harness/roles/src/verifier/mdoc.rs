//! How the reference verifier judges an mdoc presentation (OpenID4VP 1.0 Appendix B.2): the
//! `vp_token` value is a base64url `DeviceResponse`, verified by the shared
//! `dialtone_protocols::mdoc::verify` (the code `dialtone check` runs too) against the IACA roots it
//! trusts, the docType its query asks for, and the session transcript of its own request's handover.
//!
//! Over the Digital Credentials API, [`own_handover`] is the `OpenID4VPDCAPIHandover`
//! (`Handover::DcApi`: its page's origin, the nonce, its encryption key's thumbprint for
//! `dc_api.jwt`) instead of the redirect one.

use super::behaviour::Behaviour;
use crate::seam::Seams;
use dialtone_protocols::dcql::CredentialQuery;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::mdoc::session_transcript::{Handover, jwk_thumbprint_bytes};
use dialtone_protocols::mdoc::verify::{self, Checks, Expectation};
use dialtone_protocols::oid4vp::message::RequestParameters;
use serde_json::{Map, Value};

/// The redirect handover (`OpenID4VPHandover`) of a request the verifier sent: its client
/// identifier, nonce and response URI, and the thumbprint of its response encryption key when it
/// asked for an encrypted response.
pub(crate) fn redirect_handover(params: &RequestParameters, encryption_jwk: Option<&Value>) -> Handover {
    Handover::Redirect {
        client_id: params.client_id.clone().unwrap_or_default(),
        nonce: params.nonce.clone().unwrap_or_default(),
        jwk_thumbprint: encryption_jwk.and_then(jwk_thumbprint_bytes),
        response_uri: params.response_uri.clone().or_else(|| params.redirect_uri.clone()).unwrap_or_default(),
    }
}

/// The handover the verifier expects for its own request — over the Digital Credentials API (its
/// page's `origin`) the `OpenID4VPDCAPIHandover`, else the redirect one — as its [`Behaviour`] says
/// (a mutant computes it wrongly).
pub(crate) fn own_handover(
    behaviour: &Seams<Behaviour>,
    params: &RequestParameters,
    encryption_key: Option<&EcKey>,
    origin: Option<&str>,
) -> Handover {
    let key = encryption_key.filter(|_| *behaviour.mdoc_handover_thumbprint()).map(EcKey::public_jwk);
    if let Some(origin) = origin.filter(|_| *behaviour.mdoc_dc_api_handover()) {
        return Handover::DcApi {
            origin: origin.to_string(),
            nonce: params.nonce.clone().unwrap_or_default(),
            jwk_thumbprint: key.as_ref().and_then(jwk_thumbprint_bytes),
        };
    }
    let mut params = params.clone();
    if *behaviour.mdoc_handover_without_prefix() {
        params.client_id = params.client_id.map(|c| dialtone_protocols::oid4vp::split_client_id(&c).1.to_string());
    }
    redirect_handover(&params, key.as_ref())
}

/// Verifies one mdoc presentation (`text`, the base64url `DeviceResponse`) for `query`; returns the
/// released elements by namespace, or why it is rejected.
pub fn verify(
    text: &str,
    query: &CredentialQuery,
    handover: &Handover,
    iaca_roots: &[Vec<u8>],
    checks: &Checks,
    now: i64,
) -> Result<Map<String, Value>, String> {
    let bytes = dialtone_protocols::b64::decode(text.trim_end_matches('='))
        .map_err(|e| format!("an mso_mdoc presentation is a base64url DeviceResponse: {e}"))?;
    let transcript = handover.session_transcript();
    let expect =
        Expectation { doc_type: query.doctype_value.as_deref(), session_transcript: &transcript, iaca_roots, now };
    let verified = verify::device_response(&bytes, &expect, checks)?;
    Ok(verified.namespaces)
}
