//! Credential issuer metadata (§12.2), authorization server metadata (§12.3, RFC 8414), JWT VC
//! issuer metadata (SD-JWT VC §4), and the credential offer (§4.1).

use super::wallet::{Step, Wallet, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::jose::is_asymmetric_alg;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::message::{
    AuthorizationServerMetadata, CredentialConfiguration, CredentialIssuerMetadata,
};
use dialtone_protocols::oid4vci::{self, well_known_url};
use dialtone_protocols::sd_jwt_vc::{self, JwtVcIssuerMetadata};
use serde_json::Value;

driver!("oid4vci.issuer.metadata.retrievable", binding::ISSUER, retrievable);
driver!("oid4vci.issuer.metadata.credential_issuer_matches", binding::ISSUER, credential_issuer_matches);
driver!("oid4vci.issuer.metadata.required_members", binding::ISSUER, required_members);
driver!("oid4vci.issuer.metadata.endpoints_https", binding::ISSUER, endpoints_https);
driver!("oid4vci.issuer.metadata.configurations", binding::ISSUER, configurations, ConfigurationRule);
driver!("oid4vci.issuer.metadata.authorization_server", binding::ISSUER, authorization_server);
driver!("oid4vci.issuer.metadata.jwt_vc_issuer", binding::ISSUER, jwt_vc_issuer);
driver!("oid4vci.issuer.offer.consistent", binding::ISSUER, offer_consistent);

async fn retrievable(ctx: Ctx) -> Outcome {
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

async fn credential_issuer_matches(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let expected = wallet.issuer_id();
            Ok(match &metadata.credential_issuer {
                Some(s) if *s == expected => Outcome::pass(format!("credential_issuer {s:?}")),
                other => Outcome::fail(
                    format!("credential_issuer identical to {expected:?} (no normalization)"),
                    format!("{other:?}"),
                ),
            })
        }
        .await,
    )
}

/// Whether a URL member is an http(s) URL; whether it uses https is judged by [`endpoints_https`].
fn url_problem(name: &str, url: &str) -> Option<String> {
    (!(url.starts_with("https://") || url.starts_with("http://")))
        .then(|| format!("{name} {url:?} is not an http(s) URL"))
}

async fn required_members(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let expected = "credential_issuer, credential_endpoint (a URL) and a non-empty credential_configurations_supported object";
            let mut problems = Vec::new();
            if metadata.credential_issuer.is_none() {
                problems.push("credential_issuer is absent".to_string());
            }
            match metadata.credential_endpoint() {
                Ok(url) => problems.extend(url_problem(CredentialIssuerMetadata::CREDENTIAL_ENDPOINT, url)),
                Err(e) => problems.push(e.to_string()),
            }
            match &metadata.credential_configurations_supported {
                Some(c) if !c.is_empty() => {}
                other => problems.push(format!("credential_configurations_supported is {other:?}")),
            }
            for (name, url) in metadata.optional_endpoints() {
                problems.extend(url_problem(name, url));
            }
            Ok(if problems.is_empty() {
                Outcome::pass("all required members present")
            } else {
                Outcome::fail(expected, problems.join("; "))
            })
        }
        .await,
    )
}

/// Every endpoint the wallet is sent to uses https (§12.2.1, §12.2.4, §13.9). A manifest that allows
/// plain http for a local candidate makes this a `skip` that says so, never a silent pass.
async fn endpoints_https(ctx: Ctx) -> Outcome {
    let allow_http = ctx.manifest.issuer.as_ref().is_some_and(|i| i.allow_http);
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let mut urls: Vec<(String, String)> =
                metadata.endpoint_urls().into_iter().map(|(n, u)| (n.to_string(), u.to_string())).collect();
            let (_, response) = wallet.fetch_as_metadata(&metadata).await?;
            if let Ok(as_metadata) = AuthorizationServerMetadata::parse_bytes(&response.body)
                && let Ok(token) = as_metadata.token_endpoint()
            {
                urls.push((AuthorizationServerMetadata::TOKEN_ENDPOINT.into(), token.to_string()));
            }
            let plain: Vec<String> =
                urls.iter().filter(|(_, u)| !oid4vci::is_https(u)).map(|(n, u)| format!("{n} {u:?}")).collect();
            Ok(match (plain.is_empty(), allow_http) {
                (true, _) => Outcome::pass(format!("{} endpoint URLs, all https", urls.len())),
                (false, true) => Outcome::skip(format!(
                    "not tested: the manifest allows plain http for this local candidate (allow_http = true); http URLs: {}",
                    plain.join(", ")
                )),
                (false, false) => {
                    Outcome::fail("https for every issuer and authorization server endpoint", plain.join(", "))
                }
            })
        }
        .await,
    )
}

/// What every entry of `credential_configurations_supported` must satisfy.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigurationRule {
    rule: ConfigurationCheck,
}

#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum ConfigurationCheck {
    /// A `format`, and a `vct` for `dc+sd-jwt` (§12.2.4, Appendix A.3.2).
    Format,
    /// Key binding methods come with proof types and their algorithms (§12.2.4).
    BindingAndProofTypes,
    /// `credential_signing_alg_values_supported` lists asymmetric algorithms (§12.2.4).
    SigningAlgs,
    /// A `scope` for every configuration (HAIP §4.6: the wallet asks by scope, HAIP §4.3).
    Scope,
}

impl ConfigurationCheck {
    fn expected(self) -> &'static str {
        match self {
            Self::Format => "a format string in every configuration, and a vct string in every dc+sd-jwt one",
            Self::BindingAndProofTypes => {
                "proof_types_supported present exactly when cryptographic_binding_methods_supported is, each with a non-empty proof_signing_alg_values_supported"
            }
            Self::SigningAlgs => {
                "credential_signing_alg_values_supported, when present, a non-empty array of asymmetric JWS algorithms (not none), or for mso_mdoc of asymmetric COSE algorithm identifiers"
            }
            Self::Scope => "a non-empty scope string in every credential configuration",
        }
    }

    /// The problem of one configuration, if any.
    fn problem(self, id: &str, c: &CredentialConfiguration) -> Option<String> {
        match self {
            Self::Format => match c.format.as_deref() {
                None => Some(format!("{id}: no format")),
                Some(f) if f == oid4vci::FORMAT_SD_JWT_VC && c.vct.is_none() => {
                    Some(format!("{id}: dc+sd-jwt without vct"))
                }
                _ => None,
            },
            Self::BindingAndProofTypes => {
                match (c.cryptographic_binding_methods_supported.is_some(), c.proof_types()) {
                    (true, None) => {
                        Some(format!("{id}: cryptographic_binding_methods_supported without proof_types_supported"))
                    }
                    (false, Some(_)) => {
                        Some(format!("{id}: proof_types_supported without cryptographic_binding_methods_supported"))
                    }
                    (_, Some(Ok(types))) => types.iter().find_map(|(name, algs)| match algs {
                        Some(a) if !a.is_empty() && a.iter().all(|x| is_asymmetric_alg(x)) => None,
                        _ => Some(format!("{id}: proof type {name} has no usable proof_signing_alg_values_supported")),
                    }),
                    (_, Some(Err(other))) => Some(format!("{id}: proof_types_supported is {other}")),
                    (false, None) => None,
                }
            }
            Self::SigningAlgs => match &c.credential_signing_alg_values_supported {
                None => None,
                Some(Value::Array(a))
                    if !a.is_empty() && a.iter().all(|x| x.as_str().is_some_and(is_asymmetric_alg)) =>
                {
                    None
                }
                // mso_mdoc lists numeric COSE algorithm identifiers (Appendix A.2.2).
                Some(Value::Array(a))
                    if c.format.as_deref() == Some(oid4vci::FORMAT_MSO_MDOC)
                        && !a.is_empty()
                        && a.iter().all(|x| x.as_i64().and_then(cose_alg).is_some_and(is_asymmetric_alg)) =>
                {
                    None
                }
                Some(other) => Some(format!("{id}: credential_signing_alg_values_supported = {other}")),
            },
            Self::Scope => match c.scope.as_deref() {
                Some(s) if !s.trim().is_empty() => None,
                _ => Some(format!("{id}: no scope")),
            },
        }
    }
}

async fn configurations(ctx: Ctx, ConfigurationRule { rule }: ConfigurationRule) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            if metadata.credential_configurations_supported.is_none() {
                return Err(precondition(
                    "credential issuer metadata",
                    "no credential_configurations_supported object",
                ));
            }
            let configurations = metadata.configurations();
            let mut problems = Vec::new();
            for (id, config) in &configurations {
                match config {
                    Ok(c) => problems.extend(rule.problem(id, c)),
                    Err(e) => problems.push(format!("{id}: {e}")),
                }
            }
            Ok(if problems.is_empty() {
                Outcome::pass(format!("{} configurations conform", configurations.len()))
            } else {
                Outcome::fail(rule.expected(), problems.join("; "))
            })
        }
        .await,
    )
}

async fn authorization_server(ctx: Ctx) -> Outcome {
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
            let as_metadata = match AuthorizationServerMetadata::parse_bytes(&response.body) {
                Ok(m) => m,
                Err(e) => return Ok(Outcome::fail("a JSON object", e.to_string())),
            };
            let mut problems = Vec::new();
            match &as_metadata.issuer {
                Some(i) if *i == as_id => {}
                other => problems.push(format!("issuer is {other:?}, not identical to {as_id:?} (RFC 8414 §3.3)")),
            }
            if as_metadata.token_endpoint.is_none() {
                problems.push("no token_endpoint".into());
            }
            if let Some(grants) = &as_metadata.grant_types_supported {
                let listed = grants.iter().any(|g| g == oid4vci::PRE_AUTHORIZED_GRANT);
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

async fn jwt_vc_issuer(ctx: Ctx) -> Outcome {
    if ctx.manifest.x5c_only() {
        return Outcome::skip(
            "the conformance statement says the issuer's keys travel in x5c headers (SD-JWT VC §2.5, Inline X.509 \
             Certificates), not in JWT VC Issuer Metadata; the credential's x5c chain is judged by VCI-ISS-SDJWT-003",
        );
    }
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let expected_issuer = wallet.issuer_id();
            let (status, body) = fetch_jwt_vc_issuer(&wallet).await?;
            if status != 200 {
                return Ok(Outcome::fail("HTTP 200", format!("HTTP {status}")));
            }
            let body = body.map_err(|e| Outcome::fail("a JSON object", e))?;
            let mut problems = Vec::new();
            match &body.issuer {
                Some(i) if *i == expected_issuer => {}
                other => problems.push(format!("issuer is {other:?}, not identical to {expected_issuer:?}")),
            }
            match (&body.jwks, &body.jwks_uri) {
                (Some(_), None) => {
                    if body.keys().is_none_or(|k| k.is_empty()) {
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

/// GET `/.well-known/jwt-vc-issuer` for the issuer identifier: status and the metadata.
pub(crate) async fn fetch_jwt_vc_issuer(wallet: &Wallet) -> Step<(u16, Result<JwtVcIssuerMetadata, String>)> {
    let url = well_known_url(&wallet.issuer_id(), sd_jwt_vc::WELL_KNOWN_JWT_VC_ISSUER)
        .map_err(|e| Outcome::error(e.to_string()))?;
    let response = wallet.ctx.http.get(&url, &[("Accept", "application/json")]).await?;
    Ok((response.status, JwtVcIssuerMetadata::parse_bytes(&response.body).map(|r| r.value).map_err(|e| e.to_string())))
}

/// The issuer's JWK Set from its JWT VC issuer metadata (`jwks`, or fetched from `jwks_uri`).
pub(crate) async fn issuer_jwks(wallet: &Wallet) -> Step<Value> {
    let (status, body) = fetch_jwt_vc_issuer(wallet).await?;
    let body = body.map_err(|e| precondition("JWT VC issuer metadata", format!("HTTP {status}: {e}")))?;
    if let Some(jwks) = body.jwks {
        return Ok(jwks);
    }
    if let Some(uri) = &body.jwks_uri {
        let response = wallet.ctx.http.get(uri, &[("Accept", "application/json")]).await?;
        return response.json().map_err(|e| precondition("jwks_uri", e));
    }
    Err(precondition("JWT VC issuer metadata", "neither jwks nor jwks_uri"))
}

async fn offer_consistent(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let offer = wallet.offer(false).await?.offer;
            wallet.ctx.evidence.artifact("credential offer", offer.to_json().to_string());
            let metadata = wallet.metadata().await?;
            let mut problems = Vec::new();
            if offer.credential_issuer != wallet.issuer_id() {
                problems.push(format!("credential_issuer is {:?}", offer.credential_issuer));
            }
            let configs = metadata.credential_configurations_supported.as_ref();
            if offer.credential_configuration_ids.is_empty() {
                problems.push("credential_configuration_ids is empty".into());
            }
            let mut seen = std::collections::HashSet::new();
            for id in &offer.credential_configuration_ids {
                if !seen.insert(id) {
                    problems.push(format!("{id:?} repeated"));
                } else if !configs.is_some_and(|c| c.contains_key(id)) {
                    problems.push(format!("{id:?} is not a key of credential_configurations_supported"));
                }
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

/// The JOSE name of a COSE algorithm identifier (RFC 9053; the fully specified ECDSA ones of
/// draft-ietf-jose-fully-specified-algorithms: -9 ES256/P-256, -51 ES384, -52 ES512, -19 Ed25519).
fn cose_alg(id: i64) -> Option<&'static str> {
    match id {
        -7 | -9 => Some("ES256"),
        -35 | -51 => Some("ES384"),
        -36 | -52 => Some("ES512"),
        -8 | -19 => Some("EdDSA"),
        _ => None,
    }
}

#[cfg(test)]
mod mdoc_tests {
    use super::*;

    /// OpenID4VCI's own mso_mdoc configuration example lists COSE algorithm identifiers, which the
    /// signing-algorithm check took for malformed JWS names.
    #[test]
    fn the_specifications_mso_mdoc_configuration_conforms() {
        let path = format!(
            "{}/../../../shared/vectors-public/openid4vci-1.0/1.0/examples/credential_metadata_mso_mdoc.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let config =
            CredentialConfiguration::parse(&value["credential_configurations_supported"]["org.iso.18013.5.1.mDL"])
                .unwrap()
                .value;
        assert_eq!(ConfigurationCheck::SigningAlgs.problem("mdl", &config), None);
        let mut none = config.clone();
        none.credential_signing_alg_values_supported = Some(serde_json::json!([0]));
        assert!(ConfigurationCheck::SigningAlgs.problem("mdl", &none).is_some());
    }
}
