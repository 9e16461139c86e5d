//! `dialtone bench --interop N`: how long an interop matrix of `N` issuers × `N` wallets × `N`
//! verifiers takes, its participants simulated by `N` sets of the reference candidates in the
//! harness's process. Every cell is a real chain (issue, hold, present, verify over https) and writes
//! its report, as `dialtone interop` does; the cells run several at a time, as they may when no
//! candidate outside the process takes part. Unseeded: simulated candidates of one seed would be
//! twins.

use crate::interop::{Participant, run_matrix};
use crate::{CliError, SuiteSource, catalogue};
use dialtone_engine::pctf::Catalogue;

/// Cells in flight at once.
const CONCURRENCY: usize = 8;

pub async fn command(suites: SuiteSource, n: usize) -> Result<i32, CliError> {
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&suites, &catalogue)?;
    let n = n.max(1);
    let started = std::time::Instant::now();
    let sets = crate::reference::start_reference_sets(n).await.map_err(CliError::harness)?;
    let start_ms = started.elapsed().as_secs_f64() * 1000.0;
    let participants: Vec<Participant> = sets
        .iter()
        .enumerate()
        .map(|(k, set)| Participant { name: format!("simulated {}", k + 1), manifest: set.manifest.clone() })
        .collect();
    let out = std::env::temp_dir().join(format!("dialtone-bench-interop-{}", std::process::id()));
    let matrix = run_matrix(&participants, &suites, None, &catalogue, &out, CONCURRENCY).await;
    for set in sets {
        set.stop().await;
    }
    let _ = std::fs::remove_dir_all(&out);
    let matrix = matrix?;
    let failed = matrix.cells.iter().filter(|c| c.verdict != "pass").count();
    let mut cells: Vec<f64> = matrix.cells.iter().map(|c| c.duration_ms).collect();
    cells.sort_by(f64::total_cmp);
    let median = cells.get(cells.len() / 2).copied().unwrap_or(0.0);
    if cfg!(debug_assertions) {
        say!("note: this is a debug build; build with --release for representative numbers");
    }
    say!(
        "interop matrix of simulated candidates: {n} issuers × {n} wallets × {n} verifiers = {} chains, {CONCURRENCY} at a time",
        matrix.cells.len()
    );
    say!("  starting {} reference sets: {start_ms:.0} ms", n);
    say!(
        "  the matrix: {:.1} s ({:.1} ms per chain; a chain's own time median {median:.1} ms), reports included",
        matrix.duration_ms / 1000.0,
        matrix.duration_ms / matrix.cells.len().max(1) as f64
    );
    if failed > 0 {
        say!("warning: {failed} chains did not pass");
        return Ok(crate::exit::FAILED);
    }
    Ok(crate::exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two simulated candidates of each role: every one of the 2 × 2 × 2 chains passes, each issuer
    /// authorized by every set's registry, across sets.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_chain_between_simulated_candidates_passes() {
        let catalogue = Catalogue::embedded();
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../suites");
        let suites = catalogue::load(&SuiteSource::Dir(dir), &catalogue).unwrap();
        let sets = crate::reference::start_reference_sets(2).await.unwrap();
        let participants: Vec<Participant> = sets
            .iter()
            .enumerate()
            .map(|(k, set)| Participant { name: format!("simulated {k}"), manifest: set.manifest.clone() })
            .collect();
        let out = std::env::temp_dir().join(format!("dialtone-interop-bench-test-{}", std::process::id()));
        let matrix = run_matrix(&participants, &suites, None, &catalogue, &out, 4).await.unwrap();
        for set in sets {
            set.stop().await;
        }
        let _ = std::fs::remove_dir_all(&out);
        assert_eq!(matrix.cells.len(), 8);
        for c in &matrix.cells {
            assert_eq!(c.verdict, "pass", "{} → {} → {}: {}", c.issuer, c.wallet, c.verifier, c.observed);
        }
        // Chains across sets: an issuer of one set, a verifier of the other.
        assert!(matrix.cells.iter().any(|c| c.issuer == "simulated 0" && c.verifier == "simulated 1"));
    }
}
