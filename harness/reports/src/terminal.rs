//! The terminal summary: the overall verdict first, then what needs attention — root failures and
//! errors, each with the cases it blocks beneath it, then warnings and inconclusive refusals —
//! then the totals. Cases that do not apply are counted, not listed (`--all` lists every case).

use crate::attention::{Attention, attention};
use crate::words::{self, n, t};
use dialtone_engine::model::{CaseResult, Report, Verdict};
use dialtone_i18n::Lang;
use tabled::builder::Builder;
use tabled::settings::Style;

struct Row {
    id: String,
    verdict: String,
    level: String,
    title: String,
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

fn row(r: &CaseResult, indent: bool, lang: Lang) -> Row {
    let mut observed = if r.verdict == Verdict::Pass { String::new() } else { r.observed.clone() };
    if let Some(said) = &r.candidate_said {
        observed =
            t(lang, "terminal-candidate-said", &[("observed", observed.into()), ("said", said.to_string().into())]);
    }
    if let Some(reason) = &r.known_failure {
        observed =
            t(lang, "terminal-known-failure", &[("reason", reason.as_str().into()), ("observed", observed.into())]);
    }
    let level = words::level(lang, r.level);
    Row {
        // An artifact's row id carries its file name.
        id: sanitize(&if indent { format!("  └ {}", r.id) } else { r.id.clone() }, 120),
        verdict: words::verdict(lang, r.verdict).to_uppercase(),
        level: match &r.level_by {
            Some(profile) => sanitize(&format!("{level} ({profile})"), 30),
            None => level,
        },
        title: sanitize(&words::title(lang, r), 70),
        observed: sanitize(&observed, 110),
    }
}

/// The terminal report in English.
pub fn render(report: &Report, all: bool) -> String {
    render_in(report, all, Lang::En)
}

/// The terminal report in `lang`.
pub fn render_in(report: &Report, all: bool, lang: Lang) -> String {
    let mut out = String::new();
    let v = &report.verdict;
    let statement = dialtone_engine::statement::statement(lang, v);
    out.push_str(&format!(
        "{} — {}\n",
        sanitize(&report.candidate.name, 80),
        sanitize(&statement.to_uppercase_first(), 400)
    ));
    if v.roles.len() > 1 || v.plans.len() > 1 {
        for p in &v.plans {
            let line = t(
                lang,
                "terminal-plan",
                &[
                    ("name", format!("{:<20}", p.name).into()),
                    ("status", words::word(lang, "conformance", &json_name(&p.status)).into()),
                    ("cases", n(p.cases)),
                    ("must_failures", n(p.must_failures)),
                    ("blocked", n(p.blocked)),
                    ("errors", n(p.errors)),
                ],
            );
            out.push_str(&format!("  {}\n", sanitize(&line, 400)));
        }
    }
    let Attention { roots, warnings, known, not_applicable } = attention(report);
    let mut rows: Vec<Row> = Vec::new();
    if all {
        rows.extend(report.results.iter().map(|r| row(r, false, lang)));
    } else {
        for (root, blocked) in &roots {
            rows.push(row(root, false, lang));
            rows.extend(blocked.iter().map(|b| row(b, true, lang)));
        }
        rows.extend(warnings.iter().map(|r| row(r, false, lang)));
        rows.extend(known.iter().map(|r| row(r, false, lang)));
    }
    if !rows.is_empty() {
        let mut table = Builder::default();
        table.push_record(
            ["col-id", "col-verdict", "col-level", "col-title", "col-observed"].map(|id| t(lang, id, &[])),
        );
        for r in rows {
            table.push_record([r.id, r.verdict, r.level, r.title, r.observed]);
        }
        out.push_str(&table.build().with(Style::rounded()).to_string());
        out.push('\n');
    }
    if !all && !not_applicable.is_empty() {
        out.push_str(&t(lang, "terminal-not-applicable", &[("count", n(not_applicable.len()))]));
        out.push('\n');
    }
    if let Some(e) = &report.expectations {
        let file = sanitize(&e.file, 200);
        for id in &e.now_pass {
            let line =
                t(lang, "terminal-now-passes", &[("id", sanitize(id, 200).into()), ("file", file.as_str().into())]);
            out.push_str(&format!("{line}\n"));
        }
        for id in &e.not_judged {
            out.push_str(&format!("{}\n", t(lang, "terminal-not-judged", &[("id", sanitize(id, 200).into())])));
        }
    }
    let s = &report.summary;
    out.push_str(&t(
        lang,
        "terminal-totals",
        &[
            ("total", n(s.total)),
            ("pass", n(s.pass)),
            ("fail", n(s.fail)),
            ("known", n(s.known)),
            ("blocked", n(s.blocked)),
            ("warn", n(s.warn)),
            ("info", n(s.info)),
            ("inconclusive", n(s.inconclusive)),
            ("skip", n(s.skip)),
            ("error", n(s.error)),
            ("ms", format!("{:.0}", report.duration_ms).into()),
        ],
    ));
    out.push('\n');
    out
}

/// A value's JSON name (`does_not_conform`), which names its message.
pub(crate) fn json_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
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
