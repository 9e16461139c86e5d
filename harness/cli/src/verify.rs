//! `dialtone verify`, `dialtone publish` and `dialtone key`: checking a signed bundle from anyone,
//! writing its public view, and the signing key a vendor gives evaluators.

use crate::sign;
use crate::words::t;
use crate::{CliError, exit, shown};
use dialtone_bundle::{BundleError, Files, Limits, VerifiedBundle, View};
use dialtone_i18n::{FluentValue, Lang};
use std::path::{Path, PathBuf};

/// Exit code of `verify` when a bundle is intact but signed by a key the user did not name.
pub const UNTRUSTED_SIGNER: i32 = 4;

/// Reads a bundle: an archive file, or the folder it was unpacked to.
fn read_bundle(path: &Path) -> Result<Files, CliError> {
    let limits = Limits::default();
    let result = if path.is_dir() {
        dialtone_bundle::read_dir(path, &limits)
    } else {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(limits.archive_bytes + 1).read_to_end(&mut bytes))
            .map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?;
        dialtone_bundle::unpack(&bytes, &limits)
    };
    result.map_err(|e| refused(path, &e))
}

fn refused(path: &Path, e: &BundleError) -> CliError {
    let which = e.file().map(|f| format!(" — {} is the file", shown(f))).unwrap_or_default();
    CliError { code: exit::FAILED, message: format!("{}: does not verify: {e}{which}", path.display()) }
}

/// Verifies a bundle, signed by `--key` (or the user's own key when they have one).
fn verified(path: &Path, key: Option<&Path>) -> Result<(VerifiedBundle, Option<String>), CliError> {
    let files = read_bundle(path)?;
    let trusted = sign::trusted_key(key)?;
    match dialtone_bundle::verify_files(files.clone(), trusted.as_ref().map(|(k, _)| k)) {
        Ok(v) => Ok((v, trusted.map(|(_, whose)| whose))),
        // Not signed by the user's own key, which they did not name: check it as anyone's bundle.
        Err(BundleError::OtherSigner { .. }) if key.is_none() => {
            let v = dialtone_bundle::verify_files(files, None).map_err(|e| refused(path, &e))?;
            Ok((v, None))
        }
        Err(e) => Err(refused(path, &e)),
    }
}

pub fn verify_command(path: &Path, key: Option<&Path>, lang: Lang) -> Result<i32, CliError> {
    let (bundle, trusted_as) = verified(path, key)?;
    let p = &bundle.statement.predicate;
    let key_id = || FluentValue::from(bundle.key_id().to_string());
    let signer = match &trusted_as {
        Some(whose) => t(lang, "verify-signer-trusted", &[("key", key_id()), ("whose", shown(whose).into())]),
        None => t(lang, "verify-signer-unnamed", &[("key", key_id())]),
    };
    say!("{}", t(lang, "verify-verified", &[("path", shown(path.display()).into()), ("signer", signer.into())]));
    let build = match &p.dialtone.commit {
        Some(c) => format!("dialtone {} (commit {})", shown(&p.dialtone.version), shown(c)),
        None => format!("dialtone {}", shown(&p.dialtone.version)),
    };
    let build_line = t(
        lang,
        "verify-build",
        &[("build", build.into()), ("command", shown(&p.command).into()), ("at", shown(&p.generated_at).into())],
    );
    say!("  {build_line}");
    let c = &p.candidate;
    let candidate = t(
        lang,
        "verify-candidate",
        &[
            ("name", shown(&c.name).into()),
            ("vendor", shown(&c.vendor).into()),
            ("version", shown(&c.version).into()),
            ("roles", shown(c.roles.join(", ")).into()),
        ],
    );
    say!("  {candidate}");
    let n = |count: usize| FluentValue::from(count as i64);
    let verdict = t(
        lang,
        "verify-verdict",
        &[("statement", shown(&p.verdict.statement).into()), ("results", n(p.results.len()))],
    );
    say!("  {verdict}");
    let signed = bundle.statement.subject.len();
    let files = match &bundle.view {
        View::Full => t(lang, "verify-files-full", &[("signed", n(signed))]),
        View::Public { withheld } => t(
            lang,
            "verify-files-public",
            &[("withheld", n(withheld.len())), ("signed", n(signed)), ("names", shown(withheld.join(", ")).into())],
        ),
    };
    say!("  {files}");
    say!("  {}", t(lang, "verify-inputs", &[("inputs", inputs_summary(&bundle).into())]));
    Ok(if trusted_as.is_some() { exit::OK } else { UNTRUSTED_SIGNER })
}

/// The inputs by kind, and whether each built-in one is this dialtone's copy.
fn inputs_summary(bundle: &VerifiedBundle) -> String {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for i in &bundle.statement.predicate.inputs {
        let kind = i.annotations.as_ref().map(|a| a.kind.clone()).unwrap_or_else(|| "file".into());
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    let ours: Vec<_> = sign::built_in_inputs(true)
        .into_iter()
        .chain(crate::sign::suite_inputs(&crate::SuiteSource::Embedded).unwrap_or_default())
        .collect();
    let differ: Vec<String> = bundle
        .statement
        .predicate
        .inputs
        .iter()
        .filter(|i| ours.iter().any(|o| o.name == i.name && o.digest != i.digest))
        .map(|i| i.name.clone())
        .collect();
    let counts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let compared = if differ.is_empty() {
        "the files named as dialtone's own are those built into this dialtone".to_string()
    } else {
        format!("differ from the copies built into this dialtone: {}", differ.join(", "))
    };
    shown(format!("{} — {compared}", counts.join(", ")))
}

/// `dialtone publish`: the public view of a bundle that verifies.
pub fn publish_command(path: &Path, out: Option<PathBuf>, key: Option<&Path>) -> Result<i32, CliError> {
    let (bundle, _) = verified(path, key)?;
    let public = dialtone_bundle::publish(&bundle);
    let archive = dialtone_bundle::pack(&public).map_err(|e| CliError::harness(e.to_string()))?;
    let out = out.unwrap_or_else(|| public_name(path));
    std::fs::write(&out, archive).map_err(|e| CliError::config(format!("cannot write {}: {e}", out.display())))?;
    say!(
        "wrote {}: the public view (verdicts, clauses, PCTF criteria; no evidence), signed by key {}",
        shown(out.display()),
        bundle.key_id()
    );
    Ok(exit::OK)
}

/// `bundle.tar.gz` → `bundle.public.tar.gz`; a folder `b` → `b.public.tar.gz`.
fn public_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "bundle".into());
    let stem = name.strip_suffix(".tar.gz").unwrap_or(&name);
    path.with_file_name(format!("{stem}.public.tar.gz"))
}

/// `dialtone key public [FILE]`: the public half of a signing key (the user's own by default,
/// made if need be) and its id.
pub fn key_public(file: Option<PathBuf>) -> Result<i32, CliError> {
    let choice = file.map(sign::KeyChoice::File).unwrap_or(sign::KeyChoice::Own);
    let (key, path) = sign::signing_key(&choice)?;
    let public = key.public();
    let pem = public.to_pem().map_err(|e| CliError::harness(e.to_string()))?;
    eprintln!("dialtone: the public half of {} (key id {})", shown(path.display()), public.key_id());
    say_raw!("{}", pem.trim_end());
    Ok(exit::OK)
}

/// `dialtone key new FILE`: a new signing key; an existing file is never replaced.
pub fn key_new(file: &Path) -> Result<i32, CliError> {
    let key = sign::make_key(file)?;
    say!("made {} (key id {})", shown(file.display()), key.public().key_id());
    Ok(exit::OK)
}
