//! `dialtone run`: plan, run, report.

use crate::catalogue;
use crate::shard::{Campaign, Shard, ShardFile};
use crate::sign::{self, KeyChoice};
use crate::words::t;
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
use dialtone_i18n::Lang;
use dialtone_protocols::oid4vci::message::SECRET_MEMBERS;
use serde_json::{Value, json};
use std::collections::BTreeMap;
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
    let ran = execute(suites, manifest, seed, only, counterparts, secrets, None, Recording::Evidence).await?;
    Ok(settle(ran, expectations, catalogue))
}

/// What the cases of a run keep, and what their requests carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Every exchange, in each case's evidence: every run a user makes.
    Evidence,
    /// Only outcomes and verdicts, none of the work of recording and redacting what was exchanged:
    /// the selftest's mutant runs, of which only the verdicts are read.
    VerdictsOnly,
    /// Evidence, and each case's requests name the case ([`dialtone_http::case_tag`]): the
    /// selftest's reference run, whose references note which case read what of their behaviour.
    EvidenceTagged,
}

/// [`run_plan`] (no `--only`, no expectations) recording as `recording` says. The same outcomes and
/// verdicts whatever it records.
pub(crate) async fn run_plan_recording(
    suites: &[Suite],
    manifest: Manifest,
    seed: Option<u64>,
    catalogue: &Catalogue,
    counterparts: Option<Arc<Counterparts>>,
    recording: Recording,
) -> Result<Report, CliError> {
    let secrets = Secrets::new(SECRET_MEMBERS);
    let ran = execute(suites, manifest, seed, &[], counterparts, &secrets, None, recording).await?;
    Ok(settle(ran, None, catalogue))
}

/// The report of a whole run: its results settled together.
fn settle(ran: Ran, expectations: Option<&Expectations>, catalogue: &Catalogue) -> Report {
    let assembly = report::Assembly {
        subject: ran.subject,
        results: ran.results,
        cases: &ran.cases,
        artifacts: Vec::new(),
        expectations,
        duration_ms: ran.duration_ms,
    };
    report::assemble(assembly, catalogue)
}

/// A plan run, before its results are settled together.
pub struct Ran {
    /// Who and what the whole plan is about (all shards, when one shard ran).
    pub subject: report::Subject,
    /// The whole plan's case ids, in order.
    pub plan: Vec<String>,
    /// The cases run, and their results as they came.
    pub cases: Vec<Arc<dialtone_engine::suite::Case>>,
    pub results: Vec<dialtone_engine::model::CaseResult>,
    pub duration_ms: f64,
}

/// Runs the plan (or, with `shard`, its slice) without settling the results, its cases recording
/// as `recording` says.
// The plan's inputs, each its own concern, as for `run_plan_with_secrets`.
#[allow(clippy::too_many_arguments)]
pub async fn execute(
    suites: &[Suite],
    manifest: Manifest,
    seed: Option<u64>,
    only: &[String],
    counterparts: Option<Arc<Counterparts>>,
    secrets: &Secrets,
    shard: Option<Shard>,
    recording: Recording,
) -> Result<Ran, CliError> {
    let planned = plan::build(suites, &manifest, only);
    if planned.is_empty() {
        return Err(CliError::config(format!(
            "no case of the suites concerns the candidate's roles {:?}{}",
            manifest.candidate.roles,
            if only.is_empty() { String::new() } else { format!(" and --only {only:?}") }
        )));
    }
    let plan: Vec<String> = planned.iter().map(|p| p.case.id.clone()).collect();
    let subject = report::Subject {
        candidate: candidate_info(&manifest),
        // The plans the verdict covers: those with a case in this run.
        suites: suites.iter().filter(|s| planned.iter().any(|p| p.case.suite == s.id)).map(|s| s.id.clone()).collect(),
        profiles: manifest.conformance.profiles.clone(),
        seed,
    };
    let planned: Vec<_> = match shard {
        Some(shard) => planned.into_iter().enumerate().filter(|(i, _)| shard.takes(*i)).map(|(_, p)| p).collect(),
        None => planned,
    };
    probe(&manifest).await?;
    manifest.register_secrets(secrets);
    let manifest = Arc::new(manifest);
    let harness = Arc::new(Drivers { manifest: manifest.clone(), counterparts });
    let runner = Runner::new(manifest.limits.clone(), &manifest.trusted_roots(), seed, harness, secrets.clone())
        .map_err(CliError::harness)?;
    let runner = match recording {
        Recording::Evidence => runner,
        Recording::VerdictsOnly => runner.verdicts_only(),
        Recording::EvidenceTagged => runner.tagging_cases(),
    };
    let started = Instant::now();
    let results = runner.run(&planned).await;
    let cases: Vec<_> = planned.iter().map(|p| p.case.clone()).collect();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(Ran { subject, plan, cases, results, duration_ms })
}

/// The options of a run a bundle records.
pub(crate) fn invocation(seed: Option<u64>, only: &[String], shards: Option<usize>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    out.insert("seed".to_string(), json!(seed));
    out.insert("only".to_string(), json!(only));
    if let Some(n) = shards {
        out.insert("shards".to_string(), json!(n));
    }
    out
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
    /// `--sign [KEY]`: seal the reports in a signed bundle.
    pub sign: Option<KeyChoice>,
    /// `--shard i/n`: run that slice of the plan and record it for `dialtone merge`.
    pub shard: Option<Shard>,
    /// The language of report.html, the terminal report and the command's messages.
    pub lang: Lang,
}

/// The whole command: returns the exit code.
pub async fn command(args: RunArgs) -> Result<i32, CliError> {
    if args.shard.is_some() && args.sign.is_some() {
        return Err(CliError::config(t(args.lang, "shard-not-signed", &[])));
    }
    // The key first: a missing key file stops the run before it starts.
    let key = args.sign.as_ref().map(sign::signing_key).transpose()?;
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&args.suites, &catalogue)?;
    let mut inputs = sign::suite_inputs(&args.suites)?;
    inputs.extend(sign::built_in_inputs(true));
    let expectations = match &args.expectations {
        Some(path) => {
            let text = crate::input_file::read(path, crate::input_file::SpecialFiles::Refused)?;
            let text =
                String::from_utf8(text).map_err(|_| CliError::config(format!("{}: not UTF-8 text", path.display())))?;
            let file = path.display().to_string();
            let parsed =
                Expectations::parse(&file, &text, |id| suites.iter().any(|s| s.cases.iter().any(|c| c.id == id)))
                    .map_err(|e| CliError::config(e.to_string()))?;
            inputs.push(dialtone_bundle::statement::ResourceDescriptor::input(
                "expectations",
                file.clone(),
                text.as_bytes(),
                false,
            ));
            Some((parsed, file, text))
        }
        None => None,
    };
    if let Some(path) = &args.candidate {
        inputs.push(sign::input_file("manifest", path)?);
    }
    let (references, manifest) = match &args.candidate {
        Some(path) => (None, Manifest::load(path).map_err(|e| CliError::config(e.to_string()))?),
        None => {
            let refs = crate::reference::start_references(None, args.seed).await.map_err(CliError::harness)?;
            let urls: Vec<&str> = refs.servers.iter().map(|s| s.base_url.as_str()).collect();
            eprintln!("dialtone: {}", t(args.lang, "testing-references", &[("urls", urls.join(", ").into())]));
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
                announce(&c, &setup, args.lang);
            }
            // The harness talks to its own counterparts (control APIs) under the run's authority.
            manifest.tls.ca_der.push(c.pki.ca_der.clone());
            (servers, Some(c))
        }
        None => (Vec::new(), None),
    };
    let secrets = Secrets::new(SECRET_MEMBERS);
    let ran =
        execute(&suites, manifest, args.seed, &args.only, counterparts, &secrets, args.shard, Recording::Evidence)
            .await;
    if let Some(refs) = references {
        refs.stop().await;
    }
    for s in extra_servers {
        s.stop().await;
    }
    let ran = ran?;
    if let Some(shard) = args.shard {
        let expectations = expectations.map(|(_, file, text)| (file, text));
        let campaign = Campaign::of(&ran, args.seed, &args.only, inputs, expectations);
        let path = ShardFile::new(shard, campaign, ran.results.clone(), ran.duration_ms).write(&args.out)?;
        return Ok(crate::shard::shard_done(shard, &ran.results, &path, args.lang));
    }
    let assembly = report::Assembly {
        subject: ran.subject,
        results: ran.results,
        cases: &ran.cases,
        artifacts: Vec::new(),
        expectations: expectations.as_ref().map(|(e, _, _)| e),
        duration_ms: ran.duration_ms,
    };
    let report = report::assemble(assembly, &catalogue);
    let lang = args.lang;
    let written =
        dialtone_reports::write_all_in(&report, &args.out, lang).map_err(|e| CliError::harness(e.to_string()))?;
    say_raw!("{}", dialtone_reports::terminal::render_in(&report, args.all_rows, lang));
    for path in written {
        say!("{}", t(lang, "wrote", &[("path", crate::shown(path.display()).into())]));
    }
    if let Some((key, _)) = key {
        let invocation = invocation(args.seed, &args.only, None);
        let path = sign::write_bundle(&report, "run", invocation, inputs, &key, &args.out)?;
        say!("{}", crate::words::wrote_signed(lang, &path, &key.public().key_id()));
    }
    Ok(report.exit_code())
}

/// Tells the tester which counterparts a verifier under test meets, and whether it could have been
/// configured with them in advance.
fn announce(c: &Counterparts, setup: &counterparts::Setup, lang: Lang) {
    let line = t(
        lang,
        "counterparts",
        &[
            ("trusted", c.trusted.minter.identifier.as_str().into()),
            ("untrusted", c.untrusted.minter.identifier.as_str().into()),
            ("registry", c.registry.url.to_string().into()),
            ("authority", c.registry.authority_id.to_string().into()),
        ],
    );
    eprintln!("dialtone: {}", crate::shown(line));
    if !setup.reproducible() {
        let missing = match (setup.seed, setup.ports) {
            (None, None) => "counterparts-no-seed-no-ports",
            (None, Some(_)) => "counterparts-no-seed",
            _ => "counterparts-no-ports",
        };
        let line = t(lang, "counterparts-new", &[("missing", t(lang, missing, &[]).into())]);
        eprintln!("dialtone: {}", crate::shown(line));
    }
}
