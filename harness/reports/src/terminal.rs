//! The terminal summary: a table of results (tabled) and the totals.

use dialtone_engine::model::{Report, Verdict};
use tabled::settings::Style;
use tabled::{Table, Tabled};

#[derive(Tabled)]
struct Row {
    id: String,
    verdict: String,
    level: String,
    title: String,
    #[tabled(rename = "observed")]
    observed: String,
}

/// Characters a terminal would interpret (escape sequences, other controls) are replaced, so a
/// hostile candidate string cannot repaint the user's terminal.
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().map(|c| if c.is_control() { '·' } else { c }).take(max_chars).collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

pub fn render(report: &Report, all: bool) -> String {
    let rows: Vec<Row> = report
        .results
        .iter()
        .filter(|r| all || r.verdict != Verdict::Pass)
        .map(|r| Row {
            id: r.id.clone(),
            verdict: r.verdict.as_str().to_uppercase(),
            level: r.level.as_str().into(),
            title: sanitize(&r.title, 70),
            observed: if r.verdict == Verdict::Pass { String::new() } else { sanitize(&r.observed, 90) },
        })
        .collect();
    let mut out = String::new();
    if !rows.is_empty() {
        out.push_str(&Table::new(rows).with(Style::rounded()).to_string());
        out.push('\n');
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{}: {} cases — {} pass, {} fail, {} warn, {} skip, {} error — {:.0} ms\n",
        sanitize(&report.candidate.name, 80),
        s.total,
        s.pass,
        s.fail,
        s.warn,
        s.skip,
        s.error,
        report.duration_ms
    ));
    out
}
