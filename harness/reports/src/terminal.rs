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

/// The one terminal sanitizer (`dialtone_engine::safe_text`): controls become `·`, invisible
/// characters that reorder or hide text their code point, so a hostile string can neither repaint
/// the user's terminal nor disguise itself. At most `max_chars` characters of `text`.
pub fn sanitize(text: &str, max_chars: usize) -> String {
    dialtone_engine::safe_text::terminal_text(text, max_chars)
}

/// [`sanitize`] for a message of several lines: its line breaks are kept.
pub fn sanitize_lines(text: &str) -> String {
    dialtone_engine::safe_text::terminal_lines(text)
}

pub fn render(report: &Report, all: bool) -> String {
    let rows: Vec<Row> = report
        .results
        .iter()
        .filter(|r| all || r.verdict != Verdict::Pass)
        .map(|r| Row {
            // An artifact's row id carries its file name.
            id: sanitize(&r.id, 120),
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
