//! `dialtone selftest`: runs the plan against the reference issuer and against every mutant, and
//! proves the suite honest: the reference passes every case, every mutant fails at least one case,
//! every case is failed by at least one mutant, and every mutant a case names does fail it.
//!
//! A mutant is one reference with one fault, a change to some fields of that reference's behaviour
//! ([`dialtone_roles::mutant::changed_seams`]). Proving the suite honest needs only the cases that
//! name a mutant in their `caught_by` (and the cases they depend on): every case names at least one
//! mutant and every mutant is named, so those cells decide all four properties. That is what runs
//! by default, chosen from the suites alone and so beside the references' own run (a case that
//! names no mutant runs under every mutant of a reference it reaches, a mutant no case names on
//! every case that reaches its reference). That run still checks that each case read a field of
//! the mutants it names, as the selection below relies on (`unread_by_named`).
//!
//! `--matrix` runs each mutant on every case it can change, for the whole mutant × case matrix
//! (which other cases a fault also fails). The reference's run notes which case read which field
//! ([`dialtone_roles::seam`]); a case that read none of the fields a mutant changes meets the same
//! answers at every step under the mutant, so the mutant is run on the cases that read one (and
//! those that depend on them), and the others keep the reference's verdicts without being run
//! again. A field read for no case in particular (at start-up) sends the mutant to every case whose
//! requests reach its reference ([`crate::reference::reached_by`]); the reference's run checks that
//! premise too: a case whose requests go to a reference its binding is not said to reach is a
//! problem. `--full` runs every mutant on every case that reaches its reference, and reports any
//! case the selection would have left out whose verdict the mutant changes.

use crate::catalogue;
use crate::reference::Mutant;
use crate::run::{Recording, run_plan_recording};
use crate::{CliError, SuiteSource};
use dialtone_engine::model::{Report, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::suite::Suite;
use dialtone_http::EvidenceItem;
use dialtone_roles::mutant::MutantInfo;
use dialtone_roles::seam::{Reach, SeamLog};
use futures::StreamExt;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Serialize)]
pub struct MutantRun {
    pub mutant: String,
    pub description: String,
    /// The fields of its reference's behaviour the mutant changes.
    pub changes: Vec<String>,
    /// Verdict per case id, of the cases run: those that name the mutant (with `--matrix`, every
    /// case that reads what it changes; with `--full`, every case that reaches its reference).
    pub verdicts: BTreeMap<String, Verdict>,
}

#[derive(Debug, Serialize)]
pub struct Selftest {
    pub cases: Vec<CaseInfo>,
    pub reference: BTreeMap<String, Verdict>,
    pub mutants: Vec<MutantRun>,
    /// Each field of the references' behaviour read in the reference's run (`issuer.token`), with
    /// the number of cases that read it; `null`: read for no case in particular (at start-up), so
    /// a mutant that changes it runs every case that reaches its reference.
    pub reads: BTreeMap<String, Option<usize>>,
    pub problems: Vec<String>,
    pub duration_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct CaseInfo {
    pub id: String,
    pub caught_by: Vec<String>,
}

/// Mutant runs in flight at once, by default. Many runs spend part of their time waiting (a case
/// outliving a request URI or a deferral interval, announced waits the references keep short), so
/// more runs than cores keep the cores busy: on two cores, 8 took a fifth off the wall time of 4,
/// and 12 was slower again.
pub const PARALLEL: usize = 8;

/// A mutant's run, and the cases it changes that the selection of cases would have left out.
type MutantOutcome = (MutantRun, Vec<String>);

/// Which cases each mutant is run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The cases that name it in their `caught_by` (and those that name no mutant), and the cases
    /// they depend on: what decides whether the suite is honest. Chosen from the suites alone, so
    /// these runs go beside the references' own.
    Declared,
    /// The cases that read what it changes in the reference's run: the whole matrix.
    Selected,
    /// Every case that reaches its reference, checking that the selection misses none it changes.
    Full,
}

/// A case catches a mutant when it fails it (as a MUST, a SHOULD or a MAY), or cannot run
/// because the step it needs failed at its root (a mutant that breaks the token endpoint is
/// caught by every case that needs a token).
fn caught(v: Verdict) -> bool {
    matches!(v, Verdict::Fail | Verdict::Warn | Verdict::Info | Verdict::Blocked)
}

fn verdicts(report: &Report) -> BTreeMap<String, Verdict> {
    report.results.iter().map(|r| (r.id.clone(), r.verdict)).collect()
}

/// The reference's run of `suites`, each case's requests naming the case, and what each case read
/// of the references' behaviour; and the requests of its cases that went to a reference their
/// binding is not said to reach.
async fn run_reference(
    suites: &[Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
) -> Result<(Report, Arc<SeamLog>, Vec<String>), CliError> {
    let seams = Arc::new(SeamLog::default());
    let refs = crate::reference::start_references_noting(seed, seams.clone()).await.map_err(CliError::harness)?;
    let (manifest, counterparts) = (refs.manifest.clone(), Some(refs.counterparts.clone()));
    let report = run_plan_recording(suites, manifest, seed, catalogue, counterparts, Recording::EvidenceTagged).await;
    let by_role = refs.by_role.clone();
    refs.stop().await;
    let report = report?;
    let strays = strays(suites, &report, &by_role);
    Ok((report, seams, strays))
}

/// One run of `suites` against the references, `mutant` in place of its reference, for its
/// verdicts alone.
async fn run_mutant(
    suites: &[Suite],
    mutant: Mutant,
    seed: Option<u64>,
    catalogue: &Catalogue,
) -> Result<BTreeMap<String, Verdict>, CliError> {
    let refs = crate::reference::start_references(Some(mutant), seed).await.map_err(CliError::harness)?;
    let (manifest, counterparts) = (refs.manifest.clone(), Some(refs.counterparts.clone()));
    let report = run_plan_recording(suites, manifest, seed, catalogue, counterparts, Recording::VerdictsOnly).await;
    refs.stop().await;
    Ok(verdicts(&report?))
}

/// The cases `mutant`, of `role`, that changes `changes` can change: those that read one of those
/// fields in the reference's run (or judged with it an answer the mutant's value of it changes),
/// and those whose verdict is settled with theirs (`depends_on`).
/// `None` when a field was read for no case in particular: then every case that reaches the
/// reference may change.
fn selected(
    suites: &[Suite],
    mutant: &str,
    role: &str,
    changes: &[String],
    seams: &SeamLog,
) -> Option<BTreeSet<String>> {
    let mut chosen = BTreeSet::new();
    for field in changes {
        match seams.reach_under(role, field, mutant) {
            None => {}
            Some(Reach::Every) => return None,
            Some(Reach::Cases(cases)) => chosen.extend(cases.iter().map(|c| c.to_string())),
        }
    }
    // A pass that depends on a case the mutant fails becomes inconclusive: run it too.
    loop {
        let dependents: Vec<String> = suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| !chosen.contains(&c.id) && c.depends_on.iter().any(|d| chosen.contains(d)))
            .map(|c| c.id.clone())
            .collect();
        if dependents.is_empty() {
            return Some(chosen);
        }
        chosen.extend(dependents);
    }
}

/// The cases of `reaching` (those that reach `mutant`'s reference) that decide whether the suite is
/// honest about it: those that name it, those that name no mutant, and the cases they depend on.
/// `None` when no case names it.
fn declared(suites: &[Suite], mutant: &str, reaching: &[Suite]) -> Option<BTreeSet<String>> {
    let cases: Vec<&dialtone_engine::suite::Case> = suites.iter().flat_map(|s| &s.cases).collect();
    if !cases.iter().any(|c| c.caught_by.iter().any(|m| m == mutant)) {
        return None;
    }
    let reachable: BTreeSet<&str> = reaching.iter().flat_map(|s| &s.cases).map(|c| c.id.as_str()).collect();
    let reaches = |id: &str| reachable.contains(id);
    let mut chosen: BTreeSet<String> = cases
        .iter()
        .filter(|c| c.caught_by.is_empty() || c.caught_by.iter().any(|m| m == mutant))
        .filter(|c| reaches(&c.id))
        .map(|c| c.id.clone())
        .collect();
    // A case is settled with those it depends on (a pass inconclusive without a pass of one of
    // them): run what the chosen cases depend on, as the selection would.
    // (A failure whose root case is not run stays a failure rather than blocked: caught either way.)
    loop {
        let depended_on: Vec<String> = cases
            .iter()
            .filter(|c| chosen.contains(&c.id))
            .flat_map(|c| &c.depends_on)
            .filter(|d| !chosen.contains(*d) && reaches(d))
            .cloned()
            .collect();
        if depended_on.is_empty() {
            return Some(chosen);
        }
        chosen.extend(depended_on);
    }
}

/// A problem for each case that names a mutant it reaches but read none of the fields the mutant
/// changes in the references' run: the selection (`--matrix`) would leave it out, so either the
/// reference misses a read or the case names a fault it cannot meet. The default scope runs the
/// case all the same; this keeps the reads the selection relies on checked on every case.
fn unread_by_named(suites: &[Suite], seams: &SeamLog) -> Vec<String> {
    let mut problems = Vec::new();
    for info in dialtone_roles::mutant::catalog() {
        let changes = dialtone_roles::mutant::changed_seams(info.name).unwrap_or_default();
        let Some(selection) = selected(suites, info.name, info.role, &changes, seams) else { continue };
        let reached = suites.iter().filter(|s| crate::reference::reached_by(&s.binding).contains(&info.role));
        for suite in reached {
            for case in suite.cases.iter().filter(|c| c.caught_by.iter().any(|m| m == info.name)) {
                if !selection.contains(&case.id) {
                    problems.push(format!(
                        "case {} names mutant {} in caught_by, but read none of the fields it changes ({}) in the \
                         reference's run: `--matrix` would not run it",
                        case.id,
                        info.name,
                        changes.join(", ")
                    ));
                }
            }
        }
    }
    problems
}

/// `suites` cut to the cases in `ids`, suites left without a case dropped.
fn only_cases(suites: &[Suite], ids: &BTreeSet<String>) -> Vec<Suite> {
    suites
        .iter()
        .filter_map(|suite| {
            let mut suite = suite.clone();
            suite.cases.retain(|c| ids.contains(&c.id));
            (!suite.cases.is_empty()).then_some(suite)
        })
        .collect()
}

/// Whether `url` is on the server at `base` (same scheme, host and port).
fn on_server(url: &str, base: &str) -> bool {
    url.strip_prefix(base).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// A problem for each case whose own requests reached a reference its binding is not said to reach
/// ([`crate::reference::reached_by`]): the premise of running each mutant on fewer cases.
fn strays(suites: &[Suite], report: &Report, by_role: &[(&'static str, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for result in &report.results {
        let Some(suite) = suites.iter().find(|s| s.cases.iter().any(|c| c.id == result.id)) else { continue };
        let urls = result.evidence.iter().filter_map(|e| match e {
            EvidenceItem::Http(x) => Some(x.url.as_str()),
            _ => None,
        });
        for role in stray_roles(&suite.binding, urls, by_role) {
            problems.push(format!(
                "case {} sends requests to the reference {role}, which binding {} is not said to reach: \
                 its mutants would not be run against it",
                result.id, suite.binding
            ));
        }
    }
    problems
}

/// The references (by role) that `urls` go to and `binding` is not said to reach.
fn stray_roles<'a>(
    binding: &str,
    urls: impl Iterator<Item = &'a str>,
    by_role: &[(&'static str, String)],
) -> Vec<&'static str> {
    let reached = crate::reference::reached_by(binding);
    let mut roles: Vec<&'static str> = urls
        .filter_map(|url| by_role.iter().find(|(_, base)| on_server(url, base)).map(|(role, _)| *role))
        .filter(|role| !reached.contains(role))
        .collect();
    roles.sort_unstable();
    roles.dedup();
    roles
}

/// A problem for each case run outside `selection` whose verdict differs from the reference's: a
/// case the selection would have left out, though the mutant changes it (only `--full` runs them).
fn missed_by_selection(
    mutant: &str,
    changes: &[String],
    selection: &BTreeSet<String>,
    verdicts: &BTreeMap<String, Verdict>,
    reference: &BTreeMap<String, Verdict>,
) -> Vec<String> {
    verdicts
        .iter()
        .filter(|(id, verdict)| !selection.contains(*id) && reference.get(*id) != Some(*verdict))
        .map(|(id, verdict)| {
            format!(
                "case {id} gets {} under mutant {mutant}, though it read none of the fields the mutant \
                 changes ({}) in the reference's run: the selection of cases would leave it out",
                verdict.as_str(),
                changes.join(", ")
            )
        })
        .collect()
}

/// The catalogue's mutants with their places, one role's after another's in turn.
fn interleaved(catalog: &[MutantInfo]) -> Vec<(usize, MutantInfo)> {
    let mut roles: Vec<&str> = catalog.iter().map(|m| m.role).collect();
    roles.dedup();
    let mut queues: Vec<Vec<(usize, MutantInfo)>> = roles
        .iter()
        .map(|role| catalog.iter().copied().enumerate().filter(|(_, m)| m.role == *role).rev().collect())
        .collect();
    let mut out = Vec::with_capacity(catalog.len());
    while out.len() < catalog.len() {
        for queue in &mut queues {
            if let Some(next) = queue.pop() {
                out.push(next);
            }
        }
    }
    out
}

/// The suites whose cases reach the references of `role` (`issuer`, …).
fn reaching(suites: &[Suite], role: &str) -> Vec<Suite> {
    suites.iter().filter(|s| crate::reference::reached_by(&s.binding).contains(&role)).cloned().collect()
}

/// Every mutant's run, in the catalogue's order: on the cases that name it (`Scope::Declared`,
/// chosen from the suites alone), or on its selection from the references' run (`reads`: what each
/// case read, and the reference's verdicts, which `--full` compares).
async fn mutant_runs(
    suites: &[Suite],
    seed: Option<u64>,
    parallel: usize,
    scope: Scope,
    reads: Option<(&SeamLog, &BTreeMap<String, Verdict>)>,
    catalogue: &Catalogue,
) -> Vec<Result<MutantOutcome, CliError>> {
    let catalog = dialtone_roles::mutant::catalog();
    let mut by_role: BTreeMap<&str, Vec<Suite>> = BTreeMap::new();
    for info in &catalog {
        by_role.entry(info.role).or_insert_with(|| reaching(suites, info.role));
    }
    // The roles' mutants taken in turn (an issuer's, a registry's, …), so that runs that mostly wait
    // (the issuer's plan outlives a request URI) share the cores with runs that mostly compute; the
    // results in the catalogue's order.
    let mut runs: Vec<(usize, Result<MutantOutcome, CliError>)> = futures::stream::iter(interleaved(&catalog))
        .map(|(index, info)| {
            let by_role = &by_role;
            async move {
                let run = async {
                    let mutant = Mutant::from_name(info.name)
                        .ok_or_else(|| CliError::harness(format!("mutant {} has no reference to run it", info.name)))?;
                    let changes = dialtone_roles::mutant::changed_seams(info.name).unwrap_or_default();
                    let reaching = by_role.get(info.role).map(Vec::as_slice).unwrap_or_default();
                    let selection =
                        reads.and_then(|(seams, _)| selected(suites, info.name, info.role, &changes, seams));
                    let to_run = match (&selection, scope) {
                        (_, Scope::Full) | (None, Scope::Selected) => reaching.to_vec(),
                        (Some(ids), Scope::Selected) => only_cases(suites, ids),
                        // The cases that name it; a mutant no case names, every case that reaches
                        // its reference.
                        (_, Scope::Declared) => match declared(suites, info.name, reaching) {
                            Some(ids) => only_cases(suites, &ids),
                            None => reaching.to_vec(),
                        },
                    };
                    let verdicts = match to_run.is_empty() {
                        true => BTreeMap::new(),
                        false => run_mutant(&to_run, mutant, seed, catalogue).await?,
                    };
                    let missed = match (&selection, reads) {
                        (Some(ids), Some((_, reference))) => {
                            missed_by_selection(info.name, &changes, ids, &verdicts, reference)
                        }
                        _ => Vec::new(),
                    };
                    let run =
                        MutantRun { mutant: info.name.into(), description: info.description.into(), changes, verdicts };
                    Ok((run, missed))
                };
                (index, run.await)
            }
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    runs.sort_by_key(|(index, _)| *index);
    runs.into_iter().map(|(_, run)| run).collect()
}

pub async fn selftest(
    suites: &[Suite],
    seed: Option<u64>,
    parallel: usize,
    scope: Scope,
) -> Result<(Selftest, Report), CliError> {
    let catalogue = Catalogue::embedded();
    let started = Instant::now();
    // The cases that name a mutant need nothing of the references' run to be chosen: by default the
    // mutants run beside it. The selection (`--matrix`, `--full`) needs its reads first.
    let (reference, seams, mut problems, runs) = match scope {
        Scope::Declared => {
            let (reference, runs) = tokio::join!(
                run_reference(suites, seed, &catalogue),
                mutant_runs(suites, seed, parallel, scope, None, &catalogue)
            );
            let (reference, seams, mut problems) = reference?;
            problems.extend(unread_by_named(suites, &seams));
            (reference, seams, problems, runs)
        }
        Scope::Selected | Scope::Full => {
            let (reference, seams, problems) = run_reference(suites, seed, &catalogue).await?;
            let judged = verdicts(&reference);
            let runs = mutant_runs(suites, seed, parallel, scope, Some((&seams, &judged)), &catalogue).await;
            (reference, seams, problems, runs)
        }
    };
    let reference_verdicts = verdicts(&reference);
    let mut mutants = Vec::with_capacity(runs.len());
    for run in runs {
        let (run, missed) = run?;
        problems.extend(missed);
        mutants.push(run);
    }
    let cases: Vec<CaseInfo> = dialtone_engine::suite::all_cases(suites)
        .into_iter()
        .map(|c| CaseInfo { id: c.id.clone(), caught_by: c.caught_by.clone() })
        .collect();
    for r in &reference.results {
        if r.verdict != Verdict::Pass {
            problems.push(format!("the reference gets {} on {}: {}", r.verdict.as_str(), r.id, r.observed));
        }
    }
    for m in &mutants {
        if !m.verdicts.values().any(|v| caught(*v)) {
            problems.push(format!("mutant {} survives: no case fails it", m.mutant));
        }
    }
    for case in &cases {
        let catchers: Vec<&str> = mutants
            .iter()
            .filter(|m| m.verdicts.get(&case.id).is_some_and(|v| caught(*v)))
            .map(|m| m.mutant.as_str())
            .collect();
        if catchers.is_empty() {
            problems.push(format!("case {} is caught by no mutant (a check that cannot fail?)", case.id));
        }
        for declared in &case.caught_by {
            if !catchers.contains(&declared.as_str()) {
                let seen = mutants.iter().find(|m| &m.mutant == declared).and_then(|m| m.verdicts.get(&case.id));
                problems.push(format!(
                    "case {} names mutant {declared} in caught_by, but that mutant gets {}",
                    case.id,
                    seen.map(|v| v.as_str()).unwrap_or("no result (the case reads nothing that mutant changes)")
                ));
            }
        }
    }
    let reads = seams
        .reads()
        .into_iter()
        .map(|(field, reach)| {
            let cases = match reach {
                Reach::Every => None,
                Reach::Cases(cases) => Some(cases.len()),
            };
            (field, cases)
        })
        .collect();
    let selftest = Selftest {
        cases,
        reference: reference_verdicts,
        mutants,
        reads,
        problems,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    Ok((selftest, reference))
}

/// The mutant × case matrix: a row per case, a column per mutant (numbered in the legend).
/// `F`/`W`/`I`/`B`: fails, warns, informs or is blocked at its root as its `caught_by` says;
/// lower case: the same without being named; `!`: named but not caught; `·`: passes; `E` error;
/// `S` skip; `?` inconclusive; blank: not run (by default a mutant runs on the cases that name it;
/// with `--matrix`, on those that read what it changes).
pub fn matrix(s: &Selftest) -> String {
    let mut out = String::new();
    let width = s.cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let header: String = (1..=s.mutants.len()).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
    let tens: String =
        (1..=s.mutants.len()).map(|i| if i % 10 == 0 { char::from(b'0' + (i / 10 % 10) as u8) } else { ' ' }).collect();
    out.push_str(&format!("{:width$}  ref  {tens}\n{:width$}       {header}\n", "", "case"));
    for case in &s.cases {
        let reference = s.reference.get(&case.id).map(|v| v.as_str()).unwrap_or("-");
        let cells: String = s
            .mutants
            .iter()
            .map(|m| {
                let declared = case.caught_by.contains(&m.mutant);
                match (m.verdicts.get(&case.id), declared) {
                    (Some(Verdict::Fail), true) => 'F',
                    (Some(Verdict::Warn), true) => 'W',
                    (Some(Verdict::Info), true) => 'I',
                    (Some(Verdict::Fail), false) => 'f',
                    (Some(Verdict::Warn), false) => 'w',
                    (Some(Verdict::Info), false) => 'i',
                    (Some(Verdict::Blocked), true) => 'B',
                    (Some(Verdict::Blocked), false) => 'b',
                    (_, true) => '!',
                    (Some(Verdict::Pass), false) => '·',
                    (Some(Verdict::Error), false) => 'E',
                    (Some(Verdict::Skip), false) => 'S',
                    (Some(Verdict::Inconclusive), false) => '?',
                    (None, false) => ' ',
                }
            })
            .collect();
        out.push_str(&format!("{:width$}  {reference:4} {cells}\n", case.id));
    }
    out.push_str("\nmutants:\n");
    for (i, m) in s.mutants.iter().enumerate() {
        let n = m.verdicts.values().filter(|v| caught(**v)).count();
        out.push_str(&format!("{:>3} {:<44} caught by {n:>2} cases  ({})\n", i + 1, m.mutant, m.description));
    }
    out
}

pub async fn command(
    suites: SuiteSource,
    seed: Option<u64>,
    out: std::path::PathBuf,
    parallel: usize,
    scope: Scope,
    lang: dialtone_i18n::Lang,
) -> Result<i32, CliError> {
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&suites, &catalogue)?;
    let (result, reference) = selftest(&suites, seed, parallel, scope).await?;
    let text = matrix(&result);
    say_raw!("{}", dialtone_reports::terminal::sanitize_lines(&text));
    std::fs::create_dir_all(&out).map_err(|e| CliError::harness(format!("cannot create {}: {e}", out.display())))?;
    let json = serde_json::to_string_pretty(&result).map_err(|e| CliError::harness(e.to_string()))?;
    for (name, content) in [("selftest.json", json), ("matrix.txt", text)] {
        std::fs::write(out.join(name), content).map_err(|e| CliError::harness(format!("cannot write {name}: {e}")))?;
    }
    dialtone_reports::write_all_in(&reference, &out.join("reference"), lang)
        .map_err(|e| CliError::harness(e.to_string()))?;
    let n = |count: usize| dialtone_i18n::FluentValue::from(count as i64);
    let summary = crate::words::t(
        lang,
        "selftest-summary",
        &[
            ("cases", n(result.cases.len())),
            ("mutants", n(result.mutants.len())),
            ("seconds", format!("{:.1}", result.duration_ms / 1000.0).into()),
            ("path", crate::shown(out.display()).into()),
        ],
    );
    say!("\n{summary}");
    if scope == Scope::Declared {
        say!("{}", crate::words::t(lang, "selftest-declared", &[]));
    }
    if result.problems.is_empty() {
        say!("{}", crate::words::t(lang, "selftest-ok", &[]));
        Ok(crate::exit::OK)
    } else {
        for p in &result.problems {
            say!("{}", crate::words::t(lang, "selftest-problem", &[("problem", crate::shown(p).into())]));
        }
        Ok(crate::exit::FAILED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_role() -> Vec<(&'static str, String)> {
        vec![
            ("issuer", "https://127.0.0.1:4000".into()),
            ("registry", "https://127.0.0.1:4001".into()),
            ("verifier", "https://127.0.0.1:40010".into()),
        ]
    }

    #[test]
    fn a_request_to_a_reference_the_binding_does_not_reach_is_a_stray() {
        let urls =
            ["https://127.0.0.1:4000/.well-known/openid-credential-issuer", "https://127.0.0.1:4001/authorization"];
        assert_eq!(stray_roles("oid4vci-issuer", urls.into_iter(), &by_role()), vec!["registry"]);
        // The verifier's binding reaches the registry its reference asks.
        assert_eq!(stray_roles("oid4vp-verifier", urls[1..].iter().copied(), &by_role()), Vec::<&str>::new());
    }

    #[test]
    fn a_server_is_matched_by_its_whole_port() {
        assert!(on_server("https://127.0.0.1:4001/x", "https://127.0.0.1:4001"));
        assert!(on_server("https://127.0.0.1:4001?x", "https://127.0.0.1:4001"));
        assert!(!on_server("https://127.0.0.1:40010/x", "https://127.0.0.1:4001"));
        let urls = ["https://127.0.0.1:40010/request"];
        assert_eq!(stray_roles("trqp-registry", urls.into_iter(), &by_role()), vec!["verifier"]);
    }

    #[test]
    fn mutants_are_taken_one_role_after_another_and_each_once() {
        let catalog = dialtone_roles::mutant::catalog();
        let order = interleaved(&catalog);
        let roles: Vec<&str> = order.iter().take(5).map(|(_, m)| m.role).collect();
        assert_eq!(roles, ["issuer", "registry", "verifier", "wallet", "vc_api"]);
        let mut places: Vec<usize> = order.iter().map(|(i, _)| *i).collect();
        places.sort_unstable();
        assert_eq!(places, (0..catalog.len()).collect::<Vec<_>>());
        assert!(order.iter().all(|(i, m)| catalog[*i] == *m));
    }

    fn case(id: &str, caught_by: &[&str], depends_on: &[&str]) -> dialtone_engine::suite::Case {
        dialtone_engine::suite::Case {
            id: id.into(),
            title: id.into(),
            role: dialtone_engine::role::Role::Issuer,
            binding: "oid4vci-issuer".into(),
            level: dialtone_engine::model::Level::Must,
            driver: "d".into(),
            spec: Vec::new(),
            pctf: Vec::new(),
            requires: Vec::new(),
            caught_by: caught_by.iter().map(|m| m.to_string()).collect(),
            depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
            root_of: Vec::new(),
            must_under: Vec::new(),
            level_by: None,
            params: toml::Table::new(),
            suite: "s".into(),
            file: "s.toml".into(),
            line: 1,
        }
    }

    /// One issuer suite of `cases`.
    fn issuer_plan(cases: Vec<dialtone_engine::suite::Case>) -> Vec<Suite> {
        vec![Suite {
            id: "s".into(),
            title: "s".into(),
            role: dialtone_engine::role::Role::Issuer,
            binding: "oid4vci-issuer".into(),
            file: "s.toml".into(),
            cases,
        }]
    }

    #[test]
    fn a_mutant_runs_on_the_cases_that_name_it_and_those_they_depend_on() {
        let suites = issuer_plan(vec![
            case("A", &["m"], &["B"]),
            case("B", &["other"], &[]),
            case("C", &["m"], &[]),
            case("D", &["other"], &[]),
            case("E", &[], &[]),
            case("F", &["m"], &[]),
        ]);
        let ids = |ids: &[&str]| ids.iter().map(|id| id.to_string()).collect::<BTreeSet<String>>();
        // D names another mutant; E names none; B, which A depends on, runs with A.
        assert_eq!(declared(&suites, "m", &suites), Some(ids(&["A", "B", "C", "E", "F"])));
        // Only cases that reach the mutant's reference.
        assert_eq!(declared(&suites, "m", &[]), Some(ids(&[])));
        // A mutant no case names runs every case that reaches its reference.
        assert_eq!(declared(&suites, "unnamed", &suites), None);
    }

    #[test]
    fn a_named_case_that_read_nothing_its_mutant_changes_is_a_problem() {
        let mutant = dialtone_roles::mutant::catalog().into_iter().find(|m| m.role == "issuer").unwrap().name;
        let suites = issuer_plan(vec![case("A", &[mutant], &[]), case("B", &["verifier.other"], &[])]);
        // A references' run in which no case read anything.
        let problems = unread_by_named(&suites, &SeamLog::default());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].starts_with(&format!("case A names mutant {mutant} in caught_by")), "{}", problems[0]);
    }

    #[test]
    fn every_binding_reaches_the_reference_behind_it() {
        for binding in dialtone_drivers::binding::BINDINGS {
            let reached = crate::reference::reached_by(binding.id());
            if let Some(prefix) = binding.mutants() {
                let role = prefix.trim_end_matches('.');
                assert!(reached.contains(&role), "{} does not reach {role}", binding.id());
            }
        }
    }
}
