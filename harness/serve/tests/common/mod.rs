//! What the service's tests share: a database of each kind, bundles sealed for a test, an HTTP
//! client that keeps cookies and reads forms' tokens as a browser does, and a vendor onboarded.
#![allow(dead_code)]

use dialtone_bundle::statement::ResourceDescriptor;
use dialtone_bundle::{Seal, SigningKey};
use dialtone_engine::model::{
    ArtifactResult, ArtifactStatus, CandidateInfo, CaseResult, Level, Report, SpecRef, Verdict,
};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::report::{Assembly, Subject, assemble};
use dialtone_engine::role::Role;
use dialtone_serve::{ServeOptions, Service};
use std::collections::BTreeMap;

pub const ADMIN_PASSWORD: &str = "evaluator-password-for-tests";

/// The PostgreSQL server the tests may use: a URL to a database whose role may create databases
/// (each test makes its own).
pub const POSTGRES_ENV: &str = "DIALTONE_TEST_POSTGRES";

/// A fresh database for one test.
pub struct Db {
    pub url: String,
    _dir: Option<TempDir>,
}

pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "dialtone-serve-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = TempDir::new("db");
        let url = dialtone_serve::default_database(&dir.0);
        Db { url, _dir: Some(dir) }
    }

    /// A new database on the server `DIALTONE_TEST_POSTGRES` names. Without it the test fails,
    /// saying so: the PostgreSQL tests are `#[ignore]`d unless asked for (`.ci/run` does).
    pub async fn postgres() -> Db {
        let Some(server) = std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty()) else {
            panic!(
                "{POSTGRES_ENV} is not set: the PostgreSQL variant of the service tests needs a server \
                 (e.g. postgres://dialtone@127.0.0.1:5432/postgres); .ci/run starts one"
            );
        };
        use sqlx::Connection;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name = format!("dialtone_test_{}_{nanos}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&server).await.expect("connect to DIALTONE_TEST_POSTGRES");
        sqlx::Executor::execute(&mut admin, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create database");
        let url = match server.rfind('/') {
            Some(at) if at > server.find("://").map_or(0, |s| s + 2) => format!("{}/{name}", &server[..at]),
            _ => format!("{server}/{name}"),
        };
        Db { url, _dir: None }
    }
}

/// The service on `db`, its first evaluator `admin` with [`ADMIN_PASSWORD`].
pub async fn start(db: &Db) -> Service {
    start_with(db, false).await
}

/// [`start`], taking the client's address from `X-Forwarded-For` when `forwarded_for`.
pub async fn start_with(db: &Db, forwarded_for: bool) -> Service {
    // The tests' own HTTP clients (reqwest without a built-in TLS provider, as in dialtone).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Service::start(ServeOptions {
        listen: "127.0.0.1:0".parse().expect("address"),
        database: db.url.clone(),
        admin_password: Some(ADMIN_PASSWORD.into()),
        secure_cookies: false,
        forwarded_for,
    })
    .await
    .expect("service starts")
}

fn case(id: &str, verdict: Verdict, pctf: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        plan: "oid4vci-issuer".into(),
        title: format!("case {id}"),
        role: Role::Issuer,
        level: Level::Must,
        verdict,
        driver: "d".into(),
        spec: vec![SpecRef { doc: "OID4VCI-1.0".into(), section: "8.3".into() }],
        pctf: vec![pctf.into()],
        expected: "an answer".into(),
        observed: if verdict == Verdict::Pass { "one".into() } else { "none".into() },
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

/// A run's report: `name` `version` of vendor "Example Inc.", with these results.
pub fn report(name: &str, version: &str, results: &[(&str, Verdict, &str)]) -> Report {
    let subject = Subject {
        candidate: CandidateInfo {
            name: name.into(),
            vendor: "Example Inc.".into(),
            version: version.into(),
            roles: vec![Role::Issuer],
            base_url: "https://issuer.example.ca".into(),
            conformance: vec!["format:dc+sd-jwt".into()],
        },
        suites: vec!["oid4vci-issuer".into()],
        profiles: Vec::new(),
        seed: Some(1),
    };
    let results = results.iter().map(|(id, v, p)| case(id, *v, p)).collect();
    let assembly =
        Assembly { subject, results, cases: &[], artifacts: Vec::new(), expectations: None, duration_ms: 3.0 };
    assemble(assembly, &Catalogue::embedded())
}

/// The rules [`check_report`] judges each artifact by.
pub const CHECK_RULES: [(&str, &str, &str, &str); 2] = [
    ("SDJWTVC-001", "The SD-JWT parses", "RFC9901", "4"),
    ("SDJWTVC-002", "The header typ is dc+sd-jwt", "SD-JWT-VC", "2.2.1"),
];

/// The report of `dialtone check` over `artifacts`: each its name, its verdict, and the rules of
/// [`CHECK_RULES`] it fails (the others pass).
pub fn check_report(artifacts: &[(&str, ArtifactStatus, &[&str])]) -> Report {
    let subject = Subject {
        candidate: CandidateInfo {
            name: format!("{} stored artifacts", artifacts.len()),
            vendor: String::new(),
            version: String::new(),
            roles: vec![Role::Artifact],
            base_url: String::new(),
            conformance: vec!["sd-jwt-vc".into()],
        },
        suites: vec!["artifact-rules".into()],
        profiles: Vec::new(),
        seed: None,
    };
    let mut results = Vec::new();
    let mut judged = Vec::new();
    for (name, status, failed) in artifacts {
        for (rule, title, doc, section) in CHECK_RULES {
            let fails = failed.contains(&rule);
            let mut r = case(&format!("{rule} {name}"), if fails { Verdict::Fail } else { Verdict::Pass }, "SICH.02");
            r.plan = "artifact-rules".into();
            r.title = title.into();
            r.role = Role::Artifact;
            r.driver = "artifact::sd-jwt-vc".into();
            r.spec = vec![SpecRef { doc: doc.into(), section: section.into() }];
            r.observed = if fails { format!("{rule} not met by {name}") } else { "met".into() };
            // As check writes them: a pass expects nothing, and no time is the candidate's.
            if !fails {
                r.expected.clear();
            }
            r.candidate_ms = 0.0;
            results.push(r);
        }
        judged.push(ArtifactResult {
            name: name.to_string(),
            format: Some("sd-jwt-vc".into()),
            verdict: *status,
            reason: failed.first().map(|rule| format!("{rule}: not met")),
        });
    }
    let assembly = Assembly { subject, results, cases: &[], artifacts: judged, expectations: None, duration_ms: 3.0 };
    assemble(assembly, &Catalogue::embedded())
}

/// The bundle `dialtone check --sign` would write for `report`.
pub fn seal_check(report: &Report, key: &SigningKey) -> Vec<u8> {
    seal_as(report, key, "check")
}

/// The bundle `dialtone run --sign` would write for `report`.
pub fn seal(report: &Report, key: &SigningKey) -> Vec<u8> {
    seal_as(report, key, "run")
}

fn seal_as(report: &Report, key: &SigningKey, command: &str) -> Vec<u8> {
    let seal = Seal {
        report,
        command,
        invocation: BTreeMap::from([("seed".to_string(), serde_json::json!(1))]),
        inputs: vec![ResourceDescriptor::input("suite", "suites/oid4vci-issuer.toml", b"[suite]", true)],
        build: dialtone_bundle::this_build(),
    };
    dialtone_bundle::seal(seal, key).expect("sealed").archive
}

/// The first run of the test candidate: META-001 passes, CRED-001 fails, TOKEN-001 passes.
pub fn first_run() -> Report {
    report(
        "Example issuer",
        "2.4.1",
        &[
            ("VCI-ISS-META-001", Verdict::Pass, "CRIS.05"),
            ("VCI-ISS-CRED-001", Verdict::Fail, "CRIS.06"),
            ("VCI-ISS-TOKEN-001", Verdict::Pass, "CRIS.07"),
        ],
    )
}

/// The second: CRED-001 now passes, TOKEN-001 now fails, NONCE-001 is new.
pub fn second_run() -> Report {
    report(
        "Example issuer",
        "2.5.0",
        &[
            ("VCI-ISS-META-001", Verdict::Pass, "CRIS.05"),
            ("VCI-ISS-CRED-001", Verdict::Pass, "CRIS.06"),
            ("VCI-ISS-TOKEN-001", Verdict::Fail, "CRIS.07"),
            ("VCI-ISS-NONCE-001", Verdict::Pass, "CRIS.04"),
        ],
    )
}

/// An HTTP client that keeps cookies, as a browser would (no JavaScript involved anywhere).
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    /// The `X-Forwarded-For` a proxy in front would set for this client.
    forwarded_for: Option<String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The value of the first form's `csrf` field.
    pub fn csrf(&self) -> String {
        field(&self.body, "csrf").unwrap_or_else(|| panic!("no csrf field in:\n{}", self.body))
    }
}

/// HTML as a browser reads its text: minijinja writes `/` as `&#x2f;` (and the usual entities).
pub fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `value` of the hidden input `name` (first one).
pub fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker)? + marker.len();
    Some(unescape(html[at..].split('"').next()?))
}

/// The text of the element with `id` (up to the next `<`).
pub fn text_of(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker)? + marker.len();
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    Some(unescape(rest[start..].split('<').next()?.trim()))
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Client { base: base.to_string(), http, cookies: BTreeMap::new(), forwarded_for: None }
    }

    /// A client at `address` behind a proxy (which says so in `X-Forwarded-For`).
    pub fn at(base: &str, address: &str) -> Client {
        Client { forwarded_for: Some(address.to_string()), ..Client::new(base) }
    }

    fn headers(&self) -> reqwest::header::HeaderMap {
        let mut h = reqwest::header::HeaderMap::new();
        if let Ok(v) = reqwest::header::HeaderValue::from_str(&self.cookie_header()) {
            h.insert(reqwest::header::COOKIE, v);
        }
        if let Some(v) = self.forwarded_for.as_deref().and_then(|a| reqwest::header::HeaderValue::from_str(a).ok()) {
            h.insert("x-forwarded-for", v);
        }
        h
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn read(&mut self, r: reqwest::Response) -> Page {
        for v in r.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = v.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = r.status().as_u16();
        let location = r.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Page { status, location, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r = self.http.get(format!("{}{path}", self.base)).headers(self.headers()).send().await.expect("GET");
        self.read(r).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .headers(self.headers())
            .form(form)
            .send()
            .await
            .expect("POST");
        self.read(r).await
    }

    pub async fn upload(&mut self, csrf: &str, bundle: Vec<u8>, vendor: Option<&str>) -> Page {
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
        if let Some(v) = vendor {
            form = form.text("vendor", v.to_string());
        }
        form = form.part("bundle", reqwest::multipart::Part::bytes(bundle).file_name("bundle.tar.gz"));
        let r = self
            .http
            .post(format!("{}/upload", self.base))
            .headers(self.headers())
            .multipart(form)
            .send()
            .await
            .expect("upload");
        self.read(r).await
    }

    /// The cookies this client sends.
    pub fn cookies(&self) -> String {
        self.cookie_header()
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.into(), value.into());
    }

    /// Signs in (a 303 to `/` when it works).
    pub async fn login(&mut self, login: &str, password: &str) -> Page {
        let csrf = self.get("/login").await.csrf();
        self.post("/login", &[("csrf", &csrf), ("login", login), ("password", password), ("next", "/")]).await
    }
}

/// A vendor onboarded by the evaluator: its account, its key registered, an API token.
pub struct Onboarded {
    pub vendor_id: String,
    pub login: String,
    pub password: String,
    pub key: SigningKey,
    pub token: String,
    pub client: Client,
}

pub async fn onboard(base: &str, vendor: &str, login: &str) -> Onboarded {
    let mut admin = Client::new(base);
    let page = admin.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let csrf = admin.get("/admin").await.csrf();
    let page = admin.post("/admin/vendors", &[("csrf", &csrf), ("name", vendor)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = format!("\">{vendor}</a>");
    let vendor_id =
        page.body.split(&marker).next().and_then(|s| s.rsplit("?vendor=").next()).expect("vendor id").to_string();
    let page = admin.post("/admin/accounts", &[("csrf", &csrf), ("login", login), ("role", &vendor_id)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let password = text_of(&page.body, "new-password").expect("password shown once");
    let mut client = Client::new(base);
    assert_eq!(client.login(login, &password).await.status, 303);
    let key = SigningKey::generate();
    let csrf = client.get("/account").await.csrf();
    let pem = key.public().to_pem().expect("pem");
    let page = client.post("/account/keys", &[("csrf", &csrf), ("pem", &pem)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = client.post("/account/tokens", &[("csrf", &csrf), ("label", "ci")]).await;
    let token = text_of(&page.body, "new-token").expect("token shown once");
    Onboarded { vendor_id, login: login.into(), password, key, token, client }
}

impl Onboarded {
    pub fn client_cookie(&self) -> String {
        self.client.cookies()
    }
}

/// Writes `bytes` to a file in `dir`.
pub fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.0.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}
