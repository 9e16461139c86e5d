//! Campaigns beyond one machine. `dialtone run --shard i/n` runs the plan's cases at positions i,
//! i+n, i+2n, … (the plan's order is the suites' order, so every machine computes the same slice)
//! and writes their results as they came, before any result is settled against another
//! (`shard.json`). `dialtone merge` checks the shards are slices of one campaign, each once, and
//! settles all results together as one run does (roots and what they block across slices,
//! inconclusive refusals, known failures): one report, and with `--sign` one bundle.

use crate::sign::{self, KeyChoice};
use crate::words::{n, t};
use crate::{CliError, SuiteSource, catalogue, exit};
use dialtone_bundle::statement::ResourceDescriptor;
use dialtone_engine::expectations::Expectations;
use dialtone_engine::model::{CandidateInfo, CaseResult};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file a shard writes into its output folder.
pub const SHARD_FILE: &str = "shard.json";
const FORMAT: &str = "dialtone-shard/1";
/// The largest shard file `merge` reads.
const MAX_SHARD_BYTES: u64 = 256 << 20;

/// One slice of `count`: the 1-based `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// `i/n`, 1 ≤ i ≤ n ≤ 1000.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("--shard {text:?}: expected i/n with 1 ≤ i ≤ n (e.g. 2/4)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) =
            (i.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
        if index == 0 || index > count || count > 1000 {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the case at `position` (0-based, in plan order) is this shard's.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What every shard of one campaign must share.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Campaign {
    pub dialtone_version: String,
    #[serde(default)]
    pub dialtone_commit: Option<String>,
    pub seed: Option<u64>,
    pub only: Vec<String>,
    /// The whole plan's case ids, in order.
    pub plan: Vec<String>,
    /// The plans with a case in the whole plan.
    pub suites: Vec<String>,
    pub candidate: CandidateInfo,
    pub profiles: Vec<String>,
    /// The files the run read (suites, vocabulary, catalogue, profiles, manifest, expectations).
    pub inputs: Vec<ResourceDescriptor>,
    /// The expectations file (`--expectations`): its name and text, applied when merging.
    pub expectations: Option<(String, String)>,
}

impl Campaign {
    /// The campaign a shard's run belongs to.
    pub fn of(
        ran: &crate::run::Ran,
        seed: Option<u64>,
        only: &[String],
        inputs: Vec<ResourceDescriptor>,
        expectations: Option<(String, String)>,
    ) -> Self {
        Campaign {
            dialtone_version: env!("CARGO_PKG_VERSION").into(),
            dialtone_commit: dialtone_bundle::build_commit().map(str::to_string),
            seed,
            only: only.to_vec(),
            plan: ran.plan.clone(),
            suites: ran.subject.suites.clone(),
            candidate: ran.subject.candidate.clone(),
            profiles: ran.subject.profiles.clone(),
            inputs,
            expectations,
        }
    }

    /// Two shards' campaigns agree; the candidate's URL may differ (references started per shard).
    fn same_as(&self, other: &Campaign) -> bool {
        let mut a = self.clone();
        a.candidate.base_url = other.candidate.base_url.clone();
        serde_json::to_value(&a).ok() == serde_json::to_value(other).ok()
    }
}

/// A shard's results, unsettled.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile {
    pub format: String,
    pub shard: Shard,
    pub campaign: Campaign,
    pub results: Vec<CaseResult>,
    pub duration_ms: f64,
}

impl ShardFile {
    pub fn new(shard: Shard, campaign: Campaign, results: Vec<CaseResult>, duration_ms: f64) -> Self {
        ShardFile { format: FORMAT.into(), shard, campaign, results, duration_ms }
    }

    pub fn write(&self, out: &Path) -> Result<PathBuf, CliError> {
        std::fs::create_dir_all(out).map_err(|e| CliError::harness(format!("cannot create {}: {e}", out.display())))?;
        let path = out.join(SHARD_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|e| CliError::harness(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Reads a shard's folder (or its `shard.json`).
    pub fn read(path: &Path) -> Result<Self, CliError> {
        let (file, bytes) = read_shard_bytes(path)?;
        Self::parse(&file, &bytes)
    }

    fn parse(file: &Path, bytes: &[u8]) -> Result<Self, CliError> {
        let cannot = |e: String| CliError::config(format!("{}: {e}", file.display()));
        let shard: ShardFile = serde_json::from_slice(bytes).map_err(|e| cannot(format!("not a shard file: {e}")))?;
        if shard.format != FORMAT {
            return Err(cannot(format!("format {:?}, not {FORMAT}", shard.format)));
        }
        Ok(shard)
    }
}

/// A shard's `shard.json` (given its folder or the file), read within bounds.
pub(crate) fn read_shard_bytes(path: &Path) -> Result<(PathBuf, Vec<u8>), CliError> {
    use std::io::Read;
    let file = if path.is_dir() { path.join(SHARD_FILE) } else { path.to_path_buf() };
    let cannot = |e: String| CliError::config(format!("{}: {e}", file.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(&file)
        .and_then(|f| f.take(MAX_SHARD_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| cannot(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_SHARD_BYTES {
        return Err(cannot(format!("larger than {MAX_SHARD_BYTES} bytes")));
    }
    Ok((file, bytes))
}

/// What a shard file is a slice of: a run's plan or an interop matrix (its `format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Run,
    Interop,
}

impl Kind {
    fn of(file: &Path, bytes: &[u8]) -> Result<Self, CliError> {
        #[derive(Deserialize)]
        struct Format {
            format: String,
        }
        let format: Format = serde_json::from_slice(bytes)
            .map_err(|e| CliError::config(format!("{}: not a shard file: {e}", file.display())))?;
        match format.format.as_str() {
            FORMAT => Ok(Kind::Run),
            crate::interop_shard::FORMAT => Ok(Kind::Interop),
            other => Err(CliError::config(format!(
                "{}: format {other:?}, not {FORMAT} nor {}",
                file.display(),
                crate::interop_shard::FORMAT
            ))),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Run => "a run (`run --shard`)",
            Kind::Interop => "an interop matrix (`interop --shard`)",
        }
    }
}

/// Shards joined: every result of the campaign in plan order, checked to be each case once.
pub struct Joined {
    pub campaign: Campaign,
    pub count: usize,
    pub results: Vec<CaseResult>,
    /// The longest shard's time: they run side by side.
    pub duration_ms: f64,
}

/// Joins the shards of one campaign.
pub fn join(mut shards: Vec<(String, ShardFile)>) -> Result<Joined, CliError> {
    let Some((first_name, first)) = shards.first() else {
        return Err(CliError::config("no shards given"));
    };
    let (count, campaign) = (first.shard.count, first.campaign.clone());
    let mut urls = vec![campaign.candidate.base_url.clone()];
    for (name, s) in &shards {
        if s.shard.count != count {
            return Err(CliError::config(format!("{name} is shard {} but {first_name} is of {count} shards", s.shard)));
        }
        if !s.campaign.same_as(&campaign) {
            return Err(CliError::config(format!(
                "{name} is not a slice of the same campaign as {first_name} (another dialtone, seed, --only, plan, \
                 candidate, input file or expectations file)"
            )));
        }
        if !urls.contains(&s.campaign.candidate.base_url) {
            urls.push(s.campaign.candidate.base_url.clone());
        }
    }
    shards.sort_by_key(|(_, s)| s.shard.index);
    for index in 1..=count {
        let given: Vec<&str> =
            shards.iter().filter(|(_, s)| s.shard.index == index).map(|(name, _)| name.as_str()).collect();
        match given.as_slice() {
            [_] => {}
            [] => return Err(CliError::config(format!("shard {index}/{count} is missing"))),
            _ => {
                return Err(CliError::config(format!("shard {index}/{count} is given twice ({})", given.join(", "))));
            }
        }
    }
    let position: BTreeMap<&str, usize> = campaign.plan.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut slots: Vec<Option<CaseResult>> = vec![None; campaign.plan.len()];
    let mut duration_ms: f64 = 0.0;
    for (name, s) in shards {
        duration_ms = duration_ms.max(s.duration_ms);
        for r in s.results {
            let at = position
                .get(r.id.as_str())
                .filter(|&&at| s.shard.takes(at))
                .ok_or_else(|| CliError::config(format!("{name}: case {} is not in its slice of the plan", r.id)))?;
            let slot = slots.get_mut(*at).ok_or_else(|| CliError::config(format!("{name}: case {}", r.id)))?;
            if slot.replace(r).is_some() {
                return Err(CliError::config(format!("{name}: a case is given twice")));
            }
        }
    }
    let mut results = Vec::with_capacity(slots.len());
    for (id, slot) in campaign.plan.iter().zip(slots) {
        results.push(slot.ok_or_else(|| CliError::config(format!("no shard has a result for case {id}")))?);
    }
    let mut campaign = campaign;
    campaign.candidate.base_url = urls.join(", ");
    Ok(Joined { campaign, count, results, duration_ms })
}

pub struct MergeArgs {
    pub shards: Vec<PathBuf>,
    pub out: PathBuf,
    pub suites: SuiteSource,
    pub sign: Option<KeyChoice>,
    pub all_rows: bool,
    /// The language of report.html, the terminal report and the command's messages.
    pub lang: dialtone_i18n::Lang,
}

/// `dialtone merge`: one report (and bundle) from the shards of a run, or one matrix from the
/// shards of an interop matrix.
pub async fn command(args: MergeArgs) -> Result<i32, CliError> {
    let mut read = Vec::new();
    for p in &args.shards {
        let (file, bytes) = read_shard_bytes(p)?;
        let kind = Kind::of(&file, &bytes)?;
        read.push((p, file, bytes, kind));
    }
    if let (Some((first, _, _, kind)), Some((other, _, _, other_kind))) =
        (read.first(), read.iter().find(|(_, _, _, k)| Some(k) != read.first().map(|r| &r.3)))
    {
        return Err(CliError::config(format!(
            "{} is a shard of {} but {} is a shard of {}: merge the shards of one campaign",
            other.display(),
            other_kind.what(),
            first.display(),
            kind.what()
        )));
    }
    if read.first().is_some_and(|r| r.3 == Kind::Interop) {
        let shards = read
            .into_iter()
            .map(|(p, file, bytes, _)| {
                let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
                let file = crate::interop_shard::InteropShardFile::parse(&file, &bytes)?;
                Ok(crate::interop_shard::GivenShard { name: p.display().to_string(), dir, file })
            })
            .collect::<Result<Vec<_>, CliError>>()?;
        return crate::interop_shard::merge(&args, shards).await;
    }
    let key = args.sign.as_ref().map(sign::signing_key).transpose()?;
    let shards = read
        .into_iter()
        .map(|(p, file, bytes, _)| Ok((p.display().to_string(), ShardFile::parse(&file, &bytes)?)))
        .collect::<Result<Vec<_>, CliError>>()?;
    let joined = join(shards)?;
    let (report, inputs) = settle(&joined, &args.suites)?;
    let written =
        dialtone_reports::write_all_in(&report, &args.out, args.lang).map_err(|e| CliError::harness(e.to_string()))?;
    let lang = args.lang;
    say_raw!("{}", dialtone_reports::terminal::render_in(&report, args.all_rows, lang));
    say!("{}", t(lang, "merged", &[("shards", n(joined.count)), ("cases", n(report.results.len()))]));
    for path in written {
        say!("{}", t(lang, "wrote", &[("path", crate::shown(path.display()).into())]));
    }
    if let Some((key, _)) = key {
        let invocation = crate::run::invocation(joined.campaign.seed, &joined.campaign.only, Some(joined.count));
        let path = sign::write_bundle(&report, "run", invocation, inputs, &key, &args.out)?;
        say!("{}", crate::words::wrote_signed(lang, &path, &key.public().key_id()));
    }
    Ok(report.exit_code())
}

/// Settles the joined results as one run would, against the suites the shards ran (which must be
/// the same files).
pub fn settle(
    joined: &Joined,
    suites: &SuiteSource,
) -> Result<(dialtone_engine::model::Report, Vec<ResourceDescriptor>), CliError> {
    let c = &joined.campaign;
    same_suites(&c.inputs, suites)?;
    let catalogue = Catalogue::embedded();
    let loaded = catalogue::load(suites, &catalogue)?;
    let cases = c
        .plan
        .iter()
        .map(|id| {
            loaded
                .iter()
                .flat_map(|s| s.cases.iter())
                .find(|case| case.id == *id)
                .map(|case| std::sync::Arc::new(case.clone()))
                .ok_or_else(|| CliError::config(format!("no suite has the shards' case {id}")))
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let expectations = match &c.expectations {
        Some((file, text)) => Some(
            Expectations::parse(file, text, |id| c.plan.iter().any(|p| p == id))
                .map_err(|e| CliError::config(e.to_string()))?,
        ),
        None => None,
    };
    let subject = report::Subject {
        candidate: c.candidate.clone(),
        suites: c.suites.clone(),
        profiles: c.profiles.clone(),
        seed: c.seed,
    };
    let assembly = report::Assembly {
        subject,
        results: joined.results.clone(),
        cases: &cases,
        artifacts: Vec::new(),
        expectations: expectations.as_ref(),
        duration_ms: joined.duration_ms,
    };
    Ok((report::assemble(assembly, &catalogue), c.inputs.clone()))
}

/// The suites here are the files the shards ran (their digests among the shards' `inputs`).
pub(crate) fn same_suites(inputs: &[ResourceDescriptor], suites: &SuiteSource) -> Result<(), CliError> {
    let here = sign::suite_inputs(suites)?;
    let ran: Vec<&ResourceDescriptor> =
        inputs.iter().filter(|i| i.annotations.as_ref().is_some_and(|a| a.kind == "suite")).collect();
    if here.len() != ran.len() || here.iter().zip(&ran).any(|(a, b)| a.digest != b.digest) {
        let names: Vec<&str> = ran.iter().map(|i| i.name.as_str()).collect();
        return Err(CliError::config(format!(
            "the suites here are not the ones the shards ran ({}): give --suites with those files",
            names.join(", ")
        )));
    }
    Ok(())
}

/// The exit code of a shard: it recorded its slice (the campaign's verdict is `merge`'s).
pub fn shard_done(shard: Shard, results: &[CaseResult], path: &Path, lang: dialtone_i18n::Lang) -> i32 {
    let failed = results.iter().filter(|r| r.verdict == dialtone_engine::model::Verdict::Fail).count();
    let done = t(
        lang,
        "shard-done",
        &[
            ("shard", shard.to_string().into()),
            ("cases", n(results.len())),
            ("failed", n(failed)),
            ("path", crate::shown(path.display()).into()),
        ],
    );
    say!("{done}");
    say!("{}", t(lang, "shard-merge-hint", &[("count", n(shard.count))]));
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_cover_the_plan_once() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "1/1001"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (1..=3).map(|i| Shard { index: i, count: 3 }).collect();
        for position in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.takes(position)).count(), 1);
        }
    }
}
