//! `dialtone check`: judges stored artifacts and writes the same reports as `run`.

use crate::CliError;
use crate::input_file::{self, SpecialFiles};
use crate::words::t;
use dialtone_engine::model::{ArtifactResult, CandidateInfo, CaseResult, EXIT_UNVERIFIED, Judged, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::report::{self, ArtifactCounts};
use dialtone_engine::role::Role;
use dialtone_engine::tally::Tally;
use dialtone_http::Evidence;
use dialtone_http::{HttpClient, HttpLimits, Secrets, build_client};
use dialtone_protocols::shc::revocation::RevocationList;
use dialtone_protocols::{shc, time};
use dialtone_reports::stream::{RuleRow, Spool, Streamed};
use dialtone_rules::deadline::Judge;
use dialtone_rules::keys::{self, KeyRing, TrustedIssuer};
use dialtone_rules::qr_image::QrImageDecoder;
use dialtone_rules::{Artifact, ArtifactReport, ArtifactVerdict, Context, Format, Profiles};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct CheckArgs {
    pub files: Vec<PathBuf>,
    /// `None`: recognize each artifact's format.
    pub format: Option<Format>,
    pub keys: Vec<PathBuf>,
    pub trust: Option<PathBuf>,
    /// SMART Health Card revocation lists (`<iss>/.well-known/crl/<kid>.json`), one per key.
    pub crl: Vec<PathBuf>,
    pub fetch_keys: bool,
    /// Extra TLS roots (PEM) for `--fetch-keys`, beside the public web PKI (a test environment).
    pub tls_ca: Option<PathBuf>,
    pub now: Option<String>,
    pub nonce: Option<String>,
    pub aud: Option<String>,
    pub profiles: Option<PathBuf>,
    pub out: PathBuf,
    pub all_rows: bool,
    /// The wall-clock time one artifact may take to judge (`--deadline-ms`).
    pub deadline: Duration,
    /// Read files that are not regular files (devices, FIFOs), bounded (`--allow-special-files`).
    pub allow_special_files: bool,
    /// `--sign [KEY]`: seal the reports in a signed bundle.
    pub sign: Option<crate::sign::KeyChoice>,
    /// The language of report.html, the terminal report and the command's messages.
    pub lang: dialtone_i18n::Lang,
}

impl CheckArgs {
    /// `dialtone check FILES` with every option at its default (`--out reports/out/check`).
    pub fn for_files(files: Vec<PathBuf>) -> CheckArgs {
        CheckArgs {
            files,
            format: None,
            keys: Vec::new(),
            trust: None,
            crl: Vec::new(),
            fetch_keys: false,
            tls_ca: None,
            now: None,
            nonce: None,
            aud: None,
            profiles: None,
            out: PathBuf::from("reports/out/check"),
            all_rows: false,
            deadline: dialtone_rules::deadline::DEFAULT_DEADLINE,
            allow_special_files: false,
            sign: None,
            lang: dialtone_i18n::Lang::En,
        }
    }

    pub fn special_files(&self) -> SpecialFiles {
        if self.allow_special_files { SpecialFiles::Allowed { deadline: self.deadline } } else { SpecialFiles::Refused }
    }
}

/// Parses `--format`: `auto` or a format name.
pub fn parse_format(text: &str) -> Result<Option<Format>, CliError> {
    if text == "auto" {
        return Ok(None);
    }
    Format::from_name(text).map(Some).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        CliError::config(format!("unknown format {text:?}: auto or one of {}", names.join(", ")))
    })
}

/// Parses `--now`: RFC 3339 (any offset) or seconds since the epoch.
pub(crate) fn parse_now(text: &str) -> Result<i64, CliError> {
    text.parse::<i64>().ok().or_else(|| time::parse_datetime_stamp(text)).ok_or_else(|| {
        CliError::config(format!("--now {text:?}: expected RFC 3339 (2026-01-31T12:00:00Z) or epoch seconds"))
    })
}

/// Reads the files as artifacts. Consecutive files holding chunks of one SMART Health Card
/// (`shc:/C/N/…`, as text or as images of the QR codes) form one artifact. Images are decoded with
/// the in-process decoder (`check` itself reads through [`Artifacts`] with its child-process decoder).
pub fn read_artifacts(files: &[PathBuf], special: SpecialFiles) -> Result<Vec<Artifact>, CliError> {
    for path in files {
        input_file::precheck(path, special)?;
    }
    Artifacts::new(files, special, &QrImageDecoder::default()).collect()
}

/// The artifacts of the files, read one at a time: a chunked health card's files together (QR
/// text or images, in any order, each image decoded with `images` to learn which chunks it shows).
/// Every file was looked at first ([`input_file::precheck`]: a missing or refused one stops a check
/// before it writes anything), so each is opened without looking again.
pub struct Artifacts<'a> {
    files: std::slice::Iter<'a, PathBuf>,
    special: SpecialFiles,
    images: &'a QrImageDecoder,
    /// The card being assembled: its chunk count, how many chunks its files hold so far, its files.
    open_chunks: Option<(usize, usize, Artifact)>,
}

impl<'a> Artifacts<'a> {
    pub fn new(files: &'a [PathBuf], special: SpecialFiles, images: &'a QrImageDecoder) -> Self {
        Self { files: files.iter(), special, images, open_chunks: None }
    }
}

impl Iterator for Artifacts<'_> {
    type Item = Result<Artifact, CliError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(path) = self.files.next() else {
                return self.open_chunks.take().map(|(_, _, a)| Ok(a));
            };
            let bytes = match input_file::read_prechecked(path, self.special) {
                Ok(b) => b,
                Err(e) => return Some(Err(e)),
            };
            let name = path.display().to_string();
            match (chunks_in(&bytes, self.images), self.open_chunks.take()) {
                (Some((total, held)), Some((open_total, seen, mut a))) if total == open_total => {
                    a.parts.push(bytes);
                    a.name = format!("{}+{}", a.name, file_name(path));
                    if seen + held < total {
                        self.open_chunks = Some((total, seen + held, a));
                    } else {
                        return Some(Ok(a));
                    }
                }
                (Some((total, held)), pending) => {
                    let a = Artifact::single(name, bytes);
                    if held < total {
                        self.open_chunks = Some((total, held, a));
                        if let Some((_, _, p)) = pending {
                            return Some(Ok(p));
                        }
                    } else {
                        // A whole card in one file: it follows the pending one.
                        match pending {
                            Some((_, _, p)) => {
                                self.open_chunks = Some((0, 0, a));
                                return Some(Ok(p));
                            }
                            None => return Some(Ok(a)),
                        }
                    }
                }
                (None, pending) => match pending {
                    Some((_, _, p)) => {
                        self.open_chunks = Some((0, 0, Artifact::single(name, bytes)));
                        return Some(Ok(p));
                    }
                    None => return Some(Ok(Artifact::single(name, bytes))),
                },
            }
        }
    }
}

/// The chunk count of the card whose chunks a file holds, and how many of them it holds: a text
/// file of one `shc:/C/N/…` payload, or an image whose QR codes are all chunks of one count.
fn chunks_in(bytes: &[u8], images: &QrImageDecoder) -> Option<(usize, usize)> {
    let texts = if dialtone_rules::qr_image::sniff(bytes).is_some() {
        images.decode(bytes).ok()?.into_iter().map(|code| code.text).collect()
    } else {
        vec![std::str::from_utf8(bytes).ok()?.to_string()]
    };
    let chunks: Vec<shc::QrChunk> = texts.iter().map(|t| shc::decode_qr(t).ok()).collect::<Option<_>>()?;
    let total = chunks.first()?.total;
    (total > 1 && chunks.iter().all(|c| c.total == total)).then_some((total, chunks.len()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Builds the judging context from the command line.
pub fn context(args: &CheckArgs) -> Result<Context, CliError> {
    let mut ring = KeyRing::default();
    for path in &args.keys {
        let bytes = input_file::read(path, args.special_files())?;
        let (k, roots) =
            keys::load_key_file(&bytes).map_err(|e| CliError::config(format!("{}: {e}", path.display())))?;
        ring.keys.extend(k);
        ring.roots.extend(roots);
        ring.published.extend(keys::published_jwks(&bytes));
    }
    if let Some(path) = &args.trust {
        let bytes = input_file::read(path, args.special_files())?;
        ring.trust =
            Some(keys::load_trust_file(&bytes).map_err(|e| CliError::config(format!("{}: {e}", path.display())))?);
        ring.published.extend(keys::published_in_trust_file(&bytes));
    }
    let profiles = match &args.profiles {
        Some(dir) => Profiles::load_dir(dir).map_err(CliError::config)?,
        None => Profiles::embedded(),
    };
    let mut revocation = Vec::new();
    for path in &args.crl {
        let bytes = input_file::read(path, args.special_files())?;
        revocation
            .push(RevocationList::parse(&bytes).map_err(|e| CliError::config(format!("{}: {e}", path.display())))?);
    }
    let (now, now_given) = match &args.now {
        Some(t) => (parse_now(t)?, true),
        None => (dialtone_protocols::now_epoch(), false),
    };
    Ok(Context {
        keys: ring,
        now,
        now_given,
        nonce: args.nonce.clone(),
        aud: args.aud.clone(),
        profiles,
        qr_images: Default::default(),
        revocation,
    })
}

/// `--fetch-keys`: the issuer's published keys, from its well-known location for the format (SHC:
/// `<iss>/.well-known/jwks.json`; SD-JWT VC: `<iss>/.well-known/jwt-vc-issuer`). The keys go to
/// the trust list under that issuer, since the issuer's own URL vouches for them. For a health card
/// signed by a key that publishes a `crlVersion`, the key's revocation list too
/// (`<iss>/.well-known/crl/<kid>.json`), unless `--crl` gave one for that key.
async fn fetch_keys(
    files: &[PathBuf],
    special: SpecialFiles,
    images: &QrImageDecoder,
    format: Option<Format>,
    roots: &[Vec<u8>],
    ctx: &mut Context,
) -> Result<Vec<String>, CliError> {
    let mut notes = Vec::new();
    let limits = HttpLimits::default();
    let client = match build_client(limits, roots) {
        Ok(c) => HttpClient::new(
            c,
            limits,
            Evidence::new(Secrets::new(dialtone_protocols::oid4vci::message::SECRET_MEMBERS)),
        ),
        Err(e) => return Ok(vec![format!("--fetch-keys: {e}")]),
    };
    let mut done = std::collections::HashSet::new();
    let mut lists_done = std::collections::HashSet::new();
    for a in Artifacts::new(files, special, images) {
        let Some(named) = issuer_of(&a?, format) else { continue };
        let iss = named.iss.clone();
        if !iss.starts_with("https://") {
            continue;
        }
        let fetched = match done.insert(iss.clone()) {
            true => fetch_json(&client, &named.keys_url, &mut notes).await,
            false => None,
        };
        let set = fetched.and_then(|v| {
            if named.kind != "jwt-vc-issuer" {
                return Some(v);
            }
            // SD-JWT VC §4.3: metadata whose issuer is not the iss MUST NOT be used.
            match v.get("issuer").and_then(serde_json::Value::as_str) {
                Some(issuer) if issuer == iss => v.get("jwks").cloned(),
                other => {
                    notes.push(format!(
                        "{}: its issuer {other:?} is not the credential's iss {iss:?} (SD-JWT VC §4.3): its keys are not used",
                        named.keys_url
                    ));
                    None
                }
            }
        });
        ctx.keys.published.extend(set.iter().flat_map(keys::published_of));
        if let Some(jwks) = set.and_then(|j| keys::jwks_of(&j).ok()) {
            notes.push(format!("{}: {} keys", named.keys_url, jwks.len()));
            ctx.keys.trust.get_or_insert_with(Vec::new).push(TrustedIssuer {
                id: iss.clone(),
                keys: jwks,
                roots: Vec::new(),
            });
        }
        let Some(kid) = named.kid else { continue };
        let publishes_list = ctx
            .keys
            .trust
            .iter()
            .flatten()
            .filter(|t| t.id == iss)
            .flat_map(|t| t.keys.iter())
            .any(|k| k.get("kid").and_then(|v| v.as_str()) == Some(kid.as_str()) && k.get("crlVersion").is_some());
        let given = ctx.revocation.iter().any(|l| l.kid == kid);
        if !publishes_list || given || !lists_done.insert((iss.clone(), kid.clone())) {
            continue;
        }
        // The kid comes from the card: only a base64url one (a thumbprint) goes into a URL path.
        if kid.is_empty() || !kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            notes.push(format!("kid {kid:?} is not base64url: its revocation list is not fetched"));
            continue;
        }
        let url = format!("{iss}/.well-known/crl/{kid}.json");
        let Some(value) = fetch_json(&client, &url, &mut notes).await else { continue };
        match RevocationList::parse(value.to_string().as_bytes()) {
            Ok(list) if list.kid == kid => {
                notes.push(format!("{url}: revocation list ctr {}, {} rids", list.ctr, list.rids.len()));
                ctx.revocation.push(list);
            }
            Ok(list) => notes.push(format!("{url}: a list for key {:?}, not {kid:?}: not used", list.kid)),
            Err(e) => notes.push(format!("{url}: {e}: not used")),
        }
    }
    Ok(notes)
}

/// A JSON document fetched from `url`, or a note saying why not.
async fn fetch_json(client: &HttpClient, url: &str, notes: &mut Vec<String>) -> Option<serde_json::Value> {
    match client.get(url, &[]).await {
        Ok(r) if r.status == 200 => match r.json() {
            Ok(v) => Some(v),
            Err(e) => {
                notes.push(format!("{url}: {e}"));
                None
            }
        },
        Ok(r) => {
            notes.push(format!("{url}: HTTP {}", r.status));
            None
        }
        Err(e) => {
            notes.push(format!("{url}: {e}"));
            None
        }
    }
}

/// What an artifact names of its issuer: its identifier, where its keys are published, and (a
/// health card) the `kid` of the key that signed it.
struct NamedIssuer {
    iss: String,
    keys_url: String,
    kind: &'static str,
    kid: Option<String>,
}

/// The issuer identifier an artifact names and where its keys are published.
fn issuer_of(a: &Artifact, format: Option<Format>) -> Option<NamedIssuer> {
    let format = format.or_else(|| dialtone_rules::detect::detect(a))?;
    let text = a.first_text().trim().to_string();
    let jws = match format {
        Format::Shc => {
            if text.starts_with("shc:/") {
                let chunks: Vec<_> =
                    a.parts.iter().filter_map(|p| shc::decode_qr(&String::from_utf8_lossy(p)).ok()).collect();
                shc::assemble(&chunks).ok()?
            } else if text.starts_with('{') {
                shc::parse_file(text.as_bytes()).ok()?.into_iter().next()?
            } else {
                text
            }
        }
        Format::SdJwtVc => text.split('~').next()?.to_string(),
        _ => return None,
    };
    if format == Format::Shc {
        let card = shc::HealthCardJws::parse(&jws).ok()?;
        let iss = card.payload.get("iss")?.as_str()?.to_string();
        let kid = card.header.get("kid").and_then(|k| k.as_str()).map(str::to_string);
        Some(NamedIssuer { keys_url: format!("{iss}/.well-known/jwks.json"), iss, kind: "jwks", kid })
    } else {
        let jwt = dialtone_protocols::jose::CompactJws::parse(&jws).ok()?;
        let iss = jwt.payload.get("iss")?.as_str()?.to_string();
        let url = dialtone_protocols::oid4vci::well_known_url(&iss, "/.well-known/jwt-vc-issuer").ok()?;
        Some(NamedIssuer { iss, keys_url: url, kind: "jwt-vc-issuer", kid: None })
    }
}

/// Judges every artifact, each within `deadline`.
pub fn judge_all(
    artifacts: &[Artifact],
    format: Option<Format>,
    ctx: &Arc<Context>,
    deadline: Duration,
) -> Vec<ArtifactReport> {
    let mut judge = Judge::new(ctx.clone(), deadline);
    let mut out = Vec::with_capacity(artifacts.len());
    for a in artifacts {
        judge.submit(a.clone(), format);
        while judge.in_flight() >= IN_FLIGHT {
            out.extend(judge.take());
        }
    }
    while let Some(report) = judge.take() {
        out.push(report);
    }
    out
}

/// Artifacts read ahead of the one being judged: three of the judge's batches, so that it has the
/// next one while the reports of the last are written.
const IN_FLIGHT: usize = 3 * dialtone_rules::deadline::BATCH;
/// Artifacts the HTML page and the terminal table show in detail, those that need attention first;
/// report.json and junit.xml have every one.
pub const SHOWN: usize = 200;

/// What a check wrote and how it ended.
pub struct Checked {
    pub exit_code: i32,
    pub artifacts: usize,
    pub written: Vec<PathBuf>,
}

/// The artifacts kept in detail for the page and the terminal: at most [`SHOWN`], those that need
/// attention (not valid) taking the place of valid ones.
#[derive(Default)]
struct Shown {
    kept: Vec<(ArtifactResult, Vec<CaseResult>)>,
}

impl Shown {
    /// Whether `artifact` would be kept: its rows are built only then.
    fn wants(&self, artifact: &ArtifactResult) -> bool {
        self.kept.len() < SHOWN
            || (artifact.verdict != ArtifactVerdict::Valid
                && self.kept.iter().any(|(a, _)| a.verdict == ArtifactVerdict::Valid))
    }

    fn offer(&mut self, artifact: &ArtifactResult, rows: Vec<CaseResult>) {
        let attention = artifact.verdict != ArtifactVerdict::Valid;
        if self.kept.len() >= SHOWN {
            if !attention {
                return;
            }
            match self.kept.iter().rposition(|(a, _)| a.verdict == ArtifactVerdict::Valid) {
                Some(i) => {
                    self.kept.remove(i);
                }
                None => return,
            }
        }
        self.kept.push((artifact.clone(), rows));
    }
}

/// One judged artifact into the tally, the reports and the selection shown: its rows are written
/// from the rules and their judged outcomes, borrowed, and built as report rows only when shown.
struct Taken<'a> {
    tally: &'a mut Tally,
    reports: &'a mut Streamed,
    shown: &'a mut Shown,
}

impl Taken<'_> {
    fn take(&mut self, judged: ArtifactReport, artifact: &ArtifactResult) -> Result<(), dialtone_reports::RenderError> {
        let (outcomes, per_rule_ms) = judged_outcomes(judged.outcomes, judged.duration_ms);
        let format = judged.format.map(Format::name).unwrap_or("unknown");
        let rows = rule_rows(&judged.name, format, &judged.evidence, per_rule_ms, &outcomes);
        for row in &rows {
            self.tally.add_rule_row(row.plan, row.id.0, row.level, row.verdict, row.pctf);
        }
        self.reports.add(&rows, artifact)?;
        if self.shown.wants(artifact) {
            self.shown.offer(artifact, rows.iter().map(RuleRow::to_case_result).collect());
        }
        Ok(())
    }
}

/// An artifact's rule outcomes as their levels judge them, and the time each rule is given (the
/// artifact's, shared).
fn judged_outcomes(
    outcomes: Vec<(&'static dialtone_rules::Rule, dialtone_engine::model::Outcome)>,
    duration_ms: f64,
) -> (Vec<(&'static dialtone_rules::Rule, Judged)>, f64) {
    let per_rule_ms = duration_ms / outcomes.len().max(1) as f64;
    (outcomes.into_iter().map(|(rule, o)| (rule, o.judged(rule.level))).collect(), per_rule_ms)
}

/// The report rows of an artifact's judged rules, as [`ArtifactReport::case_results`] states
/// them, borrowed: the evidence goes with the rows that need attention.
fn rule_rows<'a>(
    name: &'a str,
    format: &'a str,
    evidence: &'a [dialtone_http::EvidenceItem],
    per_rule_ms: f64,
    outcomes: &'a [(&'static dialtone_rules::Rule, Judged)],
) -> Vec<RuleRow<'a>> {
    outcomes
        .iter()
        .map(|(rule, j)| {
            let failing = matches!(j.verdict, Verdict::Fail | Verdict::Warn | Verdict::Info | Verdict::Error);
            RuleRow {
                id: (rule.id, name),
                plan: dialtone_rules::ARTIFACT_PLAN,
                title: rule.title,
                role: Role::Artifact,
                level: rule.level,
                verdict: j.verdict,
                driver: format,
                spec: rule.spec,
                pctf: rule.pctf,
                expected: &j.expected,
                observed: &j.observed,
                precondition: j.precondition.as_deref(),
                evidence: if failing { evidence } else { &[] },
                duration_ms: per_rule_ms,
                candidate_ms: 0.0,
            }
        })
        .collect()
}

/// Judges the files' artifacts one at a time and writes the reports as it goes: memory holds the
/// tally, the artifacts in flight and those shown in detail, whatever the number of files. With
/// `terminal`, prints the summary, the table of what needs attention and a line per artifact.
pub fn check_files(args: &CheckArgs, ctx: Context, terminal: bool) -> Result<Checked, CliError> {
    let started = Instant::now();
    let harness = |e: dialtone_reports::RenderError| CliError::harness(e.to_string());
    let mut reports = Streamed::create(&args.out).map_err(harness)?;
    let mut lines = if terminal { Some(Spool::create(&args.out, "terminal").map_err(harness)?) } else { None };
    let mut tally = Tally::default();
    let mut counts = ArtifactCounts::default();
    let mut formats = std::collections::BTreeSet::new();
    let mut shown = Shown::default();
    let images = ctx.qr_images.clone();
    let mut judge = Judge::new(Arc::new(ctx), args.deadline);
    let mut take = |judged: ArtifactReport| -> Result<(), CliError> {
        let artifact = judged.result();
        counts.add(artifact.verdict);
        if let Some(f) = judged.format {
            formats.insert(f.name());
        }
        if let Some(lines) = &mut lines {
            lines.write(verdict_line(&artifact, args.lang).as_bytes()).map_err(harness)?;
        }
        Taken { tally: &mut tally, reports: &mut reports, shown: &mut shown }.take(judged, &artifact).map_err(harness)
    };
    for artifact in Artifacts::new(&args.files, args.special_files(), &images) {
        judge.submit(artifact?, args.format);
        while judge.in_flight() >= IN_FLIGHT {
            if let Some(judged) = judge.take() {
                take(judged)?;
            }
        }
    }
    while let Some(judged) = judge.take() {
        take(judged)?;
    }
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let subject = report::Subject {
        candidate: CandidateInfo {
            name: format!("{} stored artifacts", counts.total),
            vendor: String::new(),
            version: String::new(),
            roles: vec![Role::Artifact],
            base_url: String::new(),
            conformance: formats.iter().map(|f| f.to_string()).collect(),
        },
        suites: vec![dialtone_rules::ARTIFACT_PLAN.into()],
        profiles: Vec::new(),
        seed: None,
    };
    let mut report = report::assemble_tallied(subject, &tally, counts, duration_ms, &Catalogue::embedded());
    let selection = counts.total > shown.kept.len();
    for (artifact, rows) in shown.kept {
        report.artifacts.push(artifact);
        report.results.extend(rows);
    }
    let lang = args.lang;
    let note = selection.then(|| {
        let n = |count: usize| dialtone_i18n::FluentValue::from(count as i64);
        t(lang, "check-selection", &[("shown", n(report.artifacts.len())), ("total", n(counts.total))])
    });
    let written = reports.finish(&report, counts.total, note.as_deref(), lang).map_err(harness)?;
    if let Some(lines) = lines {
        say_raw!("{}", dialtone_reports::terminal::render_in(&report, args.all_rows, lang));
        if let Some(note) = &note {
            say!("{note}");
        }
        let mut text = Vec::new();
        lines.drain_into(&mut text).map_err(harness)?;
        for chunk in text.split_inclusive(|b| *b == b'\n').collect::<Vec<_>>().chunks(512) {
            say_raw!("{}", String::from_utf8_lossy(&chunk.concat()));
        }
        for path in &written {
            say!("{}", t(lang, "wrote", &[("path", crate::shown(path.display()).into())]));
        }
    }
    let code = tally.exit_code();
    let exit_code = if code == 0 && (counts.unverified > 0 || counts.unsupported > 0) { EXIT_UNVERIFIED } else { code };
    Ok(Checked { exit_code, artifacts: counts.total, written })
}

/// The terminal line of an artifact's verdict (and the reason beneath it).
fn verdict_line(a: &ArtifactResult, lang: dialtone_i18n::Lang) -> String {
    let verdict = dialtone_i18n::report().text(lang, &format!("artifact-{}", a.verdict.as_str()), &[]);
    let line = format!(
        "{:<10} {:<9} {}",
        verdict,
        a.format.as_deref().unwrap_or("?"),
        dialtone_reports::terminal::sanitize(&a.name, 200)
    );
    match &a.reason {
        Some(reason) => format!("{line}\n           {}\n", dialtone_reports::terminal::sanitize(reason, 300)),
        None => format!("{line}\n"),
    }
}

pub async fn command(args: CheckArgs) -> Result<i32, CliError> {
    if args.files.is_empty() {
        return Err(CliError::config(t(args.lang, "no-artifact-files", &[])));
    }
    let key = args.sign.as_ref().map(crate::sign::signing_key).transpose()?;
    // Every file is looked at before any is judged: a missing or refused one stops the check
    // before it writes anything.
    for path in &args.files {
        input_file::precheck(path, args.special_files())?;
    }
    // One decoder for reading and judging: it keeps what it decoded, so an image is decoded once.
    let images = crate::qr_child::decoder(args.deadline);
    let mut ctx = context(&args)?;
    ctx.qr_images = images.clone();
    if args.fetch_keys {
        let roots = match &args.tls_ca {
            Some(path) => {
                keys::pem_certificates(&String::from_utf8_lossy(&input_file::read(path, args.special_files())?))
            }
            None => Vec::new(),
        };
        for note in fetch_keys(&args.files, args.special_files(), &images, args.format, &roots, &mut ctx).await? {
            eprintln!("dialtone: --fetch-keys: {}", crate::shown(note));
        }
    }
    let checked = check_files(&args, ctx, true)?;
    if let Some((key, _)) = key {
        // The bundle signs every result: those of report.json, which has every row (the page and
        // the terminal may show a selection), and the digest of every artifact, read again.
        let path = args.out.join("report.json");
        let text = input_file::read(&path, args.special_files())?;
        let report: dialtone_engine::model::Report =
            serde_json::from_slice(&text).map_err(|e| CliError::harness(format!("{}: {e}", path.display())))?;
        let artifacts = Artifacts::new(&args.files, args.special_files(), &images).collect::<Result<Vec<_>, _>>()?;
        let path = crate::sign::write_bundle(
            &report,
            "check",
            invocation(&args),
            inputs(&args, &artifacts)?,
            &key,
            &args.out,
        )?;
        say!("{}", crate::words::wrote_signed(args.lang, &path, &key.public().key_id()));
    }
    Ok(checked.exit_code)
}

/// The options of a check a bundle records.
fn invocation(args: &CheckArgs) -> std::collections::BTreeMap<String, serde_json::Value> {
    use serde_json::json;
    std::collections::BTreeMap::from([
        ("format".to_string(), json!(args.format.map(|f| f.name()).unwrap_or("auto"))),
        ("now".to_string(), json!(args.now)),
        ("nonce".to_string(), json!(args.nonce)),
        ("aud".to_string(), json!(args.aud)),
        ("fetch_keys".to_string(), json!(args.fetch_keys)),
    ])
}

/// The files a check read: the artifacts (as read, parts of a chunked card apart), keys, trust
/// list, TLS roots and profiles.
fn inputs(
    args: &CheckArgs,
    artifacts: &[Artifact],
) -> Result<Vec<dialtone_bundle::statement::ResourceDescriptor>, CliError> {
    use dialtone_bundle::statement::ResourceDescriptor;
    let mut out = crate::sign::built_in_inputs(args.profiles.is_none());
    if let Some(dir) = &args.profiles {
        out.extend(crate::sign::profile_inputs(dir)?);
    }
    for a in artifacts {
        for (i, part) in a.parts.iter().enumerate() {
            let name = if a.parts.len() == 1 { a.name.clone() } else { format!("{} (part {})", a.name, i + 1) };
            out.push(ResourceDescriptor::input("artifact", name, part, false));
        }
    }
    let files = args.keys.iter().map(|k| ("keys", k)).chain(args.trust.iter().map(|t| ("trust", t)));
    for (kind, path) in files.chain(args.tls_ca.iter().map(|t| ("tls-ca", t))) {
        let bytes = input_file::read(path, args.special_files())?;
        out.push(ResourceDescriptor::input(kind, path.display().to_string(), &bytes, false));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows `check` writes from the rules are the report rows of the same judgement, member for
    /// member, for every vector (passes, failures with evidence, skips, every format).
    #[test]
    fn rule_rows_are_the_case_results_of_every_vector() {
        let mut compared = 0;
        for file in dialtone_vectors::generate() {
            for group in &file.test_groups {
                let Ok(ctx) = dialtone_vectors::context(group) else { continue };
                for t in &group.tests {
                    let (a, format) = dialtone_vectors::artifact_of(&file, t);
                    let judged = dialtone_rules::judge(&a, format, &ctx);
                    let expected = judged.case_results();
                    let (outcomes, per_rule_ms) = judged_outcomes(judged.outcomes, judged.duration_ms);
                    let format = judged.format.map(Format::name).unwrap_or("unknown");
                    let rows = rule_rows(&judged.name, format, &judged.evidence, per_rule_ms, &outcomes);
                    assert_eq!(rows.len(), expected.len());
                    for (row, case) in rows.iter().zip(&expected) {
                        let written = serde_json::to_string(row).unwrap_or_default();
                        assert_eq!(written, serde_json::to_string(case).unwrap_or_default(), "tc{}", t.tc_id);
                        assert_eq!(serde_json::to_string(&row.to_case_result()).unwrap_or_default(), written);
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 5000, "{compared} rows");
    }
}
