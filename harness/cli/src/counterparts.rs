//! `dialtone counterparts export DIR`: what a verifier under test must trust before a run — the
//! anchor, the counterpart issuers, the trust registry — written from the manifest (its fixed
//! ports) and the seed (`--seed`, or a persistent test authority's), exactly as the run makes them.

use crate::CliError;
use dialtone_drivers::counterparts::{Setup, TrustMaterial};
use dialtone_drivers::manifest::Manifest;
use std::path::Path;

/// Writes the trust material into `dir`; returns the exit code.
pub fn export(dir: &Path, candidate: &Path, seed: Option<u64>) -> Result<i32, CliError> {
    let manifest = Manifest::load_without_files(candidate).map_err(|e| CliError::config(e.to_string()))?;
    if manifest.verifier.is_none() {
        return Err(CliError::config(format!(
            "{}: no [verifier] section: the counterparts are what the harness runs for a verifier under test",
            candidate.display()
        )));
    }
    let Some(ports) = manifest.counterparts else {
        return Err(CliError::config(format!(
            "{}: no [counterparts] section: their identifiers include their ports, so a verifier configured \
             before the run needs them fixed (trusted_issuer_port, untrusted_issuer_port, registry_port)",
            candidate.display()
        )));
    };
    let pki = crate::reference::run_pki(seed).map_err(CliError::harness)?;
    let setup = Setup::new(seed, Some(ports), &pki);
    if setup.seed.is_none() {
        return Err(CliError::config(
            "the counterparts' keys are new on every run unless --seed N (give the run the same) or a persistent \
             test authority (DIALTONE_TEST_CA_DIR, see `dialtone test-ca`) fixes them",
        ));
    }
    let material = TrustMaterial::expected(&setup, &pki).map_err(CliError::harness)?;
    let how = match (seed, std::env::var("DIALTONE_TEST_CA_DIR")) {
        (Some(s), Ok(ca)) if !ca.is_empty() => {
            format!("DIALTONE_TEST_CA_DIR={ca} dialtone run --candidate {} --seed {s}", candidate.display())
        }
        (Some(s), _) => format!("dialtone run --candidate {} --seed {s}", candidate.display()),
        (None, ca) => {
            format!("DIALTONE_TEST_CA_DIR={} dialtone run --candidate {}", ca.unwrap_or_default(), candidate.display())
        }
    };
    for (name, contents) in material.files(&how) {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CliError::config(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, contents)
            .map_err(|e| CliError::config(format!("cannot write {}: {e}", path.display())))?;
        say!("wrote {}", path.display());
    }
    say!("configure the verifier as {} says, then: {how}", dir.join("README.txt").display());
    Ok(crate::exit::OK)
}
