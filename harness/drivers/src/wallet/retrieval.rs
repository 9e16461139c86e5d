//! How a wallet under test fetched the counterpart verifier's request object (OpenID4VP §5.10):
//! with `request_uri_method=post`, a POST of its metadata and a fresh `wallet_nonce`.

use super::stack::Stack;
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vp::message::WalletMetadata;
use serde::Deserialize;

/// What the wallet must have done fetching the request object.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FetchExpect {
    /// A form POST (§5.10) carrying a `wallet_nonce` and `wallet_metadata` that is a JSON object of
    /// wallet metadata (§10).
    PostWithNonce,
}

/// Judges the wallet's fetches of the stack verifier's request objects as `expect` says; `Err` is
/// the case's failure.
pub(crate) fn judge_fetch(ctx: &Ctx, stack: &Stack, expect: FetchExpect) -> Result<(), Outcome> {
    let fetches = stack.verifier_fetches.lock().unwrap_or_else(|p| p.into_inner()).clone();
    ctx.evidence.note(format!("the wallet's fetches of the request object: {fetches:?}"));
    let FetchExpect::PostWithNonce = expect;
    let expected = "the request object fetched by a form POST with wallet_nonce and wallet_metadata (OpenID4VP §5.10)";
    let Some(first) = fetches.first() else {
        return Err(Outcome::fail(expected, "the wallet never fetched the request object"));
    };
    let form = first.content_type.as_deref().is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if first.method != "POST" || !form {
        return Err(Outcome::fail(
            expected,
            format!("{} with content type {:?}", first.method, first.content_type.as_deref().unwrap_or("none")),
        ));
    }
    let nonce = first.wallet_nonce.as_deref().unwrap_or_default();
    if nonce.is_empty() {
        return Err(Outcome::fail(expected, "a POST without wallet_nonce"));
    }
    if let Some(metadata) = &first.wallet_metadata
        && let Err(e) = WalletMetadata::parse_bytes(metadata.as_bytes())
    {
        return Err(Outcome::fail("wallet_metadata a JSON object of wallet metadata (§5.10, §10)", e.to_string()));
    }
    Ok(())
}
