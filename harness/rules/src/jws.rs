//! What every JWS-secured format shares: the JOSE header as RFC 7515 §4 and §5.2 have a verifier
//! read it (critical parameters understood, names unique, `kid` and `x5c` as §4.1 defines them) and
//! the JWT claims set as RFC 7519 §4 and §7.2 have it (names unique, `aud` naming the verifier).
//! The rules `JOSE-HDR-*` and `JWT-CLM-*`, judged for SD-JWT VC and for W3C VCs secured with JOSE or
//! SD-JWT, over every JWS an artifact carries (the Issuer-signed JWT, a Key Binding JWT).

use dialtone_engine::model::Outcome;
use dialtone_protocols::b64;
use dialtone_protocols::jose::{self, CompactJws};
use serde_json::Value;

/// Header parameters RFC 7515 and RFC 7518 define for JWS: a `crit` list may not name them (§4.1.11).
const REGISTERED: &[&str] = &["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"];

/// One JWS of an artifact with the words a report names it by.
pub(crate) struct Part<'a> {
    pub label: &'static str,
    pub jws: &'a CompactJws,
}

/// Joins the outcomes of one rule over several JWSs: the first failure (named by its part), else a
/// pass naming each part's observation.
fn each(parts: &[Part<'_>], judge: impl Fn(&CompactJws) -> Outcome) -> Outcome {
    let mut passed = Vec::new();
    let mut skipped = Vec::new();
    for part in parts {
        match judge(part.jws) {
            Outcome::Pass { observed } => passed.push(format!("{}: {observed}", part.label)),
            Outcome::Fail { expected, observed } => {
                return Outcome::fail(expected, format!("{}: {observed}", part.label));
            }
            Outcome::Skip { reason } => skipped.push(format!("{}: {reason}", part.label)),
            other => return other,
        }
    }
    if passed.is_empty() { Outcome::skip(skipped.join("; ")) } else { Outcome::pass(passed.join("; ")) }
}

/// JOSE-HDR-001: `crit` lists extension parameters the recipient must understand, or the JWS is
/// invalid (RFC 7515 §4.1.11, §5.2 step 5). dialtone understands no extension, so a well-formed
/// `crit` still fails, naming what it could not process.
pub(crate) fn critical(parts: &[Part<'_>]) -> Outcome {
    each(parts, |jws| {
        let Some(crit) = jws.header.get("crit") else {
            return Outcome::pass("no crit header parameter");
        };
        let expected = "no crit header parameter, or one listing only extensions the verifier understands (dialtone understands none)";
        let Some(names) = crit.as_array() else {
            return Outcome::fail(expected, format!("crit = {crit} is not an array of names"));
        };
        if names.is_empty() {
            return Outcome::fail(expected, "crit is the empty list, which producers MUST NOT use");
        }
        let mut problems = Vec::new();
        for name in names {
            match name.as_str() {
                None => problems.push(format!("{name} is not a name")),
                Some(n) if REGISTERED.contains(&n) => {
                    problems.push(format!("{n:?} is defined by RFC 7515 or RFC 7518 and may not be listed"))
                }
                Some(n) if !jws.header.contains_key(n) => problems.push(format!("{n:?} is not in the header")),
                Some(n) => problems.push(format!("{n:?} is an extension dialtone does not understand")),
            }
        }
        Outcome::fail(expected, format!("crit {crit}: {}", problems.join("; ")))
    })
}

/// The decoded bytes of one segment of a compact JWS (0: header, 1: payload).
fn segment(jws: &CompactJws, index: usize) -> Option<Vec<u8>> {
    jws.signing_input.split('.').nth(index).and_then(|s| b64::decode(s).ok())
}

/// The first name repeated at the top level of the header (`index` 0) or the payload (1): as the
/// parse found it, else read from the segment again.
fn repeated_name(jws: &CompactJws, index: usize) -> Option<String> {
    match &jws.repeated {
        Some(repeated) => repeated.get(index).cloned().flatten(),
        None => segment(jws, index).and_then(|s| jose::first_repeated_member(&s)),
    }
}

/// JOSE-HDR-002: header parameter names are unique (RFC 7515 §4; §5.2 step 4).
pub(crate) fn unique_header_names(parts: &[Part<'_>]) -> Outcome {
    each(parts, |jws| match repeated_name(jws, 0) {
        None => Outcome::pass(format!("{} header parameters, each named once", jws.header.len())),
        Some(name) => {
            Outcome::fail("header parameter names that are unique", format!("{name:?} appears more than once"))
        }
    })
}

/// JWT-CLM-001: claim names are unique (RFC 7519 §4).
pub(crate) fn unique_claim_names(parts: &[Part<'_>]) -> Outcome {
    each(parts, |jws| match repeated_name(jws, 1) {
        None => Outcome::pass(format!("{} claims, each named once", jws.payload.len())),
        Some(name) => Outcome::fail(
            "claim names that are unique in the JWT Claims Set",
            format!("{name:?} appears more than once"),
        ),
    })
}

/// JOSE-HDR-003: `kid` is a string (RFC 7515 §4.1.4); `x5c` is an array of base64 (not base64url)
/// DER certificates whose first holds the key that signed (§4.1.6). `other_key_verifies` says
/// whether a key the verifier knows verifies the signature: when the first certificate's key does
/// not but such a key does, `x5c` names another key than the signer's; when none does, the signature
/// rules judge the signature and this one does not blame `x5c` for it.
pub(crate) fn registered_values(parts: &[Part<'_>], other_key_verifies: &dyn Fn(&CompactJws) -> bool) -> Outcome {
    each(parts, |jws| {
        let mut seen = Vec::new();
        if let Some(kid) = jws.header.get("kid") {
            if !kid.is_string() {
                return Outcome::fail("kid as a case-sensitive string (RFC 7515 §4.1.4)", format!("kid = {kid}"));
            }
            seen.push("kid a string".to_string());
        }
        if let Some(x5c) = jws.header.get("x5c") {
            let expected =
                "x5c: an array of base64-encoded DER certificates, the first holding the signing key (RFC 7515 §4.1.6)";
            let certs: Option<Vec<Vec<u8>>> = x5c
                .as_array()
                .filter(|a| !a.is_empty())
                .and_then(|a| a.iter().map(|c| c.as_str().and_then(|c| b64::decode_std(c).ok())).collect());
            let Some(certs) = certs else {
                return Outcome::fail(expected, format!("x5c = {}", short(x5c)));
            };
            let first = match certs.first().map(|c| jose::jwk_from_certificate(c)) {
                Some(Ok(jwk)) => jwk,
                Some(Err(e)) => return Outcome::fail(expected, format!("the first x5c certificate: {e}")),
                None => return Outcome::fail(expected, "an empty x5c"),
            };
            if jws.verify_with_jwk(&first).is_ok() {
                seen.push(format!("x5c of {} certificates, the first holding the signing key", certs.len()));
            } else if other_key_verifies(jws) {
                return Outcome::fail(
                    expected,
                    format!(
                        "a known key verifies the signature, but not the first x5c certificate's ({})",
                        jose::thumbprint(&first).unwrap_or_default()
                    ),
                );
            } else {
                seen.push(format!(
                    "x5c of {} certificates; its first key does not verify the signature, which the signature rule judges",
                    certs.len()
                ));
            }
        }
        if seen.is_empty() { Outcome::pass("no kid or x5c") } else { Outcome::pass(seen.join("; ")) }
    })
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 { format!("{}…", text.chars().take(80).collect::<String>()) } else { text }
}

/// JWT-CLM-002: when the claims set has `aud`, the verifier is one of its values, or the JWT is
/// rejected (RFC 7519 §4.1.3). Who the verifier is comes from `--aud`; without it, this skips.
pub(crate) fn audience(parts: &[Part<'_>], verifier: Option<&str>) -> Outcome {
    each(parts, |jws| {
        let Some(aud) = jws.payload.get("aud") else {
            return Outcome::pass("no aud claim");
        };
        let values: Option<Vec<&str>> = match aud {
            Value::String(s) => Some(vec![s.as_str()]),
            Value::Array(a) => a.iter().map(Value::as_str).collect(),
            _ => None,
        };
        let Some(values) = values else {
            return Outcome::fail("aud as a string or an array of strings (RFC 7519 §4.1.3)", format!("aud = {aud}"));
        };
        match verifier {
            None => Outcome::skip(format!("aud {values:?}: give --aud to say who the verifier is")),
            Some(v) if values.contains(&v) => Outcome::pass(format!("aud {values:?} names {v:?}")),
            Some(v) => Outcome::fail(format!("aud naming the verifier {v:?} (--aud)"), format!("aud {values:?}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_member_finds_top_level_duplicates_only() {
        assert_eq!(jose::first_repeated_member(br#"{"a":1,"b":{"c":1,"c":2},"a":3}"#).as_deref(), Some("a"));
        assert_eq!(jose::first_repeated_member(br#"{"a":1,"b":{"c":1,"c":2}}"#), None);
        // An escaped name is the same member.
        assert_eq!(jose::first_repeated_member(br#"{"kid":"1","\u006bid":"2"}"#).as_deref(), Some("kid"));
        assert_eq!(jose::first_repeated_member(b"[1,2]"), None);
    }

    #[test]
    fn repeated_member_in_a_large_object_and_only_in_one_that_parses() {
        let names: Vec<String> = (0..100).map(|i| format!("\"n{i}\":{i}")).collect();
        let json = |extra: &str| format!("{{{},{extra}}}", names.join(","));
        assert_eq!(jose::first_repeated_member(json("\"n5\":0").as_bytes()).as_deref(), Some("n5"));
        assert_eq!(jose::first_repeated_member(json("\"n\\u0039\":0").as_bytes()).as_deref(), Some("n9"));
        assert_eq!(jose::first_repeated_member(json("\"n100\":0").as_bytes()), None);
        // A repeated name early, then bytes that are not JSON: nothing to report.
        assert_eq!(jose::first_repeated_member(br#"{"a":1,"a":2,"b":}"#), None);
        assert_eq!(jose::first_repeated_member(br#"{"a":1,"a":2,"a":3}"#).as_deref(), Some("a"));
    }
}
