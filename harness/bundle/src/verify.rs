//! Verifying a bundle from someone else: the one call a review service makes on arrival.
//!
//! In order: the envelope is in the form dialtone writes; its one signature verifies over the
//! statement with the trusted key (or, without one, with the key the bundle carries) and names
//! that key; the statement is an in-toto Statement of dialtone's predicate; every file present is
//! a subject and has the digest signed, and none the public view needs is missing; the public
//! report's results are the statement's; and, when the full evidence is there, each result's
//! evidence and the whole have the digests signed. The first failure is the error, naming the file.

use crate::archive::check_name;
use crate::dsse::{Envelope, EnvelopeFault};
use crate::statement::{PREDICATE_TYPE, STATEMENT_TYPE, Statement};
use crate::{BundleError, ENVELOPE, Files, Limits, PublicKey, SIGNER_KEY};
use serde_json::Value;

/// A bundle whose signature and every digest hold.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    /// The key that signed (its id: [`PublicKey::key_id`]). With [`verify`], it is the key the
    /// bundle carries: the bundle is intact, and whose it is is for the caller to decide (a
    /// service compares it with the vendor's registered keys).
    pub signer: PublicKey,
    /// Whether the signer is the key the caller gave ([`verify_with_key`]).
    pub signer_trusted: bool,
    /// What the signature binds: the inputs, the candidate, the verdict, every result.
    pub statement: Statement,
    pub view: View,
    /// The files, verified (the envelope included).
    pub files: Files,
}

/// How much of the bundle is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Every file the statement signs.
    Full,
    /// The public view: the named files are withheld (the evidence, the full reports).
    Public { withheld: Vec<String> },
}

impl VerifiedBundle {
    pub fn key_id(&self) -> String {
        self.signer.key_id()
    }

    /// The public report (`public/report.json`), present in every verified bundle.
    pub fn public_report(&self) -> &[u8] {
        self.files.get(&self.statement.predicate.views.public_report).map(Vec::as_slice).unwrap_or_default()
    }
}

/// Verifies a bundle archive with the key it carries: its integrity, not who signed it
/// ([`VerifiedBundle::signer`] says which key did).
pub fn verify(bytes: &[u8]) -> Result<VerifiedBundle, BundleError> {
    verify_files(crate::archive::unpack(bytes, &Limits::default())?, None)
}

/// Verifies a bundle archive that `key` must have signed.
pub fn verify_with_key(bytes: &[u8], key: &PublicKey) -> Result<VerifiedBundle, BundleError> {
    verify_files(crate::archive::unpack(bytes, &Limits::default())?, Some(key))
}

/// Verifies a bundle's files (an archive unpacked by [`crate::unpack`], or a folder read by
/// [`crate::read_dir`]), signed by `trusted` when given, else by the key the bundle carries.
pub fn verify_files(files: Files, trusted: Option<&PublicKey>) -> Result<VerifiedBundle, BundleError> {
    let limits = Limits::default();
    let envelope_bytes = files.get(ENVELOPE).ok_or(BundleError::Missing { file: ENVELOPE.into() })?;
    if envelope_bytes.len() as u64 > limits.envelope_bytes {
        return Err(BundleError::TooLarge { what: ENVELOPE.into(), limit: limits.envelope_bytes });
    }
    let envelope = Envelope::parse(envelope_bytes).map_err(|detail| BundleError::Envelope { detail })?;
    let carried = files
        .get(SIGNER_KEY)
        .map(|pem| PublicKey::from_pem(pem).map_err(|e| BundleError::SignerKey { detail: e.to_string() }));
    let (key, signer_trusted) = match (trusted, &carried) {
        (Some(key), _) => (key.clone(), true),
        (None, Some(Ok(key))) => (key.clone(), false),
        (None, Some(Err(e))) => return Err(e.clone()),
        (None, None) => return Err(BundleError::Missing { file: SIGNER_KEY.into() }),
    };
    let payload = envelope.verified_payload(&key).map_err(|fault| match fault {
        EnvelopeFault::Malformed(detail) => BundleError::Envelope { detail },
        EnvelopeFault::BadSignature => BundleError::Signature { key_id: key.key_id() },
        EnvelopeFault::OtherKey { keyid } if signer_trusted => {
            BundleError::OtherSigner { signed_by: keyid, trusted: key.key_id() }
        }
        // The signature names another key than the one the bundle carries, and does not verify
        // with it: the carried key is not the signer's.
        EnvelopeFault::OtherKey { keyid } => BundleError::SignerKey {
            detail: format!("not the key that signed (the signature names key {keyid}, this is {})", key.key_id()),
        },
    })?;
    if let Some(Ok(carried)) = &carried
        && *carried != key
    {
        return Err(BundleError::SignerKey {
            detail: format!("key {} is not the key that signed ({})", carried.key_id(), key.key_id()),
        });
    }
    let statement: Statement = serde_json::from_slice(&payload)
        .map_err(|e| BundleError::Statement { detail: format!("is not dialtone's in-toto Statement: {e}") })?;
    if statement.statement_type != STATEMENT_TYPE || statement.predicate_type != PREDICATE_TYPE {
        return Err(BundleError::Statement {
            detail: format!(
                "is of type {:?} with predicate {:?}, not {STATEMENT_TYPE} with {PREDICATE_TYPE}",
                statement.statement_type, statement.predicate_type
            ),
        });
    }
    let view = check_subjects(&statement, &files)?;
    check_report(&statement, &files, &statement.predicate.views.public_report)?;
    if files.contains_key(&statement.predicate.evidence.file) {
        check_report(&statement, &files, &statement.predicate.evidence.file)?;
        check_evidence(&statement, &files)?;
    }
    Ok(VerifiedBundle { signer: key, signer_trusted, statement, view, files })
}

/// Every file present is signed with its digest; what is missing is outside the public view.
fn check_subjects(statement: &Statement, files: &Files) -> Result<View, BundleError> {
    let mut signed = std::collections::BTreeMap::new();
    for s in &statement.subject {
        let digest = s.sha256().filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(digest) = digest else {
            return Err(BundleError::Statement { detail: format!("gives subject {:?} no SHA-256", s.name) });
        };
        if check_name(&s.name).is_err() || s.name == ENVELOPE || signed.insert(s.name.as_str(), digest).is_some() {
            return Err(BundleError::Statement { detail: format!("has a subject named {:?}", s.name) });
        }
    }
    for (name, bytes) in files {
        if name == ENVELOPE {
            continue;
        }
        let Some(expected) = signed.get(name.as_str()) else {
            return Err(BundleError::Unexpected { file: name.clone() });
        };
        let found = crate::digest::sha256(bytes);
        if !found.eq_ignore_ascii_case(expected) {
            return Err(BundleError::Changed { file: name.clone(), expected: expected.to_string(), found });
        }
    }
    let views = &statement.predicate.views;
    if !views.public.contains(&views.public_report) {
        return Err(BundleError::Statement { detail: "names a public report outside the public view".into() });
    }
    let mut withheld = Vec::new();
    for name in signed.keys() {
        if files.contains_key(*name) {
            continue;
        }
        if views.public.iter().any(|p| p == name) {
            return Err(BundleError::Missing { file: name.to_string() });
        }
        withheld.push(name.to_string());
    }
    for name in &views.public {
        if !signed.contains_key(name.as_str()) {
            return Err(BundleError::Statement {
                detail: format!("puts {name:?} in the public view without signing it"),
            });
        }
    }
    Ok(if withheld.is_empty() { View::Full } else { View::Public { withheld } })
}

fn parse_json(files: &Files, name: &str) -> Result<Value, BundleError> {
    let bytes = files.get(name).ok_or_else(|| BundleError::Missing { file: name.into() })?;
    serde_json::from_slice(bytes).map_err(|e| BundleError::Inconsistent {
        file: name.into(),
        detail: format!("not JSON dialtone can read: {e}"),
    })
}

/// A report says what the statement says: the same results, verdicts and candidate.
fn check_report(statement: &Statement, files: &Files, name: &str) -> Result<(), BundleError> {
    let p = &statement.predicate;
    let report = parse_json(files, name)?;
    let differs = |detail: String| BundleError::Inconsistent { file: name.into(), detail };
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let results = report.get("results").and_then(Value::as_array).ok_or_else(|| differs("no results".into()))?;
    if results.len() != p.results.len() {
        return Err(differs(format!("{} results, the statement {}", results.len(), p.results.len())));
    }
    let rules = report.get("rules");
    for (r, s) in results.iter().zip(&p.results) {
        let (plan, level) = plan_and_level(r, rules);
        let same = text(r, "id").as_deref() == Some(s.id.as_str())
            && plan.as_deref() == Some(s.plan.as_str())
            && level.as_deref() == Some(s.level.as_str())
            && text(r, "verdict").as_deref() == Some(s.verdict.as_str())
            && text(r, "blocked_by") == s.blocked_by
            && r.get("known_failure").is_some_and(|k| !k.is_null()) == s.known_failure;
        if !same {
            return Err(differs(format!("its result {} is not the one the statement signs", s.id)));
        }
    }
    let status = report.get("verdict").and_then(|v| text(v, "status"));
    if status.as_deref() != Some(p.verdict.status.as_str()) {
        return Err(differs(format!("its verdict {status:?} is not the statement's {:?}", p.verdict.status)));
    }
    let candidate = report.get("candidate").cloned().unwrap_or(Value::Null);
    for (key, signed) in
        [("name", &p.candidate.name), ("vendor", &p.candidate.vendor), ("version", &p.candidate.version)]
    {
        if text(&candidate, key).as_deref() != Some(signed.as_str()) {
            return Err(differs(format!("its candidate {key} is not the statement's")));
        }
    }
    Ok(())
}

/// A result's plan and level: its own, or for a check's compact passing row (its id and verdict
/// alone, `dialtone_engine::compact`) the artifact rules' plan and its rule's level in `rules`.
fn plan_and_level(row: &Value, rules: Option<&Value>) -> (Option<String>, Option<String>) {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if row.get("plan").is_some() {
        return (text(row.get("plan")), text(row.get("level")));
    }
    let rule = row.get("id").and_then(Value::as_str).and_then(dialtone_engine::compact::rule_and_artifact);
    let level = rule.and_then(|(rule, _)| rules?.get(rule)?.get("level"));
    (Some(dialtone_engine::compact::ARTIFACT_PLAN.to_string()), text(level))
}

/// Each result's evidence, and the whole, has the digest the statement signs.
fn check_evidence(statement: &Statement, files: &Files) -> Result<(), BundleError> {
    let p = &statement.predicate;
    let name = p.evidence.file.as_str();
    let report = parse_json(files, name)?;
    let differs = |detail: String| BundleError::Inconsistent { file: name.into(), detail };
    let digests = crate::evidence::digests(&report).map_err(&differs)?;
    if digests.per_result.len() != p.results.len() {
        return Err(differs(format!("{} results, the statement {}", digests.per_result.len(), p.results.len())));
    }
    for ((id, digest), signed) in digests.per_result.iter().zip(&p.results) {
        if *id != signed.id || *digest != signed.evidence_sha256 {
            return Err(differs(format!("the evidence of {id} is not the evidence the statement signs")));
        }
    }
    if digests.full != p.evidence.sha256 {
        return Err(differs("the evidence as a whole is not the evidence the statement signs".into()));
    }
    Ok(())
}

/// The public view of a verified bundle: the envelope, the signer's key and the public files.
/// The same signature verifies it.
pub fn publish(bundle: &VerifiedBundle) -> Files {
    let keep = &bundle.statement.predicate.views.public;
    bundle
        .files
        .iter()
        .filter(|(name, _)| name.as_str() == ENVELOPE || keep.contains(name))
        .map(|(n, b)| (n.clone(), b.clone()))
        .collect()
}
