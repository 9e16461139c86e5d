//! How a wallet under test fetched the counterpart verifier's request object (OpenID4VP §5.10):
//! with `request_uri_method=post`, a form POST, optionally with its metadata and a fresh
//! `wallet_nonce` (both OPTIONAL in §5.10).

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
    /// A form POST (§5.10); `wallet_metadata`, when sent, a JSON object of wallet metadata (§10).
    Post,
    /// ... carrying a `wallet_nonce` too (OPTIONAL, §5.10: what lets the wallet detect a replayed
    /// request object).
    PostWithNonce,
}

/// Why the fetches do not show what was expected: the expectation and what was seen.
pub(crate) struct FetchMismatch {
    pub expected: &'static str,
    pub observed: String,
}

impl From<FetchMismatch> for Outcome {
    fn from(m: FetchMismatch) -> Self {
        Outcome::fail(m.expected, m.observed)
    }
}

/// Judges the wallet's fetches of the stack verifier's request objects as `expect` says; `Err` says
/// what the fetches do not show.
pub(crate) fn judge_fetch(ctx: &Ctx, stack: &Stack, expect: FetchExpect) -> Result<(), FetchMismatch> {
    let fetches = stack.verifier_fetches.lock().unwrap_or_else(|p| p.into_inner()).clone();
    ctx.evidence.note(format!("the wallet's fetches of the request object: {fetches:?}"));
    let expected = match expect {
        FetchExpect::Post => "the request object fetched by a form POST (OpenID4VP §5.10)",
        FetchExpect::PostWithNonce => "the request object fetched by a form POST with a wallet_nonce (OpenID4VP §5.10)",
    };
    let mismatch = |observed: String| FetchMismatch { expected, observed };
    let Some(first) = fetches.first() else {
        return Err(mismatch("the wallet never fetched the request object".into()));
    };
    let form = first.content_type.as_deref().is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if first.method != "POST" || !form {
        return Err(mismatch(format!(
            "{} with content type {:?}",
            first.method,
            first.content_type.as_deref().unwrap_or("none")
        )));
    }
    if let Some(metadata) = &first.wallet_metadata
        && let Err(e) = WalletMetadata::parse_bytes(metadata.as_bytes())
    {
        return Err(FetchMismatch {
            expected: "wallet_metadata a JSON object of wallet metadata (§5.10, §10)",
            observed: e.to_string(),
        });
    }
    if matches!(expect, FetchExpect::PostWithNonce) && first.wallet_nonce.as_deref().unwrap_or_default().is_empty() {
        return Err(mismatch("a POST without wallet_nonce".into()));
    }
    Ok(())
}
