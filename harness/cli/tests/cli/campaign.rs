//! A campaign beyond one machine: the plan run in shards (`run --shard i/n`), each against its own
//! instance of the candidate, and joined (`merge`) is the report one run writes — down to the
//! cases one shard's root failure blocks in another shard — and its signed bundle verifies.

use crate::common;

use dialtone_cli::SuiteSource;
use dialtone_cli::reference::{Mutant, start_references};
use dialtone_cli::run::{Recording, execute, run_plan};
use dialtone_cli::shard::{Campaign, Shard, ShardFile, join, settle};
use dialtone_engine::model::{Report, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_http::Secrets;
use serde_json::Value;
use std::process::Command;

const SEED: u64 = 11;

/// What two runs of the same plan with the same seed share: everything but times, the loopback
/// ports of the references each run started, and the redaction labels (keyed per run).
fn comparable(report: &Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap();
    let o = v.as_object_mut().unwrap();
    for key in ["generated_at", "duration_ms"] {
        o.remove(key);
    }
    o["candidate"].as_object_mut().unwrap().remove("base_url");
    for r in o["results"].as_array_mut().unwrap() {
        let r = r.as_object_mut().unwrap();
        for key in ["evidence", "duration_ms", "candidate_ms"] {
            r.remove(key);
        }
    }
    let text = serde_json::to_string_pretty(&v).unwrap();
    let ports = regex::Regex::new(r"(127\.0\.0\.1|localhost):\d+").unwrap();
    let labels = regex::Regex::new(r"‹redacted \d+ chars #[0-9a-f]+›").unwrap();
    // Times the candidate saw or wrote: epoch seconds, RFC 3339.
    let times = regex::Regex::new(r"\b1[0-9]{9}\b|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let text = ports.replace_all(&text, "$1:PORT").into_owned();
    let text = labels.replace_all(&text, "‹redacted›").into_owned();
    serde_json::from_str(&times.replace_all(&text, "TIME")).unwrap()
}

fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).find_map(|k| match (x.get(k), y.get(k)) {
            (Some(p), Some(q)) => first_difference(p, q, &format!("{at}.{k}")),
            (p, q) => Some(format!("{at}.{k}: {p:?} / {q:?}")),
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]")))
        }
        _ => (a != b).then(|| format!("{at}: {a} / {b}")),
    }
}

/// Against a mutant issuer whose credential endpoint answers in a draft's shape: one root failure
/// and the cases it blocks fall in different shards; merged, they are settled as in one run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_merged_are_the_unsharded_run_root_failures_and_blocked_cases_across_shards_included() {
    let suites = common::suites();
    let only = vec!["VCI-".to_string()];
    let mutant = Mutant::from_name("issuer.credential_legacy_response").unwrap();
    let catalogue = Catalogue::embedded();

    let refs = start_references(Some(mutant), Some(SEED)).await.unwrap();
    let whole =
        run_plan(&suites, refs.manifest.clone(), Some(SEED), &only, &catalogue, Some(refs.counterparts.clone()), None)
            .await
            .unwrap();
    refs.stop().await;

    let source = SuiteSource::Dir(common::suites_dir());
    let inputs = dialtone_cli::sign::suite_inputs(&source).unwrap();
    let mut shards = Vec::new();
    for index in 1..=3 {
        // Each shard its own machine: its own instance of the candidate.
        let refs = start_references(Some(mutant), Some(SEED)).await.unwrap();
        let secrets = Secrets::new(dialtone_protocols::oid4vci::message::SECRET_MEMBERS);
        let shard = Shard { index, count: 3 };
        let ran = execute(
            &suites,
            refs.manifest.clone(),
            Some(SEED),
            &only,
            Some(refs.counterparts.clone()),
            &secrets,
            Some(shard),
            Recording::Evidence,
        )
        .await
        .unwrap();
        refs.stop().await;
        let campaign = Campaign::of(&ran, Some(SEED), &only, inputs.clone(), None);
        let file = ShardFile::new(shard, campaign, ran.results, ran.duration_ms);
        // Through its file, as a shard on another machine hands it over.
        let dir = common::tempdir(&format!("campaign-shard-{index}"));
        let path = file.write(&dir).unwrap();
        shards.push((path.display().to_string(), ShardFile::read(&dir).unwrap()));
    }
    let root = whole.results.iter().find(|r| r.verdict == Verdict::Fail).expect("a root failure").id.clone();
    let position = whole.results.iter().position(|r| r.id == root).unwrap();
    let blocked_elsewhere = whole
        .results
        .iter()
        .enumerate()
        .filter(|(i, r)| r.verdict == Verdict::Blocked && i % 3 != position % 3)
        .count();
    assert!(blocked_elsewhere > 3, "the test needs cases blocked by a root in another shard");
    // Alone, a shard sees the blocked cases of the others' root as failures of their own.
    let raw_failures: usize =
        shards.iter().map(|(_, s)| s.results.iter().filter(|r| r.verdict == Verdict::Fail).count()).sum();
    assert!(raw_failures > 1, "{raw_failures}");

    let joined = join(shards).unwrap();
    let (merged, _) = settle(&joined, &source).unwrap();
    let (a, b) = (comparable(&whole), comparable(&merged));
    assert!(a == b, "merged differs from the unsharded run at {:?}", first_difference(&a, &b, ""));
    assert_eq!(merged.verdict.must_failures, 1);
    assert_eq!(merged.summary.blocked, whole.summary.blocked);
}

#[test]
fn shards_that_are_not_one_campaign_each_once_are_refused_saying_why() {
    let dir = common::tempdir("campaign-refused");
    let shard = |index: usize, count: usize, seed: Option<u64>| {
        let candidate = dialtone_engine::model::CandidateInfo {
            name: "c".into(),
            vendor: "v".into(),
            version: "1".into(),
            roles: vec![dialtone_engine::role::Role::Issuer],
            base_url: "https://c".into(),
            conformance: Vec::new(),
        };
        let campaign = Campaign {
            dialtone_version: "0".into(),
            dialtone_commit: None,
            seed,
            only: Vec::new(),
            plan: vec!["A".into(), "B".into()],
            suites: Vec::new(),
            candidate,
            profiles: Vec::new(),
            inputs: Vec::new(),
            expectations: None,
        };
        (format!("s{index}"), ShardFile::new(Shard { index, count }, campaign, Vec::new(), 0.0))
    };
    let message = |shards| join(shards).err().map(|e| e.message).unwrap_or_default();
    assert!(message(vec![shard(1, 2, None)]).contains("shard 2/2 is missing"), "{}", message(vec![shard(1, 2, None)]));
    assert!(message(vec![shard(1, 2, None), shard(1, 2, None)]).contains("given twice"));
    assert!(message(vec![shard(1, 2, None), shard(2, 3, None)]).contains("of 2 shards"));
    assert!(message(vec![shard(1, 2, None), shard(2, 2, Some(1))]).contains("not a slice of the same campaign"));
    assert!(message(vec![shard(1, 2, None), shard(2, 2, None)]).contains("no shard has a result for case A"));
    let _ = std::fs::remove_dir_all(dir);
}

fn dialtone(config: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(common::workspace()).env("XDG_CONFIG_HOME", config).env_remove("DIALTONE_TEST_CA_DIR");
    c
}

/// The commands as a CI matrix uses them: two shards, `merge --sign`, `verify`; the merged report is
/// the unsharded run's.
#[test]
fn run_shard_then_merge_sign_gives_the_report_of_one_run_and_a_bundle_that_verifies() {
    let dir = common::tempdir("campaign-cli");
    let config = dir.join("config");
    let args = ["run", "--seed", "5", "--only", "VCI-ISS-META", "--only", "TRQP-"];
    let status = dialtone(&config).args(args).arg("--out").arg(dir.join("whole")).output().unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", String::from_utf8_lossy(&status.stderr));
    for i in 1..=2 {
        let out = dialtone(&config)
            .args(args)
            .args(["--shard", &format!("{i}/2"), "--out"])
            .arg(dir.join(format!("shard-{i}")))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("shard {i}/2:")));
    }
    // Shards are signed when merged, not one by one.
    let out = dialtone(&config).args(args).args(["--shard", "1/2", "--sign"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = dialtone(&config)
        .arg("merge")
        .arg(dir.join("shard-2"))
        .arg(dir.join("shard-1"))
        .arg("--sign")
        .arg("--out")
        .arg(dir.join("merged"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |p: std::path::PathBuf| -> Report { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
    let (whole, merged) = (read(dir.join("whole/report.json")), read(dir.join("merged/report.json")));
    let (a, b) = (comparable(&whole), comparable(&merged));
    assert!(a == b, "merged differs from the unsharded run at {:?}", first_difference(&a, &b, ""));

    let out = dialtone(&config).arg("verify").arg(dir.join("merged/bundle.tar.gz")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("your own key"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

/// An interop campaign: the 2 × 2 × 2 matrix of the references and a set with a mutant wallet, run
/// as three shards (each its own process and references, as on three machines) and merged with
/// `--sign`, is the matrix one `interop --sign` writes — the same cells and verdicts, every cell's
/// report, the signed chains — and its bundle verifies.
#[test]
fn interop_shards_merged_are_the_unsharded_matrix_and_its_bundle_verifies() {
    let dir = common::tempdir("campaign-interop");
    let config = dir.join("config");
    let args = ["interop", "--candidates", "reference,reference:wallet.kb_wrong_aud", "--seed", "3"];
    let out = dialtone(&config).args(args).arg("--sign").arg("--out").arg(dir.join("whole")).output().unwrap();
    // Chains through the mutant wallet fail: exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    for i in 1..=3 {
        let out = dialtone(&config)
            .args(args)
            .args(["--shard", &format!("{i}/3"), "--out"])
            .arg(dir.join(format!("shard-{i}")))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("shard {i}/3:")));
    }
    // Shards are signed when merged.
    let out = dialtone(&config).args(args).args(["--shard", "1/3", "--sign"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let merge = |shards: &[&str], to: &str| {
        let mut c = dialtone(&config);
        c.arg("merge");
        for s in shards {
            c.arg(dir.join(s));
        }
        c.arg("--sign").arg("--out").arg(dir.join(to)).output().unwrap()
    };
    let out = merge(&["shard-3", "shard-1", "shard-2"], "merged");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    // The matrix: the same cells, verdicts, steps and links; only times differ.
    let matrix = |p: &str| {
        let mut m: Value = serde_json::from_slice(&std::fs::read(dir.join(p).join("matrix.json")).unwrap()).unwrap();
        let o = m.as_object_mut().unwrap();
        o.remove("generated_at");
        o.remove("duration_ms");
        for c in o["cells"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("duration_ms");
        }
        m
    };
    let (whole, merged) = (matrix("whole"), matrix("merged"));
    assert!(whole == merged, "the merged matrix differs at {:?}", first_difference(&whole, &merged, ""));
    let cells = whole["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 8);
    assert_eq!(cells.iter().filter(|c| c["verdict"] == "pass").count(), 4);
    // Every cell's report, copied from its shard, is the unsharded cell's.
    for c in cells {
        let link = c["report"].as_str().unwrap().replace("report.html", "report.json");
        let read =
            |p: &str| -> Report { serde_json::from_slice(&std::fs::read(dir.join(p).join(&link)).unwrap()).unwrap() };
        let (a, b) = (comparable(&read("whole")), comparable(&read("merged")));
        assert!(a == b, "{link} differs at {:?}", first_difference(&a, &b, ""));
    }
    // The signed chains: one result per cell, the same verdicts, and the bundle verifies.
    let statement = |p: &str| {
        let bytes = std::fs::read(dir.join(p).join("bundle.tar.gz")).unwrap();
        let verified = dialtone_bundle::verify(&bytes).unwrap();
        let predicate = verified.statement.predicate;
        let results: Vec<(String, String)> = predicate.results.into_iter().map(|r| (r.id, r.verdict)).collect();
        (predicate.command, predicate.verdict.must_failures, results)
    };
    let (a, b) = (statement("whole"), statement("merged"));
    assert_eq!(a, b);
    assert_eq!(a.0, "interop");
    assert_eq!(a.1, 4);
    assert_eq!(a.2.first().map(|(id, v)| (id.as_str(), v.as_str())), Some(("E2E-001.001", "pass")));
    let out = dialtone(&config).arg("verify").arg(dir.join("merged/bundle.tar.gz")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Refused, saying why: a shard missing, one given twice, a run's shard among the matrix's.
    let refused = |out: std::process::Output, why: &str| {
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains(why), "{text}");
    };
    refused(merge(&["shard-1", "shard-2"], "refused"), "shard 3/3 is missing");
    refused(merge(&["shard-1", "shard-2", "shard-2", "shard-3"], "refused"), "shard 2/3 is given twice");
    let run_shard = ShardFile::new(
        Shard { index: 1, count: 1 },
        Campaign {
            dialtone_version: "0".into(),
            dialtone_commit: None,
            seed: None,
            only: Vec::new(),
            plan: Vec::new(),
            suites: Vec::new(),
            candidate: dialtone_engine::model::CandidateInfo {
                name: "c".into(),
                vendor: "v".into(),
                version: "1".into(),
                roles: Vec::new(),
                base_url: String::new(),
                conformance: Vec::new(),
            },
            profiles: Vec::new(),
            inputs: Vec::new(),
            expectations: None,
        },
        Vec::new(),
        0.0,
    );
    run_shard.write(&dir.join("run-shard")).unwrap();
    refused(merge(&["shard-1", "run-shard"], "refused"), "is a shard of a run");
    let _ = std::fs::remove_dir_all(dir);
}
