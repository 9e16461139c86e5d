//! Every vector under `vectors/` gets its expected verdict and fails exactly the rules it names;
//! the committed files are what the generator writes today (it is deterministic); every MUST rule
//! of `dialtone check` is failed by at least one vector (a rule that cannot fail is a defect).

use dialtone_engine::model::Level;
use dialtone_rules::table as rules;
use std::path::Path;

fn vectors_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

#[test]
fn committed_vectors_are_what_the_generator_writes() {
    let generated = dialtone_vectors::generate();
    let again = dialtone_vectors::generate();
    assert_eq!(generated, again, "the generator is deterministic");
    for f in &generated {
        let path = vectors_dir().join(dialtone_vectors::file_name(f));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == dialtone_vectors::to_json(f),
            "{} differs from the generator's output: run `dialtone vectors generate` and review the diff",
            path.display()
        );
    }
    let total: usize = generated.iter().map(|f| f.number_of_tests).sum();
    assert!(total >= 150, "{total} vectors");
}

#[test]
fn every_vector_gets_its_expected_verdict() {
    let mut problems = Vec::new();
    for f in dialtone_vectors::generate() {
        for m in dialtone_vectors::run(&f).expect("runs") {
            problems
                .push(format!("{} tc{} {}: expected {:?}, got {:?}", f.format, m.tc_id, m.comment, m.expected, m.got));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_must_rule_is_failed_by_some_vector() {
    let files = dialtone_vectors::generate();
    let failed: std::collections::HashSet<String> = files
        .iter()
        .flat_map(|f| f.test_groups.iter())
        .flat_map(|g| g.tests.iter())
        .flat_map(|t| t.failed_rules.iter().cloned())
        .collect();
    let all = rules::SD_JWT_VC.iter().chain(rules::VC).chain(rules::SHC).chain(rules::MDOC);
    let never: Vec<&str> = all.filter(|r| !failed.contains(r.id)).map(|r| r.id).collect();
    let must_never: Vec<&&str> =
        never.iter().filter(|id| rules::find(id).is_some_and(|r| r.level == Level::Must)).collect();
    assert!(must_never.is_empty(), "MUST rules no vector fails: {must_never:?}");
}
