//! How the reference verifier judges a presentation: the shared SD-JWT VC verification of
//! `dialtone_protocols::sd_jwt_vc::verify`, with what it fetches itself — the issuer's keys (JWT VC
//! Issuer Metadata), its status list, and the trust registry's answer.

use super::behaviour::{Behaviour, CnfMembers};
use crate::seam::Seams;
use dialtone_http::HttpClient;
use dialtone_protocols::dcql::CredentialQuery;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::well_known_url;
use dialtone_protocols::oid4vp::transaction_data;
use dialtone_protocols::sd_jwt_vc::verify::{Checks, Expectation, issuer_signature, presented_claims};
use dialtone_protocols::sd_jwt_vc::{JwtVcIssuerMetadata, WELL_KNOWN_JWT_VC_ISSUER};
use dialtone_protocols::sdjwt::SdJwt;
use dialtone_protocols::status_list::{self, StatusReference};
use serde_json::{Map, Value, json};

/// Clock skew and KB-JWT freshness window, in seconds.
pub(crate) const SKEW: i64 = 300;

pub struct Judge<'a> {
    pub(crate) behaviour: &'a Seams<Behaviour>,
    pub http: &'a HttpClient,
    pub(crate) registry_url: &'a str,
    pub authority_id: &'a str,
    pub client_id: &'a str,
    /// Roots an issuer's `x5c` chain may lead to.
    pub x5c_roots: &'a [Vec<u8>],
    /// The transaction data the request sent, as sent (§5.1).
    pub transaction_data: &'a [String],
}

impl Judge<'_> {
    async fn get(&self, url: &str, accept: &str) -> Result<dialtone_http::HttpResponse, String> {
        self.http.get(url, &[("Accept", accept)]).await.map_err(|e| format!("GET {url}: {e}"))
    }

    /// Verifies one presentation for `query`; returns the disclosed claims or why it is rejected.
    pub async fn presentation(
        &self,
        text: &str,
        query: &CredentialQuery,
        nonce: &str,
        now: i64,
    ) -> Result<Map<String, Value>, String> {
        let b = self.behaviour;
        let mut sd = SdJwt::parse(text).map_err(|e| format!("not an SD-JWT presentation: {e}"))?;
        // Issuer signature by a key discovery mechanism of SD-JWT VC §2.5: the x5c header when
        // present, else JWT VC Issuer Metadata. The status list token is judged with the same keys.
        let iss = sd.issuer_jwt.payload.get("iss").and_then(Value::as_str).ok_or("no iss")?.to_string();
        let mut jwks = Value::Null;
        if sd.issuer_jwt.header.contains_key("x5c") {
            if *b.issuer_signature_checked() {
                let key = issuer_signature(&sd.issuer_jwt, None, self.x5c_roots, now)
                    .map_err(|e| format!("issuer signature (x5c): {e}"))?;
                jwks = json!({ "keys": [key.jwk] });
            }
        } else {
            let url = well_known_url(&iss, WELL_KNOWN_JWT_VC_ISSUER).map_err(|e| e.to_string())?;
            let response = self.get(&url, "application/json").await?;
            let metadata = JwtVcIssuerMetadata::parse_bytes(&response.body).map_err(|e| format!("GET {url}: {e}"))?;
            if metadata.issuer.as_deref() != Some(iss.as_str()) {
                return Err("JWT VC issuer metadata names another issuer".into());
            }
            jwks = metadata.value.jwks.clone().ok_or("the issuer publishes no jwks")?;
            if *b.issuer_signature_checked() && issuer_signature(&sd.issuer_jwt, Some(&jwks), &[], now).is_err() {
                return Err("the issuer's signature does not verify with its published keys".into());
            }
        }
        let aud = if *b.kb_aud_without_prefix() {
            dialtone_protocols::oid4vp::split_client_id(self.client_id).1
        } else {
            self.client_id
        };
        cnf_members(&sd, *b.cnf_members())?;
        let expectation = Expectation { query, nonce, aud, now, skew: SKEW };
        let unchecked_dc_api_aud =
            aud.starts_with(dialtone_protocols::oid4vp::dc_api::ORIGIN_PREFIX) && !*b.dc_api_aud_checked();
        let present = |checks: &Checks| {
            let mut checks = *checks;
            if unchecked_dc_api_aud {
                checks.kb.aud = false;
            }
            let mut presented = sd.clone();
            presented_claims(&mut presented, &expectation, &checks).map(|claims| (claims, presented))
        };
        let (claims, presented) = b.judged_by("checks", |b| &b.checks, Behaviour::other_checks, present)?;
        sd = presented;
        // Transaction data bound into the key binding JWT (§8.4, §B.3.3.1).
        if *b.transaction_data_checked()
            && let Some(kb) = &sd.kb_jwt
        {
            transaction_data::verify_kb(
                &kb.payload,
                self.transaction_data,
                &query.id,
                *b.transaction_data_hash_input(),
            )
            .map_err(|e| format!("transaction data: {e}"))?;
        }
        // Status (Token Status List §8.3); a credential without a status claim has none to check.
        if *b.status_checked()
            && let Ok(reference) = StatusReference::from_claims(&claims)
        {
            let response = self.get(&reference.uri, status_list::MEDIA_TYPE).await?;
            let token = String::from_utf8_lossy(&response.body).trim().to_string();
            let list = status_list::verify_token(&token, &jwks, &reference.uri, now)
                .map_err(|e| format!("status list: {e}"))?;
            match list.get(reference.idx).map_err(|e| format!("status list: {e}"))? {
                status_list::VALID => {}
                status_list::SUSPENDED if *b.suspended_accepted() => {}
                status_list::SUSPENDED => return Err("the credential is suspended".into()),
                other => return Err(format!("the credential's status is 0x{other:02x} (not valid)")),
            }
        }
        // Trust registry: is the issuer authorized to issue this type (TRQP v2)?
        if *b.registry_checked() {
            let vct = claims.get("vct").and_then(Value::as_str).unwrap_or_default();
            let query =
                json!({ "entity_id": iss, "authority_id": self.authority_id, "action": "issue", "resource": vct });
            let url = format!("{}/authorization", self.registry_url.trim_end_matches('/'));
            let answer = self.http.post_json(&url, &query, &[]).await.map_err(|e| format!("registry: {e}"))?;
            let body = answer.json().unwrap_or(Value::Null);
            if answer.status != 200 || body.get("authorized") != Some(&Value::Bool(true)) {
                return Err(format!(
                    "the trust registry does not authorize {iss} to issue {vct} (HTTP {})",
                    answer.status
                ));
            }
        }
        Ok(claims)
    }
}

/// The mutants' demands of `cnf.jwk`'s members; the correct verifier demands nothing beyond the key,
/// which the key binding check reads.
fn cnf_members(sd: &SdJwt, demand: CnfMembers) -> Result<(), String> {
    let Some(jwk) = sd.issuer_jwt.payload.get("cnf").and_then(|c| c.get("jwk")).and_then(Value::as_object) else {
        return Ok(());
    };
    match demand {
        CnfMembers::KeyOnly => Ok(()),
        CnfMembers::RequiresKid if !jwk.contains_key("kid") => Err("the holder key (cnf.jwk) has no kid".into()),
        CnfMembers::RefusesOptional if jwk.keys().any(|k| !["kty", "crv", "x", "y"].contains(&k.as_str())) => {
            Err("the holder key (cnf.jwk) has members other than kty, crv, x, y".into())
        }
        _ => Ok(()),
    }
}
