//! What RFC 9901 asks of every SD-JWT beyond what the processing of §7.1 rejects: the reserved
//! names `_sd`, `...` and `_sd_alg` only where §4 puts them, digests (decoys included) that are
//! digests of the hash `_sd_alg` names (§4.2.5), a salt of its own for every Disclosure (§4.2.1,
//! §9.3), and each Disclosure sent once (§4). The rules `SDJWT-*`, judged for SD-JWT VC and for W3C
//! VCs secured with SD-JWT.

use dialtone_engine::model::Outcome;
use dialtone_protocols::b64;
use dialtone_protocols::sdjwt::{HashAlg, SdJwt};
use serde_json::{Map, Value};

/// Bytes of a digest of `alg`.
fn digest_len(alg: HashAlg) -> usize {
    match alg {
        HashAlg::Sha256 => 32,
        HashAlg::Sha384 => 48,
        HashAlg::Sha512 => 64,
    }
}

/// The hash `_sd_alg` names, `None` when dialtone does not support it (SDJWTVC-009 / VC-017 say so).
fn hash_alg(sd: &SdJwt) -> Option<HashAlg> {
    match sd.issuer_jwt.payload.get("_sd_alg") {
        None => Some(HashAlg::Sha256),
        Some(Value::String(name)) => HashAlg::from_name(name),
        Some(_) => None,
    }
}

/// Where a value stands, named in observations only when something there is amiss: the payload's
/// top level (`$`) or a Disclosure's value, and the members and elements below it.
#[derive(Clone, Copy)]
enum At<'a> {
    Payload,
    Disclosure(usize),
    Member(&'a At<'a>, &'a str),
    Element(&'a At<'a>, usize),
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::Payload => f.write_str("$"),
            At::Disclosure(i) => write!(f, "disclosure {i}"),
            At::Member(at, name) => write!(f, "{at}.{name}"),
            At::Element(at, i) => write!(f, "{at}[{i}]"),
        }
    }
}

struct Walk {
    len: Option<usize>,
    problems: Vec<String>,
}

impl Walk {
    fn digest(&mut self, at: impl std::fmt::Display, digest: &Value) {
        let Some(len) = self.len else { return };
        match digest.as_str().map(b64::decoded_len) {
            Some(Ok(decoded)) if decoded == len => {}
            Some(Ok(decoded)) => {
                self.problems.push(format!("{at}: a digest of {decoded} bytes where the hash gives {len}"))
            }
            Some(Err(_)) => self.problems.push(format!("{at}: a digest that is not base64url")),
            // `_sd` holding a non-string: the processing of §7.1 rejects it (SDJWTVC-009, VC-017).
            None => {}
        }
    }

    fn value(&mut self, value: &Value, at: At<'_>, element: bool) {
        match value {
            Value::Object(map) => self.object(map, at, element),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(item, At::Element(&at, i), true);
                }
            }
            _ => {}
        }
    }

    fn object(&mut self, map: &Map<String, Value>, at: At<'_>, element: bool) {
        if let Some(d) = map.get("...") {
            if !element {
                self.problems.push(format!("{at}: \"...\" outside an array element"));
            } else if map.len() > 1 {
                let others: Vec<&str> = map.keys().filter(|k| *k != "...").map(String::as_str).collect();
                self.problems.push(format!("{at}: an array element digest with other keys {others:?}"));
            } else {
                self.digest(format_args!("{at}[\"...\"]"), d);
            }
        }
        if map.contains_key("_sd_alg") && !matches!(at, At::Payload) {
            self.problems.push(format!("{at}: _sd_alg nested below the top level"));
        }
        if let Some(Value::Array(digests)) = map.get("_sd") {
            for (i, d) in digests.iter().enumerate() {
                self.digest(format_args!("{at}._sd[{i}]"), d);
            }
        }
        for (name, child) in map {
            if name != "_sd" && name != "..." {
                self.value(child, At::Member(&at, name), false);
            }
        }
    }
}

/// SDJWT-001: `_sd` only as an array of digests, `{"...": digest}` only as an array element and alone,
/// `_sd_alg` only at the top level (RFC 9901 §4.1 item 7, §4.1.1, §4.2.4.1, §4.2.4.2), in the
/// payload and in the values Disclosures carry; every digest, decoys included, the base64url of a
/// hash of the `_sd_alg` algorithm (§4.2.3, §4.2.5).
pub(crate) fn reserved_names(sd: &SdJwt) -> Outcome {
    let mut walk = Walk { len: hash_alg(sd).map(digest_len), problems: Vec::new() };
    walk.object(&sd.issuer_jwt.payload, At::Payload, false);
    for (i, d) in sd.disclosures.iter().enumerate() {
        walk.value(&d.value, At::Disclosure(i), false);
    }
    if walk.problems.is_empty() {
        Outcome::pass(match walk.len {
            Some(len) => format!("_sd, \"...\" and _sd_alg where RFC 9901 §4 puts them; every digest {len} bytes"),
            None => {
                "_sd, \"...\" and _sd_alg where RFC 9901 §4 puts them (digest lengths not judged: unsupported _sd_alg)"
                    .into()
            }
        })
    } else {
        Outcome::fail(
            "_sd and \"...\" only conveying digests of the _sd_alg hash, _sd_alg only at the top level (RFC 9901 §4)",
            walk.problems.join("; "),
        )
    }
}

/// SDJWT-002: each Disclosure has its own salt (RFC 9901 §4.2.1: unique for each claim; §9.3). A
/// Disclosure sent twice is SDJWT-003's fault, not a reused salt.
pub(crate) fn salts_unique(sd: &SdJwt) -> Outcome {
    // Each distinct Disclosure once with its salt, sorted by salt: a salt of several is one run.
    let mut distinct: Vec<(&str, &str)> =
        sd.disclosures.iter().map(|d| (d.salt.as_str(), d.encoded.as_str())).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let reused: Vec<&str> =
        distinct.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1).map(|run| run[0].0).collect();
    match reused.first() {
        None => Outcome::pass(format!("{} Disclosures, each with a salt of its own", distinct.len())),
        Some(salt) => Outcome::fail(
            "a salt unique to each Disclosure (RFC 9901 §4.2.1, §9.3)",
            format!("{} salts shared by several Disclosures, e.g. {salt:?}", reused.len()),
        ),
    }
}

/// SDJWT-003: a Holder sends no Disclosure more than once (RFC 9901 §4).
pub(crate) fn disclosures_once(sd: &SdJwt) -> Outcome {
    let mut seen = std::collections::HashSet::new();
    let repeated: Vec<usize> =
        sd.disclosures.iter().enumerate().filter(|(_, d)| !seen.insert(d.encoded.as_str())).map(|(i, _)| i).collect();
    if repeated.is_empty() {
        Outcome::pass(format!("{} Disclosures, each sent once", sd.disclosures.len()))
    } else {
        Outcome::fail(
            "each Disclosure sent at most once (RFC 9901 §4)",
            format!("Disclosures {repeated:?} repeat an earlier one"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::sdjwt::{self, Disclosure};
    use dialtone_protocols::seed::Entropy;
    use serde_json::json;

    fn sd(payload: Value, disclosures: &[Disclosure]) -> SdJwt {
        let key = EcKey::generate(&Entropy::seeded(1));
        let jwt = key.sign_jws(&json!({"typ": "dc+sd-jwt"}), &payload);
        SdJwt::parse(&sdjwt::serialize(&jwt, disclosures)).unwrap()
    }

    #[test]
    fn reserved_names_where_rfc_9901_puts_them() {
        let d = Disclosure::new("salt-salt-salt-salt-salt", Some("a"), &json!(1));
        let digest = HashAlg::Sha256.digest(&d.encoded);
        let ok = sd(json!({"_sd": [digest], "list": [{"...": digest.clone()}, 2]}), &[]);
        assert!(matches!(reserved_names(&ok), Outcome::Pass { .. }));
        for bad in [
            json!({"x": {"...": digest}}),
            json!({"list": [{"...": digest, "more": 1}]}),
            json!({"x": {"_sd_alg": "sha-256"}}),
            json!({"_sd": ["c2hvcnQ"]}),
        ] {
            assert!(matches!(reserved_names(&sd(bad.clone(), &[])), Outcome::Fail { .. }), "{bad}");
        }
    }

    #[test]
    fn a_repeated_disclosure_is_not_a_reused_salt() {
        let d = Disclosure::new("salt-salt-salt-salt-salt", Some("a"), &json!(1));
        let twice = sd(json!({"_sd": [HashAlg::Sha256.digest(&d.encoded)]}), &[d.clone(), d.clone()]);
        assert!(matches!(salts_unique(&twice), Outcome::Pass { .. }));
        assert!(matches!(disclosures_once(&twice), Outcome::Fail { .. }));
        let other = Disclosure::new("salt-salt-salt-salt-salt", Some("b"), &json!(2));
        let shared = sd(json!({}), &[d.clone(), other.clone()]);
        assert!(matches!(salts_unique(&shared), Outcome::Fail { .. }));
        // Counted once per salt, the first salt in order named; a Disclosure sent twice counts once.
        let mine = Disclosure::new("salt-of-my-own-salt-of-my", Some("c"), &json!(3));
        let b = Disclosure::new("b-salt-b-salt-b-salt-b-salt", Some("d"), &json!(4));
        let b2 = Disclosure::new("b-salt-b-salt-b-salt-b-salt", Some("e"), &json!(5));
        let all = sd(json!({}), &[d.clone(), mine.clone(), b, other, d.clone(), b2]);
        match salts_unique(&all) {
            Outcome::Fail { observed, .. } => {
                assert_eq!(observed, "2 salts shared by several Disclosures, e.g. \"b-salt-b-salt-b-salt-b-salt\"")
            }
            other => panic!("{other:?}"),
        }
        match salts_unique(&sd(json!({}), &[mine.clone(), d.clone(), mine])) {
            Outcome::Pass { observed } => assert_eq!(observed, "2 Disclosures, each with a salt of its own"),
            other => panic!("{other:?}"),
        }
    }
}
