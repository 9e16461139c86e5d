//! `dialtone interop`: every issuer → wallet → verifier chain the candidates' roles allow, as a
//! matrix (rows issuers, columns wallet × verifier). Each cell runs case E2E-001 against a manifest
//! made of the three candidates' sections, and keeps that run's report.

use crate::run::run_plan;
use crate::{CliError, SuiteSource, catalogue, exit};
use dialtone_drivers::manifest::Manifest;
use dialtone_engine::model::Verdict;
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::role::Role;
use dialtone_http::EvidenceItem;
use dialtone_reports::interop::{Cell, Column, Matrix};
use std::path::PathBuf;
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

pub async fn command(args: InteropArgs) -> Result<i32, CliError> {
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&args.suites, &catalogue)?;
    let mut participants = Vec::new();
    let mut with_references = false;
    for c in &args.candidates {
        if c == REFERENCES || c == "references" {
            with_references = true;
            continue;
        }
        let manifest = Manifest::load(std::path::Path::new(c)).map_err(|e| CliError::config(e.to_string()))?;
        participants.push(Participant { name: manifest.candidate.name.clone(), manifest });
    }
    // Manifests of one product by role (issuer.toml, verifier.toml) keep their names apart.
    for p in &mut participants {
        if p.manifest.candidate.roles.len() == 1 {
            p.name = format!("{} ({})", p.name, p.manifest.candidate.roles[0]);
        }
    }
    let references = if with_references {
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
        let refs = crate::reference::start_references_with(None, args.seed, &peers).await.map_err(CliError::harness)?;
        participants.insert(0, Participant { name: "dialtone reference".into(), manifest: refs.manifest.clone() });
        Some(refs)
    } else {
        None
    };
    let issuers: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Issuer)).collect();
    let wallets: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Wallet)).collect();
    let verifiers: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Verifier)).collect();
    if issuers.is_empty() || wallets.is_empty() || verifiers.is_empty() {
        if let Some(r) = references {
            r.stop().await;
        }
        return Err(CliError::config(format!(
            "a chain needs an issuer, a wallet and a verifier among the candidates ({} issuers, {} wallets, {} verifiers); \
             add `{REFERENCES}` for dialtone's references",
            issuers.len(),
            wallets.len(),
            verifiers.len()
        )));
    }
    let matrix = run_matrix(&participants, &suites, args.seed, &catalogue, &args.out, 1).await;
    if let Some(r) = references {
        r.stop().await;
    }
    let matrix = matrix?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::harness(format!("cannot create {}: {e}", args.out.display())))?;
    let json = serde_json::to_string_pretty(&matrix).map_err(|e| CliError::harness(e.to_string()))?;
    let html = dialtone_reports::interop::render_html(&matrix).map_err(|e| CliError::harness(e.to_string()))?;
    for (name, content) in [("matrix.json", json), ("matrix.html", html)] {
        let path = args.out.join(name);
        std::fs::write(&path, content)
            .map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?;
        say!("wrote {}", crate::shown(path.display()));
    }
    let failed = matrix.cells.iter().filter(|c| c.verdict != "pass").count();
    say!("{} chains, {} pass, {failed} do not", matrix.cells.len(), matrix.cells.len() - failed);
    Ok(if failed == 0 { exit::OK } else { exit::FAILED })
}

/// Every chain of `participants` (issuers × wallets × verifiers), `concurrency` at a time (1 for
/// candidates outside the process, as a person would run them), each cell's report written under
/// `out/cells/`.
pub(crate) async fn run_matrix(
    participants: &[Participant],
    suites: &[dialtone_engine::suite::Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
    out: &std::path::Path,
    concurrency: usize,
) -> Result<Matrix, CliError> {
    use futures::StreamExt;
    let issuers: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Issuer)).collect();
    let wallets: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Wallet)).collect();
    let verifiers: Vec<&Participant> = participants.iter().filter(|p| p.has(Role::Verifier)).collect();
    let started = Instant::now();
    let mut columns = Vec::new();
    for w in &wallets {
        for v in &verifiers {
            columns.push(Column { wallet: w.name.clone(), verifier: v.name.clone() });
        }
    }
    let mut chains = Vec::new();
    for i in &issuers {
        for w in &wallets {
            for v in &verifiers {
                chains.push((*i, *w, *v));
            }
        }
    }
    let cells: Vec<Result<Cell, CliError>> = futures::stream::iter(chains.into_iter().enumerate())
        .map(|(n, (i, w, v))| run_cell(n, i, w, v, suites, seed, catalogue, out))
        .buffered(concurrency.max(1))
        .collect()
        .await;
    Ok(Matrix {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: dialtone_protocols::time::now_rfc3339(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        issuers: issuers.iter().map(|p| p.name.clone()).collect(),
        columns,
        cells: cells.into_iter().collect::<Result<_, _>>()?,
    })
}

/// One chain: case [`CHAIN_CASE`] against a manifest of the three, its report written.
// The cell's place and its three participants, and the run's inputs: a struct would only rename them.
#[allow(clippy::too_many_arguments)]
async fn run_cell(
    n: usize,
    i: &Participant,
    w: &Participant,
    v: &Participant,
    suites: &[dialtone_engine::suite::Suite],
    seed: Option<u64>,
    catalogue: &Catalogue,
    out: &std::path::Path,
) -> Result<Cell, CliError> {
    let manifest = chain_manifest(i, w, v);
    // The cell's number keeps folders apart when names share their first characters (or have none a
    // folder name can carry); the names make it readable.
    let dir_name = format!("{:03}-{}--{}--{}", n + 1, slug(&i.name), slug(&w.name), slug(&v.name));
    let dir = out.join("cells").join(&dir_name);
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
        dialtone_reports::write_all(r, &dir).map_err(|e| CliError::harness(e.to_string()))?;
    }
    say!("{:<6} {} → {} → {}", verdict.as_str(), crate::shown(&i.name), crate::shown(&w.name), crate::shown(&v.name));
    Ok(Cell {
        issuer: i.name.clone(),
        wallet: w.name.clone(),
        verifier: v.name.clone(),
        verdict: verdict.as_str().into(),
        observed,
        step,
        report: report.is_ok().then(|| format!("cells/{dir_name}/report.html")),
        duration_ms: cell_started.elapsed().as_secs_f64() * 1000.0,
    })
}
