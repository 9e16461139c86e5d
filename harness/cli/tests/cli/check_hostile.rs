//! `dialtone check` given hostile inputs, as a user runs it: images whose header claims billions of
//! pixels, files that are not regular files, file names carrying terminal escapes. Each is refused
//! or judged with a message, quickly, and never aborts the process.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn dialtone() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dialtone"))
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("hostile-{name}"))
}

fn check(out_dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    dialtone().arg("check").arg("--out").arg(out_dir).args(args).output().expect("runs")
}

/// A one-pixel greyscale PNG whose IHDR is then rewritten to claim `width` × `height` (CRC fixed),
/// as small as the 69-byte file that used to abort `check`.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[0]).expect("pixel");
    }
    // Signature (8), then IHDR: length (4), type (4), width (4), height (4), 5 more bytes, CRC (4)
    // over type and data.
    out[16..20].copy_from_slice(&width.to_be_bytes());
    out[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32fast::hash(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn a_tiny_png_claiming_huge_dimensions_is_invalid_with_a_report_not_an_abort() {
    let dir = tempdir("huge-png");
    let png = png_claiming(400_000, 400_000);
    assert!(png.len() < 100, "{} bytes", png.len());
    let file = dir.join("huge.png");
    std::fs::write(&file, &png).expect("write");
    let started = Instant::now();
    let out = check(&dir.join("out"), &[file.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let verdict = text.lines().position(|l| l.starts_with("invalid ") && l.contains("huge.png")).expect("verdict");
    let reason = text.lines().nth(verdict + 1).unwrap_or_default();
    assert!(reason.contains("SHC-001") && reason.contains("400000 × 400000"), "{reason}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).expect("report")).expect("JSON");
    let shc001 = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|i| i.starts_with("SHC-001")))
        .expect("SHC-001")
        .clone();
    assert_eq!(shc001["verdict"], "fail", "{shc001}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A PNG tiled with 7 × 7 finder patterns of one pixel per module, with a one-module gap: every tile
/// looks like a QR code's corner, and the QR detector tries the tiles in pairs and triples.
fn png_of_finder_patterns(size: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, size, size);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        let size = size as usize;
        let mut pixels = vec![255u8; size * size];
        for y in 0..size {
            for x in 0..size {
                let (mx, my) = (x % 8, y % 8);
                let ring = mx.min(my).min(6usize.saturating_sub(mx)).min(6usize.saturating_sub(my));
                if mx < 7 && my < 7 && ring != 1 {
                    pixels[y * size + x] = 0;
                }
            }
        }
        writer.write_image_data(&pixels).expect("pixels");
    }
    out
}

#[test]
fn a_png_that_keeps_the_qr_detector_busy_is_stopped_at_the_deadline_and_fails() {
    let dir = tempdir("finders");
    let file = dir.join("finders.png");
    std::fs::write(&file, png_of_finder_patterns(300)).expect("write");
    let started = Instant::now();
    let out = check(&dir.join("out"), &["--deadline-ms".as_ref(), "2000".as_ref(), file.as_os_str()]);
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
    let verdict = text.lines().position(|l| l.starts_with("invalid ") && l.contains("finders.png")).expect("verdict");
    let reason = text.lines().nth(verdict + 1).unwrap_or_default();
    assert!(reason.contains("SHC-001") && reason.contains("stopped"), "{reason}");
    assert!(dir.join("out/report.json").is_file());
    let _ = std::fs::remove_dir_all(dir);
}

/// A blank greyscale PNG of `size` × `size`: cheap to decode, but its pixels take memory.
fn blank_png(size: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, size, size);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&vec![0xff; size.div_ceil(8) as usize * size as usize]).expect("pixels");
    }
    out
}

/// The child `check` runs its QR decoder in bounds its own memory and CPU time: past either, the
/// kernel stops it (SIGABRT from a failed allocation, SIGXCPU), and `check` says which bound.
#[cfg(unix)]
#[test]
fn the_qr_decoder_child_is_stopped_by_its_memory_and_cpu_bounds() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    let decode = |png: Vec<u8>, cpu: &str, memory: &str| {
        let mut child = dialtone()
            .args(["decode-qr-image", "--cpu-seconds", cpu, "--memory-bytes", memory])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts");
        let _ = child.stdin.take().expect("stdin").write_all(&png);
        child.wait_with_output().expect("ends")
    };
    // 25 megapixels: within the image bounds, beyond 16 MiB of memory.
    let out = decode(blank_png(5_000), "30", &(16u64 << 20).to_string());
    assert_eq!(out.status.signal(), Some(6), "{:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("memory allocation of"));
    let started = Instant::now();
    let out = decode(png_of_finder_patterns(300), "1", &(512u64 << 20).to_string());
    assert!(matches!(out.status.signal(), Some(24 | 9)), "{:?}", out.status);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // Within its bounds it answers.
    let out = decode(blank_png(100), "30", &(512u64 << 20).to_string());
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        r#"{"failed":{"unreadable":"no QR code found in the image (dialtone's detector is rqrr)"}}"#
    );
}

/// Runs `dialtone check` and waits at most `limit` for it (killing it past that), so a test of a
/// read that used to hang fails instead of hanging.
fn check_within(limit: Duration, out_dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    let mut child = dialtone()
        .arg("check")
        .arg("--out")
        .arg(out_dir)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dialtone check {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_quickly_unless_asked() {
    let dir = tempdir("special");
    let fifo = dir.join("card.fifo");
    mkfifo(&fifo);
    for (path, kind) in [(Path::new("/dev/zero"), "a character device"), (fifo.as_path(), "a FIFO")] {
        let out = check_within(Duration::from_secs(10), &dir.join("out"), &[path.as_os_str()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("is not a regular file ({kind})")) && err.contains("--allow-special-files"),
            "{err}"
        );
    }
    // So are keys.
    let card = dir.join("card.txt");
    std::fs::write(&card, "shc:/00").expect("write");
    let out = check_within(
        Duration::from_secs(10),
        &dir.join("out"),
        &["--keys".as_ref(), "/dev/zero".as_ref(), card.as_os_str()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/zero is not a regular file"));
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(unix)]
#[test]
fn with_allow_special_files_the_read_is_bounded_in_size_and_time() {
    let dir = tempdir("special-allowed");
    let allowed = |args: &[&std::ffi::OsStr]| {
        let mut all: Vec<&std::ffi::OsStr> =
            vec!["--allow-special-files".as_ref(), "--deadline-ms".as_ref(), "1000".as_ref()];
        all.extend(args);
        check_within(Duration::from_secs(10), &dir.join("out"), &all)
    };
    // /dev/zero never ends: the read stops one byte past the bound.
    let out = allowed(&["/dev/zero".as_ref()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/dev/zero: more than the 4194304 bytes an artifact may have"), "{err}");
    // A FIFO nobody writes: given up at the deadline.
    let fifo = dir.join("silent.fifo");
    mkfifo(&fifo);
    let out = allowed(&[fifo.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nothing to read within 1000 ms"), "{err}");
    // A FIFO that is written is read and judged.
    let written = dir.join("written.fifo");
    mkfifo(&written);
    let writer = {
        let written = written.clone();
        std::thread::spawn(move || std::fs::write(written, "shc:/00"))
    };
    let out = allowed(&[written.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.lines().any(|l| l.starts_with("invalid ") && l.contains("written.fifo")), "{text}");
    writer.join().expect("writer").expect("written");
    let _ = std::fs::remove_dir_all(dir);
}

/// What a hostile string must not bring to a terminal: escape sequences, bidirectional controls,
/// zero-width characters.
fn assert_terminal_safe(what: &str, text: &str) {
    for c in ['\u{1b}', '\u{9b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{200b}'] {
        assert!(!text.contains(c), "{what}: U+{:04X} reached the terminal:\n{text}", c as u32);
    }
}

const SLY: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}gpj\u{2066}\u{200b}";

#[cfg(unix)]
#[test]
fn a_file_name_with_escapes_reaches_the_terminal_neutralised() {
    let dir = tempdir("sly-name");
    let file = dir.join(format!("card{SLY}.txt"));
    std::fs::write(&file, "shc:/00").expect("write");
    let out = check(&dir.join("out"), &["--all".as_ref(), file.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_terminal_safe("check", &text);
    // The table's rows and the verdict line name the file, with what was hidden in it shown.
    assert!(
        text.lines().any(|l| l.starts_with('│') && l.contains("·[2J·]0;owned·‹U+202E›gpj‹U+2066›‹U+200B›")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("invalid ") && l.contains("‹U+202E›")), "{text}");
    // A missing file with such a name: the configuration error shows its path neutralised too.
    let out = dialtone().arg("check").arg(dir.join(format!("missing{SLY}.txt"))).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read") && err.contains("‹U+202E›"), "{err}");
    assert_terminal_safe("check's configuration error", &err);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_manifest_path_with_escapes_in_a_configuration_error_is_neutralised() {
    let dir = tempdir("sly-manifest");
    let manifest = dir.join(format!("candidate{SLY}.toml"));
    std::fs::write(&manifest, "[candidate]\nname = 1\n").expect("write");
    let out = dialtone().arg("run").arg("--candidate").arg(&manifest).output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("candidate·[2J") && err.contains("‹U+2066›"), "{err}");
    assert_terminal_safe("run's configuration error", &err);
    let _ = std::fs::remove_dir_all(dir);
}

/// `--fetch-keys` says on stderr what it fetched from the issuer an artifact names: that `iss` is
/// the artifact's, so it is shown neutralised.
#[test]
fn fetch_keys_shows_an_artifacts_iss_neutralised() {
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::seed::Entropy;
    let dir = tempdir("sly-iss");
    let payload = serde_json::json!({
        "iss": format!("https://issuer.invalid/{SLY}"), "nbf": 1,
        "vc": { "type": ["https://smarthealth.cards#health-card"], "credentialSubject": {
            "fhirVersion": "4.0.1", "fhirBundle": { "resourceType": "Bundle", "type": "collection", "entry": [] } } }
    });
    let card = dir.join("card.txt");
    std::fs::write(&card, dialtone_protocols::shc::sign(&EcKey::generate(&Entropy::seeded(7)), &payload))
        .expect("write");
    let out = check(&dir.join("out"), &["--fetch-keys".as_ref(), card.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--fetch-keys: https://issuer.invalid/"), "{err}");
    assert_terminal_safe("--fetch-keys", &err);
    assert_terminal_safe("check", &String::from_utf8_lossy(&out.stdout));
    let _ = std::fs::remove_dir_all(dir);
}
