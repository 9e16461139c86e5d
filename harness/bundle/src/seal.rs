//! Making a bundle: render the reports and the public view, bind them, the inputs and the results
//! in the statement, sign it, pack it.

use crate::dsse::Envelope;
use crate::statement::{
    ArtifactEntry, Build, Candidate, EvidenceDigest, OverallVerdict, PREDICATE_TYPE, Predicate, ResourceDescriptor,
    ResultEntry, STATEMENT_TYPE, Statement, Views,
};
use crate::{
    BundleError, ENVELOPE, Files, JUNIT_XML, PUBLIC_REPORT_HTML, PUBLIC_REPORT_JSON, REPORT_HTML, REPORT_JSON,
    SIGNER_KEY, SigningKey,
};
use dialtone_engine::model::Report;
use std::collections::BTreeMap;

/// What a bundle seals.
pub struct Seal<'a> {
    pub report: &'a Report,
    /// `run` or `check`.
    pub command: &'a str,
    /// The options that shaped what was judged (seed, `--only`, shards, `--now`, …).
    pub invocation: BTreeMap<String, serde_json::Value>,
    /// Every input file, with its kind ([`ResourceDescriptor::input`]).
    pub inputs: Vec<ResourceDescriptor>,
    /// The dialtone that ran ([`this_build`]).
    pub build: Build,
}

/// A sealed bundle: the archive's bytes and what its signature binds.
pub struct Sealed {
    pub archive: Vec<u8>,
    pub statement: Statement,
    pub key_id: String,
}

/// The git commit this dialtone was built at, when it was built in a git checkout.
pub fn build_commit() -> Option<&'static str> {
    option_env!("DIALTONE_BUILD_COMMIT")
}

/// This dialtone: its version, the commit it was built at (when known), and the digest of the
/// running program.
pub fn this_build() -> Build {
    Build {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: build_commit().map(str::to_string),
        executable_sha256: executable_digest(),
    }
}

fn executable_digest() -> Option<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let file = std::fs::File::open(std::env::current_exe().ok()?).ok()?;
    let mut hasher = Sha256::new();
    let mut reader = std::io::BufReader::new(file.take(4 << 30));
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(buf.get(..n)?),
            Err(_) => return None,
        }
    }
    Some(crate::digest::hex(&hasher.finalize()))
}

fn render(what: &'static str, result: Result<String, dialtone_reports::RenderError>) -> Result<Vec<u8>, BundleError> {
    result.map(String::into_bytes).map_err(|e| BundleError::Archive(format!("cannot render {what}: {e}")))
}

/// Renders the reports, signs the statement binding them with `key`, and packs the bundle.
pub fn seal(seal: Seal<'_>, key: &SigningKey) -> Result<Sealed, BundleError> {
    let report = seal.report;
    let public = crate::public::view(report);
    let public_key = key.public();
    let mut files = Files::new();
    files.insert(REPORT_JSON.into(), render("report.json", dialtone_reports::json(report))?);
    files.insert(REPORT_HTML.into(), render("report.html", dialtone_reports::html::render(report))?);
    files.insert(JUNIT_XML.into(), render("junit.xml", dialtone_reports::junit::render(report))?);
    files.insert(PUBLIC_REPORT_JSON.into(), render("the public report.json", dialtone_reports::json(&public))?);
    files.insert(PUBLIC_REPORT_HTML.into(), render("the public report.html", dialtone_reports::html::render(&public))?);
    let pem = public_key.to_pem().map_err(|e| BundleError::SignerKey { detail: e.to_string() })?;
    files.insert(SIGNER_KEY.into(), pem.into_bytes());

    // The evidence digests, from report.json as a verifier will read it.
    let parsed: serde_json::Value =
        serde_json::from_slice(files.get(REPORT_JSON).map(Vec::as_slice).unwrap_or_default())
            .map_err(|e| BundleError::Archive(format!("report.json does not read back: {e}")))?;
    let evidence = crate::evidence::digests(&parsed).map_err(|e| BundleError::Archive(format!("report.json: {e}")))?;
    let results = report
        .results
        .iter()
        .zip(evidence.per_result.iter())
        .map(|(r, (_, digest))| ResultEntry {
            id: r.id.clone(),
            plan: r.plan.clone(),
            level: r.level.as_str().into(),
            verdict: r.verdict.as_str().into(),
            blocked_by: r.blocked_by.clone(),
            known_failure: r.known_failure.is_some(),
            evidence_sha256: digest.clone(),
        })
        .collect();
    let v = &report.verdict;
    let status = serde_json::to_value(v.status).ok().and_then(|s| s.as_str().map(str::to_string)).unwrap_or_default();
    let predicate = Predicate {
        dialtone: seal.build,
        command: seal.command.into(),
        invocation: seal.invocation,
        generated_at: report.generated_at.clone(),
        inputs: seal.inputs,
        candidate: Candidate {
            name: report.candidate.name.clone(),
            vendor: report.candidate.vendor.clone(),
            version: report.candidate.version.clone(),
            roles: report.candidate.roles.iter().map(|r| r.as_str().to_string()).collect(),
            base_url: report.candidate.base_url.clone(),
            conformance: report.candidate.conformance.clone(),
            profiles: v.covers.profiles.clone(),
        },
        verdict: OverallVerdict {
            status,
            statement: v.statement.clone(),
            must_failures: v.must_failures,
            known_failures: v.known_failures,
            blocked: v.blocked,
            should_warnings: v.should_warnings,
            errors: v.errors,
            inconclusive: v.inconclusive,
            unverified: v.unverified,
            cases_judged: v.covers.cases_judged,
            cases_not_applicable: v.covers.cases_not_applicable,
        },
        results,
        artifacts: report
            .artifacts
            .iter()
            .map(|a| ArtifactEntry {
                name: a.name.clone(),
                format: a.format.clone(),
                verdict: a.verdict.as_str().into(),
            })
            .collect(),
        evidence: EvidenceDigest { file: REPORT_JSON.into(), sha256: evidence.full },
        views: Views {
            public: vec![SIGNER_KEY.into(), PUBLIC_REPORT_HTML.into(), PUBLIC_REPORT_JSON.into()],
            public_report: PUBLIC_REPORT_JSON.into(),
        },
    };
    let statement = Statement {
        statement_type: STATEMENT_TYPE.into(),
        subject: files.iter().map(|(name, bytes)| ResourceDescriptor::of(name.clone(), bytes)).collect(),
        predicate_type: PREDICATE_TYPE.into(),
        predicate,
    };
    let payload = serde_json::to_vec_pretty(&statement)
        .map_err(|e| BundleError::Statement { detail: format!("cannot be written: {e}") })?;
    files.insert(ENVELOPE.into(), Envelope::sign(&payload, key).to_bytes());
    let archive = crate::archive::pack(&files)?;
    Ok(Sealed { archive, statement, key_id: public_key.key_id() })
}
