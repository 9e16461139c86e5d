//! SMART Health Card revocation (§ Revocation): the `rid` a card may carry in its `vc` claim, and the
//! issuer's Card Revocation List for one key (`<iss>/.well-known/crl/<kid>.json`). A listed `rid`
//! revokes every card with that `rid`; one with a `.timestamp` suffix only the cards whose `nbf` is
//! before the timestamp.

use serde_json::Value;

/// A `rid` is at most this many characters.
pub const MAX_RID_CHARS: usize = 24;
/// Most entries a list may have for dialtone to read it (a list of 4 MiB holds about 300,000).
pub const MAX_LIST_ENTRIES: usize = 1_000_000;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CrlError {
    #[error("not a card revocation list: {0}")]
    Shape(String),
}

/// Why a `rid` is not what the specification allows, if it is not.
pub fn rid_problem(rid: &str) -> Option<String> {
    if rid.is_empty() {
        return Some("an empty rid".into());
    }
    let chars = rid.chars().count();
    if chars > MAX_RID_CHARS {
        return Some(format!("{chars} characters, more than {MAX_RID_CHARS}"));
    }
    rid.char_indices()
        .find(|(_, c)| !is_base64url(*c))
        .map(|(at, c)| format!("{c:?} at byte {at} is not in the base64url alphabet (A-Z a-z 0-9 - _)"))
}

fn is_base64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// One entry of a list's `rids`: the revoked `rid`, and the time before which cards are revoked.
#[derive(Debug, Clone, PartialEq)]
pub struct Revoked {
    pub rid: String,
    /// Seconds since the epoch; `None`: every card with this `rid`.
    pub before: Option<f64>,
    /// The entry as listed.
    pub entry: String,
}

/// An issuer's Card Revocation List for one key.
#[derive(Debug, Clone, PartialEq)]
pub struct RevocationList {
    pub kid: String,
    /// How many times the list was updated (`ctr`); the key's `crlVersion` names the current one.
    pub ctr: u64,
    pub rids: Vec<Revoked>,
}

impl RevocationList {
    /// Reads a list: `{"kid", "method": "rid", "ctr", "rids": ["<rid>[.<timestamp>]", …]}`.
    pub fn parse(bytes: &[u8]) -> Result<Self, CrlError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| CrlError::Shape(format!("not JSON: {e}")))?;
        let shape = |what: &str| CrlError::Shape(what.to_string());
        let kid = value.get("kid").and_then(Value::as_str).ok_or_else(|| shape("no kid (a string)"))?;
        match value.get("method").and_then(Value::as_str) {
            Some("rid") => {}
            other => return Err(CrlError::Shape(format!("method {other:?}, not \"rid\""))),
        }
        // The specification's template quotes "<<ctr>>"; its example list has a number.
        let ctr = match value.get("ctr") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse::<u64>().ok(),
            _ => None,
        }
        .filter(|c| *c >= 1)
        .ok_or_else(|| shape("ctr is not a counter of at least 1"))?;
        let list = value.get("rids").and_then(Value::as_array).ok_or_else(|| shape("no rids array"))?;
        if list.len() > MAX_LIST_ENTRIES {
            return Err(CrlError::Shape(format!("{} rids, more than dialtone reads ({MAX_LIST_ENTRIES})", list.len())));
        }
        let rids = list
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let entry = entry.as_str().ok_or_else(|| CrlError::Shape(format!("rids[{i}] is not a string")))?;
                Revoked::parse(entry).map_err(|e| CrlError::Shape(format!("rids[{i}] {entry:?}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { kid: kid.to_string(), ctr, rids })
    }

    /// The entry that revokes a card with `rid` issued at `nbf`, if one does.
    pub fn revoking(&self, rid: &str, nbf: f64) -> Option<&Revoked> {
        self.rids.iter().find(|r| r.rid == rid && r.before.is_none_or(|before| nbf < before))
    }

    /// The entries that name `rid`, whether or not they revoke a given card.
    pub fn naming<'a>(&'a self, rid: &'a str) -> impl Iterator<Item = &'a Revoked> + 'a {
        self.rids.iter().filter(move |r| r.rid == rid)
    }
}

impl Revoked {
    fn parse(entry: &str) -> Result<Self, String> {
        let (rid, before) = match entry.split_once('.') {
            Some((rid, stamp)) => {
                let stamp_ok = !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                let before = stamp.parse::<f64>().ok().filter(|t| stamp_ok && t.is_finite());
                (rid, Some(before.ok_or("the suffix after '.' is not a numerical timestamp")?))
            }
            None => (entry, None),
        };
        if let Some(problem) = rid_problem(rid) {
            return Err(problem);
        }
        Ok(Self { rid: rid.to_string(), before, entry: entry.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamped_rid_revokes_only_cards_issued_before_it() {
        // The specification's example: AQPCj4wwk6Mt always, lHKzqFUMjhs before 2021-11-15T12:00:00Z.
        let list = RevocationList::parse(
            br#"{"kid":"k","method":"rid","ctr":1,"rids":["AQPCj4wwk6Mt","lHKzqFUMjhs.1636977600"]}"#,
        )
        .expect("list");
        assert!(list.revoking("AQPCj4wwk6Mt", 2e9).is_some());
        assert!(list.revoking("lHKzqFUMjhs", 1_636_977_599.5).is_some());
        assert!(list.revoking("lHKzqFUMjhs", 1_636_977_600.0).is_none(), "issued at the timestamp: not before");
        assert!(list.revoking("lHKzqFUMjhs", 1_636_977_601.0).is_none());
        assert!(list.revoking("other", 0.0).is_none());
    }

    #[test]
    fn malformed_lists_and_rids_are_named() {
        for (text, says) in [
            (r#"{"kid":"k","method":"status","ctr":1,"rids":[]}"#, "method"),
            (r#"{"kid":"k","method":"rid","ctr":0,"rids":[]}"#, "ctr"),
            (r#"{"kid":"k","method":"rid","ctr":"2","rids":["a+b"]}"#, "base64url"),
            (r#"{"kid":"k","method":"rid","ctr":1,"rids":["abc.12x"]}"#, "timestamp"),
            (r#"{"method":"rid","ctr":1,"rids":[]}"#, "kid"),
        ] {
            let e = RevocationList::parse(text.as_bytes()).expect_err(text).to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
        assert_eq!(rid_problem("vwAjHdarZuc"), None);
        assert!(rid_problem(&"a".repeat(25)).is_some_and(|p| p.contains("25 characters")));
        assert!(rid_problem("abc=").is_some_and(|p| p.contains("base64url")));
    }
}
