//! The reference verifier over the Digital Credentials API (OpenID4VP 1.0 Appendix A): what its
//! page would hand the platform (unsigned, or signed by its `x509_san_dns` certificate with
//! `expected_origins` — compact, or multi-signed in the JWS JSON Serialization with the
//! signatures the control API asks for, §A.3.2.2), and its backend's handling of the response the platform returns — the
//! control API route `POST /control/dc-api/responses/{id}`, dialtone's stand-in for the page
//! forwarding the `DigitalCredential`'s `data` to its server.

use super::reference::{Outcome, Session, Verifier, json_response, judge, request_jwt, request_parameters};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dialtone_protocols::control::{DcApiResponseDelivery, DcApiStarted, SignatureAsk, StartedRequest};
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::message::ErrorResponse;
use dialtone_protocols::oid4vp::dc_api::{self, PlatformRequest, ResponseData};
use dialtone_protocols::oid4vp::message::{CLIENT_ID, RequestParameters, ResponseParameters};
use dialtone_protocols::oid4vp::multisigned::{self, Signer};
use serde_json::{Value, json};
use std::sync::Arc;

/// The started request: its id, and what the page at its origin hands the platform — multi-signed
/// when `signatures` says how each signature is to be.
pub(super) fn started(
    v: &Verifier,
    session: &Session,
    signed: bool,
    signatures: Option<&[SignatureAsk]>,
) -> StartedRequest {
    let origin = session.origin.clone().unwrap_or_default();
    let mut params = request_parameters(v, session);
    // No response_uri or state over the API (§A.2); a signed request names its origins.
    params.response_uri = None;
    params.state = None;
    let request = match signatures {
        Some(signatures) => {
            params.expected_origins = Some(vec![origin.clone()]);
            params.aud = None;
            multisigned(v, session, &params, signatures)
        }
        None if signed => {
            params.expected_origins = Some(vec![origin.clone()]);
            params.aud = None;
            let jwt = request_jwt(v, session, &params.to_json());
            dc_api::request_data(&params, Some(&jwt))
        }
        None => dc_api::request_data(&params, None),
    };
    StartedRequest {
        request_id: session.id.clone(),
        authorization_request: String::new(),
        request_uri: None,
        dc_api: Some(DcApiStarted { origin, request }),
    }
}

/// A multi-signed request (§A.3.2.2): `client_id` and the prefix's `x5c` in each signature's
/// protected header, every other parameter in the payload; one signature per entry of
/// `signatures`, all by its own certificate's key, the `invalid` ones spoiled.
fn multisigned(
    v: &Verifier,
    session: &Session,
    params: &RequestParameters,
    signatures: &[SignatureAsk],
) -> PlatformRequest {
    let mut payload = params.clone();
    payload.client_id = None;
    let identity = v.identity();
    let key = super::client_id::signing_key(&session.client_id, &identity);
    let mut header = super::client_id::signing_header(
        &session.client_id,
        v.behaviour.signing().typ(),
        &identity,
        *v.behaviour.client_ids().whole(),
    );
    if let Some(h) = header.as_object_mut() {
        h.insert(CLIENT_ID.into(), json!(session.client_id));
    }
    let signers: Vec<Signer<'_>> = signatures
        .iter()
        .map(|s| Signer { header: header.clone(), key, spoiled: *s == SignatureAsk::Invalid })
        .collect();
    dc_api::multisigned_request_data(multisigned::sign(&payload.to_json(), &signers))
}

/// `POST /control/dc-api/responses/{id}`: the response data its page received from the platform.
pub(super) async fn deliver(State(v): State<Arc<Verifier>>, Path(id): Path<String>, body: Bytes) -> Response {
    let reject =
        |why: &str| json_response(StatusCode::BAD_REQUEST, ErrorResponse::new("invalid_request", why).to_json());
    let Ok(delivery) = serde_json::from_slice::<DcApiResponseDelivery>(&body) else {
        return reject("the body is not {\"origin\": …, \"data\": …}");
    };
    let Some(session) = v.lock().get(&id).cloned() else {
        return json_response(StatusCode::NOT_FOUND, ErrorResponse::code("unknown request").to_json());
    };
    let Some(origin) = session.origin.clone() else {
        return reject("this request was not made over the Digital Credentials API");
    };
    let responses = v.behaviour.responses();
    if !matches!(session.outcome, Outcome::Pending) && *responses.replay_refused() {
        return reject("this request was already answered");
    }
    let outcome = match read(&v, &session, &delivery, &origin) {
        Ok(vp) => judge(&v, &session, &vp).await,
        Err(why) => Outcome::Rejected(why),
    };
    let accepted = matches!(outcome, Outcome::Accepted(_));
    let reason = match &outcome {
        Outcome::Rejected(r) => r.clone(),
        _ => String::new(),
    };
    if let Some(s) = v.lock().get_mut(&session.id)
        && (matches!(s.outcome, Outcome::Pending) || !responses.replay_refused())
    {
        s.outcome = outcome;
    }
    if accepted { json_response(StatusCode::OK, json!({})) } else { reject(&reason) }
}

/// The `vp_token` of a delivered response, once it came through the verifier's own page and, for
/// `dc_api.jwt`, decrypts with the request's key.
fn read(
    v: &Verifier,
    session: &Session,
    delivery: &DcApiResponseDelivery,
    origin: &str,
) -> Result<serde_json::Map<String, Value>, String> {
    if delivery.origin != origin && *v.behaviour.dc_api_origin_checked() {
        return Err(format!(
            "the response came through the origin {:?}, not this verifier's {origin:?}",
            delivery.origin
        ));
    }
    let responses = v.behaviour.responses();
    let parameters = match dc_api::read_response(&delivery.data)? {
        ResponseData::Error(code) => return Err(format!("the wallet answered the error {code:?}")),
        ResponseData::Encrypted(jwe) if *responses.read_encrypted() => {
            let key =
                session.encryption_key.as_ref().ok_or("an encrypted response to a request that offered no key")?;
            let plain = dialtone_protocols::jwe::decrypt(&jwe, &key.private_jwk())
                .map_err(|e| format!("the encrypted response does not decrypt: {e}"))?;
            ResponseParameters::parse_bytes(&plain).map_err(|_| "the decrypted response is not JSON".to_string())?.value
        }
        ResponseData::Encrypted(_) => return Err("vp_token is missing".into()),
        ResponseData::Plain(p) => {
            if session.response_mode == dc_api::DC_API_JWT && *responses.plain_refused_for_jwt() {
                return Err("this request asked for an encrypted response (dc_api.jwt)".into());
            }
            p
        }
    };
    parameters.presentations().cloned().ok_or_else(|| "vp_token is missing or not a JSON object".to_string())
}
