//! Loading suites against what the harness knows: its bindings and drivers, the reference mutants and the PCTF
//! catalogue. Also the suites built into the binary.

use crate::{CliError, SuiteSource};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::suite::{self, Suite, Vocabulary};
use std::path::PathBuf;

/// The suites shipped with dialtone, embedded so the binary runs from any folder.
pub const EMBEDDED_SUITES: &[(&str, &str)] = &[
    ("suites/oid4vci-issuer.toml", include_str!("../../../suites/oid4vci-issuer.toml")),
    ("suites/trqp-registry.toml", include_str!("../../../suites/trqp-registry.toml")),
    ("suites/oid4vp-verifier.toml", include_str!("../../../suites/oid4vp-verifier.toml")),
    ("suites/wallet.toml", include_str!("../../../suites/wallet.toml")),
    ("suites/interop.toml", include_str!("../../../suites/interop.toml")),
    ("suites/vc-api.toml", include_str!("../../../suites/vc-api.toml")),
];

pub(crate) fn mutant_names() -> Vec<&'static str> {
    dialtone_roles::mutant::catalog().iter().map(|m| m.name).collect()
}

pub fn load(source: &SuiteSource, catalogue: &Catalogue) -> Result<Vec<Suite>, CliError> {
    let drivers = dialtone_drivers::driver::specs();
    let bindings = dialtone_drivers::binding::ids();
    let mutants = mutant_names();
    let vocab = Vocabulary { bindings: &bindings, drivers: &drivers, mutants: &mutants, catalogue };
    let result = match source {
        SuiteSource::Dir(dir) => suite::load_dir(dir, &vocab),
        SuiteSource::Embedded => {
            let sources: Vec<(PathBuf, String)> =
                EMBEDDED_SUITES.iter().map(|(n, t)| (PathBuf::from(n), t.to_string())).collect();
            suite::load_sources(&sources, &vocab)
        }
    };
    let suites = result.map_err(|e| CliError::config(format!("invalid suites:\n{e}")))?;
    if suites.iter().all(|s| s.cases.is_empty()) {
        return Err(CliError::config("no test cases found in the suites"));
    }
    Ok(suites)
}
