//! A wallet's answer to a request's DCQL query, once for the reference wallet and the harness as
//! wallet: which held credentials to present and with which claims (`dcql::select`), each
//! presentation with its key binding ([`super::holder::presentation`]), and the `vp_token` keyed by
//! credential query id (§8.1).

use super::holder::{PresentationSpec, Request, VpTokenShape, presentation};
use crate::dcql::select::{self, Candidate, Pick};
use crate::dcql::{CredentialQuery, Query};
use crate::jose::EcKey;
use crate::sdjwt::SdJwt;
use crate::seed::Entropy;
use serde_json::{Map, Value};
use std::borrow::Borrow;

/// A held SD-JWT VC: the credential, the key it is bound to, its processed claims and its
/// issuer's `x5c` chain.
#[derive(Debug, Clone)]
pub struct HeldSdJwt {
    pub sd: SdJwt,
    pub key: EcKey,
    pub claims: Map<String, Value>,
    pub chain: Vec<Vec<u8>>,
}

impl HeldSdJwt {
    /// Reads a stored credential; `Err` when it is not an SD-JWT whose disclosures process.
    pub fn new(sd: SdJwt, key: EcKey) -> Result<Self, String> {
        let claims = sd.process().map_err(|e| e.to_string())?.claims;
        let chain = sd
            .issuer_jwt
            .header
            .get("x5c")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).filter_map(|c| crate::b64::decode_std(c).ok()).collect())
            .unwrap_or_default();
        Ok(Self { sd, key, claims, chain })
    }

    fn candidate(&self) -> Candidate<'_> {
        Candidate { format: crate::oid4vci::FORMAT_SD_JWT_VC, claims: &self.claims, chain: &self.chain }
    }
}

/// What to present for `request` from `held` (preferred first), as `spec.dcql` selects; `Err`
/// (beginning `access_denied`) when the query cannot be satisfied. `held` may be shared
/// (`Arc<HeldSdJwt>`): a wallet answers from what it holds without copying it.
pub fn choose<H: Borrow<HeldSdJwt>>(
    held: &[H],
    request: &Request,
    spec: &PresentationSpec,
) -> Result<Vec<Pick>, String> {
    let query = request.params.dcql_query.as_ref().ok_or("the request has no dcql_query")?;
    let query = Query::parse(query)?;
    let candidates: Vec<Candidate<'_>> = held.iter().map(|h| h.borrow().candidate()).collect();
    select::choose(&query, &candidates, &spec.dcql)
}

/// The `vp_token` answering `request` with the presentations of `picks` (from `held`), shaped by
/// `spec`.
pub fn vp_token<H: Borrow<HeldSdJwt>>(
    held: &[H],
    picks: &[Pick],
    request: &Request,
    spec: &PresentationSpec,
    entropy: &Entropy,
) -> Result<Value, String> {
    let mut keyed = Map::new();
    for pick in picks {
        let credential = held.get(pick.candidate).ok_or("a pick names no held credential")?.borrow();
        let presented = presentation(&credential.sd, &credential.key, &pick.query, request, spec, entropy)?;
        if spec.vp_token == VpTokenShape::Bare {
            return Ok(Value::String(presented));
        }
        match keyed.entry(pick.query_id.clone()).or_insert_with(|| Value::Array(Vec::new())) {
            Value::Array(list) => list.push(Value::String(presented)),
            _ => return Err("vp_token entry is not an array".into()),
        }
    }
    Ok(Value::Object(keyed))
}

/// A pick of `credential` (the only one held) for `query`, whatever its claims: what the harness
/// as wallet presents when a case's deviation makes its credential match nothing, so that the
/// verifier under test judges it.
pub fn forced_pick(query: &CredentialQuery) -> Pick {
    Pick { query_id: query.id.clone(), candidate: 0, query: query.clone() }
}
