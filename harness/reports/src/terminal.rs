//! The terminal summary: the overall verdict first, then what needs attention — root failures and
//! errors, each with the cases it blocks beneath it, then warnings and inconclusive refusals —
//! then the totals. Cases that do not apply are counted, not listed (`--all` lists every case).

use crate::attention::{Attention, attention};
use dialtone_engine::model::{CaseResult, Report, Verdict};
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

fn row(r: &CaseResult, indent: bool) -> Row {
    let mut observed = if r.verdict == Verdict::Pass { String::new() } else { r.observed.clone() };
    if let Some(said) = &r.candidate_said {
        observed = format!("{observed} — the candidate said: {said}");
    }
    if let Some(reason) = &r.known_failure {
        observed = format!("known failure ({reason}): {observed}");
    }
    Row {
        // An artifact's row id carries its file name.
        id: sanitize(&if indent { format!("  └ {}", r.id) } else { r.id.clone() }, 120),
        verdict: r.verdict.as_str().to_uppercase(),
        level: match &r.level_by {
            Some(profile) => sanitize(&format!("{} ({profile})", r.level.as_str()), 30),
            None => r.level.as_str().into(),
        },
        title: sanitize(&r.title, 70),
        observed: sanitize(&observed, 110),
    }
}

pub fn render(report: &Report, all: bool) -> String {
    let mut out = String::new();
    let v = &report.verdict;
    out.push_str(&format!(
        "{} — {}\n",
        sanitize(&report.candidate.name, 80),
        sanitize(&v.statement.to_uppercase_first(), 400)
    ));
    if v.roles.len() > 1 || v.plans.len() > 1 {
        for p in &v.plans {
            out.push_str(&format!(
                "  plan {:<20} {} ({}, {}, {} blocked, {})\n",
                p.name,
                p.status.as_str(),
                plural(p.cases, "case"),
                plural(p.must_failures, "MUST failure"),
                p.blocked,
                plural(p.errors, "error")
            ));
        }
    }
    let Attention { roots, warnings, known, not_applicable } = attention(report);
    let mut rows: Vec<Row> = Vec::new();
    if all {
        rows.extend(report.results.iter().map(|r| row(r, false)));
    } else {
        for (root, blocked) in &roots {
            rows.push(row(root, false));
            rows.extend(blocked.iter().map(|b| row(b, true)));
        }
        rows.extend(warnings.iter().map(|r| row(r, false)));
        rows.extend(known.iter().map(|r| row(r, false)));
    }
    if !rows.is_empty() {
        out.push_str(&Table::new(rows).with(Style::rounded()).to_string());
        out.push('\n');
    }
    if !all && !not_applicable.is_empty() {
        out.push_str(&format!(
            "{} cases do not apply to this candidate (skip; --all lists them)\n",
            not_applicable.len()
        ));
    }
    if let Some(e) = &report.expectations {
        for id in &e.now_pass {
            out.push_str(&format!("expectations: {id} now passes: remove it from {}\n", sanitize(&e.file, 200)));
        }
        for id in &e.not_judged {
            out.push_str(&format!("expectations: {id} was not judged in this run\n"));
        }
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{} cases — {} pass, {} fail{}, {} blocked, {} warn, {} info, {} inconclusive, {} skip, {} error — {:.0} ms\n",
        s.total,
        s.pass,
        s.fail,
        if s.known > 0 { format!(" ({} known)", s.known) } else { String::new() },
        s.blocked,
        s.warn,
        s.info,
        s.inconclusive,
        s.skip,
        s.error,
        report.duration_ms
    ));
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

trait UppercaseFirst {
    fn to_uppercase_first(&self) -> String;
}

impl UppercaseFirst for String {
    fn to_uppercase_first(&self) -> String {
        let mut chars = self.chars();
        match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}
