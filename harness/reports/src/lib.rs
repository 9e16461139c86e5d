//! Renderers of a [`Report`]: `report.json` (schema in `reports/report.schema.json`), a
//! self-contained `report.html` (no external assets; every string escaped by minijinja's HTML
//! auto-escaping), `junit.xml`, and the terminal summary. Candidate strings reach XML and HTML
//! through `dialtone_engine::safe_text::xml_text`.

mod attention;
pub mod html;
pub mod interop;
pub mod junit;
pub mod stream;
pub mod terminal;
pub mod words;

use dialtone_engine::model::Report;
pub use dialtone_i18n::Lang;
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = include_str!("../../../reports/report.schema.json");

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot render {what}: {detail}")]
    Render { what: &'static str, detail: String },
}

/// report.json: schema 4's form of the report ([`dialtone_engine::compact::ReportJson`]).
pub fn json(report: &Report) -> Result<String, RenderError> {
    serde_json::to_string_pretty(&dialtone_engine::compact::ReportJson(report))
        .map_err(|e| RenderError::Render { what: "report.json", detail: e.to_string() })
}

/// Writes report.json, report.html and junit.xml into `dir` (created if needed), in English.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    write_all_in(report, dir, Lang::En)
}

/// [`write_all`] with report.html in `lang`. report.json is the same in every language (data: ids,
/// verdicts, levels; its `statement` is English), and so is junit.xml (read by CI systems, whose
/// messages match on its English).
pub fn write_all_in(report: &Report, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, RenderError> {
    std::fs::create_dir_all(dir).map_err(|source| RenderError::Write { path: dir.into(), source })?;
    let files = [
        ("report.json", json(report)?),
        ("report.html", html::render_in(report, lang)?),
        ("junit.xml", junit::render(report)?),
    ];
    let mut written = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(|source| RenderError::Write { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}
