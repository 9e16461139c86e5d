//! `report.html`: one self-contained page. Candidate-supplied strings only ever reach the page
//! through minijinja's HTML auto-escaping (the template's name ends in `.html`), and the page
//! through `xml_text`: the template is dialtone's, so what it would drop came from a value.

use crate::RenderError;
use dialtone_engine::model::{CriterionStatus, Report};
use dialtone_engine::safe_text::xml_text;
use minijinja::{Environment, context};

const TEMPLATE: &str = include_str!("../../../reports/templates/report.html");

pub fn render(report: &Report) -> Result<String, RenderError> {
    render_with(report, None)
}

/// [`render`] of a report that shows a selection of its artifacts (`check` over many files):
/// `shown` says how many there are in all, and which are shown.
pub fn render_with(report: &Report, shown: Option<(usize, &str)>) -> Result<String, RenderError> {
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })?;
    let template = env
        .get_template("report.html")
        .map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })?;
    let statuses = [
        CriterionStatus::Met,
        CriterionStatus::NotMet,
        CriterionStatus::NotTested,
        CriterionStatus::EvidenceRequired,
        CriterionStatus::NotApplicable,
    ];
    let pctf_counts: Vec<(String, usize)> = statuses
        .iter()
        .map(|s| {
            let name = serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            (name, report.pctf.criteria.iter().filter(|c| c.status == *s).count())
        })
        .collect();
    let untested = report
        .pctf
        .criteria
        .iter()
        .filter(|c| matches!(c.status, CriterionStatus::EvidenceRequired | CriterionStatus::NotApplicable))
        .count();
    let attention = crate::attention::attention(report);
    template
        .render(context! {
            report => report, attention => attention, pctf_counts => pctf_counts, untested => untested,
            artifacts_total => shown.map(|(total, _)| total), shown_note => shown.map(|(_, note)| note),
        })
        .map(|page| xml_text(&page).into_owned())
        .map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })
}
