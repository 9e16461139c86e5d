//! The reports in French (`--lang fr`): the page says `lang="fr"` and speaks French throughout —
//! headings, verdicts, levels, counts, the verdict sentence, case titles, PCTF criteria — with no
//! message id showing; candidate text is escaped as in English; the terminal report is pinned by a
//! snapshot.

use dialtone_engine::model::*;
use dialtone_engine::role::Role;
use dialtone_i18n::Lang;

fn case(id: &str, title: &str, level: Level, verdict: Verdict, observed: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        plan: "oid4vci-issuer".into(),
        title: title.into(),
        role: Role::Issuer,
        level,
        verdict,
        driver: "oid4vci.metadata".into(),
        spec: vec![SpecRef { doc: "OID4VCI-1.0".into(), section: "12.2".into() }],
        pctf: vec!["CRIS.02".into()],
        expected: if verdict == Verdict::Pass { String::new() } else { "metadata at the well-known URL".into() },
        observed: observed.into(),
        precondition: None,
        blocked_by: None,
        candidate_said: None,
        known_failure: None,
        level_by: None,
        evidence: Vec::new(),
        duration_ms: 1.0,
        candidate_ms: 0.5,
    }
}

/// A small fixed report: a MUST failure, a SHOULD warning, a pass and a case that does not apply.
fn report(title_of_failure: &str, observed: &str) -> Report {
    let results = vec![
        case("VCI-ISS-META-001", title_of_failure, Level::Must, Verdict::Fail, observed),
        case(
            "VCI-ISS-TOKEN-001",
            "A valid pre-authorized code buys a Bearer access token, not cacheable",
            Level::Should,
            Verdict::Warn,
            "Cache-Control: public",
        ),
        case(
            "VCI-ISS-NONCE-001",
            "The nonce endpoint gives a c_nonce to an anonymous POST",
            Level::Must,
            Verdict::Pass,
            "ok",
        ),
        case("VCI-ISS-DPOP-001", "DPoP", Level::Must, Verdict::Skip, "not claimed: feature:dpop"),
    ];
    let subject = dialtone_engine::report::Subject {
        candidate: CandidateInfo {
            name: "Émetteur d'essai".into(),
            vendor: "Exemple".into(),
            version: "1.0".into(),
            roles: vec![Role::Issuer],
            base_url: "https://issuer.example".into(),
            conformance: vec!["role:issuer".into()],
        },
        suites: vec!["oid4vci-issuer".into()],
        profiles: Vec::new(),
        seed: Some(7),
    };
    let assembly = dialtone_engine::report::Assembly {
        subject,
        results,
        cases: &[],
        artifacts: Vec::new(),
        expectations: None,
        duration_ms: 12.0,
    };
    dialtone_engine::report::assemble(assembly, &dialtone_engine::pctf::Catalogue::embedded())
}

fn english_title() -> &'static str {
    "Credential issuer metadata is served as JSON at its well-known URL"
}

/// Message ids of the report domain that could only show if a message were missing (every id with
/// a dash: the single words, like `details`, are also ordinary English).
fn leaked_ids(text: &str) -> Vec<&'static str> {
    dialtone_i18n::report()
        .ids()
        .iter()
        .map(String::as_str)
        .filter(|id| id.contains('-') && text.contains(*id))
        .collect()
}

#[test]
fn the_french_page_speaks_french_throughout_and_shows_no_message_id() {
    let html = dialtone_reports::html::render_in(&report(english_title(), "HTTP 404"), Lang::Fr).unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{}", &html[..200]);
    for french in [
        "Rapport de conformité dialtone",
        "non conforme : 1 exigence DOIT en échec",
        "À examiner",
        ">échec<",
        ">avertissement<",
        ">DOIT<",
        ">DEVRAIT<",
        "1 réussi",
        "sans objet pour ce candidat (1 cas)",
        // The case's French title, not its English one.
        "Les métadonnées de l&#x27;émetteur de justificatifs sont servies en JSON à leur URL bien connue",
        "Émetteur (1 réussi sur 4)",
        "Critères du CCP",
        // The official French name of CRIS and the official text of CRIS.02.
        "Délivrance des justificatifs d’identité",
        "Profil du secteur public du Cadre de confiance pancanadien",
        "Licence du gouvernement ouvert – Canada",
        "traduction du projet",
    ] {
        assert!(html.contains(french), "missing {french:?}");
    }
    assert!(!html.contains(english_title()), "the English title shows");
    assert_eq!(leaked_ids(&html), Vec::<&str>::new());
    let english = dialtone_reports::html::render(&report(english_title(), "HTTP 404")).unwrap();
    assert!(english.contains("<html lang=\"en\">") && english.contains("dialtone conformance report"));
    assert!(english.contains(english_title()) && english.contains(">fail<") && english.contains(">MUST<"));
}

#[test]
fn french_text_is_escaped_as_english_is() {
    let hostile = "<script>alert('x')</script>\u{1b}[31mRED\u{7}";
    let report = report(hostile, hostile);
    let html = dialtone_reports::html::render_in(&report, Lang::Fr).unwrap();
    assert!(!html.contains("<script>alert"), "raw script tag");
    assert!(html.contains("&lt;script&gt;alert("));
    assert!(!html.contains('\u{1b}') && !html.contains('\u{7}'));
    // A French title that holds markup characters of its own is escaped too.
    let mut dc_api = report.clone();
    dc_api.results[0].id = "OID4VP-VER-DCA-001".into();
    let html = dialtone_reports::html::render_in(&dc_api, Lang::Fr).unwrap();
    assert!(html.contains("lié à origin:&lt;l&#x27;origine du vérificateur&gt;"), "the French title is escaped");
    let text = dialtone_reports::terminal::render_in(&report, true, Lang::Fr);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text}");
    assert!(text.contains("RED"));
}

#[test]
fn the_french_terminal_report() {
    let text = dialtone_reports::terminal::render_in(&report(english_title(), "HTTP 404"), false, Lang::Fr);
    assert_eq!(leaked_ids(&text), Vec::<&str>::new());
    insta::assert_snapshot!(text);
}
