//! Digital Credentials Query Language (OpenID4VP 1.0 §6): the subset dialtone's roles speak —
//! credential queries with `id`, `format`, `meta.vct_values`, `claims` with claims path pointers
//! (§7) — plus validation of the query's shape and matching of a processed credential.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct CredentialQuery {
    pub id: String,
    pub format: String,
    pub vct_values: Option<Vec<String>>,
    /// Claims path pointers; `None` elements select all array elements.
    pub claims: Vec<Vec<PathElement>>,
    /// For each claim (same order), the values it must take (§6.3 `values`), if constrained.
    pub values: Vec<Option<Vec<Value>>>,
    pub multiple: bool,
    pub require_holder_binding: bool,
    /// `meta.doctype_value` of an `mso_mdoc` query (Appendix B.2).
    pub doctype_value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathElement {
    Key(String),
    Index(u64),
    All,
}

/// Parses and validates a DCQL query object; the error says what is malformed.
pub fn parse(query: &Value) -> Result<Vec<CredentialQuery>, String> {
    let credentials = query
        .get("credentials")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or("credentials must be a non-empty array (§6)")?;
    let mut out = Vec::new();
    for (i, c) in credentials.iter().enumerate() {
        let obj = c.as_object().ok_or(format!("credentials[{i}] is not an object"))?;
        let id = obj.get("id").and_then(Value::as_str).ok_or(format!("credentials[{i}].id is not a string"))?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
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
            }
        }
        out.push(CredentialQuery {
            id: id.to_string(),
            format: format.to_string(),
            vct_values,
            claims,
            values,
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

    /// Whether a processed SD-JWT VC (its claims) satisfies this query: the vct and every claim path.
    pub fn matches(&self, claims: &Map<String, Value>) -> bool {
        let vct_ok = match &self.vct_values {
            None => true,
            Some(values) => claims.get("vct").and_then(Value::as_str).is_some_and(|v| values.iter().any(|x| x == v)),
        };
        let root = Value::Object(claims.clone());
        vct_ok
            && self.claims.iter().zip(&self.values).all(|(p, wanted)| match wanted {
                None => select(&root, p),
                Some(allowed) => selected(&root, p).iter().any(|v| allowed.contains(v)),
            })
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
