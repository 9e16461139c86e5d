//! The nonce endpoint (§7).

use super::wallet::{Wallet, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::message::NonceResponse;

driver!("oid4vci.issuer.nonce.response", binding::ISSUER, response);
driver!("oid4vci.issuer.nonce.no_store", binding::ISSUER, no_store);
driver!("oid4vci.issuer.nonce.unpredictable", binding::ISSUER, unpredictable);

/// The nonce endpoint's URL; `Err(skip)` when the metadata names none.
async fn endpoint(wallet: &Wallet) -> Result<String, Outcome> {
    let metadata = wallet.metadata().await?;
    metadata.nonce_endpoint.ok_or_else(|| Outcome::skip("the metadata has no nonce_endpoint"))
}

/// One anonymous POST to the nonce endpoint.
async fn nonce_response(wallet: &Wallet) -> Result<HttpResponse, Outcome> {
    let url = endpoint(wallet).await?;
    wallet.client.post_nonce(&url).await.map_err(|e| wallet.flow(e))
}

async fn response(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let response = nonce_response(&wallet).await?;
            let expected = "a 2xx application/json answer with a c_nonce string, without any access token (§7.1, §7.2)";
            if !(200..300).contains(&response.status) {
                return Ok(Outcome::fail(expected, format!("HTTP {}", response.status)));
            }
            Ok(match NonceResponse::parse_bytes(&response.body) {
                Ok(n) if !n.c_nonce.is_empty() => Outcome::pass("c_nonce issued to an anonymous request"),
                Ok(_) => Outcome::fail(expected, "an empty c_nonce"),
                Err(e) => Outcome::fail(expected, e.to_string()),
            })
        }
        .await,
    )
}

async fn no_store(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let response = nonce_response(&wallet).await?;
            if !(200..300).contains(&response.status) {
                return Err(precondition("nonce endpoint", format!("HTTP {}", response.status)));
            }
            Ok(if response.no_store() {
                Outcome::pass(format!("Cache-Control {:?}", response.header("cache-control").unwrap_or_default()))
            } else {
                Outcome::fail(
                    "Cache-Control including no-store",
                    format!("Cache-Control {:?}", response.header("cache-control")),
                )
            })
        }
        .await,
    )
}

async fn unpredictable(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let url = endpoint(&wallet).await?;
            let mut seen = Vec::new();
            for _ in 0..3 {
                seen.push(wallet.client.nonce(&url, None).await.map_err(|e| wallet.flow(e))?);
            }
            let distinct: std::collections::HashSet<&String> = seen.iter().collect();
            Ok(if distinct.len() == seen.len() {
                Outcome::pass(format!("{} requests, {} distinct c_nonce values", seen.len(), distinct.len()))
            } else {
                Outcome::fail(
                    "a new, unpredictable c_nonce on each request",
                    format!("{} requests gave {} distinct values", seen.len(), distinct.len()),
                )
            })
        }
        .await,
    )
}
