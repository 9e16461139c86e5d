//! Signed credential issuer metadata (OpenID4VCI 1.0 §12.2.2, §12.2.3): asked for with
//! `Accept: application/jwt`, the metadata comes as a JWT typed `openidvci-issuer-metadata+jwt`,
//! signed with an asymmetric algorithm, `sub` the Credential Issuer Identifier, with `iat`, and the
//! unsigned document's members as its claims, unchanged. The key: the leaf of its `x5c`, else its
//! `kid` in the issuer's JWT VC issuer metadata (the text leaves the mechanism open, §12.2.3).

use super::wallet::{Wallet, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::jose::{CompactJws, jwk_from_certificate};
use dialtone_protocols::oid4vci::signed_metadata::{self, MEDIA_TYPE};
use dialtone_protocols::oid4vci::well_known_url;
use dialtone_protocols::sd_jwt_vc::WELL_KNOWN_JWT_VC_ISSUER;
use serde_json::Value;

driver!("oid4vci.issuer.signed_metadata", binding::ISSUER, signed);

/// The key that signed `jws`, by `x5c` or by `kid` in the issuer's JWT VC issuer metadata.
async fn signing_key(wallet: &Wallet, jws: &CompactJws) -> Result<Value, String> {
    if let Some(leaf) = jws.header.get("x5c").and_then(Value::as_array).and_then(|c| c.first()).and_then(Value::as_str)
    {
        let der = dialtone_protocols::b64::decode_std(leaf).map_err(|e| format!("x5c[0]: {e}"))?;
        return jwk_from_certificate(&der).map_err(|e| format!("x5c[0]: {e}"));
    }
    let kid = jws.header.get("kid").and_then(Value::as_str).ok_or("the header names its key by neither x5c nor kid")?;
    let url = well_known_url(&wallet.issuer_id(), WELL_KNOWN_JWT_VC_ISSUER).map_err(|e| e.to_string())?;
    let response = wallet.ctx.http.get(&url, &[("Accept", "application/json")]).await.map_err(|e| e.to_string())?;
    let document = response.json().map_err(|e| format!("JWT VC issuer metadata: {e}"))?;
    document
        .get("jwks")
        .and_then(|j| j.get("keys"))
        .and_then(Value::as_array)
        .and_then(|keys| keys.iter().find(|k| k.get("kid").and_then(Value::as_str) == Some(kid)))
        .cloned()
        .ok_or_else(|| format!("kid {kid:?} is not in the issuer's JWT VC issuer metadata"))
}

async fn signed(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let unsigned = wallet.fetch_metadata().await?;
            let unsigned = unsigned.json().map_err(|e| precondition("credential issuer metadata endpoint", e))?;
            let response =
                wallet.client.fetch_signed_issuer_metadata(&wallet.issuer_id()).await.map_err(|e| wallet.flow(e))?;
            let expected = "HTTP 200, application/jwt, a JWT as §12.2.3 says whose claims hold the unsigned metadata";
            if response.status != 200 || response.media_type().as_deref() != Some(MEDIA_TYPE) {
                return Ok(Outcome::fail(
                    expected,
                    format!("HTTP {}, Content-Type {:?}", response.status, response.media_type()),
                ));
            }
            let text = String::from_utf8_lossy(&response.body).trim().to_string();
            wallet.ctx.evidence.artifact("signed metadata", text.clone());
            let jws = CompactJws::parse(&text).map_err(|e| Outcome::fail(expected, format!("not a JWS: {e}")))?;
            let key = signing_key(&wallet, &jws)
                .await
                .map_err(|e| Outcome::fail("a key to verify the signed metadata with", e))?;
            let problems = signed_metadata::check(&text, &wallet.issuer_id(), &unsigned, Some(&key));
            Ok(if problems.is_empty() {
                Outcome::pass(format!(
                    "typed {:?}, signed, sub the issuer, claims equal to the unsigned metadata",
                    signed_metadata::TYP
                ))
            } else {
                Outcome::fail(expected, problems.join("; "))
            })
        }
        .await,
    )
}
