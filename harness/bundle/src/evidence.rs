//! The digests of a report's evidence, computed from `report.json` as parsed JSON, the same way
//! when sealing and when verifying (so they do not depend on how the file is spaced, nor on the
//! version of dialtone that reads it).

use crate::digest::sha256_canonical;
use serde_json::{Value, json};

/// Each result's id and the digest of its `evidence`, and the digest of them all.
pub(crate) struct EvidenceDigests {
    pub per_result: Vec<(String, String)>,
    pub full: String,
}

pub(crate) fn digests(report: &Value) -> Result<EvidenceDigests, String> {
    let results = report.get("results").and_then(Value::as_array).ok_or("no results array")?;
    let mut per_result = Vec::with_capacity(results.len());
    let mut all = Vec::with_capacity(results.len());
    for (i, r) in results.iter().enumerate() {
        let id = r.get("id").and_then(Value::as_str).ok_or_else(|| format!("result {i} has no id"))?;
        let evidence = r.get("evidence").cloned().unwrap_or(Value::Array(Vec::new()));
        per_result.push((id.to_string(), sha256_canonical(&evidence)?));
        all.push(json!({ "id": id, "evidence": evidence }));
    }
    let full = sha256_canonical(&Value::Array(all))?;
    Ok(EvidenceDigests { per_result, full })
}
