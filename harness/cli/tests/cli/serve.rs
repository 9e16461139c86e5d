//! `dialtone serve` from nothing and `dialtone submit` as a vendor meets them: the service starts
//! with no setup (an SQLite file in the data folder, a first evaluator whose password it prints
//! once); a bundle `dialtone run --sign` wrote is accepted, once; a changed file is refused naming
//! it; a restart keeps what was received.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Serving {
    child: Child,
    url: String,
    /// The first-start lines (the evaluator's password) when printed.
    first_password: Option<String>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dialtone(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(common::workspace())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("DIALTONE_ADMIN_PASSWORD")
        .env_remove("DIALTONE_DATABASE")
        .env_remove("DIALTONE_TOKEN")
        .env_remove("DIALTONE_TEST_CA_DIR");
    c
}

/// `dialtone serve` on a free port; returns once it said where it listens.
fn serve(home: &Path) -> Serving {
    let mut child = dialtone(home)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("dialtone serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let (mut url, mut first_password) = (None, None);
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some(u) = line.strip_prefix("dialtone review service: ") {
            url = Some(u.trim().to_string());
        }
        if let Some(p) = line.split("made, with the password ").nth(1) {
            first_password = Some(p.trim().to_string());
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    // Keep reading what it prints so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serving { child, url: url.expect("the service says where it listens"), first_password }
}

/// A browser's session: cookies kept, forms' tokens read back.
struct Session {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Session {
    fn new(base: &str) -> Session {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Session { http, base: base.into(), cookies: Vec::new() }
    }

    async fn send(&mut self, r: reqwest::RequestBuilder) -> (u16, String) {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let r = r.header("cookie", cookie).send().await.expect("request");
        for v in r.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap_or_default().split(';').next().unwrap_or_default().to_string();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base));
        self.send(r).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(r).await
    }

    async fn csrf(&mut self, path: &str) -> String {
        let (_, body) = self.get(path).await;
        between(&body, "name=\"csrf\" value=\"", "\"").expect("a form token")
    }

    async fn login(&mut self, login: &str, password: &str) -> u16 {
        let csrf = self.csrf("/login").await;
        self.post("/login", &[("csrf", &csrf), ("login", login), ("password", password)]).await.0
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let at = text.find(start)? + start.len();
    Some(text[at..].split(end).next()?.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&amp;", "&"))
}

fn output(c: &mut Command) -> (i32, String) {
    let out = c.output().expect("dialtone runs");
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_starts_with_no_setup_and_submit_sends_a_signed_run() {
    let home = common::tempdir("serve-cli");
    let service = serve(&home);
    assert!(home.join("data/dialtone/serve.sqlite3").is_file(), "the database is made in the data folder");
    let password = service.first_password.clone().expect("the first evaluator's password, printed once");

    // The evaluator adds the vendor and its account; the vendor registers its key and a token.
    let mut evaluator = Session::new(&service.url);
    assert_eq!(evaluator.login("admin", &password).await, 303);
    let csrf = evaluator.csrf("/admin").await;
    let (_, page) = evaluator.post("/admin/vendors", &[("csrf", &csrf), ("name", "Example Inc.")]).await;
    let vendor_id = between(&page, "<a href=\"/?vendor=", "\"").expect("vendor id");
    let (_, page) =
        evaluator.post("/admin/accounts", &[("csrf", &csrf), ("login", "alice"), ("role", &vendor_id)]).await;
    let alice_password = between(&page, "id=\"new-password\">", "<").expect("password shown once");

    let (code, text) =
        output(dialtone(&home).args(["run", "--only", "VCI-ISS-META-001", "--sign", "--out"]).arg(home.join("out")));
    assert_eq!(code, 0, "{text}");
    let (code, pem) = output(dialtone(&home).args(["key", "public"]));
    assert_eq!(code, 0, "{pem}");

    let mut alice = Session::new(&service.url);
    assert_eq!(alice.login("alice", &alice_password).await, 303);
    let csrf = alice.csrf("/account").await;
    let (status, _) = alice.post("/account/keys", &[("csrf", &csrf), ("pem", &pem)]).await;
    assert_eq!(status, 200);
    let (_, page) = alice.post("/account/tokens", &[("csrf", &csrf), ("label", "ci")]).await;
    let token = between(&page, "id=\"new-token\">", "<").expect("token shown once");

    // Without a token, submit says how to get one.
    let bundle = home.join("out/bundle.tar.gz");
    let (code, text) = output(dialtone(&home).arg("submit").arg(&bundle).args(["--to", &service.url]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("DIALTONE_TOKEN"), "{text}");

    let (code, text) =
        output(dialtone(&home).env("DIALTONE_TOKEN", &token).arg("submit").arg(&bundle).args(["--to", &service.url]));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("accepted — verified on arrival; the run's verdict: conforms"), "{text}");
    let (code, text) =
        output(dialtone(&home).env("DIALTONE_TOKEN", &token).arg("submit").arg(&bundle).args(["--to", &service.url]));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("already submitted"), "{text}");

    // A changed file, in the folder the bundle unpacks to: refused, naming it.
    let unpacked = home.join("unpacked");
    std::fs::create_dir_all(&unpacked).expect("dir");
    let tar = Command::new("tar").arg("-xzf").arg(&bundle).arg("-C").arg(&unpacked).status().expect("tar");
    assert!(tar.success());
    let html = unpacked.join("report.html");
    let mut bytes = std::fs::read(&html).expect("report.html");
    bytes.extend_from_slice(b"<!-- edited -->");
    std::fs::write(&html, bytes).expect("write");
    let (code, text) =
        output(dialtone(&home).env("DIALTONE_TOKEN", &token).arg("submit").arg(&unpacked).args(["--to", &service.url]));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("refused: report.html: changed since it was signed") && text.contains("report.html is the file"),
        "{text}"
    );

    // A restart on the same data folder: no new evaluator, the submission still there.
    drop(service);
    let again = serve(&home);
    assert!(again.first_password.is_none());
    let mut evaluator = Session::new(&again.url);
    assert_eq!(evaluator.login("admin", &password).await, 303);
    let (_, page) = evaluator.get("/").await;
    assert!(page.contains("Example Inc.") && page.contains("Conforms"), "{page}");
}

#[test]
fn a_database_serve_cannot_use_is_refused_saying_why() {
    let home = common::tempdir("serve-cli-db");
    let (code, text) =
        output(dialtone(&home).args(["serve", "--listen", "127.0.0.1:0", "--database", "mysql://db.example/x"]));
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("mysql://db.example/x is not a database URL dialtone serve reads (sqlite:… or postgres://…)"),
        "{text}"
    );
    // Nothing listens on port 1: the reason, not a pool's timeout, and never the password.
    let url = "postgres://review:hunter2-secret@127.0.0.1:1/review";
    let (code, text) = output(dialtone(&home).args(["serve", "--listen", "127.0.0.1:0", "--database", url]));
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("cannot open the PostgreSQL database") && text.contains("refused"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
