//! The `verifier_attestation` client identifier prefix (OpenID4VP §5.9.3, §12): the request object
//! carries, in its `jwt` JOSE header, a Verifier Attestation JWT (`typ: verifier-attestation+jwt`)
//! from an attester the wallet trusts — here one whose `x5c` chain leads to the wallet's trust
//! anchors — whose `sub` is the client identifier and whose `cnf` key signs the request.

use super::holder::{Request, RequestChecks};
use crate::jose::{CompactJws, EcKey};
use serde_json::{Value, json};

/// `typ` of a Verifier Attestation JWT (§12).
pub const TYP: &str = "verifier-attestation+jwt";
/// The JOSE header of a request object carrying it (§12).
pub const HEADER: &str = "jwt";
/// Clock skew allowed on `exp`, in seconds.
const SKEW: i64 = 60;

/// A Verifier Attestation JWT for `sub` bound to `cnf`, signed by `attester` (its chain in `x5c`).
pub fn attest(attester: &EcKey, attester_chain: &[Vec<u8>], iss: &str, sub: &str, cnf: &Value) -> String {
    let x5c: Vec<String> = attester_chain.iter().map(crate::b64::encode_std).collect();
    let now = crate::now_epoch();
    attester.sign_jws(
        &json!({ "typ": TYP, "x5c": x5c }),
        &json!({ "iss": iss, "sub": sub, "iat": now, "exp": now + 3600, "cnf": { "jwk": cnf } }),
    )
}

/// Verifies a `verifier_attestation` request for `identifier` against the attester trust anchors
/// `roots`, as `checks` says.
pub(crate) fn check(
    request: &Request,
    identifier: &str,
    roots: &[Vec<u8>],
    checks: RequestChecks,
) -> Result<(), String> {
    if !request.signed() {
        return Err("a verifier_attestation client's request must be signed".into());
    }
    let text =
        request.object.header.get(HEADER).and_then(Value::as_str).ok_or("the request has no jwt header (§12)")?;
    let attestation = CompactJws::parse(text).map_err(|e| format!("the verifier attestation is not a JWT: {e}"))?;
    if attestation.typ() != Some(TYP) {
        return Err(format!("the verifier attestation's typ is {:?}, not {TYP:?}", attestation.typ()));
    }
    let x5c: Vec<String> = attestation
        .header
        .get("x5c")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    crate::x509::verify_x5c(&x5c, roots, None, &attestation.signing_input, &attestation.signature)
        .map_err(|e| format!("the verifier attestation's attester is not trusted: {e}"))?;
    let claims = &attestation.payload;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or("the verifier attestation has no exp")?;
    if exp + SKEW < crate::now_epoch() {
        return Err(format!("the verifier attestation expired at {exp}"));
    }
    let sub = claims.get("sub").and_then(Value::as_str);
    if sub != Some(identifier) && checks.attestation_sub_matches {
        return Err(format!("the verifier attestation's sub {sub:?} is not the client identifier {identifier:?}"));
    }
    let cnf = claims.get("cnf").and_then(|c| c.get("jwk")).ok_or("the verifier attestation has no cnf.jwk")?;
    match request.object.verify_with_jwk(cnf) {
        Ok(()) => Ok(()),
        Err(_) if !checks.attestation_pop => Ok(()),
        Err(e) => Err(format!("the request is not signed with the attested key (cnf): {e}")),
    }
}

/// A `verifier_attestation` request verifies against `roots` (the verifier plan's rule).
pub fn verify(request: &Request, roots: &[Vec<u8>]) -> Result<(), String> {
    let (_, identifier) = super::split_client_id(&request.client_id);
    check(request, identifier, roots, RequestChecks::default())
}
