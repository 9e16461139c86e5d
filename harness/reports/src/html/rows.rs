//! The page's tables of results, one per role: a row per case or artifact rule, with its details
//! (clauses, criteria, what was expected and seen, what the candidate said, the evidence). Written
//! here rather than in the template: a check's page shows thousands of rows, and the template
//! engine took about 10 µs a row (a tenth of a 2,000-file check), three times what the whole page
//! now takes per row.
//! Every value goes through [`minijinja::HtmlEscape`], the escaping the template applies, and the
//! page through `xml_text` afterwards, as the rest of the page.

use crate::words;
use dialtone_engine::model::{CaseResult, Level, Verdict};
use dialtone_engine::role::Role;
use dialtone_engine::safe_text::xml_text;
use dialtone_http::{EvidenceItem, HttpExchange};
use dialtone_i18n::{FluentValue, Lang};
use minijinja::HtmlEscape;
use std::fmt::Write;

/// The roles in the order the page shows their tables.
const ROLES: [Role; 5] = [Role::Issuer, Role::Wallet, Role::Verifier, Role::Registry, Role::Artifact];

/// Appends `text` escaped for HTML.
fn push(out: &mut String, text: &str) {
    if text.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | b'"' | b'\'' | b'/')) {
        let _ = write!(out, "{}", HtmlEscape(text));
    } else {
        out.push_str(text);
    }
}

/// `<p><b>label</b> text</p>`, the label already escaped.
fn labelled(out: &mut String, label: &str, text: &str) {
    out.push_str("<p><b>");
    out.push_str(label);
    out.push_str("</b> ");
    push(out, text);
    out.push_str("</p>");
}

/// A value the template would test for truth: present and not empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// The words every row repeats, composed and escaped once per page.
struct Labels {
    lang: Lang,
    details: String,
    spec: String,
    pctf: String,
    driver: String,
    blocked_by: String,
    known_failure: String,
    expected: String,
    observed: String,
    candidate_said: String,
    no_response: String,
    error: String,
    verdicts: Vec<(Verdict, String)>,
    levels: Vec<(Level, String)>,
}

impl Labels {
    fn new(lang: Lang) -> Self {
        let label = |id: &str| {
            let mut out = String::new();
            push(&mut out, &words::t(lang, id, &[]));
            out
        };
        let word = |kind: &str, name: &str| {
            let mut out = String::new();
            push(&mut out, &words::word(lang, kind, name));
            out
        };
        use Verdict::*;
        Labels {
            lang,
            details: label("details"),
            spec: label("spec-label"),
            pctf: label("pctf-label"),
            driver: label("driver-label"),
            blocked_by: label("blocked-by-label"),
            known_failure: label("known-failure-heading"),
            expected: label("expected-label"),
            observed: label("observed-label"),
            candidate_said: label("candidate-said"),
            no_response: label("no-response"),
            error: label("error-label"),
            verdicts: [Pass, Fail, Warn, Info, Blocked, Inconclusive, Skip, Error]
                .map(|v| (v, word("verdict", v.as_str())))
                .into(),
            levels: [Level::Must, Level::Should, Level::May].map(|l| (l, word("level", l.as_str()))).into(),
        }
    }

    fn verdict(&self, v: Verdict) -> &str {
        self.verdicts.iter().find(|(k, _)| *k == v).map_or("", |(_, w)| w)
    }

    fn level(&self, l: Level) -> &str {
        self.levels.iter().find(|(k, _)| *k == l).map_or("", |(_, w)| w)
    }
}

/// Each role's table, its heading saying how many of its rows pass; nothing for a role without
/// rows.
#[cfg(test)]
pub(crate) fn role_sections(results: &[CaseResult], lang: Lang) -> String {
    let mut page = Vec::new();
    let written = write_role_sections(results, lang, &mut page);
    assert!(written.is_ok(), "{written:?}");
    String::from_utf8(page).unwrap_or_default()
}

/// Each role's table into `out`, as [`role_sections`] (only characters XML allows, as the rest of
/// the page), a few rows at a time: a check's page has thousands of rows, and the whole of them
/// is never held.
pub(crate) fn write_role_sections<W: std::io::Write>(
    results: &[CaseResult],
    lang: Lang,
    out: &mut W,
) -> std::io::Result<()> {
    /// Bytes of rows gathered before they are written.
    const CHUNK: usize = 64 << 10;
    write_in_chunks(results, lang, out, CHUNK)
}

/// [`write_role_sections`], writing whenever `chunk_bytes` of rows are gathered.
fn write_in_chunks<W: std::io::Write>(
    results: &[CaseResult],
    lang: Lang,
    out: &mut W,
    chunk_bytes: usize,
) -> std::io::Result<()> {
    let labels = Labels::new(lang);
    let mut chunk = String::with_capacity(chunk_bytes.min(1 << 20) + 4096);
    let write = |chunk: &mut String, out: &mut W| {
        let written = out.write_all(xml_text(chunk).as_bytes());
        chunk.clear();
        written
    };
    for role in ROLES {
        chunk.push_str("\n\n");
        let rows: Vec<&CaseResult> = results.iter().filter(|r| r.role == role).collect();
        if rows.is_empty() {
            chunk.push('\n');
            continue;
        }
        let passed = rows.iter().filter(|r| r.verdict == Verdict::Pass).count();
        chunk.push_str("\n<h2>");
        let role_word = capitalized(&words::word(lang, "role", role.as_str()));
        let heading = words::t(
            lang,
            "role-section",
            &[("role", FluentValue::from(role_word)), ("passed", words::n(passed)), ("total", words::n(rows.len()))],
        );
        push(&mut chunk, &heading);
        chunk.push_str("</h2>\n<table>\n<tr>");
        for id in ["col-id", "col-verdict", "col-level", "col-title-details"] {
            chunk.push_str("<th>");
            push(&mut chunk, &words::t(lang, id, &[]));
            chunk.push_str("</th>");
        }
        chunk.push_str("</tr>\n");
        for r in rows {
            row(&mut chunk, r, &labels);
            if chunk.len() >= chunk_bytes {
                write(&mut chunk, out)?;
            }
        }
        chunk.push_str("\n</table>\n\n");
    }
    write(&mut chunk, out)
}

/// `text` with its first character upper case and the others lower case (the template's
/// `capitalize`).
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => first.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase(),
    }
}

fn row(out: &mut String, r: &CaseResult, labels: &Labels) {
    let lang = labels.lang;
    out.push_str("\n<tr id=\"");
    push(out, &r.id);
    out.push_str("\">\n<td><code>");
    push(out, &r.id);
    out.push_str("</code></td>\n<td><span class=\"v ");
    out.push_str(r.verdict.as_str());
    out.push_str("\">");
    out.push_str(labels.verdict(r.verdict));
    out.push_str("</span></td>\n<td>");
    out.push_str(labels.level(r.level));
    if let Some(by) = given(&r.level_by) {
        out.push_str(" (");
        push(out, by);
        out.push(')');
    }
    out.push_str("</td>\n<td>");
    push(out, &words::title_of(lang, &r.id, &r.title));
    out.push_str("\n<details");
    if matches!(r.verdict, Verdict::Fail | Verdict::Error) && given(&r.known_failure).is_none() {
        out.push_str(" open");
    }
    out.push_str("><summary>");
    out.push_str(&labels.details);
    out.push_str("</summary>\n<p>");
    out.push_str(&labels.spec);
    out.push(' ');
    for (i, s) in r.spec.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        push(out, &s.doc);
        out.push_str(" §");
        push(out, &s.section);
    }
    out.push('\n');
    if !r.pctf.is_empty() {
        out.push_str(" · ");
        out.push_str(&labels.pctf);
        out.push(' ');
        push(out, &r.pctf.join(", "));
    }
    out.push_str(" · ");
    out.push_str(&labels.driver);
    out.push_str(" <code>");
    push(out, &r.driver);
    let _ = writeln!(out, "</code> · {:.2} ms</p>", r.duration_ms);
    if let Some(blocked_by) = given(&r.blocked_by) {
        out.push_str("<p><b>");
        out.push_str(&labels.blocked_by);
        out.push_str("</b> <a href=\"#");
        push(out, blocked_by);
        out.push_str("\">");
        push(out, blocked_by);
        out.push_str("</a>: ");
        let step = given(&r.precondition).unwrap_or_default().to_string();
        push(out, &words::t(lang, "blocked-by-step", &[("step", FluentValue::from(step))]));
        out.push_str("</p>");
    }
    out.push('\n');
    if let Some(known) = given(&r.known_failure) {
        labelled(out, &labels.known_failure, known);
    }
    out.push('\n');
    if !r.expected.is_empty() {
        labelled(out, &labels.expected, &r.expected);
    }
    out.push('\n');
    labelled(out, &labels.observed, &r.observed);
    out.push('\n');
    if let Some(said) = &r.candidate_said {
        out.push_str("<p><b>");
        out.push_str(&labels.candidate_said);
        let _ = write!(out, "</b> HTTP {}", said.status);
        if let Some(error) = given(&said.error) {
            out.push_str(" <code>");
            push(out, error);
            out.push_str("</code>");
        }
        if let Some(description) = given(&said.description) {
            out.push_str(": ");
            push(out, description);
        }
        out.push_str("</p>");
    }
    out.push('\n');
    for e in &r.evidence {
        out.push('\n');
        match e {
            EvidenceItem::Http(x) => exchange(out, x, labels),
            EvidenceItem::Artifact { label, content } => {
                out.push_str("\n<details><summary>");
                let summary = words::t(lang, "artifact-evidence", &[("label", FluentValue::from(label.as_str()))]);
                push(out, &summary);
                out.push_str("</summary><pre>");
                push(out, content);
                out.push_str("</pre></details>\n");
            }
            EvidenceItem::Note { text } => {
                out.push_str("\n<p>");
                push(out, text);
                out.push_str("</p>\n");
            }
        }
        out.push('\n');
    }
    out.push_str("\n</details>\n</td></tr>\n");
}

/// One HTTP exchange of a case's evidence: what was sent, and what came back or why nothing did.
fn exchange(out: &mut String, x: &HttpExchange, labels: &Labels) {
    out.push_str("\n<details><summary>");
    push(out, &x.method);
    out.push(' ');
    push(out, &x.url);
    out.push_str(" → ");
    match x.status {
        Some(status) => {
            let _ = write!(out, "{status}");
        }
        None => out.push_str(&labels.no_response),
    }
    let _ = write!(out, " ({:.1} ms)</summary>\n<pre>", x.duration_ms);
    push(out, &x.method);
    out.push(' ');
    push(out, &x.url);
    out.push('\n');
    for (name, value) in &x.request_headers {
        push(out, name);
        out.push_str(": ");
        push(out, value);
        out.push('\n');
    }
    if let Some(body) = given(&x.request_body) {
        out.push('\n');
        push(out, body);
    }
    out.push_str("</pre>\n");
    if let Some(error) = given(&x.error) {
        labelled(out, &labels.error, error);
    }
    out.push('\n');
    if let Some(status) = x.status {
        let _ = writeln!(out, "<pre>HTTP {status}");
        for (name, value) in &x.response_headers {
            push(out, name);
            out.push_str(": ");
            push(out, value);
            out.push('\n');
        }
        out.push('\n');
        // No body when the answer stopped before it (the template wrote `None` there).
        push(out, x.response_body.as_deref().unwrap_or_default());
        out.push_str("</pre>");
    }
    out.push_str("\n</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_engine::model::SpecRef;
    use dialtone_http::ErrorAnswer;

    fn result(id: &str, role: Role, verdict: Verdict) -> CaseResult {
        CaseResult {
            id: id.into(),
            plan: "p".into(),
            title: "A title".into(),
            role,
            level: Level::Must,
            verdict,
            driver: "d".into(),
            spec: vec![SpecRef { doc: "RFC9901".into(), section: "7.3".into() }],
            pctf: vec!["CRVE.01".into(), "CRVE.02".into()],
            expected: String::new(),
            observed: "seen".into(),
            precondition: None,
            blocked_by: None,
            candidate_said: None,
            known_failure: None,
            level_by: None,
            evidence: Vec::new(),
            duration_ms: 1.234,
            candidate_ms: 0.0,
        }
    }

    #[test]
    fn a_table_per_role_with_rows_its_heading_counting_the_passes() {
        let results = [
            result("A-1", Role::Issuer, Verdict::Pass),
            result("A-2", Role::Issuer, Verdict::Fail),
            result("V-1", Role::Verifier, Verdict::Pass),
        ];
        let page = role_sections(&results, Lang::En);
        assert_eq!(page.matches("<table>").count(), 2, "{page}");
        let issuer = page.find("<tr id=\"A-1\">").unwrap();
        let verifier = page.find("<tr id=\"V-1\">").unwrap();
        assert!(issuer < verifier, "the issuer's table comes first");
        assert!(page.contains("RFC9901 §7.3\n · "), "{page}");
        assert!(page.contains("CRVE.01, CRVE.02"), "{page}");
        assert!(page.contains("<code>d</code> · 1.23 ms</p>"), "{page}");
    }

    /// The tables are the same bytes however many rows are gathered before a write: characters
    /// XML does not allow replaced in each row as in the whole page.
    #[test]
    fn the_tables_written_a_row_at_a_time_are_the_tables_written_whole() {
        let results: Vec<CaseResult> = (0..300)
            .map(|i| {
                let role = [Role::Issuer, Role::Artifact][i % 2];
                let mut r = result(&format!("R-{i} a/\u{1}ᓄ.txt"), role, [Verdict::Pass, Verdict::Skip][i % 3 % 2]);
                r.observed = format!("seen \u{7}\u{fffe} <{i}> é");
                r
            })
            .collect();
        let (mut each_row, mut whole) = (Vec::new(), Vec::new());
        assert!(write_in_chunks(&results, Lang::Fr, &mut each_row, 1).is_ok());
        assert!(write_in_chunks(&results, Lang::Fr, &mut whole, usize::MAX).is_ok());
        assert_eq!(each_row, whole);
        let page = String::from_utf8(whole).unwrap_or_default();
        assert_eq!(page.matches("<tr id=").count(), 300);
        assert!(!page.contains(['\u{1}', '\u{7}', '\u{fffe}']) && page.contains("ᓄ.txt"), "{page}");
    }

    #[test]
    fn a_failure_opens_its_details_unless_it_is_known() {
        let mut known = result("K-1", Role::Issuer, Verdict::Fail);
        known.known_failure = Some("listed".into());
        let failed = result("F-1", Role::Issuer, Verdict::Fail);
        let page = role_sections(&[failed, known], Lang::En);
        let (first, second) = page.split_at(page.find("<tr id=\"K-1\">").unwrap());
        assert!(first.contains("<details open>"), "{first}");
        assert!(!second.contains("<details open>"), "{second}");
        assert!(second.contains("listed"), "{second}");
    }

    #[test]
    fn every_value_is_escaped_and_an_unanswered_exchange_says_so() {
        let hostile = "<script>alert('x')</script>&";
        let mut r = result(hostile, Role::Wallet, Verdict::Blocked);
        r.blocked_by = Some(hostile.into());
        r.precondition = Some(hostile.into());
        r.level_by = Some(hostile.into());
        r.expected = hostile.into();
        r.candidate_said =
            Some(ErrorAnswer { status: 400, error: Some(hostile.into()), description: Some(hostile.into()) });
        r.evidence = vec![
            EvidenceItem::Note { text: hostile.into() },
            EvidenceItem::Artifact { label: hostile.into(), content: hostile.into() },
            EvidenceItem::Http(HttpExchange {
                method: "GET".into(),
                url: format!("https://example.com/{hostile}"),
                request_headers: vec![(hostile.into(), hostile.into())],
                request_body: Some(hostile.into()),
                status: None,
                response_headers: Vec::new(),
                response_body: None,
                response_bytes: 0,
                error: Some(hostile.into()),
                duration_ms: 2.0,
            }),
        ];
        let page = role_sections(&[r], Lang::En);
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;&amp;"), "{page}");
        assert!(page.contains("HTTP 400 <code>"), "{page}");
        let no_response = words::t(Lang::En, "no-response", &[]);
        assert!(page.contains(&format!("→ {no_response} (2.0 ms)")), "{page}");
        assert!(!page.contains("None"), "{page}");
    }
}
