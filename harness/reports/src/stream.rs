//! `dialtone check`'s reports, written as the artifacts are judged: every rule row and artifact
//! verdict goes to a spool file beside the reports at once, and nothing of it stays in memory. At
//! the end `report.json` is the report's members with the spooled rows in their place (one row per
//! line), `junit.xml` the spooled test cases under their counts, and `report.html` the summary page
//! with the selection of artifacts the caller kept, in the language asked.

use crate::RenderError;
use crate::junit::{NonSuccessKind, Status, case_name, class_name, status};
use dialtone_engine::model::{ArtifactResult, CaseResult, Report};
use dialtone_engine::safe_text::xml_text;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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

    /// Copies what was spooled into `into`; the spool is removed when dropped.
    pub fn drain_into(mut self, into: &mut dyn Write) -> Result<(), RenderError> {
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
        })
    }

    /// Writes one artifact's verdict and its rule rows.
    pub fn add(&mut self, rows: &[CaseResult], artifact: &ArtifactResult) -> Result<(), RenderError> {
        for row in rows {
            let spool = &mut self.results;
            spool.out.write_all(if spool.items == 0 { b"\n    " } else { b",\n    " }).map_err(|e| spool.error(e))?;
            serde_json::to_writer(&mut spool.out, row).map_err(|e| spool.error(e.into()))?;
            spool.items += 1;
            self.junit_case(row)?;
        }
        let spool = &mut self.artifacts;
        spool.out.write_all(if spool.items == 0 { b"\n    " } else { b",\n    " }).map_err(|e| spool.error(e))?;
        serde_json::to_writer(&mut spool.out, artifact).map_err(|e| spool.error(e.into()))?;
        spool.items += 1;
        Ok(())
    }

    fn junit_case(&mut self, r: &CaseResult) -> Result<(), RenderError> {
        let status = status(r);
        self.counts.tests += 1;
        let mut xml = String::with_capacity(256);
        xml.push_str("        <testcase name=\"");
        attribute(&mut xml, &case_name(r));
        xml.push_str("\" classname=\"");
        attribute(&mut xml, &class_name(r));
        xml.push_str(&format!("\" time=\"{:.3}\">\n", r.duration_ms / 1000.0));
        match status {
            Status::Success { system_out: None } => {}
            Status::Success { system_out: Some(out) } => {
                xml.push_str("            <system-out>");
                text(&mut xml, &out);
                xml.push_str("</system-out>\n");
            }
            Status::Skipped(message) => {
                self.counts.skipped += 1;
                xml.push_str("            <skipped message=\"");
                attribute(&mut xml, &message);
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
                xml.push_str(&format!("            <{element} message=\""));
                attribute(&mut xml, &message);
                xml.push_str("\">");
                text(&mut xml, &description);
                xml.push_str(&format!("</{element}>\n"));
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
        let Self { dir, results, artifacts, junit, counts } = self;
        let json_path = dir.join("report.json");
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RenderError::Write { path, source }
        };
        let mut json = BufWriter::new(File::create(&json_path).map_err(write_err(&json_path))?);
        write_json(&mut json, report, results, artifacts).and_then(|()| json.flush().map_err(write_err(&json_path)))?;

        let html_path = dir.join("report.html");
        let page = crate::html::render_with(report, note.map(|n| (total, n)), lang)?;
        std::fs::write(&html_path, page).map_err(write_err(&html_path))?;

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

/// The report's members in order, each on its line; `results` and `artifacts` from the spools.
fn write_json(out: &mut impl Write, report: &Report, results: Spool, artifacts: Spool) -> Result<(), RenderError> {
    let render = |e: serde_json::Error| RenderError::Render { what: "report.json", detail: e.to_string() };
    let io = |source| RenderError::Write { path: "report.json".into(), source };
    let serde_json::Value::Object(members) = serde_json::to_value(report).map_err(render)? else {
        return Err(RenderError::Render { what: "report.json", detail: "not an object".into() });
    };
    out.write_all(b"{").map_err(io)?;
    let mut first = true;
    let mut separator = |out: &mut dyn Write| -> Result<(), RenderError> {
        out.write_all(if first { b"\n  " } else { b",\n  " }).map_err(io)?;
        first = false;
        Ok(())
    };
    let (mut results, mut artifacts) = (Some(results), Some(artifacts));
    for (name, value) in &members {
        if name == "artifacts" {
            continue;
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

/// Attribute text: XML-safe characters only, markup escaped, line breaks kept as references.
fn attribute(out: &mut String, value: &str) {
    for c in xml_text(value).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// Element text: XML-safe characters only, markup escaped.
fn text(out: &mut String, value: &str) {
    for c in xml_text(value).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}
