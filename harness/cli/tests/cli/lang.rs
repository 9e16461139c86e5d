//! `--lang fr` (or DIALTONE_LANG, or a French locale): a run of the plan against the references
//! writes a French report.html and prints a French terminal report and French messages, while
//! report.json stays the same data (its statement English); a language dialtone does not speak is
//! a usage error.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

fn dialtone() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(std::env::temp_dir());
    for v in ["DIALTONE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(v);
    }
    c
}

fn run(dir: &str, lang: &[&str], env: &[(&str, &str)]) -> (std::process::Output, PathBuf) {
    let out_dir = common::tempdir(dir);
    let mut cmd = dialtone();
    cmd.args(["run", "--seed", "1", "--only", "VCI-ISS-META", "--suites"]).arg(common::suites_dir());
    cmd.args(lang).arg("--out").arg(&out_dir).envs(env.iter().copied());
    (cmd.output().expect("runs"), out_dir)
}

/// Message ids with a dash, which would show only if a message were missing.
fn leaked_ids(text: &str) -> Vec<&'static str> {
    let report = dialtone_i18n::report().ids().iter();
    let cli = dialtone_i18n::cli().ids().iter();
    report.chain(cli).map(String::as_str).filter(|id| id.contains('-') && text.contains(*id)).collect()
}

#[test]
fn lang_fr_writes_a_french_page_and_terminal_report_and_report_json_stays_english_data() {
    let (out, dir) = run("lang-fr", &["--lang", "fr"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Conforme : aucune exigence DOIT en échec"), "{stdout}");
    assert!(stdout.contains(" cas — ") && stdout.contains("réussis") && stdout.contains("écrit : "), "{stdout}");
    assert_eq!(leaked_ids(&stdout), Vec::<&str>::new());
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("<html lang=\"fr\">"));
    for french in [
        "Rapport de conformité dialtone",
        "conforme : aucune exigence DOIT en échec",
        "Les métadonnées de l&#x27;émetteur de justificatifs sont servies en JSON à leur URL bien connue",
        ">réussi<",
        ">DOIT<",
        "Critères du CCP",
        "Délivrance des justificatifs d’identité",
    ] {
        assert!(html.contains(french), "report.html lacks {french:?}");
    }
    assert_eq!(leaked_ids(&html), Vec::<&str>::new());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report.json")).expect("JSON");
    let statement = json["verdict"]["statement"].as_str().unwrap_or_default();
    assert!(statement.starts_with("conforms: no MUST failure"), "{statement}");
    assert_eq!(json["results"][0]["verdict"], "pass");
    assert_eq!(json["results"][0]["level"], "MUST");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_environment_chooses_french_and_the_flag_wins_over_it() {
    let (out, dir) = run("lang-env", &[], &[("LANG", "fr_CA.UTF-8")]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Conforme :"));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.contains("<html lang=\"fr\">"));
    let (out, dir2) = run("lang-flag", &["--lang", "en"], &[("DIALTONE_LANG", "fr")]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Conforms: no MUST failure"));
    for d in [dir, dir2] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_language_dialtone_does_not_speak_is_a_usage_error() {
    let (out, dir) = run("lang-de", &["--lang", "de"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lang de: dialtone speaks en (English) and fr (français)"));
    let (out, _) = run("lang-de-env", &[], &[("DIALTONE_LANG", "de")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DIALTONE_LANG=de"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn lang_fr_writes_the_interop_matrix_and_its_cells_in_french() {
    let out_dir = common::tempdir("lang-fr-interop");
    let mut cmd = dialtone();
    cmd.args(["--lang", "fr", "interop", "--candidates", "reference", "--seed", "1", "--suites"])
        .arg(common::suites_dir())
        .arg("--out")
        .arg(&out_dir);
    let out = cmd.output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 chaîne, 1 réussie, 0 en échec") && stdout.contains("écrit : "), "{stdout}");
    let matrix = std::fs::read_to_string(out_dir.join("matrix.html")).expect("matrix.html");
    assert!(matrix.contains("<html lang=\"fr\">") && matrix.contains("rapport et preuves"), "{matrix}");
    let cell = std::fs::read_dir(out_dir.join("cells")).expect("cells").flatten().next().expect("a cell");
    let page = std::fs::read_to_string(cell.path().join("report.html")).expect("the cell's report");
    assert!(page.contains("<html lang=\"fr\">"));
    assert_eq!(leaked_ids(&stdout), Vec::<&str>::new());
}
