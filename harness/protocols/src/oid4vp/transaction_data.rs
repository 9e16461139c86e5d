//! Transaction data (OpenID4VP 1.0 §5.1, §8.4, and for SD-JWT VC §B.3.3): typed objects a verifier
//! asks the End-User to authorize, sent base64url-encoded in `transaction_data`, and bound by the
//! wallet into the key binding JWT as `transaction_data_hashes` (hashes over the strings as
//! received, no decoding first) with `transaction_data_hashes_alg` when the request offered
//! algorithms. Once for both sides: reading and validating a request's objects (a wallet refuses
//! any type it does not know, §5.1), the key binding claims, and the verifier's check of them.
//!
//! The types are the verifier's to define; dialtone defines one test type, [`PAYMENT_CONSENT`]:
//!
//! ```json
//! { "type": "urn:dialtone:transaction-data:payment-consent",
//!   "credential_ids": ["person"],
//!   "transaction_data_hashes_alg": ["sha-256"],          // optional (§B.3.3.1)
//!   "payee": "Northern Store, Iqaluit",                  // required, a non-empty string
//!   "amount": "42.00",                                   // required, a decimal string
//!   "currency": "CAD" }                                  // required, three capital letters
//! ```

use crate::b64;
use crate::sdjwt::HashAlg;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// dialtone's test transaction data type: consent to a payment.
pub const PAYMENT_CONSENT: &str = "urn:dialtone:transaction-data:payment-consent";
/// The error a wallet answers for transaction data it cannot process (§8.5).
pub const INVALID_TRANSACTION_DATA: &str = "invalid_transaction_data";
/// The key binding JWT's claims (§B.3.3.1).
pub const HASHES: &str = "transaction_data_hashes";
pub const HASHES_ALG: &str = "transaction_data_hashes_alg";
/// The default hash when the request offers none (§B.3.3.1).
const DEFAULT_ALG: HashAlg = HashAlg::Sha256;

/// The members every transaction data object has (§5.1) and [`PAYMENT_CONSENT`]'s own.
const COMMON: &[&str] = &["type", "credential_ids", HASHES_ALG];
const PAYMENT_MEMBERS: &[&str] = &["payee", "amount", "currency"];

/// One transaction data object of a request, with the string it came as.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionData {
    /// The base64url string exactly as in the request (the hash input).
    pub encoded: String,
    pub kind: String,
    pub credential_ids: Vec<String>,
    /// The hash algorithms it offers (`transaction_data_hashes_alg`), if it offers any.
    pub hashes_alg: Option<Vec<String>>,
}

/// The request parameter's strings (`transaction_data`: a non-empty array of strings), if present.
pub fn encoded(parameter: Option<&Value>) -> Result<Vec<String>, String> {
    match parameter {
        None => Ok(Vec::new()),
        Some(Value::Array(list)) if !list.is_empty() && list.iter().all(Value::is_string) => {
            Ok(list.iter().filter_map(Value::as_str).map(str::to_string).collect())
        }
        Some(other) => Err(format!(
            "{INVALID_TRANSACTION_DATA}: transaction_data must be a non-empty array of strings (§5.1), not {other}"
        )),
    }
}

/// Reads the request's transaction data as a wallet must (§5.1, §8.5): every object of a type in
/// `known`, well-formed for it, referencing credential queries of `query_ids`. `Err` begins
/// `invalid_transaction_data`.
pub fn read(parameter: Option<&Value>, known: &[&str], query_ids: &[&str]) -> Result<Vec<TransactionData>, String> {
    let bad = |why: String| format!("{INVALID_TRANSACTION_DATA}: {why}");
    let mut out = Vec::new();
    for (i, text) in encoded(parameter)?.into_iter().enumerate() {
        let bytes = b64::decode(&text).map_err(|e| bad(format!("transaction_data[{i}] is not base64url: {e}")))?;
        let object: Map<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("transaction_data[{i}] is not a JSON object: {e}")))?;
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("transaction_data[{i}] has no type")))?;
        if !known.contains(&kind) {
            return Err(bad(format!("transaction_data[{i}] is of type {kind:?}, which this wallet does not know")));
        }
        let ids: Vec<String> = object
            .get("credential_ids")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty() && a.iter().all(Value::is_string))
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .ok_or_else(|| bad(format!("transaction_data[{i}].credential_ids must be a non-empty array of strings")))?;
        if let Some(id) = ids.iter().find(|id| !query_ids.contains(&id.as_str())) {
            return Err(bad(format!("transaction_data[{i}] references {id:?}, which no credential query has")));
        }
        let hashes_alg = match object.get(HASHES_ALG) {
            None => None,
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
                Some(a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            }
            Some(other) => {
                return Err(bad(format!(
                    "transaction_data[{i}].{HASHES_ALG} is {other}, not a non-empty array of strings"
                )));
            }
        };
        if kind == PAYMENT_CONSENT {
            payment_consent_members(&object).map_err(|why| bad(format!("transaction_data[{i}]: {why}")))?;
        }
        out.push(TransactionData { encoded: text, kind: kind.to_string(), credential_ids: ids, hashes_alg });
    }
    Ok(out)
}

/// [`PAYMENT_CONSENT`]'s members: each required, of its type, and no other.
fn payment_consent_members(object: &Map<String, Value>) -> Result<(), String> {
    if let Some(unknown) =
        object.keys().find(|k| !COMMON.contains(&k.as_str()) && !PAYMENT_MEMBERS.contains(&k.as_str()))
    {
        return Err(format!("member {unknown:?} is not one of a payment consent"));
    }
    let text = |name: &str| object.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
    text("payee").ok_or("payee must be a non-empty string")?;
    let amount = text("amount").ok_or("amount must be a decimal string")?;
    let (units, cents) = amount.split_once('.').unwrap_or((amount, "00"));
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) || !cents.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("amount {amount:?} is not a decimal string"));
    }
    let currency = text("currency").ok_or("currency must be a string")?;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("currency {currency:?} is not three capital letters"));
    }
    Ok(())
}

/// A payment consent for the credential queries `credential_ids` (as a verifier builds it).
pub fn payment_consent(credential_ids: &[&str]) -> Value {
    json!({
        "type": PAYMENT_CONSENT,
        "credential_ids": credential_ids,
        "payee": "Northern Store, Iqaluit",
        "amount": "42.00",
        "currency": "CAD",
    })
}

/// An object as the request carries it: base64url of its JSON.
pub fn encode(object: &Value) -> String {
    b64::encode(object.to_string())
}

/// How a wallet binds transaction data into the key binding JWT; the default is correct.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionDataChoice {
    /// `transaction_data_hashes` over the request's strings for this credential query.
    #[default]
    Hashed,
    /// No `transaction_data_hashes`.
    Omit,
    /// Hashes over other strings (the request's with a suffix).
    Altered,
}

/// The key binding JWT claims for the credential query `query_id` (§B.3.3.1): the hashes of the
/// objects that reference it, with the algorithm named when the request offered algorithms. Empty
/// when none references it.
pub fn kb_claims(objects: &[TransactionData], query_id: &str, choice: TransactionDataChoice) -> Map<String, Value> {
    let mine: Vec<&TransactionData> =
        objects.iter().filter(|t| t.credential_ids.iter().any(|id| id == query_id)).collect();
    let mut claims = Map::new();
    if mine.is_empty() || choice == TransactionDataChoice::Omit {
        return claims;
    }
    let offered = mine.iter().find_map(|t| t.hashes_alg.clone());
    let alg =
        offered.as_ref().and_then(|names| names.iter().find_map(|n| HashAlg::from_name(n))).unwrap_or(DEFAULT_ALG);
    let hashes: Vec<Value> = mine
        .iter()
        .map(|t| match choice {
            TransactionDataChoice::Altered => format!("{}A", t.encoded),
            _ => t.encoded.clone(),
        })
        .map(|input| Value::String(alg.digest(&input)))
        .collect();
    claims.insert(HASHES.into(), Value::Array(hashes));
    if offered.is_some() {
        claims.insert(HASHES_ALG.into(), Value::String(alg.name().into()));
    }
    claims
}

/// Adds to a key binding JWT's `payload` the claims binding `request`'s transaction data for the
/// credential query `query_id` ([`kb_claims`]).
pub fn bind(
    payload: &mut Value,
    request: &super::holder::Request,
    query_id: &str,
    choice: TransactionDataChoice,
) -> Result<(), String> {
    let objects = sent_objects(&encoded(request.params.transaction_data.as_ref())?)?;
    if let Value::Object(claims) = payload {
        claims.extend(kb_claims(&objects, query_id, choice));
    }
    Ok(())
}

/// How a verifier hashes what it sent; the default is §B.3.3.1's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HashInput {
    /// The base64url string as sent.
    #[default]
    Encoded,
    /// The decoded JSON (what §B.3.3.1 says not to do).
    Decoded,
}

/// A verifier's check of a key binding JWT's payload for credential query `query_id`, given the
/// strings it sent (`sent`): every object referencing the query has its hash, by the algorithm
/// it offered (or sha-256). `Err` says what does not match.
pub fn verify_kb(kb: &Map<String, Value>, sent: &[String], query_id: &str, input: HashInput) -> Result<(), String> {
    let objects = sent_objects(sent)?;
    let mine: Vec<&TransactionData> =
        objects.iter().filter(|t| t.credential_ids.iter().any(|id| id == query_id)).collect();
    if mine.is_empty() {
        return Ok(());
    }
    let offered = mine.iter().find_map(|t| t.hashes_alg.clone());
    let alg = match (kb.get(HASHES_ALG).and_then(Value::as_str), &offered) {
        (Some(name), Some(offered)) if offered.iter().any(|o| o == name) => {
            HashAlg::from_name(name).ok_or(format!("{HASHES_ALG} {name:?} is not a hash dialtone knows"))?
        }
        (Some(name), Some(offered)) => {
            return Err(format!("{HASHES_ALG} {name:?} is not one the request offered ({offered:?})"));
        }
        (None, Some(offered)) => {
            return Err(format!("no {HASHES_ALG} in the KB-JWT, though the request offered {offered:?} (§B.3.3.1)"));
        }
        (Some("sha-256") | None, None) => DEFAULT_ALG,
        (Some(name), None) => {
            return Err(format!("{HASHES_ALG} {name:?}, though the request offered none (sha-256 is required)"));
        }
    };
    let got: Vec<&str> = kb
        .get(HASHES)
        .and_then(Value::as_array)
        .ok_or(format!("the KB-JWT has no {HASHES} for the transaction data it was asked to authorize (§B.3.3.1)"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in mine {
        let hashed = match input {
            HashInput::Encoded => t.encoded.clone(),
            HashInput::Decoded => String::from_utf8_lossy(&b64::decode(&t.encoded).unwrap_or_default()).into_owned(),
        };
        let want = alg.digest(&hashed);
        if !got.contains(&want.as_str()) {
            return Err(format!(
                "{HASHES} {got:?} lacks the {} hash of transaction data {:?} ({want})",
                alg.name(),
                t.kind
            ));
        }
    }
    Ok(())
}

/// The objects of a request's `transaction_data` strings, read without judging their type: what
/// the verifier sent (it defined them), and what a wallet that accepted them binds.
pub fn sent_objects(sent: &[String]) -> Result<Vec<TransactionData>, String> {
    sent.iter()
        .map(|text| {
            let bytes = b64::decode(text).map_err(|e| format!("the verifier's own transaction data: {e}"))?;
            let object: Map<String, Value> =
                serde_json::from_slice(&bytes).map_err(|e| format!("the verifier's own transaction data: {e}"))?;
            let strings = |name: &str| -> Option<Vec<String>> {
                object.get(name)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            };
            Ok(TransactionData {
                encoded: text.clone(),
                kind: object.get("type").and_then(Value::as_str).unwrap_or_default().to_string(),
                credential_ids: strings("credential_ids").unwrap_or_default(),
                hashes_alg: strings(HASHES_ALG),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(objects: &[Value]) -> Value {
        Value::Array(objects.iter().map(|o| Value::String(encode(o))).collect())
    }

    #[test]
    fn a_wallet_reads_known_types_and_refuses_unknown_or_malformed_ones() {
        let consent = payment_consent(&["person"]);
        let read_ok = read(Some(&request(std::slice::from_ref(&consent))), &[PAYMENT_CONSENT], &["person"]).unwrap();
        assert_eq!(read_ok[0].kind, PAYMENT_CONSENT);
        let unknown = json!({"type": "urn:example:unknown", "credential_ids": ["person"]});
        let err = read(Some(&request(&[unknown])), &[PAYMENT_CONSENT], &["person"]).unwrap_err();
        assert!(err.starts_with(INVALID_TRANSACTION_DATA) && err.contains("does not know"), "{err}");
        let mut extra = consent.clone();
        extra["tip"] = json!("5.00");
        assert!(read(Some(&request(&[extra])), &[PAYMENT_CONSENT], &["person"]).unwrap_err().contains("tip"));
        let mut bad_amount = consent.clone();
        bad_amount["amount"] = json!(42);
        assert!(read(Some(&request(&[bad_amount])), &[PAYMENT_CONSENT], &["person"]).is_err());
        assert!(
            read(Some(&request(std::slice::from_ref(&consent))), &[PAYMENT_CONSENT], &["other"])
                .unwrap_err()
                .contains("person")
        );
        assert!(read(Some(&json!([])), &[PAYMENT_CONSENT], &["person"]).is_err());
        assert!(read(Some(&json!(["%%%"])), &[PAYMENT_CONSENT], &["person"]).is_err());
        assert!(read(None, &[], &[]).unwrap().is_empty());
    }

    #[test]
    fn hashes_cover_the_strings_as_sent_and_the_verifier_checks_them() {
        let sent = vec![encode(&payment_consent(&["person"]))];
        let objects = read(Some(&request(&[payment_consent(&["person"])])), &[PAYMENT_CONSENT], &["person"]).unwrap();
        let kb = kb_claims(&objects, "person", TransactionDataChoice::Hashed);
        assert_eq!(kb[HASHES], json!([HashAlg::Sha256.digest(&sent[0])]));
        assert!(kb.get(HASHES_ALG).is_none(), "no algorithm offered: sha-256, unnamed");
        assert!(verify_kb(&kb, &sent, "person", HashInput::Encoded).is_ok());
        assert!(verify_kb(&kb, &sent, "person", HashInput::Decoded).is_err(), "hashing the decoded JSON differs");
        assert!(kb_claims(&objects, "other", TransactionDataChoice::Hashed).is_empty());
        let omitted = kb_claims(&objects, "person", TransactionDataChoice::Omit);
        assert!(verify_kb(&omitted, &sent, "person", HashInput::Encoded).unwrap_err().contains(HASHES));
        let altered = kb_claims(&objects, "person", TransactionDataChoice::Altered);
        assert!(verify_kb(&altered, &sent, "person", HashInput::Encoded).unwrap_err().contains("lacks"));
        // An offered algorithm is used and named.
        let mut offered = payment_consent(&["person"]);
        offered[HASHES_ALG] = json!(["sha-384"]);
        let sent = vec![encode(&offered)];
        let objects = read(Some(&request(&[offered])), &[PAYMENT_CONSENT], &["person"]).unwrap();
        let kb = kb_claims(&objects, "person", TransactionDataChoice::Hashed);
        assert_eq!(kb[HASHES_ALG], json!("sha-384"));
        assert!(verify_kb(&kb, &sent, "person", HashInput::Encoded).is_ok());
        let mut unnamed = kb.clone();
        unnamed.remove(HASHES_ALG);
        assert!(verify_kb(&unnamed, &sent, "person", HashInput::Encoded).is_err());
    }
}
