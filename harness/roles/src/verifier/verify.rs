//! How the reference verifier judges a presentation. Each step names the rule it applies; the
//! fault hooks are the only difference between the reference and its mutants.

use super::mutants::VerifierFault as F;
use dialtone_protocols::dcql::CredentialQuery;
use dialtone_protocols::oid4vci::well_known_url;
use dialtone_protocols::sd_jwt_vc::WELL_KNOWN_JWT_VC_ISSUER;
use dialtone_protocols::sdjwt::{KbError, SdJwt, SdJwtError, verify_key_binding};
use dialtone_protocols::status_list::{self, StatusReference};
use serde_json::{Map, Value, json};

/// Clock skew and KB-JWT freshness window, in seconds.
pub const SKEW: i64 = 300;

pub struct Judge<'a> {
    pub fault: Option<F>,
    pub http: &'a reqwest::Client,
    pub registry_url: &'a str,
    pub authority_id: &'a str,
    pub client_id: &'a str,
    /// Roots an issuer's `x5c` chain may lead to.
    pub x5c_roots: &'a [Vec<u8>],
}

impl Judge<'_> {
    fn faulty(&self, f: F) -> bool {
        self.fault == Some(f)
    }

    async fn get_json(&self, url: &str) -> Result<Value, String> {
        let response = self.http.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        let bytes = response.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("GET {url}: not JSON: {e}"))
    }

    async fn get_text(&self, url: &str) -> Result<String, String> {
        let response = self
            .http
            .get(url)
            .header("Accept", status_list::MEDIA_TYPE)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        response.text().await.map_err(|e| format!("GET {url}: {e}"))
    }

    /// Verifies one presentation for `query`; returns the disclosed claims or why it is rejected.
    pub async fn presentation(
        &self,
        text: &str,
        query: &CredentialQuery,
        nonce: &str,
        now: i64,
    ) -> Result<Map<String, Value>, String> {
        let mut sd = SdJwt::parse(text).map_err(|e| format!("not an SD-JWT presentation: {e}"))?;
        // Issuer signature by a key discovery mechanism of SD-JWT VC §2.5 (RFC 9901 §7.1 step 2): the
        // x5c header when present (its chain to a root this verifier trusts), else JWT VC Issuer
        // Metadata.
        let iss = sd.issuer_jwt.payload.get("iss").and_then(Value::as_str).ok_or("no iss")?.to_string();
        let mut jwks = Value::Null;
        if sd.issuer_jwt.header.contains_key("x5c") {
            if !self.faulty(F::IssuerSignatureUnchecked) {
                let (key, _) = dialtone_protocols::sd_jwt_vc::verify_x5c(&sd.issuer_jwt, self.x5c_roots, now)
                    .map_err(|e| format!("issuer signature (x5c): {e}"))?;
                // The issuer's status list token is then judged with the same end-entity key.
                jwks = serde_json::json!({ "keys": [key] });
            }
        } else {
            let metadata_url = well_known_url(&iss, WELL_KNOWN_JWT_VC_ISSUER).map_err(|e| e.to_string())?;
            let metadata = self.get_json(&metadata_url).await?;
            if metadata.get("issuer").and_then(Value::as_str) != Some(iss.as_str()) {
                return Err("JWT VC issuer metadata names another issuer".into());
            }
            jwks = metadata.get("jwks").cloned().ok_or("the issuer publishes no jwks")?;
            if !self.faulty(F::IssuerSignatureUnchecked) {
                let kid = sd.issuer_jwt.header.get("kid").and_then(Value::as_str);
                let verified = jwks
                    .get("keys")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)
                    .filter_map(|k| dialtone_protocols::jose::verifying_key_from_jwk(k).ok())
                    .any(|k| sd.issuer_jwt.verify_es256(&k).is_ok());
                if !verified {
                    return Err("the issuer's signature does not verify with its published keys".into());
                }
            }
        }
        // Disclosures (RFC 9901 §7.1 step 3–5).
        let processed = match sd.process() {
            _ if self.faulty(F::DisclosuresNotHashed) => {
                // The fault: claims straight from the disclosures, by name, with no digest matching.
                let mut claims = sd.issuer_jwt.payload.clone();
                claims.remove("_sd");
                claims.remove("_sd_alg");
                for d in &sd.disclosures {
                    if let Some(name) = &d.name {
                        claims.insert(name.clone(), d.value.clone());
                    }
                }
                dialtone_protocols::sdjwt::Processed { claims, disclosed: Vec::new(), embedded_digests: 0 }
            }
            Ok(p) => p,
            Err(SdJwtError::UnreferencedDisclosure { digest }) if self.faulty(F::AcceptsUnreferencedDisclosure) => {
                let alg = sd.hash_alg().map_err(|e| e.to_string())?;
                sd.disclosures.retain(|d| alg.digest(&d.encoded) != digest);
                sd.process().map_err(|e| e.to_string())?
            }
            Err(e) => return Err(format!("disclosures: {e}")),
        };
        let claims = processed.claims;
        // Key binding (RFC 9901 §7.3, OpenID4VP §B.3.6: aud is the client identifier).
        if query.require_holder_binding {
            let aud = if self.faulty(F::KbAudWithoutPrefix) {
                dialtone_protocols::oid4vp::split_client_id(self.client_id).1
            } else {
                self.client_id
            };
            match verify_key_binding(&sd, nonce, aud, now, SKEW) {
                Ok(()) => {}
                Err(KbError::Missing) if self.faulty(F::KbOptional) => {}
                Err(KbError::Nonce(_)) if self.faulty(F::IgnoresNonce) => {}
                Err(KbError::Audience(_)) if self.faulty(F::AcceptsAnyAud) => {}
                Err(KbError::Iat { .. }) if self.faulty(F::AcceptsStaleKb) => {}
                Err(KbError::SdHash { .. }) if self.faulty(F::IgnoresSdHash) => {}
                Err(KbError::Signature(_)) if self.faulty(F::KbSignatureUnchecked) => {}
                Err(e) => return Err(format!("key binding: {e}")),
            }
        }
        // The type asked for, and every requested claim (OpenID4VP §6.4).
        let vct = claims.get("vct").and_then(Value::as_str).unwrap_or_default().to_string();
        if let Some(values) = &query.vct_values
            && !values.contains(&vct)
            && !self.faulty(F::IgnoresVct)
        {
            return Err(format!("vct {vct:?} is not one of {values:?}"));
        }
        if !query.matches(&claims) && !self.faulty(F::AcceptsMissingClaims) && !self.faulty(F::IgnoresVct) {
            return Err("the presentation does not disclose every requested claim".into());
        }
        // Validity period (SD-JWT VC §2.2.2.3).
        let time = |name: &str| claims.get(name).and_then(Value::as_i64);
        if let Some(exp) = time("exp")
            && exp <= now
            && !self.faulty(F::IgnoresExpiry)
        {
            return Err(format!("the credential expired at {exp}"));
        }
        if let Some(nbf) = time("nbf")
            && nbf > now + SKEW
            && !self.faulty(F::IgnoresNbf)
        {
            return Err(format!("the credential is not valid before {nbf}"));
        }
        // Status (Token Status List §8.3).
        // A credential without a status claim has no status to check (the claim is optional).
        if !self.faulty(F::IgnoresStatus)
            && let Ok(reference) = StatusReference::from_claims(&claims)
        {
            let token = self.get_text(&reference.uri).await?;
            let list = status_list::verify_token(token.trim(), &jwks, &reference.uri, now)
                .map_err(|e| format!("status list: {e}"))?;
            match list.get(reference.idx).map_err(|e| format!("status list: {e}"))? {
                status_list::VALID => {}
                status_list::SUSPENDED if self.faulty(F::SuspendedAccepted) => {}
                status_list::SUSPENDED => return Err("the credential is suspended".into()),
                other => return Err(format!("the credential's status is 0x{other:02x} (not valid)")),
            }
        }

        // Trust registry: is the issuer authorized to issue this type (TRQP v2)?
        if !self.faulty(F::IgnoresRegistry) {
            let query =
                json!({ "entity_id": iss, "authority_id": self.authority_id, "action": "issue", "resource": vct });
            let url = format!("{}/authorization", self.registry_url.trim_end_matches('/'));
            let answer = self.http.post(&url).json(&query).send().await.map_err(|e| format!("registry: {e}"))?;
            let status = answer.status().as_u16();
            let body: Value = answer.json().await.unwrap_or(Value::Null);
            if status != 200 || body.get("authorized") != Some(&Value::Bool(true)) {
                return Err(format!("the trust registry does not authorize {iss} to issue {vct} (HTTP {status})"));
            }
        }
        Ok(claims)
    }
}
