//! Selecting credentials and claims for a DCQL query (OpenID4VP 1.0 §6.4), once for every wallet
//! dialtone plays or runs — the reference wallet and the harness as wallet — and judging whether a
//! response's credential query ids satisfy a query, for every verifier it runs.
//!
//! A wallet presents, for each credential set the query requires (every credential query when it
//! has none), the first option whose credential queries all match something it holds; for an
//! optional set, the first option it can satisfy, if any; nothing at all when a required set
//! cannot be satisfied (§6.4.2: it then answers `access_denied`, §8.5). Within a credential, the
//! claims of the first claim set it can satisfy (§6.4.1); none when the query has no `claims`.

use super::{CredentialQuery, Query, trusted};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A held credential as the selection sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its Credential Format Identifier (`dc+sd-jwt`, …).
    pub format: &'a str,
    /// Its processed claims (every disclosure applied).
    pub claims: &'a Map<String, Value>,
    /// Its issuer's certificate chain (DER, as in its `x5c`), for `trusted_authorities`.
    pub chain: &'a [Vec<u8>],
}

/// One presentation to make: the credential query it answers, which held credential (an index
/// into the candidates), and the query narrowed to the claims to disclose.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub query_id: String,
    pub candidate: usize,
    pub query: CredentialQuery,
}

/// How a wallet selects; the default is what §6.4 says. A mutant (or a harness stimulus) changes
/// one thing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelectionSpec {
    /// Treat every credential set as required (refusing when an optional one cannot be met).
    pub optional_sets_required: bool,
    /// Present every claim of `claims` it holds, whatever the `claim_sets`.
    pub claim_sets_ignored: bool,
    /// Present what it can when a required credential matches nothing (instead of refusing).
    pub partial: bool,
    /// Match credentials on their claims alone, whatever `meta.vct_values` asks.
    pub vct_ignored: bool,
    /// Present every matching credential, even where `multiple` is false.
    pub every_match: bool,
    /// Take a credential query without `claims` for one that matches nothing.
    pub claimless_refused: bool,
    /// Leave out the optional credential sets, answering only the required ones (allowed, §6.4.2).
    pub optional_sets_omitted: bool,
    /// Leave out the required credential sets, answering only the optional ones (a response a
    /// verifier must reject, §6.4.2).
    pub required_sets_omitted: bool,
}

/// The refusal of a wallet that cannot satisfy a query: `access_denied` (§8.5).
pub const ACCESS_DENIED: &str = "access_denied";

/// What to present for `query` from `held` (preferred first), or why nothing may be presented.
pub fn choose(query: &Query, held: &[Candidate<'_>], spec: &SelectionSpec) -> Result<Vec<Pick>, String> {
    let matching = |q: &CredentialQuery| -> Vec<Pick> {
        let q = if spec.claim_sets_ignored { q.without_claim_sets() } else { q.clone() };
        let mut picks: Vec<Pick> = held
            .iter()
            .enumerate()
            .filter(|(_, c)| c.format == q.format && trusted::acceptable(&q.trusted_authorities, c.chain))
            .filter(|(_, c)| {
                spec.vct_ignored || q.vct_values.as_ref().is_none_or(|v| vct_of(c).is_some_and(|t| v.contains(&t)))
            })
            .filter(|_| !(spec.claimless_refused && q.claims.is_empty()))
            .filter_map(|(i, c)| {
                let chosen = q.chosen_claims(c.claims)?;
                Some(Pick { query_id: q.id.clone(), candidate: i, query: q.narrowed(&chosen) })
            })
            .collect();
        if !q.multiple && !spec.every_match {
            picks.truncate(1);
        }
        picks
    };
    let per_query: Vec<(String, Vec<Pick>)> = query.credentials.iter().map(|q| (q.id.clone(), matching(q))).collect();
    let has = |id: &str| per_query.iter().any(|(q, picks)| q == id && !picks.is_empty());
    let mut wanted: Vec<String> = Vec::new();
    match &query.credential_sets {
        None => {
            for (id, picks) in &per_query {
                if picks.is_empty() && !spec.partial {
                    return Err(format!("{ACCESS_DENIED}: no held credential matches credential query {id:?}"));
                }
                wanted.push(id.clone());
            }
        }
        Some(sets) => {
            for (i, set) in sets.iter().enumerate() {
                if (set.required && spec.required_sets_omitted) || (!set.required && spec.optional_sets_omitted) {
                    continue;
                }
                match set.options.iter().find(|option| option.iter().all(|id| has(id))) {
                    Some(option) => wanted.extend(option.iter().cloned()),
                    None if (set.required || spec.optional_sets_required) && !spec.partial => {
                        return Err(format!(
                            "{ACCESS_DENIED}: no option of credential set {i} ({}) matches the held credentials",
                            describe(&set.options)
                        ));
                    }
                    None => {}
                }
            }
        }
    }
    let mut picks = Vec::new();
    for (id, found) in per_query {
        if wanted.contains(&id) {
            picks.extend(found);
        }
    }
    if picks.is_empty() {
        return Err(format!("{ACCESS_DENIED}: nothing the query asks for matches the held credentials"));
    }
    Ok(picks)
}

fn vct_of(c: &Candidate<'_>) -> Option<String> {
    c.claims.get("vct").and_then(Value::as_str).map(str::to_string)
}

fn describe(options: &[Vec<String>]) -> String {
    options.iter().map(|o| format!("[{}]", o.join(", "))).collect::<Vec<_>>().join(" or ")
}

/// How a verifier reads which credential queries a response must answer; the default is §6.4.2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SetRule {
    /// Every required credential set answered by one of its options; without sets, every query.
    #[default]
    AsQueried,
    /// Every credential query answered, whatever the credential sets say.
    EveryQuery,
    /// Any credential query answered is enough.
    AnyAnswer,
}

/// Whether the credential query ids a `vp_token` answers (`answered`) satisfy `query` (§6.4.2,
/// §8.1): every id is one of the query's, and what `rule` says is required is there. `Err` says
/// what is missing or unknown.
pub fn satisfied(query: &Query, answered: &[&str], rule: SetRule) -> Result<(), String> {
    if let Some(unknown) = answered.iter().find(|id| query.credential(id).is_none()) {
        return Err(format!("vp_token answers {unknown:?}, which no credential query of the request has (§8.1)"));
    }
    let answered_all = |ids: &[String]| ids.iter().all(|id| answered.contains(&id.as_str()));
    let every_query = || match query.credentials.iter().find(|q| !answered.contains(&q.id.as_str())) {
        Some(q) => Err(format!("no presentation for credential query {:?}", q.id)),
        None => Ok(()),
    };
    match (rule, &query.credential_sets) {
        (SetRule::AnyAnswer, _) if !answered.is_empty() => Ok(()),
        (SetRule::AnyAnswer, _) => Err("the vp_token answers no credential query".into()),
        (SetRule::EveryQuery, _) | (SetRule::AsQueried, None) => every_query(),
        (SetRule::AsQueried, Some(sets)) => {
            for (i, set) in sets.iter().enumerate() {
                if set.required && !set.options.iter().any(|o| answered_all(o)) {
                    return Err(format!(
                        "the response satisfies no option of the required credential set {i} ({}) (§6.4.2)",
                        describe(&set.options)
                    ));
                }
            }
            if answered.is_empty() {
                return Err("the vp_token answers no credential query".into());
            }
            Ok(())
        }
    }
}

/// The credential queries a `vp_token` (keyed by credential query id, §8.1) answers, once they
/// satisfy the request's DCQL query `dcql` as `rule` reads it; `Err` says why the response fails.
pub fn answered(dcql: &Value, vp_token: &Map<String, Value>, rule: SetRule) -> Result<Vec<CredentialQuery>, String> {
    let query = Query::parse(dcql).map_err(|e| format!("the request's own DCQL query is invalid: {e}"))?;
    let ids: Vec<&str> = vp_token.keys().map(String::as_str).collect();
    satisfied(&query, &ids, rule)?;
    Ok(query.credentials.into_iter().filter(|q| ids.contains(&q.id.as_str())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn person() -> Map<String, Value> {
        json!({"vct": "urn:person", "given_name": "A", "family_name": "B", "birthdate": "1990-07-01"})
            .as_object()
            .cloned()
            .unwrap()
    }

    fn candidate(claims: &Map<String, Value>) -> Candidate<'_> {
        Candidate { format: "dc+sd-jwt", claims, chain: &[] }
    }

    fn names(picks: &[Pick]) -> Vec<String> {
        picks.iter().map(|p| p.query_id.clone()).collect()
    }

    #[test]
    fn a_required_set_that_matches_nothing_refuses_everything() {
        let q = Query::parse(&json!({
            "credentials": [
                {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:person"]}},
                {"id": "mdl", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:driving-licence"]}}
            ],
            "credential_sets": [{"options": [["mdl"]]}, {"required": false, "options": [["pid"]]}]
        }))
        .unwrap();
        let held = person();
        let err = choose(&q, &[candidate(&held)], &SelectionSpec::default()).unwrap_err();
        assert!(err.starts_with(ACCESS_DENIED), "{err}");
        let partial = SelectionSpec { partial: true, ..Default::default() };
        assert_eq!(names(&choose(&q, &[candidate(&held)], &partial).unwrap()), ["pid"]);
    }

    #[test]
    fn an_optional_set_is_answered_when_it_can_be_and_skipped_when_not() {
        let q = Query::parse(&json!({
            "credentials": [
                {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:person"]}, "claims": [{"path": ["given_name"]}]},
                {"id": "extra", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:other"]}}
            ],
            "credential_sets": [{"options": [["pid"]]}, {"required": false, "options": [["extra"]]}]
        }))
        .unwrap();
        let held = person();
        assert_eq!(names(&choose(&q, &[candidate(&held)], &SelectionSpec::default()).unwrap()), ["pid"]);
        let strict = SelectionSpec { optional_sets_required: true, ..Default::default() };
        assert!(choose(&q, &[candidate(&held)], &strict).is_err());
        assert!(satisfied(&q, &["pid"], SetRule::AsQueried).is_ok());
        assert!(satisfied(&q, &["pid"], SetRule::EveryQuery).is_err());
        assert!(satisfied(&q, &["extra"], SetRule::AsQueried).unwrap_err().contains("required credential set 0"));
        assert!(satisfied(&q, &["extra"], SetRule::AnyAnswer).is_ok());
        assert!(satisfied(&q, &["pid", "nope"], SetRule::AsQueried).unwrap_err().contains("nope"));
        let omit = SelectionSpec { required_sets_omitted: true, ..Default::default() };
        assert!(choose(&q, &[candidate(&held)], &omit).is_err(), "nothing it could answer is left");
    }

    #[test]
    fn the_first_satisfiable_claim_set_is_chosen_and_no_claims_means_none() {
        let q = Query::parse(&json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
            "claims": [{"id": "a", "path": ["nickname"]}, {"id": "b", "path": ["given_name"]},
                       {"id": "c", "path": ["family_name"]}, {"id": "d", "path": ["birthdate"]}],
            "claim_sets": [["a"], ["b", "c"], ["d"]]}]}))
        .unwrap();
        let held = person();
        let picks = choose(&q, &[candidate(&held)], &SelectionSpec::default()).unwrap();
        assert_eq!(picks[0].query.key_paths(), [vec!["given_name".to_string()], vec!["family_name".to_string()]]);
        let ignored = SelectionSpec { claim_sets_ignored: true, ..Default::default() };
        assert!(choose(&q, &[candidate(&held)], &ignored).is_err(), "nickname is not held");
        let bare = Query::parse(&json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {}}]})).unwrap();
        let picks = choose(&bare, &[candidate(&held)], &SelectionSpec::default()).unwrap();
        assert!(picks[0].query.claims.is_empty());
        assert!(Query::parse(&json!({"credentials": [{"id": "p", "format": "x", "claim_sets": [["a"]]}]})).is_err());
        let unknown_id = json!({"credentials": [{"id": "p", "format": "x", "claims": [{"id": "a", "path": ["x"]}], "claim_sets": [["b"]]}]});
        assert!(Query::parse(&unknown_id).is_err());
    }

    #[test]
    fn multiple_decides_how_many_matches_are_presented() {
        let one = Query::parse(&json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt"}]})).unwrap();
        let many =
            Query::parse(&json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt", "multiple": true}]})).unwrap();
        let (a, b) = (person(), person());
        let held = [candidate(&a), candidate(&b)];
        assert_eq!(choose(&one, &held, &SelectionSpec::default()).unwrap().len(), 1);
        assert_eq!(choose(&many, &held, &SelectionSpec::default()).unwrap().len(), 2);
        let every = SelectionSpec { every_match: true, ..Default::default() };
        assert_eq!(choose(&one, &held, &every).unwrap().len(), 2);
    }

    #[test]
    fn the_specifications_examples_select_as_it_describes() {
        let dir = format!(
            "{}/../../../shared/vectors-public/openid4vp-1.0/1.0/examples/query_lang",
            env!("CARGO_MANIFEST_DIR")
        );
        for name in [
            "claims_alternatives",
            "credentials_alternatives",
            "multi_credentials",
            "simple",
            "simple_mdoc",
            "complex_mdoc",
            "value_matching_simple",
        ] {
            let text = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
            Query::parse(&serde_json::from_str(&text).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let text = std::fs::read_to_string(format!("{dir}/credentials_alternatives.json")).unwrap();
        let q = Query::parse(&serde_json::from_str(&text).unwrap()).unwrap();
        // A wallet holding only the "other" PID and the reduced pair answers with the first option
        // it can satisfy; without the rewards card it leaves the optional set out.
        let other = json!({"vct": "https://othercredentials.example/pid", "given_name": "A", "family_name": "B",
            "address": {"street_address": "1 Main"}})
        .as_object()
        .cloned()
        .unwrap();
        let picks = choose(&q, &[candidate(&other)], &SelectionSpec::default()).unwrap();
        assert_eq!(names(&picks), ["other_pid"]);
        assert!(satisfied(&q, &["pid_reduced_cred_1"], SetRule::AsQueried).is_err());
        assert!(
            satisfied(&q, &["pid_reduced_cred_1", "pid_reduced_cred_2", "nice_to_have"], SetRule::AsQueried).is_ok()
        );
        let text = std::fs::read_to_string(format!("{dir}/claims_alternatives.json")).unwrap();
        let q = Query::parse(&serde_json::from_str(&text).unwrap()).unwrap();
        let held = json!({"vct": "https://credentials.example.com/identity_credential", "family_name": "B",
            "postal_code": "X0A 0H0", "date_of_birth": "1990-07-01"})
        .as_object()
        .cloned()
        .unwrap();
        let picks = choose(&q, &[candidate(&held)], &SelectionSpec::default()).unwrap();
        let paths: Vec<String> = picks[0].query.key_paths().into_iter().map(|p| p.join(".")).collect();
        assert_eq!(paths, ["family_name", "postal_code", "date_of_birth"], "the second set: no locality held");
    }

    #[test]
    fn malformed_credential_sets_are_named() {
        let bad = json!({"credentials": [{"id": "pid", "format": "x"}], "credential_sets": [{"options": [["other"]]}]});
        assert!(Query::parse(&bad).unwrap_err().contains("other"));
        let bad = json!({"credentials": [{"id": "pid", "format": "x"}], "credential_sets": [{"options": []}]});
        assert!(Query::parse(&bad).is_err());
        let bad = json!({"credentials": [{"id": "pid", "format": "x"}], "credential_sets": [{"options": [["pid"]], "required": "yes"}]});
        assert!(Query::parse(&bad).is_err());
    }
}
