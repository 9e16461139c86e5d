//! `dialtone bench --formats`: how fast `dialtone check` judges each credential format, reports
//! included, beside the physical limit measured in the same run — the signature work alone.
//!
//! For each format a corpus of files is written (SD-JWT VC: distinct credentials from dialtone's
//! seeded keys, about half of them presented with a key binding JWT; the other formats: the valid
//! vectors of the format, one file each, repeated), then `check`'s own code reads, judges and
//! reports them (JSON, HTML, JUnit; the terminal lines left out). The floor: every signature
//! verification those files need, recorded while each is judged once, then verified again and
//! again with the same library (ring, or RustCrypto for what ring lacks) and nothing else; files per
//! second at that pace is what no checker using that library on that core can beat.

use crate::CliError;
use crate::check::{self, CheckArgs};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::public_key::{self, Recorded};
use dialtone_protocols::sdjwt::{self, ConcealRules, HashAlg, SdJwt};
use dialtone_protocols::seed::Entropy;
use dialtone_rules::{Artifact, Format};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One format's files and the context `check` is given for them.
pub struct Corpus {
    pub format: String,
    pub check_format: Option<Format>,
    /// File name and bytes; consecutive parts of a chunked card are consecutive files.
    pub files: Vec<(String, Vec<u8>)>,
    /// How many artifacts the files hold.
    pub artifacts: usize,
    pub keys: Value,
    pub trust: Option<Value>,
    pub roots_pem: Option<String>,
    pub now: String,
    pub nonce: Option<String>,
    pub aud: Option<String>,
}

/// One row of the benchmark.
pub struct Row {
    pub format: String,
    pub artifacts: usize,
    /// Artifacts per CPU second (all of check's threads), `check` with its reports.
    pub rate: f64,
    /// Artifacts per second of wall-clock time.
    pub wall_rate: f64,
    pub verifications_per_artifact: f64,
    /// Signature verifications per CPU second with the same library, one after another.
    pub verifications_per_second: f64,
    /// Artifacts per second at that pace: `verifications_per_second / verifications_per_artifact`.
    pub floor: f64,
    /// Bytes of report.json, report.html and junit.xml.
    pub report_bytes: u64,
}

impl Row {
    /// Files per CPU second over the floor: what the rounds of a measurement are ordered by (the
    /// rate alone where there is no floor, as for PNG cards).
    pub fn ratio(&self) -> f64 {
        if self.floor > 0.0 { self.rate / self.floor } else { self.rate }
    }
}

/// Rounds of each format's measurement by default: the machine's speed can change between the
/// floor and the check, and the round of median ratio is the one reported.
pub const ROUNDS: usize = 3;

const ISSUER: &str = "https://issuer.dialtone.example";

/// `n` distinct SD-JWT VCs from dialtone's seeded keys, every other one presented with a key
/// binding JWT (judged without `--nonce` and `--aud`: its signature, `iat` and `sd_hash` are
/// checked). The same bytes on every run.
pub fn sd_jwt_vc(n: usize) -> Corpus {
    let now = dialtone_vectors::build::now();
    let issuer = dialtone_vectors::build::key("bench/sd-jwt-vc/issuer");
    let holders: Vec<EcKey> =
        (0..16).map(|i| dialtone_vectors::build::key(&format!("bench/sd-jwt-vc/holder-{i}"))).collect();
    let header = json!({"typ": "dc+sd-jwt", "kid": issuer.thumbprint()});
    let paths: [&[&str]; 7] = [
        &["given_name"],
        &["family_name"],
        &["birthdate"],
        &["email"],
        &["address"],
        &["address", "locality"],
        &["nationalities", "*"],
    ];
    let rules = ConcealRules::new(&paths);
    let files = (0..n)
        .map(|i| {
            let holder = &holders[i % holders.len()];
            let claims = json!({
                "iss": ISSUER,
                "vct": "urn:dialtone:vct:verified-person:1",
                "iat": now - 86_400,
                "exp": now + 365 * 86_400,
                "cnf": {"jwk": holder.public_jwk()},
                "status": {"status_list": {"idx": i, "uri": "https://issuer.dialtone.example/status/1"}},
                "given_name": format!("ᓄᓇᕗᑦ E\u{301}lodie {i}"),
                "family_name": "Kʼómoks-Tremblay",
                "birthdate": format!("19{:02}-07-01", 40 + i % 60),
                "email": format!("person{i}@example.ca"),
                "address": {"locality": "Iqaluit", "region": "NU", "country": "CA"},
                "nationalities": ["CA", "FR"],
            });
            let entropy = Entropy::seeded(i as u64);
            let concealed =
                sdjwt::conceal(claims.as_object().unwrap_or(&Default::default()), &rules, HashAlg::Sha256, &entropy);
            let jwt = issuer.sign_jws(&header, &Value::Object(concealed.payload));
            let mut text = sdjwt::serialize(&jwt, &concealed.disclosures);
            if i % 2 == 1
                && let Ok(issued) = SdJwt::parse(&text)
                && let Ok(presented) = sdjwt::present(
                    &issued,
                    &|_| true,
                    Some((holder, "n-0S6_WzA2Mj", "x509_san_dns:verifier.dialtone.example", now)),
                )
            {
                text = presented;
            }
            (format!("sd-jwt-vc-{i:05}.txt"), text.into_bytes())
        })
        .collect();
    Corpus {
        format: "sd-jwt-vc".into(),
        check_format: Some(Format::SdJwtVc),
        files,
        artifacts: n,
        keys: dialtone_vectors::build::jwks(&[&issuer]),
        trust: Some(dialtone_vectors::build::trust(&[(
            ISSUER,
            dialtone_vectors::build::jwks(&[&issuer])["keys"].as_array().cloned().unwrap_or_default(),
        )])),
        roots_pem: None,
        now: dialtone_vectors::build::rfc3339(now),
        nonce: None,
        aud: None,
    }
}

/// The other formats: each format's valid vectors (of its largest group, whose context they are
/// judged in), repeated to about `n` artifacts. PNG health cards are their own row: decoding the
/// image is their work, not the signature.
pub fn from_vectors(n: usize) -> Vec<Corpus> {
    let mut out: Vec<Corpus> = Vec::new();
    for file in dialtone_vectors::generate() {
        let mut by_format: std::collections::BTreeMap<String, Vec<(usize, Artifact, Option<Format>)>> =
            Default::default();
        for (g, group) in file.test_groups.iter().enumerate() {
            for t in group.tests.iter().filter(|t| t.result == "valid") {
                let (artifact, check_format) = dialtone_vectors::artifact_of(&file, t);
                let name = match check_format {
                    Some(Format::Shc) if t.flags.iter().any(|f| f == "Png") => "shc (png)".to_string(),
                    Some(f) => f.name().to_string(),
                    None => file.format.clone(),
                };
                by_format.entry(name).or_default().push((g, artifact, check_format));
            }
        }
        for (format, items) in by_format {
            if format == "sd-jwt-vc" {
                continue; // its corpus is generated: [`sd_jwt_vc`]
            }
            // The group with the most valid artifacts of this format.
            let Some(group) = (0..file.test_groups.len()).max_by_key(|g| items.iter().filter(|(i, ..)| i == g).count())
            else {
                continue;
            };
            let items: Vec<_> = items.into_iter().filter(|(g, ..)| *g == group).collect();
            let Some(g) = file.test_groups.get(group) else { continue };
            let target = if format == "shc (png)" { n.min(20) } else { n };
            let mut files = Vec::new();
            let mut artifacts = 0;
            while artifacts < target && !items.is_empty() {
                for (_, artifact, _) in &items {
                    for (p, part) in artifact.parts.iter().enumerate() {
                        files.push((
                            format!("{}-{artifacts:05}-{p}", format.replace([' ', '(', ')'], "")),
                            part.clone(),
                        ));
                    }
                    artifacts += 1;
                }
            }
            out.push(Corpus {
                format,
                check_format: items.first().and_then(|(_, _, f)| *f),
                files,
                artifacts,
                keys: g.keys.clone(),
                trust: g.trust.clone(),
                roots_pem: g.roots_pem.clone(),
                now: g.now.clone(),
                nonce: g.nonce.clone(),
                aud: g.aud.clone(),
            });
        }
    }
    out
}

/// Writes a corpus under `dir`: its files, `keys.json`, `trust.json` and `roots.pem` when it has
/// them, and the arguments `check` takes for it.
pub fn write(corpus: &Corpus, dir: &Path, out: &Path) -> Result<CheckArgs, CliError> {
    let io = |path: &Path| {
        let shown = path.display().to_string();
        move |e: std::io::Error| CliError::harness(format!("cannot write {shown}: {e}"))
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut files = Vec::with_capacity(corpus.files.len());
    for (name, bytes) in &corpus.files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(io(&path))?;
        files.push(path);
    }
    let mut keys = vec![dir.join("keys.json")];
    std::fs::write(&keys[0], corpus.keys.to_string()).map_err(io(&keys[0]))?;
    // Each root in a file of its own: in one PEM file `--keys` trusts only the last certificate
    // as a root (the others are a chain), and the artifacts would be judged against one root of
    // their group's several.
    let roots = corpus.roots_pem.as_deref().map(dialtone_rules::keys::pem_certificates).unwrap_or_default();
    for (i, der) in roots.iter().enumerate() {
        let path = dir.join(format!("root-{i}.pem"));
        std::fs::write(&path, dialtone_protocols::x509::certificate_pem(der)).map_err(io(&path))?;
        keys.push(path);
    }
    let trust = match &corpus.trust {
        Some(t) => {
            let path = dir.join("trust.json");
            std::fs::write(&path, t.to_string()).map_err(io(&path))?;
            Some(path)
        }
        None => None,
    };
    Ok(CheckArgs {
        format: corpus.check_format,
        keys,
        trust,
        now: Some(corpus.now.clone()),
        nonce: corpus.nonce.clone(),
        aud: corpus.aud.clone(),
        out: out.to_path_buf(),
        ..CheckArgs::for_files(files)
    })
}

/// CPU time this process has used, every thread included (child processes not): on a machine
/// others share, what one core spent is what a rate per core divides by.
fn cpu_seconds() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Verifies the recorded signatures again and again for about `seconds` of CPU time:
/// verifications per CPU second.
fn verification_rate(recorded: &[Recorded], seconds: f64) -> f64 {
    if recorded.is_empty() {
        return 0.0;
    }
    let started = cpu_seconds();
    let mut n = 0usize;
    while cpu_seconds() - started < seconds {
        for r in recorded {
            std::hint::black_box(r.verify().is_ok());
        }
        n += recorded.len();
    }
    n as f64 / (cpu_seconds() - started)
}

/// Measures one corpus written with [`write`]: `rounds` checks, each between two measurements of
/// the floor, and the round whose ratio is the median.
pub fn measure(corpus: &Corpus, args: &CheckArgs, rounds: usize) -> Result<Row, CliError> {
    let mut ctx = check::context(args)?;
    ctx.qr_images = crate::qr_child::decoder(args.deadline);
    let ctx = Arc::new(ctx);
    // The signature work, recorded while each artifact is judged once on this thread.
    let artifacts = check::read_artifacts(&args.files, args.special_files())?;
    let before = public_key::verified_on_this_thread();
    let ((), recorded) = public_key::recording(|| {
        for a in &artifacts {
            std::hint::black_box(dialtone_rules::judge(a, args.format, &ctx));
        }
    });
    let verifications = public_key::verified_on_this_thread() - before;
    let per_artifact = verifications as f64 / artifacts.len().max(1) as f64;
    drop(artifacts);
    let mut rows = Vec::with_capacity(rounds.max(1));
    for _ in 0..rounds.max(1) {
        let fresh = check::context(args).map(|mut c| {
            c.qr_images = crate::qr_child::decoder(args.deadline);
            c
        })?;
        let floor_before = verification_rate(&recorded, 0.25);
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let checked = check::check_files(args, fresh, false)?;
        let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu);
        let floor_after = verification_rate(&recorded, 0.25);
        let per_second = (floor_before + floor_after) / 2.0;
        let report_bytes =
            checked.written.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum::<u64>();
        rows.push(Row {
            format: corpus.format.clone(),
            artifacts: checked.artifacts,
            rate: checked.artifacts as f64 / cpu.max(1e-6),
            wall_rate: checked.artifacts as f64 / elapsed.max(Duration::from_micros(1)).as_secs_f64(),
            verifications_per_artifact: per_artifact,
            verifications_per_second: per_second,
            floor: if per_artifact > 0.0 { per_second / per_artifact } else { 0.0 },
            report_bytes,
        });
    }
    median_round(rows).ok_or_else(|| CliError::harness("no round of the benchmark was measured"))
}

/// The round whose ratio is the median (of an even number, the higher of the two middle ones).
fn median_round(mut rows: Vec<Row>) -> Option<Row> {
    rows.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    let middle = rows.len() / 2;
    (middle < rows.len()).then(|| rows.swap_remove(middle))
}

/// `dialtone bench --formats`: every format's corpus of about `n` artifacts, written under
/// `corpus` (kept) or a temporary folder (removed).
pub fn command(n: usize, corpus: Option<PathBuf>, rounds: usize) -> Result<i32, CliError> {
    let keep = corpus.is_some();
    let root = corpus.unwrap_or_else(|| std::env::temp_dir().join(format!("dialtone-bench-{}", std::process::id())));
    if cfg!(debug_assertions) {
        say!("note: this is a debug build; build with --release for representative numbers");
    }
    say!(
        "{:<10} {:>6} {:>10} {:>12} {:>8} {:>12} {:>13} {:>6} {:>12}",
        "format",
        "files",
        "files/s",
        "files/CPU-s",
        "sig/file",
        "sig/s",
        "floor files/s",
        "ratio",
        "report bytes"
    );
    let mut corpora = vec![sd_jwt_vc(n)];
    corpora.extend(from_vectors(n));
    for corpus in &corpora {
        let dir = root.join(corpus.format.replace([' ', '(', ')'], ""));
        let args = write(corpus, &dir.join("files"), &dir.join("reports"))?;
        let row = measure(corpus, &args, rounds)?;
        // A PNG's work is decoding its image (in a child process), not its signature.
        let bound = !corpus.format.contains("png") && row.floor > 0.0;
        let ratio = if bound { format!("{:.2}", row.rate / row.floor) } else { "—".into() };
        say!(
            "{:<10} {:>6} {:>10.0} {:>12.0} {:>8.2} {:>12.0} {:>13.0} {:>6} {:>12}",
            row.format,
            row.artifacts,
            row.wall_rate,
            row.rate,
            row.verifications_per_artifact,
            row.verifications_per_second,
            row.floor,
            ratio,
            row.report_bytes
        );
    }
    say!(
        "files/s, files/CPU-s: `check` reading, judging and writing report.json, report.html and junit.xml, per \
         second and per second of CPU time; floor: the same files' signature verifications alone, with the same \
         library, at sig/s (per CPU second), measured just before and just after each check; ratio: files/CPU-s \
         over the floor. Each line is the round of median ratio of {rounds} (`--rounds`), a check between two \
         measurements of its floor each. Run under `taskset -c 0` for one core."
    );
    if keep {
        say!("corpus and reports kept in {}", crate::shown(root.display()));
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    Ok(crate::exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The round reported is the one of median ratio, its numbers together; with no floor (PNG
    /// cards), the one of median rate.
    #[test]
    fn the_round_of_median_ratio_is_reported() {
        let row = |rate: f64, floor: f64| Row {
            format: "f".into(),
            artifacts: 1,
            rate,
            wall_rate: rate,
            verifications_per_artifact: 1.0,
            verifications_per_second: floor,
            floor,
            report_bytes: 0,
        };
        let picked = median_round(vec![row(50.0, 100.0), row(90.0, 100.0), row(30.0, 50.0)]);
        assert_eq!(picked.map(|r| (r.rate, r.floor)), Some((30.0, 50.0)));
        let picked = median_round(vec![row(7.0, 0.0), row(3.0, 0.0), row(5.0, 0.0), row(9.0, 0.0)]);
        assert_eq!(picked.map(|r| r.rate), Some(7.0));
        assert!(median_round(Vec::new()).is_none());
    }

    /// Every format's corpus is judged as its vectors are: valid. (The mdoc corpus's three roots
    /// went into one PEM file, of which `--keys` trusts only the last: every mdoc was measured
    /// invalid.) PNG cards are decoded in a child process, which a unit test has not.
    #[test]
    fn every_corpus_is_judged_valid_as_its_vectors_are() {
        let root = std::env::temp_dir().join(format!("dialtone-bench-corpora-{}", std::process::id()));
        let mut corpora = vec![sd_jwt_vc(4)];
        corpora.extend(from_vectors(4).into_iter().filter(|c| !c.format.contains("png")));
        assert!(corpora.iter().any(|c| c.format == "mdoc"));
        for corpus in &corpora {
            let dir = root.join(corpus.format.replace([' ', '(', ')'], ""));
            let args = match write(corpus, &dir.join("files"), &dir.join("reports")) {
                Ok(a) => a,
                Err(e) => panic!("{}: {}", corpus.format, e.message),
            };
            let checked = check::context(&args).and_then(|ctx| check::check_files(&args, ctx, false));
            assert!(checked.is_ok(), "{}", corpus.format);
            let text = std::fs::read_to_string(dir.join("reports/report.json")).unwrap_or_default();
            let report: Value = serde_json::from_str(&text).unwrap_or_default();
            let verdicts: Vec<&str> = report["artifacts"]
                .as_array()
                .map(|a| a.iter().filter_map(|a| a["verdict"].as_str()).collect())
                .unwrap_or_default();
            assert_eq!(verdicts.len(), corpus.artifacts, "{}", corpus.format);
            assert!(verdicts.iter().all(|v| *v == "valid"), "{}: {verdicts:?} {}", corpus.format, report["artifacts"]);
        }
        let _ = std::fs::remove_dir_all(root);
    }
}
