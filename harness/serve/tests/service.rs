//! The review service, end to end over HTTP, on SQLite and on PostgreSQL: the same tests on both
//! (the PostgreSQL ones need a server: `DIALTONE_TEST_POSTGRES`, and run with `--ignored`, or with
//! every other test with `--include-ignored`, as `.ci/run` does).

mod common;

use common::*;
use dialtone_bundle::{SigningKey, View};
use dialtone_serve::SubmitOutcome;

/// Each scenario, once on SQLite and once on PostgreSQL.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::Db::sqlite();
                super::$name(&db).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "needs PostgreSQL: DIALTONE_TEST_POSTGRES=postgres://… cargo test -p dialtone-serve -- --ignored (.ci/run does)"]
            async fn $name() {
                let db = super::Db::postgres().await;
                super::$name(&db).await;
            })*
        }
    };
}

on_both_databases!(
    a_submitted_bundle_is_verified_recorded_and_shown_to_whom_it_may_be,
    a_changed_byte_is_refused_naming_the_file_and_nothing_is_recorded,
    a_bundle_signed_by_a_key_the_vendor_did_not_register_is_refused,
    two_runs_of_a_candidate_are_compared_and_its_history_charted,
    readiness_per_program_says_which_criteria_each_candidate_meets,
    vendors_see_their_own_and_the_public_sees_what_is_published,
    forms_without_their_token_and_requests_without_an_account_are_refused,
    hostile_uploads_are_refused_without_harm,
    every_string_is_escaped_under_a_strict_policy,
    the_pages_speak_french,
);

async fn a_submitted_bundle_is_verified_recorded_and_shown_to_whom_it_may_be(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    let dir = TempDir::new("bundles");
    let path = write(&dir, "bundle.tar.gz", &seal(&first_run(), &vendor.key));

    let outcome = dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("submitted");
    let SubmitOutcome::Accepted { url, verdict } = outcome else { panic!("refused: {outcome:?}") };
    assert_eq!(verdict, "does_not_conform");
    let id = url.rsplit('/').next().expect("id").to_string();

    // The same bundle again: already there.
    let again = dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("answered");
    assert_eq!(again, SubmitOutcome::AlreadySubmitted { url: url.clone() });

    // The vendor sees it listed per vendor, candidate and version, and its report.
    let list = vendor.client.get("/").await;
    assert!(list.body.contains("Example issuer") && list.body.contains("2.4.1"), "{}", list.body);
    let page = vendor.client.get(&format!("/submissions/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("VCI-ISS-CRED-001") && page.body.contains("Does not conform"), "{}", page.body);
    assert!(page.body.contains(&vendor.key.public().key_id()[..12]));

    // The full bundle, downloaded, verifies with the vendor's key and holds the evidence.
    let r = reqwest::Client::new()
        .get(format!("{base}/submissions/{id}/bundle"))
        .header("cookie", vendor.client_cookie())
        .send()
        .await
        .expect("download");
    let bytes = r.bytes().await.expect("bytes");
    let verified = dialtone_bundle::verify_with_key(&bytes, &vendor.key.public()).expect("verifies");
    assert_eq!(verified.view, View::Full);

    // An evaluator sees it; the public does not until it is published.
    let mut evaluator = Client::new(&base);
    evaluator.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(evaluator.get(&format!("/submissions/{id}")).await.status, 200);
    let mut public = Client::new(&base);
    assert_eq!(public.get(&format!("/submissions/{id}")).await.status, 404);
    assert!(!public.get("/").await.body.contains("Example issuer"));

    let csrf = vendor.client.get(&format!("/submissions/{id}")).await.csrf();
    let published =
        vendor.client.post(&format!("/submissions/{id}/publish"), &[("csrf", &csrf), ("publish", "1")]).await;
    assert_eq!(published.status, 303);
    assert!(public.get("/").await.body.contains("Example issuer"));
    let page = public.get(&format!("/submissions/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Download the public view"));
    // What the public downloads is the public view, verifying against the same signature.
    let bytes =
        reqwest::get(format!("{base}/submissions/{id}/bundle")).await.expect("get").bytes().await.expect("bytes");
    let verified = dialtone_bundle::verify_with_key(&bytes, &vendor.key.public()).expect("public view verifies");
    assert!(matches!(verified.view, View::Public { .. }), "{:?}", verified.view);
    // … and not dialtone's report with the evidence.
    assert_eq!(public.get(&format!("/submissions/{id}/report.html")).await.status, 404);
    let original = vendor.client.get(&format!("/submissions/{id}/report.html")).await;
    assert_eq!(original.status, 200);
    let csp = original.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.starts_with("sandbox;") && !csp.contains("script"), "{csp}");
    service.stop().await;
}

async fn a_changed_byte_is_refused_naming_the_file_and_nothing_is_recorded(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    let bundle = seal(&first_run(), &vendor.key);
    let mut files = dialtone_bundle::unpack(&bundle, &dialtone_bundle::Limits::default()).expect("unpacks");
    let report = files.get_mut("report.json").expect("report.json");
    let text = String::from_utf8(report.clone()).expect("utf-8").replacen("\"fail\"", "\"pass\"", 1);
    *report = text.into_bytes();
    let tampered = dialtone_bundle::pack(&files).expect("packs");
    let dir = TempDir::new("bundles");
    let path = write(&dir, "tampered.tar.gz", &tampered);

    let outcome = dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("answered");
    let SubmitOutcome::Refused { reason, file } = outcome else { panic!("accepted: {outcome:?}") };
    assert_eq!(file.as_deref(), Some("report.json"));
    assert!(reason.starts_with("report.json: changed since it was signed (SHA-256 "), "{reason}");
    assert!(reason.contains(&dialtone_bundle::digest::sha256(files.get("report.json").expect("file"))), "{reason}");

    // In the browser: the same reason, on the upload page.
    let csrf = vendor.client.get("/upload").await.csrf();
    let page = vendor.client.upload(&csrf, tampered, None).await;
    assert_eq!(page.status, 422);
    assert_eq!(text_of(&page.body, "refused-file").as_deref(), Some("report.json"));
    assert!(text_of(&page.body, "reason").unwrap_or_default().contains("changed since it was signed"), "{}", page.body);
    assert!(vendor.client.get("/").await.body.contains("id=\"empty\""), "nothing recorded");
    service.stop().await;
}

async fn a_bundle_signed_by_a_key_the_vendor_did_not_register_is_refused(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let vendor = onboard(&base, "Example Inc.", "alice").await;
    let stranger = SigningKey::generate();
    let dir = TempDir::new("bundles");
    let path = write(&dir, "b.tar.gz", &seal(&first_run(), &stranger));
    let outcome = dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("answered");
    let SubmitOutcome::Refused { reason, file } = outcome else { panic!("accepted: {outcome:?}") };
    assert_eq!(file.as_deref(), Some("attestation.dsse.json"));
    assert!(
        reason.contains(&stranger.public().key_id()) && reason.contains("not one of Example Inc.'s registered"),
        "{reason}"
    );
    service.stop().await;
}

async fn two_runs_of_a_candidate_are_compared_and_its_history_charted(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    let dir = TempDir::new("bundles");
    let first = write(&dir, "1.tar.gz", &seal(&first_run(), &vendor.key));
    let second = write(&dir, "2.tar.gz", &seal(&second_run(), &vendor.key));
    let id = |o: SubmitOutcome| match o {
        SubmitOutcome::Accepted { url, .. } => url.rsplit('/').next().unwrap_or_default().to_string(),
        other => panic!("{other:?}"),
    };
    let one = id(dialtone_serve::submit(&first, &base, &vendor.token, None).await.expect("1"));
    let two = id(dialtone_serve::submit(&second, &base, &vendor.token, None).await.expect("2"));

    let report = vendor.client.get(&format!("/submissions/{two}")).await;
    assert!(report.body.contains(&format!("/compare?from={one}&amp;to={two}")), "{}", report.body);
    let page = vendor.client.get(&format!("/compare?to={two}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let section = |id: &str| {
        let at = page.body.find(&format!("<table id=\"{id}\"")).unwrap_or_else(|| panic!("no {id} in {}", page.body));
        page.body[at..].split("</table>").next().unwrap_or_default().to_string()
    };
    assert!(section("newly-failing").contains("VCI-ISS-TOKEN-001"));
    assert!(!section("newly-failing").contains("VCI-ISS-CRED-001"));
    assert!(section("newly-passing").contains("VCI-ISS-CRED-001"));
    assert!(section("new-cases").contains("VCI-ISS-NONCE-001"));
    assert!(page.body.contains("1 case newly failing") && page.body.contains("1 new case"), "{}", page.body);

    let history = vendor.client.get(&format!("/history?vendor={}&candidate=Example%20issuer", vendor.vendor_id)).await;
    assert_eq!(history.status, 200);
    let svg =
        history.body.split("<svg").nth(1).expect("a chart").split("</svg>").next().unwrap_or_default().to_string();
    assert_eq!(svg.matches("<a href=\"/submissions/").count(), 2, "one bar per run: {svg}");
    assert!(svg.contains("class=\"fail\"") && svg.contains("class=\"pass\""));
    assert!(!history.body.contains("<script"));
    service.stop().await;
}

async fn readiness_per_program_says_which_criteria_each_candidate_meets(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    let dir = TempDir::new("bundles");
    let path = write(&dir, "2.tar.gz", &seal(&second_run(), &vendor.key));
    dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("submitted");

    let mut evaluator = Client::new(&base);
    evaluator.login("admin", ADMIN_PASSWORD).await;
    let csrf = evaluator.get("/readiness").await.csrf();
    let bad = evaluator
        .post(
            "/readiness",
            &[("csrf", &csrf), ("name", "Québec"), ("jurisdiction", "CA-QC"), ("criteria", "CRIS.05 NOPE.99")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("NOPE.99"));
    let made = evaluator
        .post(
            "/readiness",
            &[("csrf", &csrf), ("name", "Québec"), ("jurisdiction", "CA-QC"), ("criteria", "CRIS.05, cris.07")],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let page = vendor.client.get(made.location.as_deref().expect("location")).await;
    assert_eq!(page.status, 200);
    let matrix = page.body.split("id=\"readiness\"").nth(1).expect("matrix").to_string();
    assert!(matrix.contains("Example issuer") && matrix.contains("1 of 2"), "{matrix}");
    let row = |id: &str| {
        matrix
            .split(&format!("<code>{id}</code>"))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("CRIS.05").contains("status met"), "{}", row("CRIS.05"));
    assert!(row("CRIS.07").contains("status not_met"), "{}", row("CRIS.07"));

    // The program made on first start covers every criterion the runs test.
    let index = vendor.client.get("/readiness").await;
    let default =
        index.body.split("<a href=\"/readiness/").nth(1).and_then(|s| s.split('"').next()).expect("a program");
    let page = vendor.client.get(&format!("/readiness/{default}")).await;
    assert!(page.body.contains("3 of 4"), "{}", page.body);
    service.stop().await;
}

async fn vendors_see_their_own_and_the_public_sees_what_is_published(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut alice = onboard(&base, "Example Inc.", "alice").await;
    let mut bob = onboard(&base, "Other Ltd.", "bob").await;
    let dir = TempDir::new("bundles");
    let path = write(&dir, "a.tar.gz", &seal(&first_run(), &alice.key));
    let SubmitOutcome::Accepted { url, .. } =
        dialtone_serve::submit(&path, &base, &alice.token, None).await.expect("a")
    else {
        panic!("refused")
    };
    let id = url.rsplit('/').next().unwrap_or_default().to_string();
    // Bob's token cannot submit Alice's bundle as his (her key is not his).
    let refused = dialtone_serve::submit(&path, &base, &bob.token, None).await.expect("answered");
    assert!(matches!(refused, SubmitOutcome::Refused { .. }), "{refused:?}");
    // Bob does not see it, nor can he publish it.
    assert_eq!(bob.client.get(&format!("/submissions/{id}")).await.status, 404);
    assert!(!bob.client.get("/").await.body.contains("Example issuer"));
    let csrf = bob.client.get("/").await.csrf();
    assert_eq!(
        bob.client.post(&format!("/submissions/{id}/publish"), &[("csrf", &csrf), ("publish", "1")]).await.status,
        403
    );
    assert_eq!(bob.client.get(&format!("/compare?to={id}")).await.status, 404);
    // Once Alice publishes it, Bob and the public see its public view, not its evidence.
    let csrf = alice.client.get("/").await.csrf();
    alice.client.post(&format!("/submissions/{id}/publish"), &[("csrf", &csrf), ("publish", "1")]).await;
    let page = bob.client.get(&format!("/submissions/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("id=\"publish\""));
    assert_eq!(bob.client.get(&format!("/submissions/{id}/report.html")).await.status, 404);
    // Vendors do not reach the evaluators' pages.
    assert_eq!(bob.client.get("/admin").await.status, 403);
    // An evaluator uploads in the browser for a vendor it names; the vendor's keys still decide.
    let mut evaluator = Client::new(&base);
    evaluator.login("admin", ADMIN_PASSWORD).await;
    let csrf = evaluator.get("/upload").await.csrf();
    let page = evaluator.upload(&csrf, seal(&second_run(), &alice.key), Some(&alice.vendor_id)).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(alice.client.get("/").await.body.contains("2.5.0"));
    let page = evaluator.upload(&csrf, seal(&second_run(), &alice.key), Some(&bob.vendor_id)).await;
    assert_eq!(page.status, 422);
    assert!(unescape(&page.body).contains("not one of Other Ltd.'s registered signing keys"), "{}", page.body);
    service.stop().await;
}

async fn forms_without_their_token_and_requests_without_an_account_are_refused(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    // A form posted without (or with another's) token.
    let page = vendor.client.post("/account/tokens", &[("label", "x")]).await;
    assert_eq!(page.status, 403);
    let page = vendor.client.post("/account/tokens", &[("csrf", "forged"), ("label", "x")]).await;
    assert_eq!(page.status, 403);
    let mut stranger = Client::new(&base);
    let their_csrf = stranger.get("/login").await.csrf();
    assert_eq!(vendor.client.post("/account/tokens", &[("csrf", &their_csrf), ("label", "x")]).await.status, 403);
    // Pages that need an account send to the login page; the API needs a token.
    let page = stranger.get("/upload").await;
    assert_eq!((page.status, page.location.as_deref()), (303, Some("/login?next=%2Fupload")));
    let r =
        reqwest::Client::new().post(format!("{base}/api/submissions")).body(vec![1, 2, 3]).send().await.expect("api");
    assert_eq!(r.status().as_u16(), 401);
    let r = reqwest::Client::new()
        .post(format!("{base}/api/submissions"))
        .bearer_auth("dt_not-a-token")
        .body(vec![1, 2, 3])
        .send()
        .await
        .expect("api");
    assert_eq!(r.status().as_u16(), 401);
    // A wrong password, an unknown login.
    assert_eq!(stranger.login("alice", "wrong password!").await.status, 401);
    assert_eq!(stranger.login("nobody", "wrong password!").await.status, 401);
    // Signing out ends the session: its cookie no longer signs anyone in.
    let session = vendor.client_cookie();
    let csrf = vendor.client.get("/account").await.csrf();
    assert_eq!(vendor.client.post("/logout", &[("csrf", &csrf)]).await.status, 303);
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{base}/account"))
        .header("cookie", session)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 303);
    // An evaluator's token submits for no vendor.
    let mut evaluator = Client::new(&base);
    evaluator.login("admin", ADMIN_PASSWORD).await;
    let csrf = evaluator.get("/account").await.csrf();
    let page = evaluator.post("/account/tokens", &[("csrf", &csrf), ("label", "x")]).await;
    let token = text_of(&page.body, "new-token").expect("token");
    let dir = TempDir::new("bundles");
    let path = write(&dir, "b.tar.gz", &seal(&first_run(), &vendor.key));
    let answer = dialtone_serve::submit(&path, &base, &token, None).await;
    assert!(matches!(answer, Err(dialtone_serve::SubmitError::Answer { status: 403, .. })), "{answer:?}");
    service.stop().await;
}

async fn hostile_uploads_are_refused_without_harm(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let vendor = onboard(&base, "Example Inc.", "alice").await;
    let api = |body: Vec<u8>| {
        let token = vendor.token.clone();
        let base = base.clone();
        async move {
            let r = reqwest::Client::new()
                .post(format!("{base}/api/submissions"))
                .bearer_auth(token)
                .body(body)
                .send()
                .await
                .expect("api");
            let status = r.status().as_u16();
            let json: serde_json::Value = r.json().await.unwrap_or_default();
            (status, json)
        }
    };
    let (status, json) = api(Vec::new()).await;
    assert_eq!(status, 422, "{json}");
    let (status, json) = api(b"not a bundle at all".to_vec()).await;
    assert_eq!(status, 422);
    assert!(json["error"].as_str().unwrap_or_default().starts_with("not a bundle"), "{json}");
    // Damaged bundles: every answer is a refusal, never a failure of the service.
    let good = seal(&first_run(), &vendor.key);
    for at in [0, 10, good.len() / 2, good.len() - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x55;
        let (status, json) = api(bad).await;
        assert!(status == 422 || status == 201, "{at}: {status} {json}");
    }
    let (status, _) = api(good[..good.len() / 2].to_vec()).await;
    assert_eq!(status, 422);
    // Past the bound: refused before it is read whole.
    let limit = dialtone_bundle::Limits::default().archive_bytes as usize;
    let (status, json) = api(vec![0u8; limit + 1]).await;
    assert_eq!(status, 413, "{json}");
    // The service still answers.
    assert_eq!(reqwest::get(format!("{base}/")).await.expect("up").status().as_u16(), 200);
    service.stop().await;
}

async fn every_string_is_escaped_under_a_strict_policy(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    let report = common::report(
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(2)>",
        &[("VCI-<b>X</b>", dialtone_engine::model::Verdict::Fail, "CRIS.07")],
    );
    let dir = TempDir::new("bundles");
    let path = write(&dir, "x.tar.gz", &seal(&report, &vendor.key));
    let SubmitOutcome::Accepted { url, .. } =
        dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("x")
    else {
        panic!("refused")
    };
    let id = url.rsplit('/').next().unwrap_or_default().to_string();
    for path in ["/".to_string(), format!("/submissions/{id}")] {
        let page = vendor.client.get(&path).await;
        assert!(!page.body.contains("<script>") && !page.body.contains("<img src=x"), "{path}: {}", page.body);
        assert!(page.body.replace("&#x2f;", "/").contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}");
        let csp = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src") && !csp.contains("unsafe"), "{csp}");
        assert_eq!(page.headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    }
    let page = vendor.client.get(&format!("/submissions/{id}")).await;
    assert!(page.body.replace("&#x2f;", "/").contains("VCI-&lt;b&gt;X&lt;/b&gt;"));
    // The language switch goes back only to this site.
    let mut c = Client::new(&base);
    let r = c.get("/lang?to=fr&back=//evil.example/").await;
    assert_eq!(r.location.as_deref(), Some("/"));
    service.stop().await;
}

async fn the_pages_speak_french(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Exemple inc.", "alice").await;
    let dir = TempDir::new("bundles");
    let path = write(&dir, "1.tar.gz", &seal(&first_run(), &vendor.key));
    dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("submitted");
    let page = vendor.client.get("/").await;
    assert!(page.body.contains("<html lang=\"en\">") && page.body.contains("Submissions"));
    let switch =
        page.body.split("id=\"lang-switch\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("switch");
    let back = vendor.client.get(&unescape(switch)).await;
    assert_eq!(back.location.as_deref(), Some("/"));
    let page = vendor.client.get("/").await;
    assert!(page.body.contains("<html lang=\"fr\">"), "{}", page.body);
    assert!(page.body.contains("Soumissions") && page.body.contains("Non conforme"), "{}", page.body);
    // Without a choice, the browser's Accept-Language decides.
    let r = reqwest::Client::new()
        .get(format!("{base}/readiness"))
        .header("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .expect("get");
    assert!(r.text().await.unwrap_or_default().contains("État de préparation"));
    service.stop().await;
}
