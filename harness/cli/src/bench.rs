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
    /// Per case of the sequential runs: its duration less the time spent waiting on the candidate
    /// (its HTTP answers and the waits it announced), in ms.
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

/// Sequential runs that measure the harness's own time per case: one case at a time, so that a
/// case's time is its own, not its wait for a core other cases hold.
const SEQUENTIAL_RUNS: usize = 3;

/// One run of the plan against fresh references, `sequential` or at the manifest's concurrency.
/// Fresh, because a reference wallet keeps what every run gives it: after about ten runs its
/// credential list outgrows the 1 MiB bound on a control-API answer. Starting them takes a few ms,
/// outside the plan's measured time.
async fn one_run(
    suites: &[dialtone_engine::suite::Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
    sequential: bool,
) -> Result<dialtone_engine::model::Report, CliError> {
    let refs = crate::reference::start_references(None, seed).await.map_err(CliError::harness)?;
    let mut manifest = refs.manifest.clone();
    if sequential {
        manifest.limits.concurrency = 1;
    }
    let report = run_plan(suites, manifest, seed, &[], catalogue, Some(refs.counterparts.clone()), None).await;
    refs.stop().await;
    report
}

pub(crate) async fn measure(
    suites: SuiteSource,
    iterations: usize,
    seed: Option<u64>,
) -> Result<BenchNumbers, CliError> {
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&suites, &catalogue)?;
    let mut numbers = BenchNumbers {
        cases: 0,
        runs: iterations,
        wall_ms: Vec::new(),
        harness_ms_per_case: Vec::new(),
        all_passed: true,
        not_passed: Default::default(),
    };
    // Two warm-up runs (connection pool, allocator, page cache), not measured; then the runs at the
    // plan's concurrency (wall time), then the sequential ones (the harness's time per case).
    for i in 0..iterations + 2 + SEQUENTIAL_RUNS {
        let sequential = i >= iterations + 2;
        let report = one_run(&suites, seed, &catalogue, sequential).await?;
        numbers.all_passed &= report.exit_code() == 0;
        for r in report.results.iter().filter(|r| r.verdict != dialtone_engine::model::Verdict::Pass) {
            *numbers.not_passed.entry(format!("{}: {}", r.id, r.observed)).or_default() += 1;
        }
        numbers.cases = report.results.len();
        if sequential {
            numbers
                .harness_ms_per_case
                .extend(report.results.iter().map(|r| (r.duration_ms - r.candidate_ms).max(0.0)));
        } else if i >= 2 {
            numbers.wall_ms.push(report.duration_ms);
        }
    }
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
        "  harness time per case (beyond waiting on the candidate; {SEQUENTIAL_RUNS} runs, one case at a time): \
         median {:.3} ms, p90 {:.3} ms, max {:.3} ms",
        percentile(&own, 0.5),
        percentile(&own, 0.9),
        own.last().copied().unwrap_or(0.0)
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
