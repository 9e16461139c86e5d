//! SHC-020 and SHC-021: a card's revocation identifier and the issuer's Card Revocation List
//! (§ Revocation). The list is context, as keys are: `--crl FILE`, or fetched with `--fetch-keys`
//! from `<iss>/.well-known/crl/<kid>.json` when the issuer's key publishes a `crlVersion`.

use crate::Context;
use dialtone_engine::model::Outcome;
use dialtone_protocols::shc::HealthCardJws;
use dialtone_protocols::shc::revocation::{RevocationList, rid_problem};
use dialtone_protocols::time::format_rfc3339;
use serde_json::Value;

/// SHC-020: a `rid`, when the card has one, uses the base64url alphabet and at most 24 characters.
pub(super) fn rid_form(card: &HealthCardJws) -> Outcome {
    match card.payload.get("vc").and_then(|vc| vc.get("rid")) {
        None => Outcome::skip("the card has no vc.rid"),
        Some(Value::String(rid)) => match rid_problem(rid) {
            None => Outcome::pass(format!("rid {rid:?}")),
            Some(problem) => {
                Outcome::fail("a rid of at most 24 base64url characters", format!("rid {rid:?}: {problem}"))
            }
        },
        Some(other) => Outcome::fail("a rid of at most 24 base64url characters", format!("rid {other}")),
    }
}

/// SHC-021: the card is not revoked by its issuer's list for the key that signed it. `key` is the
/// issuer's key the signature verified with, when one did.
pub(super) fn not_revoked(card: &HealthCardJws, key: Option<&Value>, ctx: &Context) -> Outcome {
    let Some(rid) = card.payload.get("vc").and_then(|vc| vc.get("rid")).and_then(Value::as_str) else {
        return Outcome::skip("the card has no vc.rid: no revocation list can name it");
    };
    let Some(kid) = card.header.get("kid").and_then(Value::as_str) else {
        return Outcome::skip("the header has no kid: the issuer's lists are per key (SHC-007)");
    };
    let published = key.cloned().or_else(|| known_key(ctx, kid));
    let crl_version = published.as_ref().and_then(|k| k.get("crlVersion")).and_then(Value::as_u64);
    let Some(list) = ctx.revocation.iter().find(|l| l.kid == kid) else {
        let iss = card.payload.get("iss").and_then(Value::as_str).unwrap_or("<iss>");
        return Outcome::skip(match crl_version {
            Some(v) => format!(
                "the issuer's key {kid} publishes crlVersion {v}, but its list ({iss}/.well-known/crl/{kid}.json) was \
                 not given: give it with --crl FILE or --fetch-keys"
            ),
            None => format!("no revocation list was given for key {kid} (and its key publishes no crlVersion)"),
        });
    };
    let Some(nbf) = card.payload.get("nbf").and_then(Value::as_f64) else {
        return match list.revoking(rid, f64::NEG_INFINITY) {
            Some(entry) if entry.before.is_none() => revoked(list, entry.entry.as_str(), rid, "no nbf"),
            _ => Outcome::skip("no nbf (SHC-011): when the card was issued is unknown"),
        };
    };
    let issued = format!("nbf {} ({})", nbf, format_rfc3339(nbf as i64));
    if let Some(entry) = list.revoking(rid, nbf) {
        return revoked(list, &entry.entry, rid, &issued);
    }
    let stale = crl_version.filter(|v| *v > list.ctr);
    let listed: Vec<&str> = list.naming(rid).map(|r| r.entry.as_str()).collect();
    let seen = if listed.is_empty() {
        format!("rid {rid:?} is not among the {} rids of the list for key {kid} (ctr {})", list.rids.len(), list.ctr)
    } else {
        format!(
            "rid {rid:?} is listed as {listed:?} for key {kid} (ctr {}), which revokes only cards issued before; the \
             card's {issued}",
            list.ctr
        )
    };
    match stale {
        Some(v) => Outcome::skip(format!(
            "{seen}; but the list given is older than the one the issuer's key names (crlVersion {v}): give the current \
             list"
        )),
        None => Outcome::pass(seen),
    }
}

fn revoked(list: &RevocationList, entry: &str, rid: &str, issued: &str) -> Outcome {
    let when = match entry.split_once('.') {
        Some(_) => "issued before its timestamp",
        None => "with that rid, whenever issued",
    };
    Outcome::fail(
        "a card its issuer's revocation list does not revoke",
        format!(
            "rid {rid:?} is revoked by the entry {entry:?} of the list for key {} (ctr {}): cards {when}; the card's {issued}",
            list.kid, list.ctr
        ),
    )
}

/// A key the verifier was given with this `kid` (for its `crlVersion`).
fn known_key(ctx: &Context, kid: &str) -> Option<Value> {
    ctx.keys.key_set().keys().iter().find(|k| k.kid.as_deref() == Some(kid)).map(|k| k.jwk.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::seed::Entropy;
    use serde_json::json;

    fn card(key: &EcKey, rid: &str, nbf: i64) -> HealthCardJws {
        let jws =
            dialtone_protocols::shc::sign(key, &json!({"iss": "https://i.example", "nbf": nbf, "vc": {"rid": rid}}));
        HealthCardJws::parse(&jws).expect("parses")
    }

    fn context(key: &EcKey, crl_version: u64, list_ctr: u64) -> Context {
        let mut jwk = key.public_jwk();
        jwk["kid"] = json!(key.thumbprint());
        jwk["crlVersion"] = json!(crl_version);
        let list = json!({"kid": key.thumbprint(), "method": "rid", "ctr": list_ctr, "rids": ["gone.1000"]});
        Context {
            keys: crate::KeyRing { keys: vec![jwk], ..Default::default() },
            revocation: vec![RevocationList::parse(list.to_string().as_bytes()).expect("list")],
            ..Default::default()
        }
    }

    #[test]
    fn a_list_older_than_the_keys_crl_version_revokes_but_does_not_clear() {
        let key = EcKey::generate(&Entropy::seeded(4));
        let stale = context(&key, 2, 1);
        assert!(matches!(not_revoked(&card(&key, "gone", 999), None, &stale), Outcome::Fail { .. }));
        let Outcome::Skip { reason } = not_revoked(&card(&key, "gone", 1000), None, &stale) else { panic!("skips") };
        assert!(reason.contains("older than the one the issuer's key names (crlVersion 2)"), "{reason}");
        let current = context(&key, 1, 1);
        assert!(matches!(not_revoked(&card(&key, "gone", 1000), None, &current), Outcome::Pass { .. }));
    }
}
