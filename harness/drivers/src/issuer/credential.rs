//! The credential endpoint (§8): access token, request shape, key proofs (Appendix F.1, F.4), and
//! error responses (§8.3.1).

use super::wallet::{ProofSpec, Session, Wallet, error_code, expect_error, precondition};
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_http::HttpResponse;
use dialtone_protocols::oid4vci::credential_error as ce;
use serde_json::{Value, json};

pub async fn success(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let body = Wallet::request_body(&session, Some(json!({ "jwt": [wallet.good_proof(&session)] })));
            let response = wallet.credential_request(&session, Some(&session.access_token), &body).await?;
            let expected =
                "HTTP 200, application/json, credentials: a non-empty array of objects each with a credential (§8.3)";
            if response.status != 200 {
                return Ok(Outcome::fail(expected, format!("HTTP {}", response.status)));
            }
            if response.media_type().as_deref() != Some("application/json") {
                return Ok(Outcome::fail(expected, format!("Content-Type {:?}", response.media_type())));
            }
            let object = match response.json_object() {
                Ok(o) => o,
                Err(e) => return Ok(Outcome::fail(expected, e)),
            };
            Ok(match object.get("credentials").and_then(Value::as_array) {
                Some(list)
                    if !list.is_empty()
                        && list.iter().all(|c| c.get("credential").is_some_and(|v| v.is_string() || v.is_object())) =>
                {
                    Outcome::pass(format!("{} credential(s)", list.len()))
                }
                Some(list) => Outcome::fail(
                    expected,
                    format!("credentials has {} entries, not all objects with credential", list.len()),
                ),
                None => Outcome::fail(
                    expected,
                    format!("no credentials array; members: {:?}", object.keys().collect::<Vec<_>>()),
                ),
            })
        }
        .await,
    )
}

/// The auth-params of the `Bearer` challenge in a `WWW-Authenticate` value (RFC 6750 §3:
/// `"Bearer" [ 1*SP 1#param ]`, every param `name=value`; RFC 7235 §4.1 allows other challenges
/// in the same list). `Err` says why it is not a well-formed Bearer challenge.
pub fn bearer_params(header: &str) -> Result<Vec<(String, String)>, String> {
    let elements = split_list(header);
    let start = elements
        .iter()
        .position(|e| {
            e.len() >= 6 && e[..6].eq_ignore_ascii_case("bearer") && (e.len() == 6 || e.as_bytes()[6] == b' ')
        })
        .ok_or_else(|| "no Bearer challenge".to_string())?;
    let mut params = Vec::new();
    let first = elements[start][6..].trim();
    let mut rest = elements[start + 1..].iter().map(|e| e.trim());
    let mut pending = if first.is_empty() { None } else { Some(first) };
    while let Some(element) = pending.take().or_else(|| rest.next()) {
        match element.split_once('=') {
            Some((name, value)) if is_token(name.trim()) => {
                let value = value.trim();
                let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                    Some(q) => q.replace("\\\"", "\""),
                    None if is_token(value) => value.to_string(),
                    None => return Err(format!("parameter {name:?} has a malformed value {value:?}")),
                };
                params.push((name.trim().to_ascii_lowercase(), value));
            }
            _ if params.is_empty() && !first.is_empty() => {
                return Err(format!("{element:?} is not a name=value parameter (RFC 6750 §3 allows no token68)"));
            }
            // An element without '=' after the parameters starts the next challenge.
            _ => break,
        }
    }
    Ok(params)
}

/// Splits a header list at commas outside quoted strings.
fn split_list(header: &str) -> Vec<String> {
    let (mut out, mut current, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in header.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, _, '"') => quoted = !quoted,
            (false, _, ',') => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect()
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// The MUST of RFC 6750 §3: a refusal carrying a well-formed Bearer challenge (with `error` when
/// given). The status code is judged apart (401 is a SHOULD for invalid_token, §3.1).
fn expect_bearer_challenge(response: &HttpResponse, error: Option<&str>) -> Outcome {
    let challenge = response.header("www-authenticate").unwrap_or_default();
    let observed = format!("HTTP {}, WWW-Authenticate {challenge:?}", response.status);
    let expected = match error {
        Some(e) => format!("a 4xx refusal with WWW-Authenticate: Bearer error=\"{e}\" (RFC 6750 §3, §3.1)"),
        None => "a 4xx refusal with a well-formed WWW-Authenticate: Bearer challenge (RFC 6750 §3)".to_string(),
    };
    if !(400..500).contains(&response.status) {
        return Outcome::fail(expected, observed);
    }
    match bearer_params(challenge) {
        Err(why) => Outcome::fail(expected, format!("{observed}: {why}")),
        Ok(params) => match error {
            Some(e) if !params.iter().any(|(n, v)| n == "error" && v == e) => Outcome::fail(expected, observed),
            _ => Outcome::pass(observed),
        },
    }
}

/// RFC 6750 §3.1 / RFC 7235 §3.1: a request without valid authentication is answered 401.
pub async fn auth_failure_status(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let body = Wallet::request_body(&session, Some(json!({ "jwt": [wallet.good_proof(&session)] })));
            let none = wallet.credential_request(&session, None, &body).await?;
            let forged = format!("{}x", wallet.ctx.entropy.token(32));
            let bad = wallet.credential_request(&session, Some(&forged), &body).await?;
            let observed = format!("no token: HTTP {}; unknown token: HTTP {}", none.status, bad.status);
            if none.status == 401 && bad.status == 401 {
                Ok(Outcome::pass(observed))
            } else {
                Ok(Outcome::fail("HTTP 401 Unauthorized for both", observed))
            }
        }
        .await,
    )
}

pub async fn no_token(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let body = Wallet::request_body(&session, Some(json!({ "jwt": [wallet.good_proof(&session)] })));
            let response = wallet.credential_request(&session, None, &body).await?;
            Ok(expect_bearer_challenge(&response, None))
        }
        .await,
    )
}

pub async fn bad_token(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let body = Wallet::request_body(&session, Some(json!({ "jwt": [wallet.good_proof(&session)] })));
            let forged = format!("{}x", wallet.ctx.entropy.token(32));
            let response = wallet.credential_request(&session, Some(&forged), &body).await?;
            Ok(expect_bearer_challenge(&response, Some(ce::INVALID_TOKEN)))
        }
        .await,
    )
}

/// Sends a request whose proofs are built by `proofs` and expects HTTP 400 with `code`.
async fn expect_rejected(ctx: Ctx, code: &'static str, proofs: fn(&Wallet, &Session) -> Option<Value>) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            if session.c_nonce.is_none() && code == ce::INVALID_NONCE {
                return Ok(Outcome::skip("the issuer has no nonce endpoint, so it has no c_nonce to check"));
            }
            let body = Wallet::request_body(&session, proofs(&wallet, &session));
            let response = wallet.credential_request(&session, Some(&session.access_token), &body).await?;
            Ok(expect_error(&response, 400, code))
        }
        .await,
    )
}

fn jwt_proofs(proof: String) -> Option<Value> {
    Some(json!({ "jwt": [proof] }))
}

pub async fn missing_proof(ctx: Ctx) -> Outcome {
    expect_rejected(ctx, ce::INVALID_PROOF, |_, _| None).await
}

pub async fn proof_wrong_typ(ctx: Ctx) -> Outcome {
    expect_rejected(ctx, ce::INVALID_PROOF, |w, s| {
        jwt_proofs(w.proof(&ProofSpec { typ: Some("JWT".into()), nonce: s.c_nonce.clone(), ..ProofSpec::default() }))
    })
    .await
}

pub async fn proof_wrong_aud(ctx: Ctx) -> Outcome {
    expect_rejected(ctx, ce::INVALID_PROOF, |w, s| {
        let aud = format!("{}/other-tenant", w.issuer_id());
        jwt_proofs(w.proof(&ProofSpec { aud: Some(aud), nonce: s.c_nonce.clone(), ..ProofSpec::default() }))
    })
    .await
}

pub async fn proof_bad_signature(ctx: Ctx) -> Outcome {
    expect_rejected(ctx, ce::INVALID_PROOF, |w, s| {
        jwt_proofs(w.proof(&ProofSpec { foreign_signature: true, nonce: s.c_nonce.clone(), ..ProofSpec::default() }))
    })
    .await
}

pub async fn proof_alg_none(ctx: Ctx) -> Outcome {
    expect_rejected(ctx, ce::INVALID_PROOF, |w, s| {
        jwt_proofs(w.proof(&ProofSpec { alg_none: true, nonce: s.c_nonce.clone(), ..ProofSpec::default() }))
    })
    .await
}

pub async fn proof_missing_nonce(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            if session.c_nonce.is_none() {
                return Ok(Outcome::skip(
                    "the issuer has no nonce endpoint: a proof without nonce is allowed (Appendix F.1)",
                ));
            }
            let body = Wallet::request_body(&session, jwt_proofs(wallet.proof(&ProofSpec::default())));
            let response = wallet.credential_request(&session, Some(&session.access_token), &body).await?;
            Ok(expect_error(&response, 400, ce::INVALID_PROOF))
        }
        .await,
    )
}

pub async fn proof_foreign_nonce(ctx: Ctx) -> Outcome {
    expect_rejected(ctx, ce::INVALID_NONCE, |w, _| {
        jwt_proofs(w.proof(&ProofSpec { nonce: Some(w.ctx.entropy.token(16)), ..ProofSpec::default() }))
    })
    .await
}

/// A nonce that already bought a credential, reused: rejected by an issuer that declares its
/// c_nonce values single-use (conformance statement feature `c_nonce_single_use`).
pub async fn proof_stale_nonce(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let Some(nonce) = session.c_nonce.clone() else {
                return Ok(Outcome::skip("the issuer has no nonce endpoint"));
            };
            let body = Wallet::request_body(&session, jwt_proofs(wallet.good_proof(&session)));
            let first = wallet.credential_request(&session, Some(&session.access_token), &body).await?;
            if first.status != 200 {
                return Err(precondition("credential request with a fresh nonce", format!("HTTP {}", first.status)));
            }
            // A new token (the first may be single-use too), the old nonce.
            let second_session = wallet.session().await?;
            let proof = wallet.proof(&ProofSpec { nonce: Some(nonce), ..ProofSpec::default() });
            let body = Wallet::request_body(&second_session, jwt_proofs(proof));
            let response =
                wallet.credential_request(&second_session, Some(&second_session.access_token), &body).await?;
            Ok(expect_error(&response, 400, ce::INVALID_NONCE))
        }
        .await,
    )
}

pub async fn unknown_configuration(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let mut body = Wallet::request_body(&session, jwt_proofs(wallet.good_proof(&session)));
            body["credential_configuration_id"] = json!(format!("{}-dialtone-unknown", session.configuration_id));
            let response = wallet.credential_request(&session, Some(&session.access_token), &body).await?;
            Ok(expect_error(&response, 400, ce::UNKNOWN_CREDENTIAL_CONFIGURATION))
        }
        .await,
    )
}

/// An error response is HTTP 400 application/json with an `error` code, and an `error_description`
/// (if any) limited to the characters §8.3.1.2 allows.
pub async fn error_format(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(async {
        let session = wallet.session().await?;
        let body = Wallet::request_body(&session, None);
        let response = wallet.credential_request(&session, Some(&session.access_token), &body).await?;
        let expected = "HTTP 400, Content-Type application/json, a string error, error_description in %x20-21 / %x23-5B / %x5D-7E";
        let mut problems = Vec::new();
        if response.status != 400 {
            problems.push(format!("HTTP {}", response.status));
        }
        if response.media_type().as_deref() != Some("application/json") {
            problems.push(format!("Content-Type {:?}", response.media_type()));
        }
        if error_code(&response).is_none() {
            problems.push("no string error member in a JSON object".into());
        }
        if let Some(Value::String(d)) = response.json_object().ok().and_then(|o| o.get("error_description").cloned())
            && let Some(bad) = d.chars().find(|c| !matches!(*c as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)) {
                problems.push(format!("error_description contains {bad:?}"));
            }
        Ok(if problems.is_empty() { Outcome::pass(format!("HTTP 400 error {:?}", error_code(&response).unwrap_or_default())) } else { Outcome::fail(expected, problems.join("; ")) })
    }.await)
}

#[cfg(test)]
mod tests {
    use super::bearer_params;

    #[test]
    fn bearer_challenges_as_rfc_6750_writes_them() {
        assert_eq!(bearer_params("Bearer").expect("bare scheme"), vec![]);
        let p = bearer_params(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        )
        .expect("RFC 6750 §3 example");
        assert_eq!(p[1], ("error".into(), "invalid_token".into()));
        // A DPoP challenge may follow in the same list (RFC 7235 §4.1).
        let p = bearer_params(r#"Bearer error="invalid_token", DPoP algs="ES256""#).expect("two challenges");
        assert_eq!(p.len(), 1);
        // What Credo 0.6.3 sends for an unknown token: valid params, then a bare `scope` (read as the
        // next challenge, per RFC 7235's list grammar).
        assert!(
            bearer_params(r#"Bearer error="invalid_token", error_description="Token is not valid", scope"#).is_ok()
        );
        // What it sends without a token: parameter names without values.
        let e = bearer_params("Bearer error, error_description, scope, DPoP error, error_description, scope")
            .expect_err("names without values");
        assert!(e.contains("not a name=value parameter"), "{e}");
        assert!(bearer_params("Basic realm=\"x\"").is_err());
        assert!(bearer_params(r#"Bearer error="a,b", scope="x y""#).is_ok(), "commas inside quotes");
    }
}
