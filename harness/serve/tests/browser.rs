//! The review service in a real browser: headless Chromium driven over WebDriver (chromedriver,
//! through fantoccini). A vendor signs in, uploads a signed bundle, sees its report, submits a
//! second run with `dialtone submit`'s code, compares the two, switches to French and reads the
//! history chart; then a check's artifacts, and a submission withdrawn. Screenshots of each step go to `target/tmp/browser-screenshots/`.
//!
//! It runs when chromedriver and Chromium are installed (`apt-get install chromium-driver`), and
//! always in CI (`CI=true`), where a missing browser fails it. Elsewhere, without a browser, it
//! says it is skipped and why: libtest has no run-time skip, so this test has its own `main`.

mod common;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NAME: &str = "browser_submits_views_compares_and_switches_language";

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(program)).find(|p| p.is_file())
}

fn browser() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome", "chrome"].iter().find_map(|b| on_path(b))
}

/// Whether libtest's arguments select this test: a filter (a plain argument) it matches, and no
/// `--skip` pattern it matches; the values of options that take one are not filters.
fn selected(args: &[String]) -> bool {
    const WITH_VALUE: &[&str] =
        &["--skip", "--test-threads", "--color", "--format", "--logfile", "-Z", "--shuffle-seed"];
    let exact = args.iter().any(|a| a == "--exact");
    let matches = |pattern: &str| if exact { NAME == pattern } else { NAME.contains(pattern) };
    let (mut filters, mut skips) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--skip" {
            skips.extend(it.next());
        } else if WITH_VALUE.contains(&a.as_str()) {
            it.next();
        } else if !a.starts_with('-') {
            filters.push(a.as_str());
        }
    }
    (filters.is_empty() || filters.iter().any(|f| matches(f))) && !skips.iter().any(|s| NAME.contains(s.as_str()))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("{NAME}: test");
        return;
    }
    if !selected(&args) {
        return;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    let (driver, chromium) = (on_path("chromedriver"), browser());
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        let why = "no chromedriver or Chromium on PATH (Debian: apt-get install chromium-driver)";
        if in_ci {
            eprintln!("test {NAME} ... FAILED: {why}; CI must run it");
            println!("browser: 0 passed, 1 failed");
            std::process::exit(101);
        }
        println!("test {NAME} ... skipped: {why}");
        println!("browser: 0 passed, 0 failed, 1 skipped");
        return;
    };
    println!("running 1 test (headless {})", chromium.display());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let started = Instant::now();
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(scenario(&driver, &chromium))));
    match outcome {
        Ok(()) => {
            println!("test {NAME} ... ok ({:.1} s)", started.elapsed().as_secs_f64());
            println!("browser: 1 passed, 0 failed");
        }
        Err(_) => {
            println!("test {NAME} ... FAILED");
            println!("browser: 0 passed, 1 failed");
            std::process::exit(101);
        }
    }
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver(path: &Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port} within 20 s");
}

async fn connect(driver: &Driver, chromium: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-CA"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(&driver.url).await.expect("a Chromium session")
}

struct Shots {
    dir: PathBuf,
}

impl Shots {
    fn new() -> Shots {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        Shots { dir }
    }

    async fn take(&self, c: &Client, name: &str) {
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(self.dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

/// The text of the element `css`, waiting for it: a click that submits a form returns before the
/// next page has loaded.
async fn text(c: &Client, css: &str) -> String {
    let element = c.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css(css)).await;
    element.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

async fn scenario(driver_path: &Path, chromium: &Path) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = Db::sqlite();
    let service = start(&db).await;
    let base = service.url();
    let vendor = onboard(&base, "Example Inc.", "alice").await;
    let dir = TempDir::new("browser");
    let first = write(&dir, "first.tar.gz", &seal(&first_run(), &vendor.key));
    let second = write(&dir, "second.tar.gz", &seal(&second_run(), &vendor.key));
    let tampered = {
        let mut files = dialtone_bundle::unpack(&seal(&first_run(), &vendor.key), &Default::default()).expect("unpack");
        if let Some(junit) = files.get_mut("junit.xml") {
            junit.push(b'\n');
        }
        write(&dir, "tampered.tar.gz", &dialtone_bundle::pack(&files).expect("pack"))
    };
    let driver = start_driver(driver_path).await;
    let c = connect(&driver, chromium).await;
    let shots = Shots::new();
    // The session is closed whatever happens, or chromedriver's Chromium would outlive the test.
    let steps = std::panic::AssertUnwindSafe(steps(&c, &shots, &base, &vendor, [&first, &second, &tampered]));
    let outcome = futures::FutureExt::catch_unwind(steps).await;
    let _ = c.close().await;
    drop(driver);
    service.stop().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    println!("screenshots: {}", shots.dir.display());
}

async fn steps(c: &Client, shots: &Shots, base: &str, vendor: &Onboarded, [first, second, tampered]: [&Path; 3]) {
    let c = c.clone();
    // Sign in as the vendor.
    c.goto(&format!("{base}/login")).await.expect("login page");
    c.find(Locator::Id("login")).await.expect("login").send_keys("alice").await.expect("type");
    c.find(Locator::Id("password")).await.expect("password").send_keys(&vendor.password).await.expect("type");
    c.find(Locator::Id("login-submit")).await.expect("button").click().await.expect("sign in");
    assert!(text(&c, "#signed-in").await.contains("alice"));

    // A tampered bundle is refused, naming the file.
    c.goto(&format!("{base}/upload")).await.expect("upload page");
    let input = c.find(Locator::Id("bundle-file")).await.expect("file input");
    input.send_keys(tampered.to_str().expect("path")).await.expect("choose file");
    c.find(Locator::Id("upload-submit")).await.expect("button").click().await.expect("upload");
    assert_eq!(text(&c, "#refused-file").await, "junit.xml");
    assert!(text(&c, "#reason").await.contains("changed since it was signed"));
    shots.take(&c, "1-refused").await;

    // Upload the first run: its report.
    let input = c.find(Locator::Id("bundle-file")).await.expect("file input");
    input.send_keys(first.to_str().expect("path")).await.expect("choose file");
    c.find(Locator::Id("upload-submit")).await.expect("button").click().await.expect("upload");
    assert_eq!(text(&c, "#overall").await, "Does not conform");
    let results = text(&c, "#results").await;
    assert!(text(&c, "#evidence-required").await.contains("supplies evidence"));
    assert!(results.contains("VCI-ISS-CRED-001") && results.contains("fail"), "{results}");
    shots.take(&c, "2-report").await;

    // It is listed per vendor, candidate and version.
    c.goto(base).await.expect("index");
    let list = text(&c, "#submissions").await;
    assert!(list.contains("Example Inc.") && list.contains("Example issuer") && list.contains("2.4.1"), "{list}");
    shots.take(&c, "3-submissions").await;

    // The second run arrives as `dialtone submit` sends it; compare it with the first.
    let outcome = dialtone_serve::submit(second, base, &vendor.token, None).await.expect("submitted");
    let dialtone_serve::SubmitOutcome::Accepted { url, .. } = outcome else { panic!("refused: {outcome:?}") };
    c.goto(&url).await.expect("second report");
    c.find(Locator::Id("compare-previous")).await.expect("compare link").click().await.expect("compare");
    let failing = text(&c, "#newly-failing").await;
    assert!(failing.contains("VCI-ISS-TOKEN-001") && !failing.contains("VCI-ISS-CRED-001"), "{failing}");
    assert!(text(&c, "#newly-passing").await.contains("VCI-ISS-CRED-001"));
    assert!(text(&c, "#new-cases").await.contains("VCI-ISS-NONCE-001"));
    shots.take(&c, "4-compare").await;

    // Switch to French: the same page, in French, and it stays so.
    c.find(Locator::Id("lang-switch")).await.expect("switch").click().await.expect("switch");
    c.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css("html[lang='fr']")).await.expect("French");
    let lang = c.find(Locator::Css("html")).await.expect("html").attr("lang").await.expect("lang");
    assert_eq!(lang.as_deref(), Some("fr"));
    assert_eq!(text(&c, "h1").await, "Deux essais de Example issuer");
    assert!(text(&c, "#compare-summary").await.contains("1 cas désormais en échec"));
    shots.take(&c, "5-compare-fr").await;
    c.goto(&url).await.expect("report");
    assert_eq!(text(&c, "#overall").await, "Non conforme");

    // The history chart (server-drawn SVG), in French.
    c.find(Locator::Id("history")).await.expect("history link").click().await.expect("history");
    assert!(text(&c, "#history-chart").await.contains("2.5.0"));
    let bars = c.find_all(Locator::Css("#history-chart rect")).await.expect("bars");
    assert!(bars.len() >= 4, "{} bars", bars.len());
    assert!(text(&c, "h1").await.starts_with("Historique de"));
    shots.take(&c, "6-history-fr").await;

    // Readiness of the program made on first start (every criterion the runs test).
    c.goto(&format!("{base}/readiness")).await.expect("readiness");
    c.find(Locator::Css("#programs a")).await.expect("a program").click().await.expect("program");
    let matrix = text(&c, "#readiness").await;
    assert!(matrix.contains("Example issuer") && matrix.contains("3 sur 4"), "{matrix}");
    shots.take(&c, "7-readiness-fr").await;

    // A `dialtone check --sign` bundle: each artifact's verdict and the rules it does not meet.
    use dialtone_engine::model::ArtifactStatus::{Invalid, Valid};
    let check = check_report(&[
        ("issued/alice.txt", Valid, &[]),
        ("issued/bob.txt", Invalid, &["SDJWTVC-002"]),
        ("issued/<carol>.txt", Invalid, &["SDJWTVC-001", "SDJWTVC-002"]),
    ]);
    let path = first.with_file_name("check.tar.gz");
    std::fs::write(&path, seal_check(&check, &vendor.key)).expect("write");
    let outcome = dialtone_serve::submit(&path, base, &vendor.token, None).await.expect("submitted");
    let dialtone_serve::SubmitOutcome::Accepted { url, .. } = outcome else { panic!("refused: {outcome:?}") };
    c.goto(&url).await.expect("check report");
    let artifacts = text(&c, "#artifacts").await;
    assert!(artifacts.contains("issued/<carol>.txt") && artifacts.contains("invalide"), "{artifacts}");
    shots.take(&c, "8-check-fr").await;
    c.find(Locator::Id("lang-switch")).await.expect("switch").click().await.expect("switch");
    c.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css("html[lang='en']")).await.expect("English");
    let artifacts = text(&c, "#artifacts").await;
    assert!(artifacts.contains("SDJWTVC-002") && artifacts.contains("SD-JWT-VC §2.2.1"), "{artifacts}");
    assert!(artifacts.contains("every rule met") && artifacts.contains("invalid"), "{artifacts}");
    shots.take(&c, "9-check").await;

    // Withdrawn, saying why: gone, and its history says who, when and why.
    c.find(Locator::Css("details.withdraw summary")).await.expect("withdraw fold").click().await.expect("open");
    c.find(Locator::Id("withdraw-reason"))
        .await
        .expect("reason")
        .send_keys("checked the wrong folder")
        .await
        .expect("type");
    c.find(Locator::Id("withdraw")).await.expect("button").click().await.expect("withdraw");
    let withdrawn = text(&c, "#withdrawals").await;
    assert!(withdrawn.contains("alice") && withdrawn.contains("checked the wrong folder"), "{withdrawn}");
    shots.take(&c, "10-withdrawn").await;
    c.goto(&url).await.expect("gone");
    assert!(text(&c, "#error").await.contains("There is nothing here"));
}
