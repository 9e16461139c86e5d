//! `dialtone run`: plan, run, report.

use crate::catalogue;
use crate::{CliError, SuiteSource};
use dialtone_drivers::counterparts::{self, Counterparts};
use dialtone_drivers::manifest::Manifest;
use dialtone_drivers::{Drivers, binding};
use dialtone_engine::expectations::Expectations;
use dialtone_engine::model::{CandidateInfo, Report};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::runner::Runner;
use dialtone_engine::suite::Suite;
use dialtone_engine::{plan, report};
use dialtone_http::Secrets;
use dialtone_protocols::oid4vci::message::SECRET_MEMBERS;
use std::sync::Arc;
use std::time::Instant;

/// Runs the plan the suites and the manifest give, and assembles the report.
pub async fn run_plan(
    suites: &[Suite],
    manifest: Manifest,
    seed: Option<u64>,
    only: &[String],
    catalogue: &Catalogue,
    counterparts: Option<Arc<Counterparts>>,
    expectations: Option<&Expectations>,
) -> Result<Report, CliError> {
    let secrets = Secrets::new(SECRET_MEMBERS);
    run_plan_with_secrets(suites, manifest, seed, only, catalogue, counterparts, expectations, &secrets).await
}

/// [`run_plan`], gathering the secrets the run made, was given and received in `secrets` (which
/// then says what no output of the run may show).
// The plan's inputs, each its own concern; a struct bundling them would only rename the list.
#[allow(clippy::too_many_arguments)]
pub async fn run_plan_with_secrets(
    suites: &[Suite],
    manifest: Manifest,
    seed: Option<u64>,
    only: &[String],
    catalogue: &Catalogue,
    counterparts: Option<Arc<Counterparts>>,
    expectations: Option<&Expectations>,
    secrets: &Secrets,
) -> Result<Report, CliError> {
    let inputs = PlanInputs { suites, seed, only, catalogue, expectations, secrets, evidence: true };
    execute(inputs, manifest, counterparts).await
}

/// [`run_plan`] for its verdicts alone: the cases keep no evidence (the selftest's mutant runs, of
/// which only the verdicts are read). The same outcomes and verdicts.
pub(crate) async fn run_plan_for_verdicts(
    suites: &[Suite],
    manifest: Manifest,
    seed: Option<u64>,
    catalogue: &Catalogue,
    counterparts: Option<Arc<Counterparts>>,
) -> Result<Report, CliError> {
    let secrets = Secrets::new(SECRET_MEMBERS);
    let inputs =
        PlanInputs { suites, seed, only: &[], catalogue, expectations: None, secrets: &secrets, evidence: false };
    execute(inputs, manifest, counterparts).await
}

/// What a run of the plan is given besides the candidate.
struct PlanInputs<'a> {
    suites: &'a [Suite],
    seed: Option<u64>,
    only: &'a [String],
    catalogue: &'a Catalogue,
    expectations: Option<&'a Expectations>,
    secrets: &'a Secrets,
    /// Whether the cases keep evidence.
    evidence: bool,
}

async fn execute(
    inputs: PlanInputs<'_>,
    manifest: Manifest,
    counterparts: Option<Arc<Counterparts>>,
) -> Result<Report, CliError> {
    let PlanInputs { suites, seed, only, catalogue, expectations, secrets, evidence } = inputs;
    let planned = plan::build(suites, &manifest, only);
    if planned.is_empty() {
        return Err(CliError::config(format!(
            "no case of the suites concerns the candidate's roles {:?}{}",
            manifest.candidate.roles,
            if only.is_empty() { String::new() } else { format!(" and --only {only:?}") }
        )));
    }
    probe(&manifest).await?;
    manifest.register_secrets(secrets);
    let manifest = Arc::new(manifest);
    let harness = Arc::new(Drivers { manifest: manifest.clone(), counterparts });
    let runner = Runner::new(manifest.limits.clone(), &manifest.trusted_roots(), seed, harness, secrets.clone())
        .map_err(CliError::harness)?;
    let runner = if evidence { runner } else { runner.verdicts_only() };
    let started = Instant::now();
    let results = runner.run(&planned).await;
    let cases: Vec<_> = planned.iter().map(|p| p.case.clone()).collect();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let subject = report::Subject {
        candidate: candidate_info(&manifest),
        // The plans the verdict covers: those with a case in this run.
        suites: suites.iter().filter(|s| cases.iter().any(|c| c.suite == s.id)).map(|s| s.id.clone()).collect(),
        profiles: manifest.conformance.profiles.clone(),
        seed,
    };
    let assembly =
        report::Assembly { subject, results, cases: &cases, artifacts: Vec::new(), expectations, duration_ms };
    Ok(report::assemble(assembly, catalogue))
}

/// Something must accept connections at each of the candidate's URLs before the plan runs: a
/// candidate that is not running (or a wrong port) is one clear message and exit 3 at once, not a
/// row of identical errors per case.
async fn probe(manifest: &Manifest) -> Result<(), CliError> {
    let timeout = std::time::Duration::from_millis(manifest.limits.request_timeout_ms);
    for url in manifest.candidate_urls() {
        if let Err(why) = dialtone_http::reachable(url, timeout).await {
            let hint =
                if why == "connection refused" { "is it running?" } else { "is it running, and is the URL right?" };
            return Err(CliError::harness(format!("cannot reach the candidate at {url}: {why} — {hint}")));
        }
    }
    Ok(())
}

/// Who the report is about, from the manifest.
pub(crate) fn candidate_info(manifest: &Manifest) -> CandidateInfo {
    CandidateInfo {
        name: manifest.candidate.name.clone(),
        vendor: manifest.candidate.vendor.clone(),
        version: manifest.candidate.version.clone(),
        roles: manifest.candidate.roles.clone(),
        base_url: manifest.base_url(),
        conformance: manifest.claims(),
    }
}

pub struct RunArgs {
    pub candidate: Option<std::path::PathBuf>,
    pub out: std::path::PathBuf,
    pub seed: Option<u64>,
    pub suites: SuiteSource,
    pub only: Vec<String>,
    pub all_rows: bool,
    /// Known failures (`--expectations FILE`).
    pub expectations: Option<std::path::PathBuf>,
}

/// The whole command: returns the exit code.
pub async fn command(args: RunArgs) -> Result<i32, CliError> {
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&args.suites, &catalogue)?;
    let expectations = match &args.expectations {
        Some(path) => Some(
            Expectations::load(path, |id| suites.iter().any(|s| s.cases.iter().any(|c| c.id == id)))
                .map_err(|e| CliError::config(e.to_string()))?,
        ),
        None => None,
    };
    let (references, manifest) = match &args.candidate {
        Some(path) => (None, Manifest::load(path).map_err(|e| CliError::config(e.to_string()))?),
        None => {
            let refs = crate::reference::start_references(None, args.seed).await.map_err(CliError::harness)?;
            let urls: Vec<&str> = refs.servers.iter().map(|s| s.base_url.as_str()).collect();
            eprintln!(
                "dialtone: no --candidate given: testing the built-in reference candidates at {}",
                urls.join(", ")
            );
            let manifest = refs.manifest.clone();
            (Some(refs), manifest)
        }
    };
    // Counterparts: the references bring theirs; an external verifier gets the harness's (issuers and
    // a trust registry), which it must trust: `dialtone counterparts export` writes what.
    let mut manifest = manifest;
    let needs_counterparts = binding::BINDINGS.iter().any(|b| b.needs_counterparts() && b.exposed(&manifest));
    let (extra_servers, counterparts): (Vec<_>, Option<Arc<Counterparts>>) = match &references {
        Some(refs) => (Vec::new(), Some(refs.counterparts.clone())),
        None if needs_counterparts => {
            let pki = crate::reference::run_pki(args.seed).map_err(CliError::harness)?;
            let setup = counterparts::Setup::new(args.seed, manifest.counterparts, &pki);
            let (servers, c) = counterparts::start(&setup, &pki).await.map_err(CliError::harness)?;
            if manifest.verifier.is_some() {
                announce(&c, &setup);
            }
            // The harness talks to its own counterparts (control APIs) under the run's authority.
            manifest.tls.ca_der.push(c.pki.ca_der.clone());
            (servers, Some(c))
        }
        None => (Vec::new(), None),
    };
    let report =
        run_plan(&suites, manifest, args.seed, &args.only, &catalogue, counterparts, expectations.as_ref()).await;
    if let Some(refs) = references {
        refs.stop().await;
    }
    for s in extra_servers {
        s.stop().await;
    }
    let report = report?;
    let written = dialtone_reports::write_all(&report, &args.out).map_err(|e| CliError::harness(e.to_string()))?;
    say_raw!("{}", dialtone_reports::terminal::render(&report, args.all_rows));
    for path in written {
        say!("wrote {}", crate::shown(path.display()));
    }
    Ok(report.exit_code())
}

/// Tells the tester which counterparts a verifier under test meets, and whether it could have been
/// configured with them in advance.
fn announce(c: &Counterparts, setup: &counterparts::Setup) {
    eprintln!(
        "dialtone: counterparts: issuer {} (authorized), issuer {} (not authorized), trust registry {} ({})",
        c.trusted.minter.identifier, c.untrusted.minter.identifier, c.registry.url, c.registry.authority_id
    );
    if !setup.reproducible() {
        let missing = match (setup.seed, setup.ports) {
            (None, None) => "no --seed (nor DIALTONE_TEST_CA_DIR) and no [counterparts] ports",
            (None, Some(_)) => "no --seed (nor DIALTONE_TEST_CA_DIR)",
            _ => "no [counterparts] ports in the manifest",
        };
        eprintln!(
            "dialtone: these counterparts are new to this run ({missing}): a verifier configured in advance \
             (`dialtone counterparts export`) does not know them"
        );
    }
}
