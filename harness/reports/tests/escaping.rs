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
