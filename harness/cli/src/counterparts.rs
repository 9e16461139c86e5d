//! `dialtone counterparts export DIR`: what a verifier under test must trust before a run — the
//! anchor, the counterpart issuers, the trust registry — written from the manifest (its fixed
//! ports) and the seed (`--seed`, or a persistent test authority's), exactly as the run makes them;
//! and what an issuer under test must trust: the harness's wallet provider (from the seed alone).

use crate::CliError;
use dialtone_drivers::counterparts::{self, Setup, TrustMaterial};
use dialtone_drivers::manifest::Manifest;
use std::path::Path;

/// Writes the trust material into `dir`; returns the exit code.
pub fn export(dir: &Path, candidate: &Path, seed: Option<u64>) -> Result<i32, CliError> {
    let manifest = Manifest::load_without_files(candidate).map_err(|e| CliError::config(e.to_string()))?;
    if manifest.verifier.is_none() && manifest.issuer.is_some() {
        return export_wallet_provider(dir, candidate, seed);
    }
    if manifest.verifier.is_none() {
        return Err(CliError::config(format!(
            "{}: no [verifier] or [issuer] section: the counterparts are what the harness runs for a verifier or an \
             issuer under test",
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
    write_files(dir, material.files(&how))?;
    say!("configure the verifier as {} says, then: {how}", dir.join("README.txt").display());
    Ok(crate::exit::OK)
}

/// For an issuer under test: the harness's wallet provider, whose key follows from the seed.
fn export_wallet_provider(dir: &Path, candidate: &Path, seed: Option<u64>) -> Result<i32, CliError> {
    let pki = crate::reference::run_pki(seed).map_err(CliError::harness)?;
    // Without a seed: dialtone's default test wallet provider, the same for every unseeded run.
    let setup = Setup::new(seed, None, &pki);
    let provider = counterparts::wallet_provider_json(&setup.wallet_provider());
    let how = match seed {
        Some(s) => format!("dialtone run --candidate {} --seed {s}", candidate.display()),
        None => format!("dialtone run --candidate {}", candidate.display()),
    };
    let readme = format!(
        "What an issuer under test must trust before a dialtone run\n\
         ==========================================================\n\n\
         dialtone plays a wallet of its own wallet provider, {id}. Trust its key,\n\
         wallet-provider/jwk.json, as a Client Attester (OAuth attestation-based client authentication:\n\
         the OAuth-Client-Attestation header, sub {client}) and as a key attester (key-attestation+jwt),\n\
         then start the run with the same seed:\n\n    {how}\n",
        id = counterparts::WALLET_PROVIDER_ID,
        client = counterparts::WALLET_CLIENT_ID,
    );
    let mut files = counterparts::wallet_provider_files(&provider);
    files.push(("README.txt".into(), readme.into_bytes()));
    write_files(dir, files)?;
    say!("configure the issuer as {} says, then: {how}", dir.join("README.txt").display());
    Ok(crate::exit::OK)
}

/// Writes exported files (names relative to `dir`, folders made as needed), saying each.
fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> Result<(), CliError> {
    for (name, contents) in files {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CliError::config(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, contents)
            .map_err(|e| CliError::config(format!("cannot write {}: {e}", path.display())))?;
        say!("wrote {}", path.display());
    }
    Ok(())
}
