//! `dialtone check`'s reports, written as the artifacts are judged: every rule row and artifact
//! verdict goes to a spool file beside the reports at once, and nothing of it stays in memory but
//! the table of the rules seen. At the end `report.json` is the report's members with the rule
//! table and the spooled rows in their place (one row per line; a passing row its id, verdict and
//! observation, as [`dialtone_engine::compact`] says), `junit.xml` the spooled test cases under their counts (a
//! passing one its name, class and time), and `report.html` the summary page with the selection of
//! artifacts the caller kept, in the language asked.

use crate::RenderError;
use crate::junit::{NonSuccessKind, Status, case_name, class_name, status};
use dialtone_engine::compact::RuleInfo;
use dialtone_engine::model::{ArtifactResult, CaseResult, Level, Report, SpecRef, Verdict};
use dialtone_engine::role::Role;
use dialtone_engine::safe_text::{every_byte, xml_text};
use dialtone_http::EvidenceItem;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One artifact's rule row, borrowed from the rule and its judged outcome: `report.json` and
/// `junit.xml` write it as the [`CaseResult`] it stands for ([`RuleRow::to_case_result`]) — the
/// same members in the same order — without building one for each of the many rows of a check.
#[derive(Serialize)]
pub struct RuleRow<'a> {
    /// `"<rule> <artifact>"`, so that rows stay unique.
    #[serde(serialize_with = "joined")]
    pub id: (&'a str, &'a str),
    pub plan: &'a str,
    pub title: &'a str,
    pub role: Role,
    pub level: Level,
    pub verdict: Verdict,
    /// `artifact::<format>`.
    #[serde(serialize_with = "driver")]
    pub driver: &'a str,
    #[serde(serialize_with = "spec_refs")]
    pub spec: &'a [(&'a str, &'a str)],
    pub pctf: &'a [&'a str],
    pub expected: &'a str,
    pub observed: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precondition: Option<&'a str>,
    pub evidence: &'a [EvidenceItem],
    pub duration_ms: f64,
    pub candidate_ms: f64,
}

/// A row's id, `"<rule> <artifact>"`, written without building it.
struct Joined<'a>(&'a str, &'a str);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn joined<S: Serializer>(id: &(&str, &str), s: S) -> Result<S::Ok, S::Error> {
    Joined(id.0, id.1).serialize(s)
}

fn driver<S: Serializer>(format: &&str, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("artifact::{format}"))
}

fn spec_refs<S: Serializer>(spec: &&[(&str, &str)], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(spec.len()))?;
    for (doc, section) in spec.iter() {
        seq.serialize_element(&SpecRefOf { doc, section })?;
    }
    seq.end()
}

struct SpecRefOf<'a> {
    doc: &'a str,
    section: &'a str,
}

impl Serialize for SpecRefOf<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("doc", self.doc)?;
        map.serialize_entry("section", self.section)?;
        map.end()
    }
}

impl RuleRow<'_> {
    /// The rule's members the row would repeat, as report.json's rule table holds them.
    fn rule_info(&self) -> RuleInfo {
        RuleInfo {
            title: self.title.into(),
            level: self.level,
            spec: self.spec.iter().map(|(d, s)| SpecRef { doc: (*d).into(), section: (*s).into() }).collect(),
            pctf: self.pctf.iter().map(|p| p.to_string()).collect(),
        }
    }

    /// Whether `rule` names this row's references as it stands in the table (its title and level
    /// compared by [`Pass::of`]).
    fn same_references(&self, rule: &RuleInfo) -> bool {
        rule.spec.len() == self.spec.len()
            && rule.spec.iter().zip(self.spec).all(|(a, (doc, section))| a.doc == *doc && a.section == *section)
            && rule.pctf.len() == self.pctf.len()
            && rule.pctf.iter().zip(self.pctf).all(|(a, b)| a == b)
    }

    /// The row as the report document holds it.
    pub fn to_case_result(&self) -> CaseResult {
        CaseResult {
            id: format!("{} {}", self.id.0, self.id.1),
            plan: self.plan.into(),
            title: self.title.into(),
            role: self.role,
            level: self.level,
            verdict: self.verdict,
            driver: format!("artifact::{}", self.driver),
            spec: self.spec.iter().map(|(d, s)| SpecRef { doc: (*d).into(), section: (*s).into() }).collect(),
            pctf: self.pctf.iter().map(|p| p.to_string()).collect(),
            expected: self.expected.into(),
            observed: self.observed.into(),
            precondition: self.precondition.map(str::to_string),
            blocked_by: None,
            candidate_said: None,
            known_failure: None,
            level_by: None,
            evidence: self.evidence.to_vec(),
            duration_ms: self.duration_ms,
            candidate_ms: self.candidate_ms,
        }
    }
}

/// One spool file beside the reports: written while judging, copied into its report at the end,
/// and removed then (or when dropped, should the check stop before).
pub struct Spool {
    path: PathBuf,
    out: BufWriter<File>,
    items: usize,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Spool {
    pub fn create(dir: &Path, name: &str) -> Result<Self, RenderError> {
        let path = dir.join(format!(".{name}.{}.part", std::process::id()));
        let file = File::create(&path).map_err(|source| RenderError::Write { path: path.clone(), source })?;
        Ok(Self { out: BufWriter::with_capacity(256 << 10, file), path, items: 0 })
    }

    fn error(&self, source: std::io::Error) -> RenderError {
        RenderError::Write { path: self.path.clone(), source }
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), RenderError> {
        self.out.write_all(bytes).map_err(|e| self.error(e))
    }

    /// Copies what was spooled into `into`; the spool is removed when dropped. Into a file (or a
    /// buffered one) the kernel copies it, without passing it through this process.
    pub fn drain_into<W: Write>(mut self, into: &mut W) -> Result<(), RenderError> {
        self.out.flush().map_err(|e| self.error(e))?;
        let mut file = File::open(&self.path).map_err(|e| self.error(e))?;
        std::io::copy(&mut file, into).map_err(|e| self.error(e))?;
        Ok(())
    }
}

/// JUnit counts of the spooled test cases.
#[derive(Default)]
struct JunitCounts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

/// The reports of a check, written one artifact at a time.
pub struct Streamed {
    dir: PathBuf,
    results: Spool,
    artifacts: Spool,
    junit: Spool,
    counts: JunitCounts,
    /// The test case being written, its buffer kept from one to the next.
    junit_xml: String,
    /// report.json's rule table: every rule of the rows written, once, with what its passing rows
    /// repeat escaped once.
    rules: BTreeMap<String, RuleEntry>,
}

/// A rule of the rows written: its entry in report.json's rule table, and the parts of its passing
/// rows that come from the rule, escaped once instead of once per artifact.
struct RuleEntry {
    info: RuleInfo,
    /// The role of the rows the JUnit part was made for.
    role: Role,
    /// `{"id":"<rule> ` (JSON): a compact row's start.
    json_head: String,
    /// `        <testcase name="<rule> ` (XML): a passing test case's start.
    junit_head: String,
    /// ` <title>" classname="dialtone.<role>.<level>" time="` (XML): what follows the artifact's name.
    junit_tail: String,
    /// What its skipped rows repeat in report.json, made by the first of them.
    skip: Option<SkipParts>,
}

/// What a rule's skipped rows of one plan and one driver repeat in report.json: every member but
/// the id's artifact, the observation and the time.
struct SkipParts {
    plan: String,
    driver: String,
    /// `","plan":"artifact-rules","title":…,"expected":"",`: what serde_json writes between the
    /// id's artifact name and `"observed":`.
    json_middle: String,
}

/// A skipped row's JSON from its observation on, with no observation and no time: the end
/// [`SkipParts::of`] cuts.
const SKIP_TEMPLATE_TAIL: &str = "\"observed\":\"\",\"evidence\":[],\"duration_ms\":0.0,\"candidate_ms\":0.0}";

/// A skipped row's JSON after its observation's, before its time's.
const SKIP_EVIDENCE: &[u8] = b",\"evidence\":[],\"duration_ms\":";
/// A skipped row's JSON after its time's.
const SKIP_END: &[u8] = b",\"candidate_ms\":0.0}";

impl SkipParts {
    /// The parts of `row`'s rule, plan and driver, cut from the row serde_json writes for it with
    /// no artifact name, no observation and no time; `json_head` is its rule's `{"id":"<rule> `.
    /// `None` if that row has other ends (evidence, a time with the candidate).
    fn of(row: &RuleRow<'_>, json_head: &str) -> Option<Self> {
        let template = RuleRow { id: (row.id.0, ""), observed: "", duration_ms: 0.0, ..*row };
        let text = serde_json::to_string(&template).ok()?;
        let middle = text.strip_prefix(json_head)?.strip_suffix(SKIP_TEMPLATE_TAIL)?;
        Some(Self { plan: row.plan.into(), driver: row.driver.into(), json_middle: middle.into() })
    }
}

impl RuleEntry {
    fn of(row: &RuleRow<'_>) -> Self {
        let mut json_head = String::from("{\"id\":\"");
        json_head.push_str(&json_contents(row.id.0));
        json_head.push(' ');
        let mut junit_head = String::from("        <testcase name=\"");
        attribute(&mut junit_head, row.id.0);
        junit_head.push(' ');
        let mut junit_tail = String::from(" ");
        attribute(&mut junit_tail, row.title);
        junit_tail.push_str("\" classname=\"dialtone.");
        attribute(&mut junit_tail, row.role.as_str());
        junit_tail.push('.');
        attribute(&mut junit_tail, row.level.as_str());
        junit_tail.push_str("\" time=\"");
        Self { info: row.rule_info(), role: row.role, json_head, junit_head, junit_tail, skip: None }
    }
}

/// How a row is written, as its rule entry lets it be.
struct RowForm {
    /// A pass or a skip whose test case is its rule's and its artifact's parts: its title, role
    /// and level are the rule's, and its artifact the one added.
    of_parts: bool,
    /// Its report.json row.
    json: JsonForm,
}

enum JsonForm {
    /// A pass written as its id, verdict and observation: nothing else of its own, its rule's
    /// table entry and its artifact giving the rest.
    Compact,
    /// A skip whose members but its id's artifact, observation and time are its rule's
    /// [`SkipParts`].
    SkipOfParts,
    /// Every member written from the row.
    Whole,
}

impl RowForm {
    fn of(row: &RuleRow<'_>, rule: &RuleEntry, artifact: &ArtifactResult) -> Self {
        let of_parts = matches!(row.verdict, Verdict::Pass | Verdict::Skip)
            && row.id.1 == artifact.name
            && row.role == rule.role
            && row.level == rule.info.level
            && row.title == rule.info.title;
        // Nothing of its own but its verdict, observation and time.
        let plain = of_parts
            && row.same_references(&rule.info)
            && row.expected.is_empty()
            && row.precondition.is_none()
            && row.evidence.is_empty()
            && row.candidate_ms.to_bits() == 0;
        let json = if plain
            && row.verdict == Verdict::Pass
            && row.plan == dialtone_engine::compact::ARTIFACT_PLAN
            && row.role == Role::Artifact
            && row.driver == artifact.format.as_deref().unwrap_or("unknown")
        {
            JsonForm::Compact
        } else if plain && row.verdict == Verdict::Skip {
            JsonForm::SkipOfParts
        } else {
            JsonForm::Whole
        };
        Self { of_parts, json }
    }
}

/// An artifact's name, escaped once for all its rows.
struct NameParts {
    json: String,
    xml: String,
}

/// `text` as a JSON string's contents, escaped as serde_json escapes it (without the quotes).
fn json_contents(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_string()
}

/// `text` as a JSON string, the bytes serde_json writes: as it is between quotes when nothing in
/// it is escaped (no quote, backslash or control character; most observations), looked at sixteen
/// bytes at a time.
fn write_json_string<W: Write>(out: &mut W, text: &str) -> std::io::Result<()> {
    if every_byte(text.as_bytes(), |b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.write_all(b"\"")?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\"")
    } else {
        serde_json::to_writer(out, text).map_err(std::io::Error::from)
    }
}

/// A compact row's JSON between its artifact's name and its observation: every compact row passes.
const COMPACT_PASS: &[u8] = b"\",\"verdict\":\"pass\",\"observed\":";

/// A test case's `time`: seconds with three decimals, as `{:.3}` writes them (a rule row of a check
/// takes microseconds: "0.000" is written without formatting a float).
fn push_seconds(xml: &mut String, ms: f64) {
    let seconds = ms / 1000.0;
    if seconds.is_sign_positive() && seconds < 0.000_4 {
        xml.push_str("0.000");
    } else {
        let _ = write!(xml, "{seconds:.3}");
    }
}

impl Streamed {
    /// Starts the reports in `dir` (created if needed).
    pub fn create(dir: &Path) -> Result<Self, RenderError> {
        std::fs::create_dir_all(dir).map_err(|source| RenderError::Write { path: dir.into(), source })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            results: Spool::create(dir, "report.json.results")?,
            artifacts: Spool::create(dir, "report.json.artifacts")?,
            junit: Spool::create(dir, "junit.xml.cases")?,
            counts: JunitCounts::default(),
            junit_xml: String::with_capacity(512),
            rules: BTreeMap::new(),
        })
    }

    /// Writes one artifact's verdict and its rule rows.
    pub fn add(&mut self, rows: &[RuleRow<'_>], artifact: &ArtifactResult) -> Result<(), RenderError> {
        let name = NameParts { json: json_contents(&artifact.name), xml: artifact_attribute(&artifact.name) };
        for row in rows {
            let Self { rules, results, junit, junit_xml, counts, .. } = self;
            // The row's rule, entered in the table by its first row.
            let rule = match rules.get_mut(row.id.0) {
                Some(rule) => rule,
                None => rules.entry(row.id.0.to_string()).or_insert_with(|| RuleEntry::of(row)),
            };
            let form = RowForm::of(row, rule, artifact);
            // A skip's parts, made by the first of the rule's skips of its plan and driver.
            if matches!(form.json, JsonForm::SkipOfParts)
                && !rule.skip.as_ref().is_some_and(|p| p.plan == row.plan && p.driver == row.driver)
            {
                rule.skip = SkipParts::of(row, &rule.json_head);
            }
            let rule = &*rule;
            results
                .out
                .write_all(if results.items == 0 { b"\n    " } else { b",\n    " })
                .map_err(|e| results.error(e))?;
            let out = &mut results.out;
            let written = match (&form.json, &rule.skip) {
                // The row's id (its rule's part escaped once, its artifact's once), "pass" and the
                // observation: the bytes serde_json writes for a `CompactRow`.
                (JsonForm::Compact, _) => out
                    .write_all(rule.json_head.as_bytes())
                    .and_then(|()| out.write_all(name.json.as_bytes()))
                    .and_then(|()| out.write_all(COMPACT_PASS))
                    .and_then(|()| write_json_string(out, row.observed))
                    .and_then(|()| out.write_all(b"}")),
                // The row's id, its rule's members, the observation and the time: the bytes
                // serde_json writes for the row.
                (JsonForm::SkipOfParts, Some(parts)) => out
                    .write_all(rule.json_head.as_bytes())
                    .and_then(|()| out.write_all(name.json.as_bytes()))
                    .and_then(|()| out.write_all(parts.json_middle.as_bytes()))
                    .and_then(|()| out.write_all(b"\"observed\":"))
                    .and_then(|()| write_json_string(out, row.observed))
                    .and_then(|()| out.write_all(SKIP_EVIDENCE))
                    .and_then(|()| serde_json::to_writer(&mut *out, &row.duration_ms).map_err(std::io::Error::from))
                    .and_then(|()| out.write_all(SKIP_END)),
                _ => serde_json::to_writer(&mut *out, row).map_err(std::io::Error::from),
            };
            written.map_err(|e| results.error(e))?;
            results.items += 1;
            if form.of_parts {
                // The test case from its rule's and its artifact's escaped parts.
                counts.tests += 1;
                junit_xml.clear();
                junit_xml.push_str(&rule.junit_head);
                junit_xml.push_str(&name.xml);
                junit_xml.push_str(&rule.junit_tail);
                push_seconds(junit_xml, row.duration_ms);
                if row.verdict == Verdict::Skip {
                    counts.skipped += 1;
                    junit_xml.push_str("\">\n            <skipped message=\"");
                    attribute(junit_xml, row.observed);
                    junit_xml.push_str("\"/>\n        </testcase>\n");
                } else {
                    junit_xml.push_str("\"/>\n");
                }
                junit.out.write_all(junit_xml.as_bytes()).map_err(|e| junit.error(e))?;
            } else {
                self.junit_row(row)?;
            }
        }
        let spool = &mut self.artifacts;
        spool.out.write_all(if spool.items == 0 { b"\n    " } else { b",\n    " }).map_err(|e| spool.error(e))?;
        serde_json::to_writer(&mut spool.out, artifact).map_err(|e| spool.error(e.into()))?;
        spool.items += 1;
        Ok(())
    }

    /// A rule row's test case: a pass or a skip written from the row, anything else (rare, and
    /// with words to compose) as the [`CaseResult`] it stands for.
    fn junit_row(&mut self, r: &RuleRow<'_>) -> Result<(), RenderError> {
        let status = match r.verdict {
            Verdict::Pass => Status::Success { system_out: None },
            Verdict::Skip => Status::Skipped(r.observed.to_string()),
            _ => return self.junit_case(&r.to_case_result()),
        };
        self.counts.tests += 1;
        let xml = &mut self.junit_xml;
        xml.clear();
        xml.push_str("        <testcase name=\"");
        attribute(xml, r.id.0);
        xml.push(' ');
        attribute(xml, r.id.1);
        xml.push(' ');
        attribute(xml, r.title);
        xml.push_str("\" classname=\"dialtone.");
        attribute(xml, r.role.as_str());
        xml.push('.');
        attribute(xml, r.level.as_str());
        xml.push_str("\" time=\"");
        push_seconds(xml, r.duration_ms);
        xml.push('"');
        self.junit_status(status)
    }

    fn junit_case(&mut self, r: &CaseResult) -> Result<(), RenderError> {
        let status = status(r);
        self.counts.tests += 1;
        let xml = &mut self.junit_xml;
        xml.clear();
        xml.push_str("        <testcase name=\"");
        attribute(xml, &case_name(r));
        xml.push_str("\" classname=\"");
        attribute(xml, &class_name(r));
        xml.push_str("\" time=\"");
        push_seconds(xml, r.duration_ms);
        xml.push('"');
        self.junit_status(status)
    }

    /// The rest of a test case begun in `junit_xml` (its attributes written): its status, and its
    /// end. A pass is the element alone.
    fn junit_status(&mut self, status: Status) -> Result<(), RenderError> {
        let xml = &mut self.junit_xml;
        if matches!(status, Status::Success { system_out: None }) {
            xml.push_str("/>\n");
            return self.junit.out.write_all(xml.as_bytes()).map_err(|e| self.junit.error(e));
        }
        xml.push_str(">\n");
        match status {
            Status::Success { system_out: None } => {}
            Status::Success { system_out: Some(out) } => {
                xml.push_str("            <system-out>");
                text(xml, &out);
                xml.push_str("</system-out>\n");
            }
            Status::Skipped(message) => {
                self.counts.skipped += 1;
                xml.push_str("            <skipped message=\"");
                attribute(xml, &message);
                xml.push_str("\"/>\n");
            }
            Status::NonSuccess { kind, message, description } => {
                let element = match kind {
                    NonSuccessKind::Error => {
                        self.counts.errors += 1;
                        "error"
                    }
                    NonSuccessKind::Failure => {
                        self.counts.failures += 1;
                        "failure"
                    }
                };
                let _ = write!(xml, "            <{element} message=\"");
                attribute(xml, &message);
                xml.push_str("\">");
                text(xml, &description);
                let _ = writeln!(xml, "</{element}>");
            }
        }
        xml.push_str("        </testcase>\n");
        self.junit.out.write_all(xml.as_bytes()).map_err(|e| self.junit.error(e))
    }

    /// Writes `report.json`, `report.html` and `junit.xml`. `report` is the check's report with the
    /// artifacts (and their rows) the HTML page shows; `total` is how many were judged, `note` what
    /// the page says of the selection when it is not all of them.
    pub fn finish(
        self,
        report: &Report,
        total: usize,
        note: Option<&str>,
        lang: dialtone_i18n::Lang,
    ) -> Result<Vec<PathBuf>, RenderError> {
        let Self { dir, results, artifacts, junit, counts, rules, .. } = self;
        let json_path = dir.join("report.json");
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RenderError::Write { path, source }
        };
        let mut json = BufWriter::new(File::create(&json_path).map_err(write_err(&json_path))?);
        write_json(&mut json, report, &rules, results, artifacts)
            .and_then(|()| json.flush().map_err(write_err(&json_path)))?;

        let html_path = dir.join("report.html");
        let mut page = BufWriter::with_capacity(256 << 10, File::create(&html_path).map_err(write_err(&html_path))?);
        crate::html::write_with(report, note.map(|n| (total, n)), lang, &mut page)?;
        page.flush().map_err(write_err(&html_path))?;

        let junit_path = dir.join("junit.xml");
        let mut xml = BufWriter::new(File::create(&junit_path).map_err(write_err(&junit_path))?);
        let mut name = String::new();
        attribute(&mut name, &format!("dialtone: {} {}", report.candidate.name, report.candidate.version));
        let head = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n    <testsuite name=\"dialtone.artifact\" tests=\"{}\" disabled=\"{}\" errors=\"{}\" failures=\"{}\">\n",
            counts.tests, counts.failures, counts.errors, counts.tests, counts.skipped, counts.errors, counts.failures
        );
        xml.write_all(head.as_bytes()).map_err(write_err(&junit_path))?;
        junit.drain_into(&mut xml)?;
        xml.write_all(b"    </testsuite>\n</testsuites>\n").map_err(write_err(&junit_path))?;
        xml.flush().map_err(write_err(&junit_path))?;
        Ok(vec![json_path, html_path, junit_path])
    }
}

/// The report's members in order, each on its line; `rules` (one rule per line), `results` and
/// `artifacts` from what was streamed.
fn write_json<W: Write>(
    out: &mut W,
    report: &Report,
    rules: &BTreeMap<String, RuleEntry>,
    results: Spool,
    artifacts: Spool,
) -> Result<(), RenderError> {
    let render = |e: serde_json::Error| RenderError::Render { what: "report.json", detail: e.to_string() };
    let io = |source| RenderError::Write { path: "report.json".into(), source };
    // The members but the rows shown on the page: report.json's come from the spools.
    let head = report.without_results();
    let serde_json::Value::Object(members) = serde_json::to_value(&head).map_err(render)? else {
        return Err(RenderError::Render { what: "report.json", detail: "not an object".into() });
    };
    out.write_all(b"{").map_err(io)?;
    let mut first = true;
    let mut separator = |out: &mut W| -> Result<(), RenderError> {
        out.write_all(if first { b"\n  " } else { b",\n  " }).map_err(io)?;
        first = false;
        Ok(())
    };
    let (mut results, mut artifacts) = (Some(results), Some(artifacts));
    for (name, value) in &members {
        // The report holds only the rows shown: these members are the streamed ones.
        if name == "artifacts" || name == "rules" {
            continue;
        }
        if name == "results" && !rules.is_empty() {
            separator(out)?;
            out.write_all(b"\"rules\": {").map_err(io)?;
            for (i, (id, rule)) in rules.iter().enumerate() {
                out.write_all(if i == 0 { b"\n    " } else { b",\n    " }).map_err(io)?;
                serde_json::to_writer(&mut *out, id).map_err(render)?;
                out.write_all(b": ").map_err(io)?;
                serde_json::to_writer(&mut *out, &rule.info).map_err(render)?;
            }
            out.write_all(b"\n  }").map_err(io)?;
        }
        separator(out)?;
        write!(out, "{}: ", serde_json::Value::String(name.clone())).map_err(io)?;
        if name == "results" {
            for (spool, member) in [(results.take(), None), (artifacts.take(), Some("artifacts"))] {
                let Some(spool) = spool else { continue };
                if let Some(member) = member {
                    separator(out)?;
                    write!(out, "\"{member}\": ").map_err(io)?;
                }
                let empty = spool.items == 0;
                out.write_all(b"[").map_err(io)?;
                spool.drain_into(out)?;
                out.write_all(if empty { b"]" } else { b"\n  ]" }).map_err(io)?;
            }
        } else {
            serde_json::to_writer(&mut *out, value).map_err(render)?;
        }
    }
    out.write_all(b"\n}\n").map_err(io)
}

/// Whether `value` is printable ASCII with nothing to escape in XML (most of a report's text): it
/// is written as it is. Looked at sixteen bytes at a time.
fn plain(value: &str) -> bool {
    every_byte(value.as_bytes(), |b| (0x20..0x7f).contains(&b) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
}

/// Attribute text: XML-safe characters only, markup escaped, line breaks kept as references.
fn attribute(out: &mut String, value: &str) {
    if plain(value) {
        out.push_str(value);
        return;
    }
    escaped(out, &xml_text(value), |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&apos;"),
        b'\n' => Some("&#10;"),
        b'\r' => Some("&#13;"),
        b'\t' => Some("&#9;"),
        _ => None,
    });
}

/// An artifact's name as attribute text.
fn artifact_attribute(name: &str) -> String {
    let mut xml = String::with_capacity(name.len());
    attribute(&mut xml, name);
    xml
}

/// Element text: XML-safe characters only, markup escaped.
fn text(out: &mut String, value: &str) {
    if plain(value) {
        out.push_str(value);
        return;
    }
    escaped(out, &xml_text(value), |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        _ => None,
    });
}

/// `value` with each ASCII byte `escape` names replaced, the runs between copied whole.
fn escaped(out: &mut String, value: &str, escape: impl Fn(u8) -> Option<&'static str>) {
    let mut run = 0;
    for (i, b) in value.bytes().enumerate() {
        if let Some(reference) = escape(b) {
            // An ASCII byte ends a run at a character boundary.
            out.push_str(value.get(run..i).unwrap_or_default());
            out.push_str(reference);
            run = i + 1;
        }
    }
    out.push_str(value.get(run..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(verdict: Verdict, observed: &'a str, evidence: &'a [EvidenceItem]) -> RuleRow<'a> {
        RuleRow {
            id: ("SDJWTVC-001", "dir/ᓄᓇᕗᑦ \"a\" & <b>.txt"),
            plan: "artifact-rules",
            title: "The SD-JWT parses: '~'-separated",
            role: Role::Artifact,
            level: Level::Should,
            verdict,
            driver: "sd-jwt-vc",
            spec: &[("RFC9901", "4"), ("SD-JWT-VC", "2.2")],
            pctf: &["CRVA.01"],
            expected: "an SD-JWT",
            observed,
            precondition: None,
            evidence,
            duration_ms: 1.23456,
            candidate_ms: 0.0,
        }
    }

    /// What the stream wrote to its JUnit spool.
    fn junit_of(write: impl FnOnce(&mut Streamed)) -> String {
        // A folder of its own per call: the spool's name is the same for every stream of a process,
        // and tests run side by side.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("dialtone-stream-test-{}-{call}", std::process::id()));
        let Ok(mut streamed) = Streamed::create(&dir) else { panic!("spool") };
        write(&mut streamed);
        let mut out = Vec::new();
        let Streamed { junit, .. } = streamed;
        let _ = junit.drain_into(&mut out);
        let _ = std::fs::remove_dir_all(&dir);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A row written from the rule is the row of the report document: the same JSON and the same
    /// JUnit test case, escaping and counts included.
    #[test]
    fn a_rule_row_is_written_as_its_case_result() {
        let evidence = [EvidenceItem::Artifact { label: "SD-JWT".into(), content: "a~b\u{7}~".into() }];
        for r in [
            row(Verdict::Pass, "issuer-signed JWT, 8 disclosures", &[]),
            row(Verdict::Skip, "not reached: \"X\" <failed> & \u{1}", &[]),
            row(Verdict::Warn, "typ \"jwt\"\n", &evidence),
            row(Verdict::Fail, "no", &evidence),
            row(Verdict::Error, "stopped", &evidence),
        ] {
            let case = r.to_case_result();
            assert_eq!(serde_json::to_string(&r).unwrap_or_default(), serde_json::to_string(&case).unwrap_or_default());
            let mut counts = (0, 0, 0, 0);
            let direct = junit_of(|s| {
                let _ = s.junit_row(&r);
                counts = (s.counts.tests, s.counts.failures, s.counts.errors, s.counts.skipped);
            });
            let mut case_counts = (0, 0, 0, 0);
            let built = junit_of(|s| {
                let _ = s.junit_case(&case);
                case_counts = (s.counts.tests, s.counts.failures, s.counts.errors, s.counts.skipped);
            });
            assert_eq!(direct, built);
            assert_eq!(counts, case_counts);
            assert!(direct.contains("&quot;a&quot; &amp; &lt;b&gt;.txt"), "{direct}");
        }
    }

    /// A check's reports as streamed: report.json has each rule once in `rules` and each passing
    /// row as its id, verdict and observation (the others whole), and reads back as the rows
    /// written, but for a pass's time; junit.xml has a test case per row, a pass as one element.
    #[test]
    fn passing_rows_are_streamed_compact_and_read_back_as_their_rows() {
        use dialtone_engine::model::{ArtifactStatus, CandidateInfo};
        let evidence = [EvidenceItem::Artifact { label: "SD-JWT".into(), content: "a~b~".into() }];
        let pass = RuleRow { expected: "", ..row(Verdict::Pass, "8 disclosures", &[]) };
        let rows = [pass, row(Verdict::Warn, "typ \"jwt\"", &evidence)];
        let artifact = ArtifactResult {
            name: rows[0].id.1.into(),
            format: Some("sd-jwt-vc".into()),
            verdict: ArtifactStatus::Acceptable,
            reason: None,
        };
        let dir = std::env::temp_dir().join(format!("dialtone-stream-compact-{}", std::process::id()));
        let Ok(mut streamed) = Streamed::create(&dir) else { panic!("spool") };
        let mut tally = dialtone_engine::tally::Tally::default();
        for r in &rows {
            tally.add_rule_row(r.plan, r.id.0, r.level, r.verdict, r.pctf);
        }
        assert!(streamed.add(&rows, &artifact).is_ok());
        let subject = dialtone_engine::report::Subject {
            candidate: CandidateInfo {
                name: "1 stored artifacts".into(),
                vendor: String::new(),
                version: String::new(),
                roles: vec![Role::Artifact],
                base_url: String::new(),
                conformance: vec!["sd-jwt-vc".into()],
            },
            suites: vec!["artifact-rules".into()],
            profiles: Vec::new(),
            seed: None,
        };
        let counts = dialtone_engine::model::ArtifactCounts::of(std::slice::from_ref(&artifact));
        let catalogue = dialtone_engine::pctf::Catalogue::embedded();
        let report = dialtone_engine::report::assemble_tallied(subject, &tally, counts, 1.0, &catalogue);
        assert!(streamed.finish(&report, 1, None, dialtone_i18n::Lang::En).is_ok());
        let json = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
        let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        let written: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        let id = format!("SDJWTVC-001 {}", artifact.name);
        assert_eq!(
            written["results"][0],
            serde_json::json!({"id": id, "verdict": "pass", "observed": "8 disclosures"})
        );
        assert_eq!(written["results"][1]["observed"], "typ \"jwt\"");
        assert_eq!(written["rules"]["SDJWTVC-001"]["title"], "The SD-JWT parses: '~'-separated");
        let schema: serde_json::Value = serde_json::from_str(crate::SCHEMA).unwrap_or_default();
        let errors: Vec<String> = match jsonschema::validator_for(&schema) {
            Ok(v) => v.iter_errors(&written).map(|e| e.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        };
        assert!(errors.is_empty(), "{errors:?}");
        let read: Report = match serde_json::from_str(&json) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let mut expected: Vec<CaseResult> = rows.iter().map(RuleRow::to_case_result).collect();
        expected[0].duration_ms = 0.0;
        assert_eq!(serde_json::to_string(&read.results).ok(), serde_json::to_string(&expected).ok());
        let pass = junit.lines().find(|l| l.contains("SDJWTVC-001")).unwrap_or_default();
        assert!(
            pass.starts_with("        <testcase name=\"SDJWTVC-001 ") && pass.ends_with(" time=\"0.001\"/>"),
            "{pass}"
        );
        assert_eq!(junit.matches("<testcase ").count(), 2);
    }

    /// A passing row written from its rule's and artifact's parts escaped once is, byte for byte,
    /// the row serde_json and the general test case write: names and titles to escape, a second
    /// artifact after the first, and times on both sides of the "0.000" shortcut.
    #[test]
    fn a_pass_from_escaped_parts_is_the_row_written_whole() {
        let names = ["dir/ᓄᓇᕗᑦ \"a\" & <b>.txt", "plain.txt", "tab\there\u{1}\\.txt"];
        for (i, name) in names.iter().enumerate() {
            for ms in [0.0, 0.01, 0.399, 0.4, 0.5, 0.51, 1.23456, 2500.0] {
                let observed = "8 disclosures, \"x\" & \u{7}";
                let pass_of = |name| RuleRow {
                    id: ("SDJWTVC-001", name),
                    expected: "",
                    title: "The SD-JWT parses: '~'-separated & <ok>",
                    duration_ms: ms,
                    ..row(Verdict::Pass, observed, &[])
                };
                let artifact = ArtifactResult {
                    name: (*name).into(),
                    format: Some("sd-jwt-vc".into()),
                    verdict: dialtone_engine::model::ArtifactStatus::Acceptable,
                    reason: None,
                };
                let dir = std::env::temp_dir().join(format!("dialtone-stream-parts-{}-{i}", std::process::id()));
                let Ok(mut streamed) = Streamed::create(&dir) else { panic!("spool") };
                // The rule is entered by an artifact before, as in a check.
                let first = ArtifactResult { name: "first.txt".into(), ..artifact.clone() };
                assert!(streamed.add(&[pass_of("first.txt")], &first).is_ok());
                assert!(streamed.add(&[pass_of(name)], &artifact).is_ok());
                let Streamed { results, junit, .. } = streamed;
                let (mut json, mut xml) = (Vec::new(), Vec::new());
                assert!(results.drain_into(&mut json).is_ok() && junit.drain_into(&mut xml).is_ok());
                let _ = std::fs::remove_dir_all(&dir);
                let id = format!("SDJWTVC-001 {name}");
                let whole = dialtone_engine::compact::CompactRow { id: &id, verdict: Verdict::Pass, observed };
                let json = String::from_utf8_lossy(&json);
                assert_eq!(json.rsplit("\n    ").next(), serde_json::to_string(&whole).ok().as_deref());
                let general = junit_of(|s| {
                    let _ = s.junit_case(&pass_of(name).to_case_result());
                });
                let xml = String::from_utf8_lossy(&xml);
                assert_eq!(xml.lines().nth(1).map(|l| format!("{l}\n")), Some(general.clone()), "{ms} ms");
                assert_eq!(general.contains("time=\"0.000\""), ms < 0.5, "{general}");
            }
        }
    }

    /// A skipped row written from its rule's parts (made by the rule's first skip of its plan and
    /// driver) and its artifact's is, byte for byte, the row serde_json writes and its general
    /// test case: names, titles and observations to escape, times of every size, the parts made
    /// again for another driver, and a skip with evidence of its own written whole.
    #[test]
    fn a_skip_from_escaped_parts_is_the_row_written_whole() {
        let names = ["dir/ᓄᓇᕗᑦ \"a\" & <b>.txt", "plain.txt", "tab\there\u{1}\\.txt"];
        let evidence = [EvidenceItem::Artifact { label: "SD-JWT".into(), content: "a~b~".into() }];
        for (i, name) in names.iter().enumerate() {
            for ms in [0.0, 0.066_541_710_526_315_79, 0.4, 1.5, 2500.0] {
                let skip_of = |name, driver, observed, evidence| RuleRow {
                    id: ("SDJWTVC-001", name),
                    expected: "",
                    title: "The SD-JWT parses: '~'-separated & <ok>",
                    duration_ms: ms,
                    driver,
                    ..row(Verdict::Skip, observed, evidence)
                };
                let artifact = |name: &str, format: &str| ArtifactResult {
                    name: name.into(),
                    format: Some(format.into()),
                    verdict: dialtone_engine::model::ArtifactStatus::Acceptable,
                    reason: None,
                };
                let rows = [
                    skip_of("first.txt", "sd-jwt-vc", "a credential, not a presentation", &[]),
                    skip_of(name, "sd-jwt-vc", "no key binding JWT: \"x\" & <y>\u{7}\n", &[]),
                    skip_of(name, "vc-sd-jwt", "another format's", &[]),
                    skip_of(name, "vc-sd-jwt", "with evidence", &evidence[..]),
                    skip_of("first.txt", "sd-jwt-vc", "the first driver again", &[]),
                ];
                let dir = std::env::temp_dir().join(format!("dialtone-stream-skips-{}-{i}", std::process::id()));
                let Ok(mut streamed) = Streamed::create(&dir) else { panic!("spool") };
                for r in &rows {
                    let format = if r.driver == "sd-jwt-vc" { "sd-jwt-vc" } else { "vc-sd-jwt" };
                    assert!(streamed.add(std::slice::from_ref(r), &artifact(r.id.1, format)).is_ok());
                }
                assert!(streamed.rules.get("SDJWTVC-001").is_some_and(|rule| rule.skip.is_some()));
                let Streamed { results, junit, counts, .. } = streamed;
                assert_eq!((counts.tests, counts.skipped), (rows.len(), rows.len()));
                let (mut json, mut xml) = (Vec::new(), Vec::new());
                assert!(results.drain_into(&mut json).is_ok() && junit.drain_into(&mut xml).is_ok());
                let _ = std::fs::remove_dir_all(&dir);
                let json = String::from_utf8_lossy(&json);
                let written: Vec<&str> = json.split(",\n    ").map(|l| l.trim_start_matches("\n    ")).collect();
                let whole: Vec<String> = rows.iter().map(|r| serde_json::to_string(r).unwrap_or_default()).collect();
                assert_eq!(written, whole, "{ms} ms");
                let general = junit_of(|s| {
                    for r in &rows {
                        let _ = s.junit_case(&r.to_case_result());
                    }
                });
                assert_eq!(String::from_utf8_lossy(&xml), general, "{ms} ms");
            }
        }
    }

    /// A JSON string written as it is, or escaped, is what serde_json writes: every byte that is
    /// escaped, at every place of a sixteen-byte block and of the remainder.
    #[test]
    fn a_json_string_is_written_as_serde_json_writes_it() {
        let mut texts = vec![String::new(), "8 disclosures, ᓄᓇᕗᑦ é \u{7f}".to_string()];
        for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', '\t'] {
            for at in [0, 5, 15, 16, 17, 31, 33] {
                let mut text: String = "a".repeat(40);
                text.insert(at, special);
                texts.push(text);
            }
        }
        for text in texts {
            let mut written = Vec::new();
            assert!(write_json_string(&mut written, &text).is_ok());
            assert_eq!(String::from_utf8(written).ok(), serde_json::to_string(&text).ok(), "{text:?}");
        }
    }

    #[test]
    fn plain_text_is_written_as_it_is_and_the_rest_escaped() {
        let mut out = String::new();
        attribute(&mut out, "SDJWTVC-001 a.txt");
        attribute(&mut out, " <'x'>\n\u{fffe}é");
        assert_eq!(out, "SDJWTVC-001 a.txt &lt;&apos;x&apos;&gt;&#10;\u{fffd}é");
        let mut out = String::new();
        text(&mut out, "a \"b\" <c> & 'd'\u{1}");
        assert_eq!(out, "a \"b\" &lt;c&gt; &amp; 'd'\u{fffd}");
        // Past a block of sixteen bytes, at its edges and in the remainder.
        for at in [0, 15, 16, 17, 32, 40] {
            let mut value = "x".repeat(41);
            value.insert(at, '<');
            assert!(!plain(&value), "{at}");
            value.remove(at);
            value.insert(at, 'é');
            assert!(!plain(&value), "{at}");
        }
        assert!(plain(&"SDJWTVC-001 files/a.txt ".repeat(3)));
    }
}
