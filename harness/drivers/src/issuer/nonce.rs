//! The nonce endpoint (§7).

use super::wallet::{Wallet, precondition};
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_http::HttpResponse;
use serde_json::Value;

/// One anonymous POST to the nonce endpoint; `Err(skip)` when the metadata names none.
async fn nonce_response(wallet: &Wallet) -> Result<HttpResponse, Outcome> {
    let metadata = wallet.metadata().await?;
    wallet.fetch_nonce(&metadata).await?.ok_or_else(|| Outcome::skip("the metadata has no nonce_endpoint"))
}

pub async fn response(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let response = nonce_response(&wallet).await?;
            let expected = "a 2xx application/json answer with a c_nonce string, without any access token (§7.1, §7.2)";
            if !(200..300).contains(&response.status) {
                return Ok(Outcome::fail(expected, format!("HTTP {}", response.status)));
            }
            Ok(match response.json_object() {
                Ok(b) if b.get("c_nonce").and_then(Value::as_str).is_some_and(|s| !s.is_empty()) => {
                    Outcome::pass("c_nonce issued to an anonymous request")
                }
                Ok(b) => Outcome::fail(expected, format!("c_nonce {:?}", b.get("c_nonce"))),
                Err(e) => Outcome::fail(expected, e),
            })
        }
        .await,
    )
}

pub async fn no_store(ctx: Ctx) -> Outcome {
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

pub async fn unpredictable(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let mut seen = Vec::new();
            for _ in 0..3 {
                match wallet.nonce(&metadata).await? {
                    Some(n) => seen.push(n),
                    None => return Ok(Outcome::skip("the metadata has no nonce_endpoint")),
                }
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
