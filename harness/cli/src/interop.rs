//! `dialtone interop`: every issuer → wallet → verifier chain the candidates' roles allow, as a
//! matrix (rows issuers, columns wallet × verifier). Each cell runs case E2E-001 against a manifest
//! made of the three candidates' sections, and keeps that run's report. `--shard i/n` runs a slice
//! of the cells (`interop_shard`, joined by `dialtone merge`); `--sign` seals the chains as one
//! report (`interop_report`) in a signed bundle, as `run --sign` does.

use crate::interop_shard::{InteropCampaign, InteropShardFile};
use crate::reference::Mutant;
use crate::run::run_plan;
use crate::shard::Shard;
use crate::sign::{self, KeyChoice};
use crate::words::{n, t};
use crate::{CliError, SuiteSource, catalogue, exit, shown};
use dialtone_bundle::SigningKey;
use dialtone_bundle::statement::ResourceDescriptor;
use dialtone_drivers::manifest::Manifest;
use dialtone_engine::model::{CaseResult, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::role::Role;
use dialtone_engine::suite::Suite;
use dialtone_http::EvidenceItem;
use dialtone_i18n::Lang;
use dialtone_reports::interop::{Cell, Column, Matrix};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The chain case every cell runs.
pub(crate) const CHAIN_CASE: &str = "E2E-001";
/// The word that names the built-in reference candidates in `--candidates`.
pub(crate) const REFERENCES: &str = "reference";

/// The last chain step the evidence records ("chain step 3: the verifier created …").
fn chain_step(e: &EvidenceItem) -> Option<String> {
    match e {
        EvidenceItem::Note { text } if text.starts_with("chain step") => Some(
            text.split_once(':')
                .map(|(s, rest)| format!("{s}:{}", rest.split(':').next().unwrap_or("")))
                .unwrap_or_else(|| text.clone()),
        ),
        _ => None,
    }
}

pub struct InteropArgs {
    pub candidates: Vec<String>,
    pub out: PathBuf,
    pub seed: Option<u64>,
    pub suites: SuiteSource,
    /// `--shard i/n`: run that slice of the matrix's cells and record it for `dialtone merge`.
    pub shard: Option<Shard>,
    /// `--sign [KEY]`: seal the matrix's chains in a signed bundle.
    pub sign: Option<KeyChoice>,
    /// The language of the pages (the matrix's and each cell's report) and of the command's lines.
    pub lang: Lang,
}

/// Where a matrix's cells write their reports, and in which language.
#[derive(Clone, Copy)]
pub(crate) struct CellsOut<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) lang: Lang,
}

pub(crate) struct Participant {
    pub(crate) name: String,
    pub(crate) manifest: Manifest,
}

impl Participant {
    fn has(&self, role: Role) -> bool {
        self.manifest.plays(role)
    }
}

/// A manifest for one chain: the issuer's identity and trigger, the wallet's and verifier's control
/// APIs, every participant's extra trust.
fn chain_manifest(issuer: &Participant, wallet: &Participant, verifier: &Participant) -> Manifest {
    let mut m = issuer.manifest.clone();
    m.candidate.name = format!("{} → {} → {}", issuer.name, wallet.name, verifier.name);
    m.candidate.roles = vec![Role::Issuer, Role::Wallet, Role::Verifier];
    m.wallet = wallet.manifest.wallet.clone();
    m.verifier = verifier.manifest.verifier.clone();
    m.registry = None;
    for other in [&wallet.manifest, &verifier.manifest] {
        for ca in &other.tls.ca_der {
            if !m.tls.ca_der.contains(ca) {
                m.tls.ca_der.push(ca.clone());
            }
        }
    }
    m
}

fn slug(s: &str) -> String {
    let mut out: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(40).collect()
}

/// What `--candidates` names: sets of dialtone's references (`reference`, or `reference:MUTANT`
/// for a set with that mutant in place of its reference), and candidate manifests.
struct Named {
    reference_sets: Vec<Option<Mutant>>,
    manifests: Vec<PathBuf>,
}

fn named(candidates: &[String]) -> Result<Named, CliError> {
    let mut named = Named { reference_sets: Vec::new(), manifests: Vec::new() };
    for c in candidates {
        if c == REFERENCES || c == "references" {
            named.reference_sets.push(None);
        } else if let Some(name) = c.strip_prefix("reference:") {
            let mutant = Mutant::from_name(name).ok_or_else(|| {
                CliError::config(format!(
                    "--candidates: unknown mutant {:?}; `dialtone mutants` lists them",
                    shown(name)
                ))
            })?;
            named.reference_sets.push(Some(mutant));
        } else {
            named.manifests.push(PathBuf::from(c));
        }
    }
    Ok(named)
}

/// The participant name of a set of the references.
fn reference_name(mutant: Option<Mutant>) -> String {
    match mutant {
        Some(m) => format!("dialtone reference (mutant {})", m.name()),
        None => "dialtone reference".into(),
    }
}

pub async fn command(args: InteropArgs) -> Result<i32, CliError> {
    if args.shard.is_some() && args.sign.is_some() {
        return Err(CliError::config(t(args.lang, "shard-not-signed", &[])));
    }
    // The key first: a missing key file stops the matrix before it starts.
    let key = args.sign.as_ref().map(sign::signing_key).transpose()?;
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&args.suites, &catalogue)?;
    let mut inputs = sign::suite_inputs(&args.suites)?;
    inputs.extend(sign::built_in_inputs(true));
    let named = named(&args.candidates)?;
    let mut participants = Vec::new();
    for path in &named.manifests {
        let manifest = Manifest::load(path).map_err(|e| CliError::config(e.to_string()))?;
        inputs.push(sign::input_file("manifest", path)?);
        participants.push(Participant { name: manifest.candidate.name.clone(), manifest });
    }
    // Manifests of one product by role (issuer.toml, verifier.toml) keep their names apart.
    for p in &mut participants {
        if p.manifest.candidate.roles.len() == 1 {
            p.name = format!("{} ({})", p.name, p.manifest.candidate.roles[0]);
        }
    }
    let references = if named.reference_sets.is_empty() {
        Vec::new()
    } else {
        let peers = crate::reference::InteropPeers {
            issuers: participants
                .iter()
                .filter(|p| p.has(Role::Issuer))
                .filter_map(|p| p.manifest.issuer.as_ref().map(|i| i.credential_issuer.clone()))
                .collect(),
            x5c_roots: participants
                .iter()
                .filter_map(|p| p.manifest.issuer.as_ref())
                .flat_map(|i| i.x5c_roots.iter().cloned())
                .collect(),
            request_roots: participants
                .iter()
                .filter(|p| p.has(Role::Verifier))
                .flat_map(|p| p.manifest.tls.ca_der.iter().cloned())
                .collect(),
            issuer_x5c: participants.iter().any(|p| p.has(Role::Verifier) && p.manifest.x5c_only()),
            outside: !participants.is_empty(),
        };
        let sets = crate::reference::start_interop_sets(&named.reference_sets, args.seed, &peers)
            .await
            .map_err(CliError::harness)?;
        for (k, (set, mutant)) in sets.iter().zip(&named.reference_sets).enumerate() {
            participants.insert(k, Participant { name: reference_name(*mutant), manifest: set.manifest.clone() });
        }
        sets
    };
    let matrix = Chains::of(&participants);
    let outcome = match matrix.check() {
        Ok(()) => Ok(run_cells(
            &matrix,
            &suites,
            args.seed,
            &catalogue,
            CellsOut { dir: &args.out, lang: args.lang },
            1,
            args.shard,
        )
        .await),
        Err(e) => Err(e),
    };
    for r in references {
        r.stop().await;
    }
    let (cells, duration_ms) = outcome?;
    let cells = cells?;
    if let Some(shard) = args.shard {
        let campaign = InteropCampaign::of(&args.candidates, args.seed, &matrix, inputs);
        let file = InteropShardFile::new(shard, campaign, cells, duration_ms);
        let path = file.write(&args.out)?;
        return Ok(crate::interop_shard::shard_done(shard, &file, matrix.chains.len(), &path, args.lang));
    }
    let cells: Vec<RunCell> = cells.into_iter().map(|(_, cell)| cell).collect();
    let matrix_doc = matrix.document(cells.iter().map(|c| c.cell.clone()).collect(), duration_ms);
    let sign = key.as_ref().map(|(k, _)| (k, inputs, interop_invocation(&args.candidates, args.seed, None)));
    finish(&matrix_doc, &cells, CellsOut { dir: &args.out, lang: args.lang }, sign, &suites, args.seed)
}

/// The options of a matrix a bundle records.
pub(crate) fn interop_invocation(
    candidates: &[String],
    seed: Option<u64>,
    shards: Option<usize>,
) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    out.insert("candidates".to_string(), serde_json::json!(candidates));
    out.insert("seed".to_string(), serde_json::json!(seed));
    if let Some(n) = shards {
        out.insert("shards".to_string(), serde_json::json!(n));
    }
    out
}

/// Writes the matrix (JSON, HTML), and with a key its chains sealed in a signed bundle; the exit
/// code: 0 every chain passed.
pub(crate) fn finish(
    matrix: &Matrix,
    cells: &[RunCell],
    out: CellsOut<'_>,
    sign: Option<(&SigningKey, Vec<ResourceDescriptor>, BTreeMap<String, serde_json::Value>)>,
    suites: &[Suite],
    seed: Option<u64>,
) -> Result<i32, CliError> {
    let (dir, lang) = (out.dir, out.lang);
    std::fs::create_dir_all(dir).map_err(|e| CliError::harness(format!("cannot create {}: {e}", dir.display())))?;
    for (name, content) in matrix_files(matrix, lang)? {
        let path = dir.join(name);
        std::fs::write(&path, content)
            .map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?;
        say!("{}", t(lang, "wrote", &[("path", shown(path.display()).into())]));
    }
    if let Some((key, inputs, invocation)) = sign {
        let report = crate::interop_report::matrix_report(matrix, cells, suites, seed)?;
        let path = sign::write_bundle(&report, "interop", invocation, inputs, key, dir)?;
        say!("{}", crate::words::wrote_signed(lang, &path, &key.public().key_id()));
    }
    let failed = matrix.cells.iter().filter(|c| c.verdict != "pass").count();
    let (chains, pass) = (matrix.cells.len(), matrix.cells.len() - failed);
    say!("{}", t(lang, "interop-summary", &[("chains", n(chains)), ("pass", n(pass)), ("failed", n(failed))]));
    Ok(if failed == 0 { exit::OK } else { exit::FAILED })
}

/// The matrix's files: `matrix.json`, `matrix.html`.
pub(crate) fn matrix_files(matrix: &Matrix, lang: Lang) -> Result<[(&'static str, String); 2], CliError> {
    let json = serde_json::to_string_pretty(matrix).map_err(|e| CliError::harness(e.to_string()))?;
    let html = dialtone_reports::interop::render_html_in(matrix, lang).map_err(|e| CliError::harness(e.to_string()))?;
    Ok([("matrix.json", json), ("matrix.html", html)])
}

/// The chains of a matrix, in matrix order: issuers, then wallets, then verifiers.
pub(crate) struct Chains<'a> {
    pub(crate) issuers: Vec<&'a Participant>,
    pub(crate) wallets: Vec<&'a Participant>,
    pub(crate) verifiers: Vec<&'a Participant>,
    pub(crate) chains: Vec<(&'a Participant, &'a Participant, &'a Participant)>,
}

impl<'a> Chains<'a> {
    pub(crate) fn of(participants: &'a [Participant]) -> Self {
        let issuers: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Issuer)).collect();
        let wallets: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Wallet)).collect();
        let verifiers: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Verifier)).collect();
        let mut chains = Vec::new();
        for i in &issuers {
            for w in &wallets {
                for v in &verifiers {
                    chains.push((*i, *w, *v));
                }
            }
        }
        Chains { issuers, wallets, verifiers, chains }
    }

    fn check(&self) -> Result<(), CliError> {
        if self.chains.is_empty() {
            return Err(CliError::config(format!(
                "a chain needs an issuer, a wallet and a verifier among the candidates ({} issuers, {} wallets, {} verifiers); \
                 add `{REFERENCES}` for dialtone's references",
                self.issuers.len(),
                self.wallets.len(),
                self.verifiers.len()
            )));
        }
        Ok(())
    }

    pub(crate) fn issuer_names(&self) -> Vec<String> {
        self.issuers.iter().map(|p| p.name.clone()).collect()
    }

    pub(crate) fn columns(&self) -> Vec<Column> {
        let mut columns = Vec::new();
        for w in &self.wallets {
            for v in &self.verifiers {
                columns.push(Column { wallet: w.name.clone(), verifier: v.name.clone() });
            }
        }
        columns
    }

    /// The matrix document of these chains' cells.
    fn document(&self, cells: Vec<Cell>, duration_ms: f64) -> Matrix {
        matrix_document(self.issuer_names(), self.columns(), cells, duration_ms)
    }
}

/// The matrix document (`matrix.json`).
pub(crate) fn matrix_document(
    issuers: Vec<String>,
    columns: Vec<Column>,
    cells: Vec<Cell>,
    duration_ms: f64,
) -> Matrix {
    Matrix {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: dialtone_protocols::time::now_rfc3339(),
        duration_ms,
        issuers,
        columns,
        cells,
    }
}

/// A cell run: its place in the matrix, and the chain case's result (none when the run could not
/// start), which a signed matrix binds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunCell {
    pub cell: Cell,
    pub result: Option<CaseResult>,
}

/// Every chain of `participants` (issuers × wallets × verifiers), `concurrency` at a time (1 for
/// candidates outside the process, as a person would run them), each cell's report written under
/// `out/cells/`.
pub(crate) async fn run_matrix(
    participants: &[Participant],
    suites: &[Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
    out: &Path,
    concurrency: usize,
) -> Result<Matrix, CliError> {
    let chains = Chains::of(participants);
    let out = CellsOut { dir: out, lang: Lang::En };
    let (cells, duration_ms) = run_cells(&chains, suites, seed, catalogue, out, concurrency, None).await;
    Ok(chains.document(cells?.into_iter().map(|(_, c)| c.cell).collect(), duration_ms))
}

/// The cells of `chains` (of `shard` only, when given: the chains at its positions in matrix
/// order), each with its position; and the time they took.
pub(crate) async fn run_cells(
    chains: &Chains<'_>,
    suites: &[Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
    out: CellsOut<'_>,
    concurrency: usize,
    shard: Option<Shard>,
) -> (Result<Vec<(usize, RunCell)>, CliError>, f64) {
    use futures::StreamExt;
    let started = Instant::now();
    let taken = chains.chains.iter().enumerate().filter(|(n, _)| shard.is_none_or(|s| s.takes(*n)));
    let cells: Vec<Result<(usize, RunCell), CliError>> =
        futures::stream::iter(taken)
            .map(|(n, (i, w, v))| async move {
                run_cell(n, i, w, v, suites, seed, catalogue, out).await.map(|cell| (n, cell))
            })
            .buffered(concurrency.max(1))
            .collect()
            .await;
    (cells.into_iter().collect(), started.elapsed().as_secs_f64() * 1000.0)
}

/// One chain: case [`CHAIN_CASE`] against a manifest of the three, its report written.
// The cell's place and its three participants, and the run's inputs: a struct would only rename them.
#[allow(clippy::too_many_arguments)]
async fn run_cell(
    n: usize,
    i: &Participant,
    w: &Participant,
    v: &Participant,
    suites: &[Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
    out: CellsOut<'_>,
) -> Result<RunCell, CliError> {
    let manifest = chain_manifest(i, w, v);
    // The cell's number keeps folders apart when names share their first characters (or have none a
    // folder name can carry); the names make it readable.
    let dir_name = format!("{:03}-{}--{}--{}", n + 1, slug(&i.name), slug(&w.name), slug(&v.name));
    let dir = out.dir.join("cells").join(&dir_name);
    let cell_started = Instant::now();
    let report = run_plan(suites, manifest, seed, &[CHAIN_CASE.to_string()], catalogue, None, None).await;
    let (verdict, observed, step) = match &report {
        Ok(r) => match r.results.iter().find(|c| c.id == CHAIN_CASE) {
            Some(c) => (
                c.verdict,
                c.observed.clone(),
                (c.verdict != Verdict::Pass).then(|| c.evidence.iter().rev().find_map(chain_step)).flatten(),
            ),
            None => (Verdict::Error, "the chain case did not run".into(), None),
        },
        Err(e) => (Verdict::Error, e.message.clone(), None),
    };
    if let Ok(r) = &report {
        dialtone_reports::write_all_in(r, &dir, out.lang).map_err(|e| CliError::harness(e.to_string()))?;
    }
    let word = dialtone_i18n::report().text(out.lang, &format!("verdict-{}", verdict.as_str()), &[]);
    say!("{word:<6} {} → {} → {}", shown(&i.name), shown(&w.name), shown(&v.name));
    let link = report.is_ok().then(|| format!("cells/{dir_name}/report.html"));
    let result = report.ok().and_then(|r| r.results.into_iter().find(|c| c.id == CHAIN_CASE));
    let cell = Cell {
        issuer: i.name.clone(),
        wallet: w.name.clone(),
        verifier: v.name.clone(),
        verdict: verdict.as_str().into(),
        observed,
        step,
        report: link,
        duration_ms: cell_started.elapsed().as_secs_f64() * 1000.0,
    };
    Ok(RunCell { cell, result })
}
