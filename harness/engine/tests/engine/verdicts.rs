//! What a set of results means together: failures counted once at their root, the cases they
//! block listed under it, refusals that mean nothing, known failures, and the overall verdict a
//! report states first.

use dialtone_engine::expectations::Expectations;
use dialtone_engine::model::{CandidateInfo, CaseResult, Conformance, Level, Outcome, Report, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::report::{Assembly, Subject, assemble};
use dialtone_engine::role::Role;
use dialtone_engine::suite::{Case, DriverSpec, Vocabulary, load_sources};
use std::path::PathBuf;
use std::sync::Arc;

fn no_params(_: &toml::Table) -> Result<(), String> {
    Ok(())
}

const DRIVERS: &[DriverSpec] = &[DriverSpec { name: "demo.driver", binding: "demo", validate: no_params }];

/// Three cases: TOKEN judges the token endpoint; CRED and STATUS need a token; REFUSE is a
/// refusal that only means something when CRED passes.
fn cases() -> Vec<Arc<Case>> {
    let text = r#"
[suite]
id = "demo-plan"
title = "Demo"
role = "issuer"
binding = "demo"

[[case]]
id = "TOKEN"
title = "The token endpoint gives a token"
level = "MUST"
driver = "demo.driver"
root_of = ["token endpoint"]
spec = [{ doc = "OID4VCI-1.0", section = "6.2" }]
caught_by = ["issuer.demo"]

[[case]]
id = "CRED"
title = "A credential for a token"
level = "MUST"
driver = "demo.driver"
spec = [{ doc = "OID4VCI-1.0", section = "8.2" }]
pctf = ["CRIS.07"]
caught_by = ["issuer.demo"]

[[case]]
id = "STATUS"
title = "The credential has a status"
level = "SHOULD"
driver = "demo.driver"
spec = [{ doc = "OID4VCI-1.0", section = "8.2" }]
caught_by = ["issuer.demo"]

[[case]]
id = "REFUSE"
title = "A bad proof is refused"
level = "MUST"
driver = "demo.driver"
spec = [{ doc = "OID4VCI-1.0", section = "8.3.1.2" }]
caught_by = ["issuer.demo"]
depends_on = ["CRED"]
"#;
    let catalogue = Catalogue::embedded();
    let vocab = Vocabulary { bindings: &["demo"], drivers: DRIVERS, mutants: &["issuer.demo"], catalogue: &catalogue };
    let suites = load_sources(&[(PathBuf::from("suites/demo.toml"), text.to_string())], &vocab).expect("loads");
    suites[0].cases.iter().cloned().map(Arc::new).collect()
}

fn result(case: &Case, outcome: Outcome) -> CaseResult {
    CaseResult::of(case, outcome.judged(case.level))
}

fn report(outcomes: [Outcome; 4], expectations: Option<&Expectations>) -> Report {
    let cases = cases();
    let results = cases.iter().zip(outcomes).map(|(c, o)| result(c, o)).collect();
    let subject = Subject {
        candidate: CandidateInfo {
            name: "demo".into(),
            vendor: String::new(),
            version: "1".into(),
            roles: vec![Role::Issuer],
            base_url: String::new(),
            conformance: vec![],
        },
        suites: vec!["demo-plan".into()],
        profiles: vec![],
        seed: None,
    };
    let assembly = Assembly { subject, results, cases: &cases, artifacts: vec![], expectations, duration_ms: 1.0 };
    assemble(assembly, &Catalogue::embedded())
}

fn verdict(report: &Report, id: &str) -> Verdict {
    report.results.iter().find(|r| r.id == id).map(|r| r.verdict).expect("a result")
}

fn no_token() -> Outcome {
    Outcome::precondition("token endpoint", "HTTP 500")
}

#[test]
fn a_broken_step_is_one_failure_at_its_root_and_the_cases_needing_it_are_blocked_by_it() {
    let r = report([Outcome::fail("a token", "HTTP 500"), no_token(), no_token(), Outcome::pass("refused")], None);
    assert_eq!(verdict(&r, "TOKEN"), Verdict::Fail);
    for id in ["CRED", "STATUS"] {
        let blocked = r.results.iter().find(|x| x.id == id).unwrap();
        assert_eq!(blocked.verdict, Verdict::Blocked, "{id}");
        assert_eq!(blocked.blocked_by.as_deref(), Some("TOKEN"));
    }
    // The refusal depends on CRED, which could not run: it means nothing.
    assert_eq!(verdict(&r, "REFUSE"), Verdict::Inconclusive);
    assert_eq!((r.summary.fail, r.summary.blocked, r.summary.inconclusive), (1, 2, 1));
    assert_eq!(r.verdict.status, Conformance::DoesNotConform);
    assert_eq!(r.verdict.must_failures, 1);
    assert!(
        r.verdict.statement.starts_with("does not conform: 1 MUST failure, 2 more cases blocked by them;"),
        "{}",
        r.verdict.statement
    );
    assert_eq!(r.exit_code(), 1);
    // A blocked case does not meet the criterion it evidences.
    let cris07 = r.pctf.criteria.iter().find(|c| c.id == "CRIS.07").unwrap();
    assert_eq!(serde_json::to_value(cris07.status).unwrap(), "not_met");
    assert_eq!(cris07.cases[0].verdict, Verdict::Blocked);
}

#[test]
fn a_precondition_failure_without_a_failed_root_is_a_failure_of_its_own() {
    // The token endpoint passed when TOKEN judged it, then failed for CRED: CRED's own failure.
    let r = report([Outcome::pass("token"), no_token(), Outcome::pass("ok"), Outcome::pass("refused")], None);
    assert_eq!(verdict(&r, "CRED"), Verdict::Fail);
    assert!(r.results.iter().all(|x| x.blocked_by.is_none()));
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn errors_and_inconclusive_refusals_make_a_run_incomplete_not_conforming() {
    let r = report(
        [Outcome::pass("token"), Outcome::pass("credential"), Outcome::error("unreachable"), Outcome::pass("refused")],
        None,
    );
    assert_eq!(r.verdict.status, Conformance::Incomplete);
    assert!(r.verdict.statement.starts_with("incomplete: 1 case could not be run (error)"), "{}", r.verdict.statement);
    assert_eq!(r.exit_code(), 3);
    let ok = report(
        [Outcome::pass("token"), Outcome::pass("credential"), Outcome::fail("a status", "none"), Outcome::pass("r")],
        None,
    );
    assert_eq!(ok.verdict.status, Conformance::Conforms);
    assert_eq!(
        ok.verdict.statement,
        "conforms: no MUST failure (1 SHOULD warning); 4 cases judged (0 not applicable) in 1 plan for the issuer role"
    );
    assert_eq!(ok.verdict.plans[0].name, "demo-plan");
    assert_eq!(ok.exit_code(), 0);
}

#[test]
fn known_failures_are_apart_ignored_by_the_exit_code_and_still_failures() {
    let known = |c: &str| ["TOKEN", "CRED", "STATUS", "REFUSE"].contains(&c);
    let file = "[[expected]]\ncase = \"CRED\"\nreason = \"no proofs yet\"\n\n[[expected]]\ncase = \"REFUSE\"\nreason = \"same\"\n";
    let e = Expectations::parse("known.toml", file, known).unwrap();
    let r = report(
        [Outcome::pass("token"), Outcome::fail("a credential", "HTTP 400"), Outcome::pass("ok"), Outcome::pass("r")],
        Some(&e),
    );
    let cred = r.results.iter().find(|x| x.id == "CRED").unwrap();
    assert_eq!((cred.verdict, cred.known_failure.as_deref()), (Verdict::Fail, Some("no proofs yet")));
    assert_eq!(r.exit_code(), 0, "a known failure does not fail the run");
    assert_eq!(r.verdict.status, Conformance::DoesNotConform, "but the candidate still does not conform");
    assert_eq!(r.verdict.known_failures, 1);
    let x = r.expectations.as_ref().unwrap();
    assert_eq!(x.held, vec!["CRED"]);
    assert!(x.now_pass.is_empty());
    // REFUSE became inconclusive (CRED failed): not judged.
    assert_eq!(x.not_judged, vec!["REFUSE"]);

    // The gap is fixed: the entry now passes and is flagged.
    let fixed = report(
        [Outcome::pass("token"), Outcome::pass("credential"), Outcome::pass("ok"), Outcome::pass("refused")],
        Some(&e),
    );
    assert_eq!(fixed.expectations.as_ref().unwrap().now_pass, vec!["CRED", "REFUSE"]);
    // An unexpected failure still fails the run.
    let other = report([Outcome::fail("a token", "HTTP 500"), no_token(), no_token(), Outcome::pass("r")], Some(&e));
    assert_eq!(other.exit_code(), 1);
}

#[test]
fn a_should_failure_is_no_root_for_a_must_case() {
    let mut cases = cases();
    // Make TOKEN a SHOULD: a MUST case needing its step fails on its own.
    Arc::make_mut(&mut cases[0]).level = Level::Should;
    let results = vec![result(&cases[0], Outcome::fail("a token", "HTTP 500")), result(&cases[1], no_token())];
    let mut results = results;
    dialtone_engine::report::settle_preconditions(&mut results, &cases);
    assert_eq!(results[0].verdict, Verdict::Warn);
    assert_eq!(results[1].verdict, Verdict::Fail);
}

#[test]
fn the_verdict_sentence_is_said_in_french_from_the_same_counts() {
    use dialtone_engine::statement::statement;
    use dialtone_i18n::Lang;
    let failed = report([Outcome::fail("a token", "HTTP 500"), no_token(), no_token(), Outcome::pass("refused")], None);
    assert_eq!(statement(Lang::En, &failed.verdict), failed.verdict.statement);
    assert_eq!(
        statement(Lang::Fr, &failed.verdict),
        "non conforme : 1 exigence DOIT en échec, 2 autres cas bloqués par celles-ci; \
         3 cas jugés (0 sans objet) dans 1 plan pour le rôle émetteur"
    );
    let incomplete = report(
        [Outcome::pass("token"), Outcome::pass("credential"), Outcome::error("unreachable"), Outcome::pass("refused")],
        None,
    );
    assert!(
        statement(Lang::Fr, &incomplete.verdict)
            .starts_with("incomplet : 1 cas n'a pas pu être exécuté (erreur); aucune exigence DOIT en échec parmi"),
        "{}",
        statement(Lang::Fr, &incomplete.verdict)
    );
    let ok = report(
        [Outcome::pass("token"), Outcome::pass("credential"), Outcome::fail("a status", "none"), Outcome::pass("r")],
        None,
    );
    assert_eq!(
        statement(Lang::Fr, &ok.verdict),
        "conforme : aucune exigence DOIT en échec (1 avertissement DEVRAIT); 4 cas jugés (0 sans objet) dans 1 plan \
         pour le rôle émetteur"
    );
}
