//! Candidate-supplied strings are escaped in every renderer: HTML entities in report.html, XML in
//! junit.xml, control characters in the terminal.

use dialtone_engine::model::*;
use dialtone_http::{EvidenceItem, HttpExchange};

const HOSTILE: &str = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;\u{1b}[31mRED\u{7}";

fn hostile_report() -> Report {
    let result = CaseResult {
        id: "X-1".into(),
        title: "t".into(),
        role: dialtone_engine::role::Role::Issuer,
        level: Level::Must,
        verdict: Verdict::Fail,
        driver: "c".into(),
        spec: vec![SpecRef { doc: "OID4VCI-1.0".into(), section: "8.2".into() }],
        pctf: vec!["CRIS.02".into()],
        expected: "something".into(),
        observed: HOSTILE.into(),
        plan: "s".into(),
        precondition: None,
        blocked_by: None,
        candidate_said: Some(dialtone_http::ErrorAnswer {
            status: 400,
            error: Some(HOSTILE.into()),
            description: Some(HOSTILE.into()),
        }),
        known_failure: None,
        level_by: None,
        evidence: vec![
            EvidenceItem::Http(HttpExchange {
                method: "GET".into(),
                url: format!("http://127.0.0.1/{HOSTILE}"),
                request_headers: vec![("Accept".into(), HOSTILE.into())],
                request_body: None,
                status: Some(200),
                response_headers: vec![("X-Evil".into(), HOSTILE.into())],
                response_body: Some(HOSTILE.into()),
                response_bytes: 10,
                error: None,
                duration_ms: 1.0,
            }),
            EvidenceItem::Artifact { label: HOSTILE.into(), content: HOSTILE.into() },
        ],
        duration_ms: 1.0,
        candidate_ms: 0.5,
    };
    let subject = dialtone_engine::report::Subject {
        candidate: CandidateInfo {
            name: HOSTILE.into(),
            vendor: HOSTILE.into(),
            version: HOSTILE.into(),
            roles: vec![dialtone_engine::role::Role::Issuer],
            base_url: HOSTILE.into(),
            conformance: vec![HOSTILE.into()],
        },
        suites: vec!["s".into()],
        profiles: Vec::new(),
        seed: None,
    };
    let assembly = dialtone_engine::report::Assembly {
        subject,
        results: vec![result],
        cases: &[],
        artifacts: vec![dialtone_engine::model::ArtifactResult {
            name: HOSTILE.into(),
            format: Some(HOSTILE.into()),
            verdict: dialtone_engine::model::ArtifactStatus::Invalid,
            reason: Some(HOSTILE.into()),
        }],
        expectations: None,
        duration_ms: 1.0,
    };
    dialtone_engine::report::assemble(assembly, &dialtone_engine::pctf::Catalogue::embedded())
}

#[test]
fn html_escapes_every_candidate_string_and_loads_nothing_external() {
    let html = dialtone_reports::html::render(&hostile_report()).unwrap();
    assert!(!html.contains("<script>alert"), "raw script tag");
    assert!(!html.contains("<img src=x"), "raw img tag");
    assert!(html.contains("&lt;script&gt;alert("));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<link"), "external asset");
    assert!(html.contains("default-src 'none'"), "a content security policy forbids scripts");
}

#[test]
fn junit_is_well_formed_xml_with_escaped_text() {
    let xml = dialtone_reports::junit::render(&hostile_report()).unwrap();
    assert!(!xml.contains("<script>"));
    assert!(xml.contains("&lt;script&gt;"));
}

#[test]
fn terminal_output_has_no_control_characters() {
    let text = dialtone_reports::terminal::render(&hostile_report(), true);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
    assert!(text.contains("RED"));
}

#[test]
fn junit_has_no_characters_xml_forbids() {
    let xml = dialtone_reports::junit::render(&hostile_report()).unwrap();
    let bad: Vec<char> = xml.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')).collect();
    assert!(bad.is_empty(), "{bad:?}");
}

/// Code points XML 1.0 forbids (C0 controls but tab, newline and return; U+FFFE, U+FFFF), with those
/// it discourages and HTML calls errors (DEL and C1 controls, noncharacters), beside U+FFFD as lossy
/// decoding leaves it where an unpaired surrogate was.
const NOT_XML: &str =
    "a\u{1}b\u{8}c\u{b}d\u{c}e\u{1b}[31mf\u{7f}g\u{85}h\u{fffe}i\u{ffff}j\u{fdd0}k\u{1fffe}l\u{fffd}m\tn\no";

fn report_with(text: &str) -> Report {
    let mut report = hostile_report();
    report.candidate.name = text.into();
    report.candidate.version = text.into();
    for r in &mut report.results {
        r.id = format!("X-1 {text}");
        r.title = text.into();
        r.expected = text.into();
        r.observed = text.into();
        r.evidence.push(EvidenceItem::Note { text: text.into() });
    }
    report
}

/// XML 1.0's Char production, and none of the code points it discourages.
fn xml_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fdcf}' | '\u{fdf0}'..='\u{fffd}')
        || (c > '\u{ffff}' && (c as u32 & 0xfffe) != 0xfffe)
}

#[test]
fn junit_xml_parses_whatever_the_candidate_strings_carry() {
    let xml = dialtone_reports::junit::render(&report_with(NOT_XML)).unwrap();
    let bad: Vec<String> = xml.chars().filter(|c| !xml_allows(*c)).map(|c| format!("U+{:04X}", c as u32)).collect();
    assert!(bad.is_empty(), "junit.xml carries {bad:?}");
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("an XML parser reads it");
    let case = &parsed.test_suites[0].test_cases[0];
    // What XML can carry arrives; U+FFFD stands where a character could not be written.
    assert!(case.name.contains("a\u{fffd}b\u{fffd}c"), "{}", case.name.as_str());
    assert!(case.name.contains("k\u{fffd}l\u{fffd}m"), "{}", case.name.as_str());
}

#[test]
fn html_pages_carry_no_code_point_xml_or_html_forbids() {
    let html = dialtone_reports::html::render(&report_with(NOT_XML)).unwrap();
    let bad: Vec<String> = html.chars().filter(|c| !xml_allows(*c)).map(|c| format!("U+{:04X}", c as u32)).collect();
    assert!(bad.is_empty(), "report.html carries {bad:?}");
    use dialtone_reports::interop::{Cell, Column, Matrix};
    let matrix = Matrix {
        tool_version: "0".into(),
        generated_at: "now".into(),
        duration_ms: 1.0,
        issuers: vec![NOT_XML.into()],
        columns: vec![Column { wallet: NOT_XML.into(), verifier: NOT_XML.into() }],
        cells: vec![Cell {
            issuer: NOT_XML.into(),
            wallet: NOT_XML.into(),
            verifier: NOT_XML.into(),
            verdict: "fail".into(),
            observed: NOT_XML.into(),
            step: Some(NOT_XML.into()),
            report: Some("cells/x/report.html".into()),
            duration_ms: 1.0,
        }],
    };
    let html = dialtone_reports::interop::render_html(&matrix).unwrap();
    let bad: Vec<String> = html.chars().filter(|c| !xml_allows(*c)).map(|c| format!("U+{:04X}", c as u32)).collect();
    assert!(bad.is_empty(), "matrix.html carries {bad:?}");
}

#[test]
fn terminal_rows_show_no_escape_and_no_invisible_character_in_any_column() {
    // A file name as `check` puts it in a row's id, and a title, observation and candidate name.
    let sly = "card\u{1b}[2J\u{202e}gpj.exe\u{2066}\u{200b}\u{200d}\u{feff}";
    let text = dialtone_reports::terminal::render(&report_with(sly), true);
    for c in ['\u{1b}', '\u{202e}', '\u{2066}', '\u{200b}', '\u{200d}', '\u{feff}'] {
        assert!(!text.contains(c), "U+{:04X} reached the terminal:\n{text}", c as u32);
    }
    assert!(text.contains("X-1 card·[2J‹U+202E›gpj.exe‹U+2066›‹U+200B›"), "{text}");
}
