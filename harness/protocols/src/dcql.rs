//! Digital Credentials Query Language (OpenID4VP 1.0 §6): credential queries with `id`, `format`,
//! `meta.vct_values`, `claims` with claims path pointers (§7) and `claim_sets`, `multiple`,
//! `trusted_authorities` (§6.1.1), and the query's `credential_sets` (§6.2) — validation of the
//! query's shape and matching of a processed credential. What a wallet chooses to present for a
//! query, and whether a response satisfies it, is [`select`]'s; issuer trust, [`trusted`]'s.

pub mod select;
pub mod trusted;

use serde_json::{Map, Value};
pub use trusted::TrustedAuthority;

/// A whole DCQL query (§6): its credential queries and, if it has them, its credential sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub credentials: Vec<CredentialQuery>,
    pub credential_sets: Option<Vec<CredentialSet>>,
}

/// A Credential Set Query (§6.2): alternatives (`options`, each a list of credential query ids),
/// one of which satisfies it; `required` unless it says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSet {
    pub options: Vec<Vec<String>>,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CredentialQuery {
    pub id: String,
    pub format: String,
    pub vct_values: Option<Vec<String>>,
    /// Claims path pointers; `None` elements select all array elements.
    pub claims: Vec<Vec<PathElement>>,
    /// For each claim (same order), the values it must take (§6.3 `values`), if constrained.
    pub values: Vec<Option<Vec<Value>>>,
    /// Each claim's `id` (same order), required when the query has `claim_sets` (§6.3).
    pub claim_ids: Vec<Option<String>>,
    /// Alternative combinations of claim ids, the verifier's preferred first (§6.1, §6.4.1).
    pub claim_sets: Option<Vec<Vec<String>>>,
    pub multiple: bool,
    pub require_holder_binding: bool,
    /// `meta.doctype_value` of an `mso_mdoc` query (Appendix B.2).
    pub doctype_value: Option<String>,
    /// Authorities the verifier accepts issuers from (§6.1.1); empty when the query names none.
    pub trusted_authorities: Vec<TrustedAuthority>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathElement {
    Key(String),
    Index(u64),
    All,
}

/// Parses and validates a DCQL query object; the error says what is malformed.
pub fn parse(query: &Value) -> Result<Vec<CredentialQuery>, String> {
    Query::parse(query).map(|q| q.credentials)
}

/// An identifier of DCQL (§6.1, §6.3): non-empty, alphanumeric, `_` or `-`.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Query {
    /// Parses and validates a DCQL query object, credential sets included; the error says what is
    /// malformed.
    pub fn parse(query: &Value) -> Result<Self, String> {
        let credentials = parse_credentials(query)?;
        let credential_sets = match query.get("credential_sets") {
            None => None,
            Some(sets) => Some(parse_sets(sets, &credentials)?),
        };
        Ok(Self { credentials, credential_sets })
    }

    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

fn parse_sets(sets: &Value, credentials: &[CredentialQuery]) -> Result<Vec<CredentialSet>, String> {
    let sets = sets.as_array().filter(|a| !a.is_empty()).ok_or("credential_sets must be a non-empty array (§6)")?;
    let mut out = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let options = set
            .get("options")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or(format!("credential_sets[{i}].options must be a non-empty array (§6.2)"))?;
        let mut parsed = Vec::new();
        for (j, option) in options.iter().enumerate() {
            let ids = option
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or(format!("credential_sets[{i}].options[{j}] must be a non-empty array of ids (§6.2)"))?;
            let mut list = Vec::new();
            for id in ids {
                let id = id.as_str().ok_or(format!("credential_sets[{i}].options[{j}] holds {id}, not an id"))?;
                if !credentials.iter().any(|c| c.id == id) {
                    return Err(format!(
                        "credential_sets[{i}].options[{j}] names {id:?}, which no credential query has (§6.2)"
                    ));
                }
                list.push(id.to_string());
            }
            parsed.push(list);
        }
        let required = match set.get("required") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(other) => return Err(format!("credential_sets[{i}].required is {other}, not a boolean")),
        };
        out.push(CredentialSet { options: parsed, required });
    }
    Ok(out)
}

fn parse_credentials(query: &Value) -> Result<Vec<CredentialQuery>, String> {
    let credentials = query
        .get("credentials")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or("credentials must be a non-empty array (§6)")?;
    let mut out = Vec::new();
    for (i, c) in credentials.iter().enumerate() {
        let obj = c.as_object().ok_or(format!("credentials[{i}] is not an object"))?;
        let id = obj.get("id").and_then(Value::as_str).ok_or(format!("credentials[{i}].id is not a string"))?;
        if !valid_id(id) {
            return Err(format!("credentials[{i}].id {id:?} must be non-empty alphanumeric, '_' or '-' (§6.1)"));
        }
        if out.iter().any(|q: &CredentialQuery| q.id == id) {
            return Err(format!("credential query id {id:?} is not unique (§6.1)"));
        }
        let format =
            obj.get("format").and_then(Value::as_str).ok_or(format!("credentials[{i}].format is not a string"))?;
        let vct_values = match obj.get("meta").and_then(|m| m.get("vct_values")) {
            None => None,
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
                Some(a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            }
            Some(_) => return Err(format!("credentials[{i}].meta.vct_values must be a non-empty array of strings")),
        };
        let mut claims = Vec::new();
        let mut values = Vec::new();
        let mut claim_ids = Vec::new();
        if let Some(list) = obj.get("claims") {
            let list = list
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or(format!("credentials[{i}].claims must be a non-empty array"))?;
            for (j, claim) in list.iter().enumerate() {
                let path = claim.get("path").and_then(Value::as_array).filter(|p| !p.is_empty());
                let path = path.ok_or(format!("credentials[{i}].claims[{j}].path must be a non-empty array (§7)"))?;
                let mut elements = Vec::new();
                for e in path {
                    elements.push(match e {
                        Value::String(s) => PathElement::Key(s.clone()),
                        Value::Number(n) if n.as_u64().is_some() => PathElement::Index(n.as_u64().unwrap_or_default()),
                        Value::Null => PathElement::All,
                        other => {
                            return Err(format!(
                                "credentials[{i}].claims[{j}].path holds {other}, not a string, index or null"
                            ));
                        }
                    });
                }
                claims.push(elements);
                values.push(match claim.get("values") {
                    None => None,
                    Some(Value::Array(v)) if !v.is_empty() && v.iter().all(|x| x.is_string() || x.is_number() || x.is_boolean()) => Some(v.clone()),
                    Some(_) => return Err(format!("credentials[{i}].claims[{j}].values must be a non-empty array of strings, numbers or booleans (§6.3)")),
                });
                let claim_id = match claim.get("id") {
                    None => None,
                    Some(Value::String(id)) if valid_id(id) && !claim_ids.contains(&Some(id.clone())) => {
                        Some(id.clone())
                    }
                    Some(other) => {
                        return Err(format!(
                            "credentials[{i}].claims[{j}].id {other} must be a unique non-empty alphanumeric, '_' or '-' string (§6.3)"
                        ));
                    }
                };
                claim_ids.push(claim_id);
            }
        }
        let claim_sets = match obj.get("claim_sets") {
            None => None,
            Some(_) if claims.is_empty() => {
                return Err(format!("credentials[{i}].claim_sets without claims (§6.4.1)"));
            }
            Some(sets) => {
                let sets = sets
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or(format!("credentials[{i}].claim_sets must be a non-empty array (§6.1)"))?;
                let mut parsed = Vec::new();
                for (j, set) in sets.iter().enumerate() {
                    let ids: Option<Vec<String>> = set
                        .as_array()
                        .filter(|a| !a.is_empty())
                        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect());
                    let ids = ids
                        .filter(|ids| ids.iter().all(|id| claim_ids.contains(&Some(id.clone()))))
                        .ok_or(format!("credentials[{i}].claim_sets[{j}] must be a non-empty array of the ids of its claims (§6.1, §6.3)"))?;
                    parsed.push(ids);
                }
                Some(parsed)
            }
        };
        let trusted_authorities = match obj.get("trusted_authorities") {
            None => Vec::new(),
            Some(list) => trusted::parse(list).map_err(|e| format!("credentials[{i}].trusted_authorities: {e}"))?,
        };
        out.push(CredentialQuery {
            id: id.to_string(),
            format: format.to_string(),
            vct_values,
            claims,
            values,
            claim_ids,
            claim_sets,
            multiple: obj.get("multiple").and_then(Value::as_bool).unwrap_or(false),
            require_holder_binding: obj
                .get("require_cryptographic_holder_binding")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            doctype_value: obj
                .get("meta")
                .and_then(|m| m.get("doctype_value"))
                .and_then(Value::as_str)
                .map(str::to_string),
            trusted_authorities,
        });
    }
    Ok(out)
}

/// A claim a query asks for: its path, and the values it must take (if constrained).
pub struct Wanted<'a> {
    pub path: &'a [&'a str],
    pub values: Option<Vec<Value>>,
}

impl<'a> Wanted<'a> {
    pub fn claim(path: &'a [&'a str]) -> Self {
        Self { path, values: None }
    }
    pub fn valued(path: &'a [&'a str], values: Vec<Value>) -> Self {
        Self { path, values: Some(values) }
    }
}

/// A DCQL query (§6) of one credential query: `id`, `format`, the `vct` values it accepts, and the
/// claims it asks for.
pub fn query(id: &str, format: &str, vct_values: &[&str], claims: &[Wanted<'_>]) -> Value {
    let claims: Vec<Value> = claims
        .iter()
        .map(|c| {
            let mut claim = serde_json::json!({ "path": c.path });
            if let Some(values) = &c.values {
                claim["values"] = Value::Array(values.clone());
            }
            claim
        })
        .collect();
    let mut credential = serde_json::json!({ "id": id, "format": format, "claims": claims });
    if !vct_values.is_empty() {
        credential["meta"] = serde_json::json!({ "vct_values": vct_values });
    }
    serde_json::json!({ "credentials": [credential] })
}

/// A credential query (§6.1): `id`, `format`, `meta.vct_values` (when given), and `claims` (none:
/// the query has no `claims` member).
pub fn credential_query(id: &str, format: &str, vct_values: &[&str], claims: Vec<Value>) -> Value {
    let mut credential = serde_json::json!({ "id": id, "format": format, "meta": {} });
    if !vct_values.is_empty() {
        credential["meta"] = serde_json::json!({ "vct_values": vct_values });
    }
    if !claims.is_empty() {
        credential["claims"] = Value::Array(claims);
    }
    credential
}

/// A claims query (§6.3) with its `id`, `path` and, when constrained, `values`.
pub fn claim(id: &str, path: &[&str], values: Option<Vec<Value>>) -> Value {
    let mut claim = serde_json::json!({ "id": id, "path": path });
    if let Some(values) = values {
        claim["values"] = Value::Array(values);
    }
    claim
}

/// A credential query with `claim_sets` (§6.1), each a list of its claims' ids.
pub fn with_claim_sets(mut credential: Value, sets: &[&[&str]]) -> Value {
    credential["claim_sets"] = serde_json::json!(sets);
    credential
}

/// A DCQL query of `credentials` and, when given, `credential_sets`: each `(required, options)`.
pub fn query_of(credentials: Vec<Value>, sets: &[(bool, &[&[&str]])]) -> Value {
    let mut query = serde_json::json!({ "credentials": credentials });
    if !sets.is_empty() {
        let sets: Vec<Value> = sets
            .iter()
            .map(|(required, options)| {
                let mut set = serde_json::json!({ "options": options });
                if !required {
                    set["required"] = Value::Bool(false);
                }
                set
            })
            .collect();
        query["credential_sets"] = Value::Array(sets);
    }
    query
}

/// The query with its first credential query repeated (ids must be unique, §6.1): a malformed
/// query, for a test verifier.
pub fn repeat_first(query: &mut Value) {
    if let Some(Value::Array(list)) = query.get_mut("credentials")
        && let Some(first) = list.first().cloned()
    {
        list.push(first);
    }
}

impl CredentialQuery {
    /// The claim paths as plain key paths (array selectors become their string form).
    pub(crate) fn key_paths(&self) -> Vec<Vec<String>> {
        self.claims
            .iter()
            .map(|p| {
                p.iter()
                    .map(|e| match e {
                        PathElement::Key(k) => k.clone(),
                        PathElement::Index(i) => i.to_string(),
                        PathElement::All => "*".to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether a processed SD-JWT VC (its claims) satisfies this query: the vct, and every claim
    /// path — or, with `claim_sets`, every claim of one of its sets (§6.4.1).
    pub fn matches(&self, claims: &Map<String, Value>) -> bool {
        let vct_ok = match &self.vct_values {
            None => true,
            Some(values) => claims.get("vct").and_then(Value::as_str).is_some_and(|v| values.iter().any(|x| x == v)),
        };
        vct_ok && self.chosen_claims(claims).is_some()
    }

    /// Whether the claim at `index` is present in `root` (with an allowed value, if constrained).
    fn claim_present(&self, root: &Value, index: usize) -> bool {
        let (Some(path), Some(wanted)) = (self.claims.get(index), self.values.get(index)) else { return false };
        match wanted {
            None => select(root, path),
            Some(allowed) => selected(root, path).iter().any(|v| allowed.contains(v)),
        }
    }

    /// The claims (indices into `claims`) to present from a credential with `claims`: every claim
    /// without `claim_sets`, else those of the first set it can satisfy (§6.4.1); `None` when it
    /// cannot satisfy the query's claims.
    pub fn chosen_claims(&self, claims: &Map<String, Value>) -> Option<Vec<usize>> {
        let root = Value::Object(claims.clone());
        let Some(sets) = &self.claim_sets else {
            let all: Vec<usize> = (0..self.claims.len()).collect();
            return all.iter().all(|&i| self.claim_present(&root, i)).then_some(all);
        };
        sets.iter().find_map(|set| {
            let indices: Vec<usize> = set
                .iter()
                .filter_map(|id| self.claim_ids.iter().position(|c| c.as_deref() == Some(id.as_str())))
                .collect();
            (indices.len() == set.len() && indices.iter().all(|&i| self.claim_present(&root, i))).then_some(indices)
        })
    }

    /// This query narrowed to the claims at `indices` (and no `claim_sets`): what one presentation
    /// answers, e.g. the claim set a wallet chose.
    pub fn narrowed(&self, indices: &[usize]) -> Self {
        let mut q = self.clone();
        q.claims = indices.iter().filter_map(|&i| self.claims.get(i).cloned()).collect();
        q.values = indices.iter().filter_map(|&i| self.values.get(i).cloned()).collect();
        q.claim_ids = indices.iter().filter_map(|&i| self.claim_ids.get(i).cloned()).collect();
        q.claim_sets = None;
        q
    }

    /// This query with its `claim_sets` ignored: every claim of `claims` asked for.
    pub fn without_claim_sets(&self) -> Self {
        Self { claim_sets: None, ..self.clone() }
    }
}

/// The values a claims path pointer selects (§7.1.1).
pub(crate) fn selected<'a>(root: &'a Value, path: &[PathElement]) -> Vec<&'a Value> {
    let Some((first, rest)) = path.split_first() else { return vec![root] };
    match (first, root) {
        (PathElement::Key(k), Value::Object(o)) => o.get(k).map(|v| selected(v, rest)).unwrap_or_default(),
        (PathElement::Index(i), Value::Array(a)) => a.get(*i as usize).map(|v| selected(v, rest)).unwrap_or_default(),
        (PathElement::All, Value::Array(a)) => a.iter().flat_map(|v| selected(v, rest)).collect(),
        _ => Vec::new(),
    }
}

/// Whether a claims path pointer selects at least one element (§7.1.1).
pub(crate) fn select(root: &Value, path: &[PathElement]) -> bool {
    let Some((first, rest)) = path.split_first() else { return true };
    match (first, root) {
        (PathElement::Key(k), Value::Object(o)) => o.get(k).is_some_and(|v| select(v, rest)),
        (PathElement::Index(i), Value::Array(a)) => a.get(*i as usize).is_some_and(|v| select(v, rest)),
        (PathElement::All, Value::Array(a)) => a.iter().any(|v| select(v, rest)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_specifications_shape_is_accepted_and_bad_ones_are_named() {
        let q = json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:x"]},
            "claims": [{"path": ["given_name"]}, {"path": ["address", "locality"]}, {"path": ["nationalities", null]}]}]});
        let parsed = parse(&q).unwrap();
        assert_eq!(parsed[0].claims.len(), 3);
        assert!(parse(&json!({"credentials": []})).is_err());
        assert!(parse(&json!({"credentials": [{"id": "a b", "format": "x"}]})).unwrap_err().contains("alphanumeric"));
        let dup = json!({"credentials": [{"id": "a", "format": "x"}, {"id": "a", "format": "x"}]});
        assert!(parse(&dup).unwrap_err().contains("unique"));
        let claims =
            json!({"vct": "urn:x", "given_name": "A", "address": {"locality": "Iqaluit"}, "nationalities": ["CA"]});
        assert!(parsed[0].matches(claims.as_object().unwrap()));
        let mut other = claims.clone();
        other["vct"] = json!("urn:y");
        assert!(!parsed[0].matches(other.as_object().unwrap()));
        let by_value = json!({"credentials": [{"id": "p", "format": "dc+sd-jwt", "claims": [{"path": ["address", "locality"], "values": ["Iqaluit"]}]}]});
        assert!(parse(&by_value).unwrap()[0].matches(claims.as_object().unwrap()));
        let elsewhere = json!({"credentials": [{"id": "p", "format": "dc+sd-jwt", "claims": [{"path": ["address", "locality"], "values": ["Yellowknife"]}]}]});
        assert!(!parse(&elsewhere).unwrap()[0].matches(claims.as_object().unwrap()));
    }
}
