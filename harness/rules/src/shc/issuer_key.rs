//! SHC-022: the issuer's key that verifies a card, as the issuer publishes it (§ Determining keys
//! associated with an issuer, § Revocation): `kty` EC, `use` sig, `alg` ES256, `crv` P-256, `kid`
//! its RFC 7638 thumbprint, no private `d`, an `x5c` of standard base64 DER certificates whose
//! first holds the same key, and a `crlVersion` when the issuer keeps a revocation list for it.
//! Judged from the key set given (`--keys`, `--trust`) or fetched (`--fetch-keys`), as written.

use crate::Context;
use dialtone_engine::model::Outcome;
use dialtone_protocols::public_key::SetKey;
use dialtone_protocols::{b64, jose};
use serde_json::Value;

/// Private members of an EC (and any) JWK that a published key set must not carry.
const PRIVATE_MEMBERS: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

/// SHC-022 for the key the signature verified with.
pub(super) fn as_published(verified: Option<&SetKey>, ctx: &Context) -> Outcome {
    let Some(key) = verified else {
        return Outcome::skip("no known key verifies the signature (SHC-008)");
    };
    let print = key.thumbprint.as_str();
    if print.is_empty() {
        return Outcome::skip("the verifying key has no RFC 7638 thumbprint");
    }
    let entries: Vec<&Value> = ctx.keys.published_with(print).collect();
    if entries.is_empty() {
        return Outcome::skip(format!(
            "key {print} was given as a certificate, not as a JWK of a key set: how the issuer publishes it is unknown"
        ));
    }
    for entry in &entries {
        let problems = problems(entry, print, ctx);
        if !problems.is_empty() {
            return Outcome::fail(
                "the issuer's JWK: kty EC, use sig, alg ES256, crv P-256, kid its thumbprint, no d, x5c of base64 DER \
                 holding the same key, crlVersion when it has a revocation list",
                format!("key {print}: {}", problems.join("; ")),
            );
        }
    }
    Outcome::pass(format!("key {print} is published as an ES256 signing key ({} entries)", entries.len()))
}

fn problems(jwk: &Value, print: &str, ctx: &Context) -> Vec<String> {
    let get = |member: &str| jwk.get(member).and_then(Value::as_str);
    let mut out = Vec::new();
    for (member, wanted) in [("kty", "EC"), ("use", "sig"), ("alg", "ES256"), ("crv", "P-256")] {
        if get(member) != Some(wanted) {
            out.push(format!("{member} {:?}, not {wanted:?}", get(member)));
        }
    }
    if get("kid") != Some(print) {
        out.push(format!("kid {:?}, not its thumbprint", get("kid")));
    }
    let private: Vec<&str> = PRIVATE_MEMBERS.into_iter().filter(|m| jwk.get(*m).is_some()).collect();
    if !private.is_empty() {
        out.push(format!("publishes the private member {}", private.join(", ")));
    }
    out.extend(jwk.get("x5c").and_then(|x5c| x5c_problem(x5c, print)));
    let listed = ctx.revocation.iter().any(|l| Some(l.kid.as_str()) == get("kid") || l.kid == print);
    match jwk.get("crlVersion") {
        None if listed => out.push("no crlVersion, though the issuer keeps a revocation list for it".into()),
        Some(v) if v.as_u64().is_none_or(|n| n < 1) => out.push(format!("crlVersion {v} is not a counter")),
        _ => {}
    }
    out
}

/// Why an `x5c` is not base64 DER certificates whose first holds the key `print`, if it is not.
fn x5c_problem(x5c: &Value, print: &str) -> Option<String> {
    let Some(list) = x5c.as_array().filter(|l| !l.is_empty()) else {
        return Some("x5c is not a non-empty array".into());
    };
    for (i, entry) in list.iter().enumerate() {
        let Some(text) = entry.as_str() else { return Some(format!("x5c[{i}] is not a string")) };
        if let Err(e) = b64::decode_std(text) {
            return Some(format!("x5c[{i}] is not standard base64 (RFC 7517 §4.7; base64url is not): {e}"));
        }
    }
    let leaf = list.first().and_then(Value::as_str).and_then(|t| b64::decode_std(t).ok()).unwrap_or_default();
    match jose::jwk_from_certificate(&leaf) {
        Err(e) => Some(format!("x5c[0]: {e}")),
        Ok(certified) => match jose::thumbprint(&certified) {
            Some(p) if p == print => None,
            other => Some(format!("x5c[0] certifies key {}, not the JWK's", other.unwrap_or_default())),
        },
    }
}
