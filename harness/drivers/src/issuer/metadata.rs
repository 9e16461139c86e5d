//! Credential issuer metadata (§12.2), authorization server metadata (§12.3, RFC 8414), JWT VC
//! issuer metadata (SD-JWT VC §4), and the credential offer (§4.1).

use super::wallet::{Step, Wallet, precondition};
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_protocols::jose::is_asymmetric_alg;
use dialtone_protocols::oid4vci::{self, well_known_url};
use dialtone_protocols::sd_jwt_vc;
use serde_json::{Map, Value};

pub async fn retrievable(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let response = wallet.fetch_metadata().await?;
            if response.status != 200 {
                return Ok(Outcome::fail("HTTP 200", format!("HTTP {}", response.status)));
            }
            let media = response.media_type();
            if media.as_deref() != Some("application/json") {
                return Ok(Outcome::fail(
                    "Content-Type application/json (unsigned metadata was asked for)",
                    format!("Content-Type {media:?}"),
                ));
            }
            match response.json_object() {
                Ok(m) => Ok(Outcome::pass(format!("HTTP 200, application/json, {} members", m.len()))),
                Err(e) => Ok(Outcome::fail("a JSON object", e)),
            }
        }
        .await,
    )
}

pub async fn credential_issuer_matches(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let expected = wallet.issuer_id();
            Ok(match metadata.get("credential_issuer") {
                Some(Value::String(s)) if *s == expected => Outcome::pass(format!("credential_issuer {s:?}")),
                other => Outcome::fail(
                    format!("credential_issuer identical to {expected:?} (no normalization)"),
                    format!("{other:?}"),
                ),
            })
        }
        .await,
    )
}

/// A URL member's presence and shape; whether it uses https is judged by [`endpoints_https`].
fn url_member(metadata: &Map<String, Value>, name: &str) -> Result<String, String> {
    match metadata.get(name) {
        Some(Value::String(url)) if url.starts_with("https://") || url.starts_with("http://") => Ok(url.clone()),
        Some(Value::String(url)) => Err(format!("{name} {url:?} is not an http(s) URL")),
        Some(other) => Err(format!("{name} is {other}, not a string")),
        None => Err(format!("{name} is absent")),
    }
}

pub async fn required_members(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(async {
        let metadata = wallet.metadata().await?;
        let expected =
            "credential_issuer, credential_endpoint (a URL) and a non-empty credential_configurations_supported object";
        let mut problems = Vec::new();
        if !metadata.get("credential_issuer").is_some_and(Value::is_string) {
            problems.push("credential_issuer is absent or not a string".to_string());
        }
        if let Err(e) = url_member(&metadata, "credential_endpoint") {
            problems.push(e);
        }
        match metadata.get("credential_configurations_supported") {
            Some(Value::Object(c)) if !c.is_empty() => {}
            other => problems.push(format!("credential_configurations_supported is {other:?}")),
        }
        for optional in ["nonce_endpoint", "deferred_credential_endpoint", "notification_endpoint"] {
            if metadata.contains_key(optional)
                && let Err(e) = url_member(&metadata, optional) {
                    problems.push(e);
                }
        }
        Ok(if problems.is_empty() { Outcome::pass("all required members present") } else { Outcome::fail(expected, problems.join("; ")) })
    }.await)
}

/// Every endpoint the wallet is sent to uses https (§12.2.1, §12.2.4, §13.9). A manifest that allows
/// plain http for a local candidate makes this a `skip` that says so, never a silent pass.
pub async fn endpoints_https(ctx: Ctx) -> Outcome {
    let allow_http = ctx.manifest.issuer.as_ref().is_some_and(|i| i.allow_http);
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let mut urls: Vec<(String, String)> = Vec::new();
            let mut add = |name: &str, value: Option<&Value>| {
                if let Some(Value::String(url)) = value {
                    urls.push((name.to_string(), url.clone()));
                }
            };
            for name in [
                "credential_issuer",
                "credential_endpoint",
                "nonce_endpoint",
                "deferred_credential_endpoint",
                "notification_endpoint",
            ] {
                add(name, metadata.get(name));
            }
            for server in metadata.get("authorization_servers").and_then(Value::as_array).into_iter().flatten() {
                add("authorization_servers[]", Some(server));
            }
            let (_, response) = wallet.fetch_as_metadata(&metadata).await?;
            if let Ok(as_metadata) = response.json_object() {
                add("token_endpoint", as_metadata.get("token_endpoint"));
            }
            let plain: Vec<String> =
                urls.iter().filter(|(_, u)| !oid4vci::is_https(u)).map(|(n, u)| format!("{n} {u:?}")).collect();
            Ok(match (plain.is_empty(), allow_http) {
                (true, _) => Outcome::pass(format!("{} endpoint URLs, all https", urls.len())),
                (false, true) => Outcome::skip(format!(
                    "not tested: the manifest allows plain http for this local candidate (allow_http = true); http URLs: {}",
                    plain.join(", ")
                )),
                (false, false) => Outcome::fail("https for every issuer and authorization server endpoint", plain.join(", ")),
            })
        }
        .await,
    )
}

/// Runs `judge` over every configuration in `credential_configurations_supported`.
async fn each_configuration(
    ctx: Ctx,
    expected: &str,
    judge: fn(&str, &Map<String, Value>) -> Option<String>,
) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let configs =
                metadata.get("credential_configurations_supported").and_then(Value::as_object).ok_or_else(|| {
                    precondition("credential issuer metadata", "no credential_configurations_supported object")
                })?;
            let mut problems = Vec::new();
            for (id, config) in configs {
                match config.as_object() {
                    Some(c) => problems.extend(judge(id, c)),
                    None => problems.push(format!("{id}: not an object")),
                }
            }
            Ok(if problems.is_empty() {
                Outcome::pass(format!("{} configurations conform", configs.len()))
            } else {
                Outcome::fail(expected, problems.join("; "))
            })
        }
        .await,
    )
}

pub async fn configuration_format(ctx: Ctx) -> Outcome {
    each_configuration(
        ctx,
        "a format string in every configuration, and a vct string in every dc+sd-jwt one",
        |id, c| match c.get("format").and_then(Value::as_str) {
            None => Some(format!("{id}: no format")),
            Some(f) if f == oid4vci::FORMAT_SD_JWT_VC && !c.get("vct").is_some_and(Value::is_string) => {
                Some(format!("{id}: dc+sd-jwt without vct"))
            }
            _ => None,
        },
    )
    .await
}

pub async fn binding_and_proof_types(ctx: Ctx) -> Outcome {
    each_configuration(
        ctx,
        "proof_types_supported present exactly when cryptographic_binding_methods_supported is, each with a non-empty proof_signing_alg_values_supported",
        |id, c| {
            let binding = c.contains_key("cryptographic_binding_methods_supported");
            let proofs = c.get("proof_types_supported");
            match (binding, proofs) {
                (true, None) => Some(format!("{id}: cryptographic_binding_methods_supported without proof_types_supported")),
                (false, Some(_)) => Some(format!("{id}: proof_types_supported without cryptographic_binding_methods_supported")),
                (_, Some(Value::Object(types))) => types.iter().find_map(|(name, t)| {
                    let algs = t.get("proof_signing_alg_values_supported").and_then(Value::as_array);
                    match algs {
                        Some(a) if !a.is_empty() && a.iter().all(|x| x.as_str().is_some_and(is_asymmetric_alg)) => None,
                        _ => Some(format!("{id}: proof type {name} has no usable proof_signing_alg_values_supported")),
                    }
                }),
                (_, Some(other)) => Some(format!("{id}: proof_types_supported is {other}")),
                (false, None) => None,
            }
        },
    )
    .await
}

pub async fn signing_algs(ctx: Ctx) -> Outcome {
    each_configuration(ctx, "credential_signing_alg_values_supported, when present, a non-empty array of asymmetric JWS algorithms (not none)", |id, c| {
        match c.get("credential_signing_alg_values_supported") {
            None => None,
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(|x| x.as_str().is_some_and(is_asymmetric_alg)) => None,
            Some(other) => Some(format!("{id}: credential_signing_alg_values_supported = {other}")),
        }
    })
    .await
}

pub async fn authorization_server(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let (as_id, response) = wallet.fetch_as_metadata(&metadata).await?;
            if response.status != 200 {
                return Ok(Outcome::fail(
                    "HTTP 200 from the authorization server metadata endpoint",
                    format!("HTTP {}", response.status),
                ));
            }
            let as_metadata = match response.json_object() {
                Ok(m) => m,
                Err(e) => return Ok(Outcome::fail("a JSON object", e)),
            };
            let mut problems = Vec::new();
            match as_metadata.get("issuer") {
                Some(Value::String(i)) if *i == as_id => {}
                other => problems.push(format!("issuer is {other:?}, not identical to {as_id:?} (RFC 8414 §3.3)")),
            }
            if !as_metadata.get("token_endpoint").is_some_and(Value::is_string) {
                problems.push("no token_endpoint".into());
            }
            if let Some(grants) = as_metadata.get("grant_types_supported") {
                let listed = grants.as_array().is_some_and(|g| g.iter().any(|x| x == oid4vci::PRE_AUTHORIZED_GRANT));
                if !listed && wallet.ctx.manifest.claims().contains(&"feature:pre-authorized_code".to_string()) {
                    problems.push("grant_types_supported does not list the pre-authorized code grant".into());
                }
            }
            Ok(if problems.is_empty() {
                Outcome::pass(format!("issuer {as_id:?}, token_endpoint present"))
            } else {
                Outcome::fail(
                    "RFC 8414 metadata whose issuer is the authorization server identifier, with a token_endpoint",
                    problems.join("; "),
                )
            })
        }
        .await,
    )
}

pub async fn jwt_vc_issuer(ctx: Ctx) -> Outcome {
    let features = &ctx.manifest.conformance.features;
    if features.iter().any(|f| f == "issuer_keys:x5c")
        && !features.iter().any(|f| f == "issuer_keys:jwt_vc_issuer_metadata")
    {
        return Outcome::skip(
            "the conformance statement says the issuer's keys travel in x5c headers (SD-JWT VC §2.5, Inline X.509 \
             Certificates), not in JWT VC Issuer Metadata; the credential's x5c chain is judged by VCI-ISS-SDJWT-003",
        );
    }
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let expected_issuer = wallet.issuer_id();
            let response = fetch_jwt_vc_issuer(&wallet).await?;
            if response.0 != 200 {
                return Ok(Outcome::fail("HTTP 200", format!("HTTP {}", response.0)));
            }
            let body = response.1.map_err(|e| Outcome::fail("a JSON object", e))?;
            let mut problems = Vec::new();
            match body.get("issuer") {
                Some(Value::String(i)) if *i == expected_issuer => {}
                other => problems.push(format!("issuer is {other:?}, not identical to {expected_issuer:?}")),
            }
            match (body.get("jwks"), body.get("jwks_uri")) {
                (Some(jwks), None) => {
                    if jwks.get("keys").and_then(Value::as_array).is_none_or(|k| k.is_empty()) {
                        problems.push("jwks has no keys".into());
                    }
                }
                (None, Some(_)) => {}
                _ => problems.push("exactly one of jwks and jwks_uri must be present".into()),
            }
            Ok(if problems.is_empty() {
                Outcome::pass(format!("issuer {expected_issuer:?} with its keys"))
            } else {
                Outcome::fail(
                    "JWT VC issuer metadata naming this issuer, with jwks or jwks_uri (SD-JWT VC §4.2)",
                    problems.join("; "),
                )
            })
        }
        .await,
    )
}

/// GET `/.well-known/jwt-vc-issuer` for the issuer identifier: status and the JSON object.
pub async fn fetch_jwt_vc_issuer(wallet: &Wallet) -> Step<(u16, Result<Map<String, Value>, String>)> {
    let url = well_known_url(&wallet.issuer_id(), sd_jwt_vc::WELL_KNOWN_JWT_VC_ISSUER)
        .map_err(|e| Outcome::error(e.to_string()))?;
    let response = wallet.ctx.http.get(&url, &[("Accept", "application/json")]).await?;
    Ok((response.status, response.json_object()))
}

/// The issuer's JWK Set from its JWT VC issuer metadata (`jwks`, or fetched from `jwks_uri`).
pub async fn issuer_jwks(wallet: &Wallet) -> Step<Value> {
    let (status, body) = fetch_jwt_vc_issuer(wallet).await?;
    let body = body.map_err(|e| precondition("JWT VC issuer metadata", format!("HTTP {status}: {e}")))?;
    if let Some(jwks) = body.get("jwks") {
        return Ok(jwks.clone());
    }
    if let Some(uri) = body.get("jwks_uri").and_then(Value::as_str) {
        let response = wallet.ctx.http.get(uri, &[("Accept", "application/json")]).await?;
        return response.json().map_err(|e| precondition("jwks_uri", e));
    }
    Err(precondition("JWT VC issuer metadata", "neither jwks nor jwks_uri"))
}

pub async fn offer_consistent(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let offer = wallet.offer(false).await?;
            wallet.ctx.evidence.artifact("credential offer", Value::Object(offer.object.clone()).to_string());
            let metadata = wallet.metadata().await?;
            let mut problems = Vec::new();
            match offer.object.get("credential_issuer") {
                Some(Value::String(i)) if *i == wallet.issuer_id() => {}
                other => problems.push(format!("credential_issuer is {other:?}")),
            }
            let configs = metadata.get("credential_configurations_supported").and_then(Value::as_object);
            match offer.object.get("credential_configuration_ids").and_then(Value::as_array) {
                Some(ids) if !ids.is_empty() => {
                    let mut seen = std::collections::HashSet::new();
                    for id in ids {
                        match id.as_str() {
                            Some(s) if !seen.insert(s) => problems.push(format!("{s:?} repeated")),
                            Some(s) if !configs.is_some_and(|c| c.contains_key(s)) => {
                                problems.push(format!("{s:?} is not a key of credential_configurations_supported"))
                            }
                            Some(_) => {}
                            None => problems.push(format!("{id} is not a string")),
                        }
                    }
                }
                other => problems.push(format!("credential_configuration_ids is {other:?}, not a non-empty array")),
            }
            if offer.pre_authorized_code().is_none() {
                problems.push("no pre-authorized_code string in the pre-authorized code grant".into());
            }
            Ok(if problems.is_empty() {
                Outcome::pass("offer names this issuer, known configurations and a pre-authorized code")
            } else {
                Outcome::fail(
                    "an offer naming this issuer and configurations its metadata lists (§4.1.1)",
                    problems.join("; "),
                )
            })
        }
        .await,
    )
}
