//! `dialtone bench`: how fast a full plan runs against the reference issuer, and how much of each
//! case is the harness's own time (everything but waiting on the candidate's HTTP answers).
//! Build with `--release` for meaningful numbers.

use crate::catalogue;
use crate::run::run_plan;
use crate::{CliError, SuiteSource};
use dialtone_engine::pctf::Catalogue;

pub(crate) struct BenchNumbers {
    pub cases: usize,
    pub runs: usize,
    pub(crate) wall_ms: Vec<f64>,
    /// Per run: mean over cases of (case duration − time in HTTP exchanges), in ms.
    pub(crate) harness_ms_per_case: Vec<f64>,
    pub(crate) all_passed: bool,
    /// Cases that did not pass in some run (id → how many runs).
    pub(crate) not_passed: std::collections::BTreeMap<String, usize>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub(crate) async fn measure(
    suites: SuiteSource,
    iterations: usize,
    seed: Option<u64>,
) -> Result<BenchNumbers, CliError> {
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&suites, &catalogue)?;
    let refs = crate::reference::start_references(None, seed).await.map_err(CliError::harness)?;
    let manifest = refs.manifest.clone();
    let mut numbers = BenchNumbers {
        cases: 0,
        runs: iterations,
        wall_ms: Vec::new(),
        harness_ms_per_case: Vec::new(),
        all_passed: true,
        not_passed: Default::default(),
    };
    // Two warm-up runs (connection pool, allocator, page cache), not measured.
    for i in 0..iterations + 2 {
        let report =
            run_plan(&suites, manifest.clone(), seed, &[], &catalogue, Some(refs.counterparts.clone()), None).await?;
        numbers.all_passed &= report.exit_code() == 0;
        for r in report.results.iter().filter(|r| r.verdict != dialtone_engine::model::Verdict::Pass) {
            *numbers.not_passed.entry(format!("{}: {}", r.id, r.observed)).or_default() += 1;
        }
        if i < 2 {
            continue;
        }
        numbers.cases = report.results.len();
        numbers.wall_ms.push(report.duration_ms);
        let own: f64 = report.results.iter().map(|r| (r.duration_ms - r.candidate_ms).max(0.0)).sum();
        numbers.harness_ms_per_case.push(own / report.results.len().max(1) as f64);
    }
    refs.stop().await;
    Ok(numbers)
}

pub async fn command(suites: SuiteSource, iterations: usize, seed: Option<u64>) -> Result<i32, CliError> {
    let n = measure(suites, iterations.max(1), seed).await?;
    let mut wall = n.wall_ms.clone();
    wall.sort_by(f64::total_cmp);
    let mut own = n.harness_ms_per_case.clone();
    own.sort_by(f64::total_cmp);
    if cfg!(debug_assertions) {
        say!("note: this is a debug build; build with --release for representative numbers");
    }
    say!("full plan against the reference candidates on loopback (https): {} cases, {} measured runs", n.cases, n.runs);
    say!(
        "  wall time per run:      median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
        percentile(&wall, 0.5),
        percentile(&wall, 0.9),
        wall.first().copied().unwrap_or(0.0),
        wall.last().copied().unwrap_or(0.0)
    );
    say!(
        "  harness time per case (beyond waiting on the candidate): median {:.3} ms, p90 {:.3} ms",
        percentile(&own, 0.5),
        percentile(&own, 0.9)
    );
    if !n.all_passed {
        say!("warning: some runs did not pass every case:");
        for (case, runs) in &n.not_passed {
            say!("  {runs} run(s): {}", crate::shown(case));
        }
        return Ok(crate::exit::FAILED);
    }
    Ok(crate::exit::OK)
}
