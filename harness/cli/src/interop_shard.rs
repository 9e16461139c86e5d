//! Interop campaigns beyond one machine. `dialtone interop --shard i/n` runs the matrix's cells at
//! positions i, i+n, i+2n, … (matrix order: issuers, then wallets, then verifiers, as the
//! candidates are named, so every machine computes the same slice), writes each cell's report
//! under `OUT/cells/` as the whole matrix does, and records its cells in `OUT/shard.json`.
//! `dialtone merge` checks the shards are slices of one matrix, each once, and writes the matrix an
//! unsharded `interop` writes: `matrix.json`, `matrix.html`, every cell's report (copied from its
//! shard), and with `--sign` the bundle.

use crate::interop::{self, RunCell};
use crate::shard::{MergeArgs, Shard};
use crate::words::{n, t};
use crate::{CliError, catalogue, exit, shown};
use dialtone_bundle::statement::ResourceDescriptor;
use dialtone_engine::pctf::Catalogue;
use dialtone_i18n::Lang;
use dialtone_reports::interop::Column;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The format of an interop shard's `shard.json`.
pub const FORMAT: &str = "dialtone-interop-shard/1";
/// The files of a cell's report that a merge copies from its shard.
const CELL_FILES: [&str; 3] = ["report.json", "report.html", "junit.xml"];
/// The largest cell report file a merge copies.
const MAX_CELL_FILE_BYTES: u64 = 256 << 20;

/// What every shard of one interop matrix must share.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InteropCampaign {
    pub dialtone_version: String,
    #[serde(default)]
    pub dialtone_commit: Option<String>,
    pub seed: Option<u64>,
    /// `--candidates`, as given.
    pub candidates: Vec<String>,
    /// The matrix's rows and columns, by participant name.
    pub issuers: Vec<String>,
    pub columns: Vec<Column>,
    /// How many chains the whole matrix has.
    pub chains: usize,
    /// The files the matrix read (suites, vocabulary, catalogue, profiles, manifests).
    pub inputs: Vec<ResourceDescriptor>,
}

impl InteropCampaign {
    pub(crate) fn of(
        candidates: &[String],
        seed: Option<u64>,
        chains: &interop::Chains<'_>,
        inputs: Vec<ResourceDescriptor>,
    ) -> Self {
        InteropCampaign {
            dialtone_version: env!("CARGO_PKG_VERSION").into(),
            dialtone_commit: dialtone_bundle::build_commit().map(str::to_string),
            seed,
            candidates: candidates.to_vec(),
            issuers: chains.issuer_names(),
            columns: chains.columns(),
            chains: chains.chains.len(),
            inputs,
        }
    }

    fn same_as(&self, other: &InteropCampaign) -> bool {
        serde_json::to_value(self).ok() == serde_json::to_value(other).ok()
    }

    /// The issuer, wallet and verifier of the chain at `position`.
    fn chain_at(&self, position: usize) -> Option<(&str, &str, &str)> {
        let width = self.columns.len();
        let issuer = self.issuers.get(position.checked_div(width)?)?;
        let column = self.columns.get(position % width)?;
        Some((issuer, &column.wallet, &column.verifier))
    }
}

/// A cell of a shard: its position in matrix order (0-based), and what it ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlacedCell {
    pub position: usize,
    #[serde(flatten)]
    pub run: RunCell,
}

/// An interop shard's cells.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InteropShardFile {
    pub format: String,
    pub shard: Shard,
    pub campaign: InteropCampaign,
    pub cells: Vec<PlacedCell>,
    pub duration_ms: f64,
}

impl InteropShardFile {
    pub(crate) fn new(shard: Shard, campaign: InteropCampaign, cells: Vec<(usize, RunCell)>, duration_ms: f64) -> Self {
        let cells = cells.into_iter().map(|(position, run)| PlacedCell { position, run }).collect();
        InteropShardFile { format: FORMAT.into(), shard, campaign, cells, duration_ms }
    }

    pub fn write(&self, out: &Path) -> Result<PathBuf, CliError> {
        std::fs::create_dir_all(out).map_err(|e| CliError::harness(format!("cannot create {}: {e}", out.display())))?;
        let path = out.join(crate::shard::SHARD_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|e| CliError::harness(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Reads a shard's folder (or its `shard.json`).
    pub fn read(path: &Path) -> Result<Self, CliError> {
        let (file, bytes) = crate::shard::read_shard_bytes(path)?;
        Self::parse(&file, &bytes)
    }

    pub(crate) fn parse(file: &Path, bytes: &[u8]) -> Result<Self, CliError> {
        let shard: InteropShardFile = serde_json::from_slice(bytes)
            .map_err(|e| CliError::config(format!("{}: not an interop shard file: {e}", file.display())))?;
        if shard.format != FORMAT {
            return Err(CliError::config(format!("{}: format {:?}, not {FORMAT}", file.display(), shard.format)));
        }
        Ok(shard)
    }
}

/// A shard given to `merge`: its name as given, the folder its cells' reports are in, its cells.
pub struct GivenShard {
    pub name: String,
    pub dir: PathBuf,
    pub file: InteropShardFile,
}

/// Shards of one matrix joined: every cell in matrix order, with the folder of the shard that ran
/// it.
pub struct JoinedMatrix {
    pub campaign: InteropCampaign,
    pub count: usize,
    pub cells: Vec<(PathBuf, RunCell)>,
    /// The longest shard's time: they run side by side.
    pub duration_ms: f64,
}

/// Joins the shards of one interop matrix: one campaign, each shard once, each cell once and in its
/// shard's slice, at the place the matrix gives its three participants.
pub fn join(mut shards: Vec<GivenShard>) -> Result<JoinedMatrix, CliError> {
    let Some(first) = shards.first() else {
        return Err(CliError::config("no shards given"));
    };
    let (first_name, count, campaign) = (first.name.clone(), first.file.shard.count, first.file.campaign.clone());
    for s in &shards {
        if s.file.shard.count != count {
            return Err(CliError::config(format!(
                "{} is shard {} but {first_name} is of {count} shards",
                s.name, s.file.shard
            )));
        }
        if !s.file.campaign.same_as(&campaign) {
            return Err(CliError::config(format!(
                "{} is not a slice of the same interop matrix as {first_name} (another dialtone, seed, candidates, \
                 matrix or input file)",
                s.name
            )));
        }
    }
    shards.sort_by_key(|s| s.file.shard.index);
    for index in 1..=count {
        let given: Vec<&str> = shards.iter().filter(|s| s.file.shard.index == index).map(|s| s.name.as_str()).collect();
        match given.as_slice() {
            [_] => {}
            [] => return Err(CliError::config(format!("shard {index}/{count} is missing"))),
            _ => {
                return Err(CliError::config(format!("shard {index}/{count} is given twice ({})", given.join(", "))));
            }
        }
    }
    let mut slots: Vec<Option<(PathBuf, RunCell)>> = vec![None; campaign.chains];
    let mut duration_ms: f64 = 0.0;
    for s in shards {
        duration_ms = duration_ms.max(s.file.duration_ms);
        for placed in s.file.cells {
            let at = placed.position;
            let name = &s.name;
            if !s.file.shard.takes(at) {
                return Err(CliError::config(format!("{name}: chain {} is not in its slice of the matrix", at + 1)));
            }
            let c = &placed.run.cell;
            if campaign.chain_at(at) != Some((c.issuer.as_str(), c.wallet.as_str(), c.verifier.as_str())) {
                return Err(CliError::config(format!(
                    "{name}: chain {} is not {} → {} → {} in the matrix",
                    at + 1,
                    c.issuer,
                    c.wallet,
                    c.verifier
                )));
            }
            let slot = slots
                .get_mut(at)
                .ok_or_else(|| CliError::config(format!("{name}: chain {} is past the matrix's end", at + 1)))?;
            if slot.replace((s.dir.clone(), placed.run)).is_some() {
                return Err(CliError::config(format!("{name}: chain {} is given twice", at + 1)));
            }
        }
    }
    let mut cells = Vec::with_capacity(slots.len());
    for (at, slot) in slots.into_iter().enumerate() {
        cells.push(slot.ok_or_else(|| CliError::config(format!("no shard has a result for chain {}", at + 1)))?);
    }
    Ok(JoinedMatrix { campaign, count, cells, duration_ms })
}

/// The folder of a cell's report inside its shard's output, from the cell's link
/// (`cells/NNN-…/report.html`), refused unless it is one plain folder name of that cell's place.
fn cell_folder(report: &str, position: usize) -> Result<&str, CliError> {
    let folder = report
        .strip_prefix("cells/")
        .and_then(|rest| rest.strip_suffix("/report.html"))
        .filter(|f| f.starts_with(&format!("{:03}-", position + 1)))
        .filter(|f| f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        .ok_or_else(|| CliError::config(format!("chain {}: {:?} is not a cell report's link", position + 1, report)))?;
    Ok(folder)
}

/// Copies a cell's report files from its shard's output into `out`.
fn copy_cell(from: &Path, report: &str, position: usize, out: &Path) -> Result<(), CliError> {
    let folder = cell_folder(report, position)?;
    let (source, target) = (from.join("cells").join(folder), out.join("cells").join(folder));
    std::fs::create_dir_all(&target)
        .map_err(|e| CliError::harness(format!("cannot create {}: {e}", target.display())))?;
    for name in CELL_FILES {
        let path = source.join(name);
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| CliError::config(format!("{}: the shard's cell report is missing: {e}", path.display())))?;
        if !meta.is_file() || meta.len() > MAX_CELL_FILE_BYTES {
            return Err(CliError::config(format!(
                "{}: not a regular file of at most {MAX_CELL_FILE_BYTES} bytes",
                path.display()
            )));
        }
        std::fs::copy(&path, target.join(name))
            .map_err(|e| CliError::harness(format!("cannot copy {}: {e}", path.display())))?;
    }
    Ok(())
}

/// `dialtone merge` of interop shards: the matrix, every cell's report, and with `--sign` the bundle.
pub async fn merge(args: &MergeArgs, shards: Vec<GivenShard>) -> Result<i32, CliError> {
    let key = args.sign.as_ref().map(crate::sign::signing_key).transpose()?;
    let joined = join(shards)?;
    let c = &joined.campaign;
    crate::shard::same_suites(&c.inputs, &args.suites)?;
    let catalogue = Catalogue::embedded();
    let suites = catalogue::load(&args.suites, &catalogue)?;
    for (position, (dir, run)) in joined.cells.iter().enumerate() {
        if let Some(report) = &run.cell.report {
            copy_cell(dir, report, position, &args.out)?;
        }
    }
    let cells: Vec<RunCell> = joined.cells.iter().map(|(_, run)| run.clone()).collect();
    let matrix = interop::matrix_document(
        c.issuers.clone(),
        c.columns.clone(),
        cells.iter().map(|r| r.cell.clone()).collect(),
        joined.duration_ms,
    );
    let lang = args.lang;
    say!("{}", t(lang, "interop-merged", &[("shards", n(joined.count)), ("chains", n(cells.len()))]));
    let sign = key
        .as_ref()
        .map(|(k, _)| (k, c.inputs.clone(), interop::interop_invocation(&c.candidates, c.seed, Some(joined.count))));
    interop::finish(&matrix, &cells, interop::CellsOut { dir: &args.out, lang }, sign, &suites, c.seed)
}

/// Says a shard is recorded.
pub(crate) fn shard_done(shard: Shard, file: &InteropShardFile, chains: usize, path: &Path, lang: Lang) -> i32 {
    let args = [
        ("shard", shard.to_string().into()),
        ("run", n(file.cells.len())),
        ("chains", n(chains)),
        ("path", shown(path.display()).into()),
    ];
    say!("{}", t(lang, "interop-shard-done", &args));
    say!("{}", t(lang, "interop-merge-hint", &[("count", n(shard.count))]));
    exit::OK
}
