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
    a_check_bundle_shows_each_artifact_and_two_checks_are_compared_artifact_by_artifact,
    every_form_refuses_a_post_without_its_token_or_with_another,
    failed_sign_ins_are_refused_for_a_while_per_login_and_per_address_across_restarts,
    a_withdrawn_submission_is_gone_and_its_history_says_who_withdrew_it_when_and_why,
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
    // A submission's page: the verdict sentence, the cases' titles and the PCTF processes in French
    // (the titles from their ids, whatever English the report carries), the evidence as written.
    let id = page.body.split("href=\"/submissions/").nth(1).and_then(|s| s.split('"').next()).expect("a submission");
    let report = vendor.client.get(&format!("/submissions/{id}")).await;
    let body = &report.body;
    assert!(body.contains("<p>non conforme : "), "{body}");
    assert!(
        body.contains("<span lang=\"fr\">Les métadonnées de l&#x27;émetteur de justificatifs sont servies en JSON"),
        "{body}"
    );
    assert!(body.contains("<td lang=\"fr\">Délivrance des justificatifs"), "{body}");
    assert!(!body.contains(">case VCI-ISS-META-001<"), "{body}");
    assert!(body.contains("<td>DOIT</td>") && !body.contains("<td>MUST</td>"), "{body}");
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

async fn a_check_bundle_shows_each_artifact_and_two_checks_are_compared_artifact_by_artifact(db: &Db) {
    use dialtone_engine::model::ArtifactStatus::{Invalid, Valid};
    let service = start(db).await;
    let base = service.url();
    let mut vendor = onboard(&base, "Example Inc.", "alice").await;
    let dir = TempDir::new("bundles");
    let hostile = "<img src=x onerror=alert(1)>.txt";
    let first = check_report(&[("a.txt", Valid, &[]), ("b.txt", Invalid, &["SDJWTVC-002"]), ("c.txt", Valid, &[])]);
    let second = check_report(&[
        ("a.txt", Invalid, &["SDJWTVC-002"]),
        ("b.txt", Valid, &[]),
        ("d.txt", Valid, &[]),
        (hostile, Invalid, &["SDJWTVC-001"]),
    ]);
    let id = |o: SubmitOutcome| match o {
        SubmitOutcome::Accepted { url, .. } => url.rsplit('/').next().unwrap_or_default().to_string(),
        other => panic!("{other:?}"),
    };
    let path = write(&dir, "1.tar.gz", &seal_check(&first, &vendor.key));
    let one = id(dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("1"));
    let path = write(&dir, "2.tar.gz", &seal_check(&second, &vendor.key));
    let two = id(dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("2"));

    // Each artifact: its verdict, and the rules it does not meet with their clauses.
    let page = vendor.client.get(&format!("/submissions/{one}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let table = page.body.split("<table id=\"artifacts\">").nth(1).expect("an artifacts table");
    let table = table.split("</table>").next().unwrap_or_default();
    let row = |name: &str| {
        table.split(&format!("<code>{name}</code>")).nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default()
    };
    assert!(row("b.txt").contains("verdict invalid") && row("b.txt").contains(">invalid<"), "{}", row("b.txt"));
    assert!(row("b.txt").contains("<code>SDJWTVC-002</code>") && row("b.txt").contains("SD-JWT-VC §2.2.1"));
    assert!(
        row("b.txt").contains("The header typ is dc+sd-jwt") && row("b.txt").contains("SDJWTVC-002 not met by b.txt")
    );
    assert!(!row("b.txt").contains("SDJWTVC-001"), "only the rules not met: {}", row("b.txt"));
    assert!(row("a.txt").contains("every rule met"), "{}", row("a.txt"));
    // Every rule result is still there, folded.
    assert!(page.body.contains("<details id=\"all-rules\">") && page.body.contains("Every rule result (6)"));

    // In French.
    let switch =
        page.body.split("id=\"lang-switch\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("switch");
    vendor.client.get(&unescape(switch)).await;
    let page = vendor.client.get(&format!("/submissions/{one}")).await;
    assert!(page.body.contains("Artefacts") && page.body.contains(">invalide<"), "{}", page.body);
    assert!(page.body.contains("toutes les règles respectées"));
    let page = vendor.client.get(&format!("/compare?to={two}")).await;
    assert!(page.body.contains("2 artefacts désormais invalides"), "{}", page.body);
    let switch =
        page.body.split("id=\"lang-switch\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("switch");
    vendor.client.get(&unescape(switch)).await;

    // The second check compares with the first though it checked more files (its "candidate"
    // only counts them): artifact by artifact, then rule by rule.
    let page = vendor.client.get(&format!("/submissions/{two}")).await;
    assert!(page.body.contains(&format!("/compare?from={one}&amp;to={two}")), "{}", page.body);
    assert!(!page.body.contains("<img src=x") && page.body.contains("&lt;img src=x onerror=alert(1)&gt;.txt"));
    let page = vendor.client.get(&format!("/compare?to={two}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<img src=x"));
    let section = |id: &str| {
        let at = page.body.find(&format!("<table id=\"{id}\"")).unwrap_or_else(|| panic!("no {id} in {}", page.body));
        page.body[at..].split("</table>").next().unwrap_or_default().to_string()
    };
    let newly_invalid = section("artifacts-newly-failing");
    assert!(newly_invalid.contains("<code>a.txt</code>") && newly_invalid.contains("&lt;img src=x"), "{newly_invalid}");
    assert!(!newly_invalid.contains("b.txt"));
    assert!(section("artifacts-newly-passing").contains("<code>b.txt</code>"));
    assert!(section("artifacts-new").contains("<code>d.txt</code>"));
    assert!(section("artifacts-gone").contains("<code>c.txt</code>"));
    assert!(
        page.body.contains("2 artifacts newly invalid") && page.body.contains("1 artifact newly valid"),
        "{}",
        page.body
    );
    assert!(section("newly-failing").contains("SDJWTVC-002 a.txt"));
    assert!(page.body.contains("id=\"check-note\""));

    // A check and a run judge different things: not compared, and the page says why.
    let path = write(&dir, "run.tar.gz", &seal(&first_run(), &vendor.key));
    let run = id(dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("run"));
    let page = vendor.client.get(&format!("/compare?from={run}&to={two}")).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("judge different things"), "{}", page.body);
    // A run's page shows no artifacts.
    assert!(!vendor.client.get(&format!("/submissions/{run}")).await.body.contains("id=\"artifacts\""));
    service.stop().await;
}

/// The forms of the service's pages, as their templates write them (`{{ s.id }}`: a submission).
fn forms_in_templates() -> std::collections::BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let form = regex::Regex::new(r#"<form method="post" action="([^"]+)""#).expect("regex");
    let mut actions = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("templates") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("template");
        actions.extend(form.captures_iter(&text).map(|c| c[1].to_string()));
    }
    actions
}

async fn every_form_refuses_a_post_without_its_token_or_with_another(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let vendor = onboard(&base, "Example Inc.", "alice").await;
    let dir = TempDir::new("bundles");
    let path = write(&dir, "1.tar.gz", &seal(&first_run(), &vendor.key));
    let SubmitOutcome::Accepted { url, .. } =
        dialtone_serve::submit(&path, &base, &vendor.token, None).await.expect("1")
    else {
        panic!("refused")
    };
    let id = url.rsplit('/').next().unwrap_or_default().to_string();
    let mut evaluator = Client::new(&base);
    evaluator.login("admin", ADMIN_PASSWORD).await;
    let mut stranger = Client::new(&base);
    let theirs = stranger.get("/login").await.csrf();

    // Every form of every page, with what it would change.
    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/submissions/{{ s.id }}/publish", vec![("publish", "1")]),
        ("/submissions/{{ s.id }}/withdraw", vec![("reason", "forged")]),
        ("/upload", vec![]),
        ("/readiness", vec![("name", "Forged program"), ("jurisdiction", "XX"), ("criteria", "CRIS.05")]),
        ("/login", vec![("login", "admin"), ("password", ADMIN_PASSWORD), ("next", "/")]),
        ("/logout", vec![]),
        ("/account/password", vec![("current", ADMIN_PASSWORD), ("new", "a forged new password")]),
        ("/account/tokens", vec![("label", "forged")]),
        ("/account/keys", vec![("pem", "-----BEGIN PUBLIC KEY-----")]),
        ("/admin/vendors", vec![("name", "Forged Ltd.")]),
        ("/admin/accounts", vec![("login", "forged"), ("role", "evaluator")]),
    ];
    let tested: std::collections::BTreeSet<String> = forms.iter().map(|(a, _)| a.to_string()).collect();
    assert_eq!(tested, forms_in_templates(), "a form of the pages is not tested here");
    for (action, fields) in &forms {
        let path = action.replace("{{ s.id }}", &id);
        for token in [None, Some("forged"), Some(theirs.as_str())] {
            let mut form = fields.clone();
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let page = if path == "/upload" {
                evaluator
                    .upload(token.unwrap_or_default(), seal(&second_run(), &vendor.key), Some(&vendor.vendor_id))
                    .await
            } else {
                evaluator.post(&path, &form).await
            };
            assert_eq!(page.status, 403, "{path} with token {token:?}: {}", page.body);
            assert!(unescape(&page.body).contains("did not come from this site"), "{path}: {}", page.body);
        }
    }
    // Nothing changed: still signed in with the same password, no vendor, account, program or
    // submission made, nothing published.
    assert_eq!(evaluator.get("/account").await.status, 200);
    let admin = evaluator.get("/admin").await.body;
    assert!(!admin.contains("Forged Ltd.") && !admin.contains(">forged<"), "{admin}");
    assert!(!evaluator.get("/readiness").await.body.contains("Forged program"));
    assert!(!evaluator.get("/").await.body.contains("2.5.0"));
    assert!(!Client::new(&base).get("/").await.body.contains("Example issuer"), "not published");
    assert_eq!(evaluator.get(&format!("/submissions/{id}")).await.status, 200, "not withdrawn");
    assert_eq!(Client::new(&base).login("admin", ADMIN_PASSWORD).await.status, 303);
    // Another method than GET is held to the same rule; the API (a bearer token, no cookie) is not.
    let r = reqwest::Client::new()
        .delete(format!("{base}/submissions/{id}"))
        .header("cookie", evaluator.cookies())
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 403);
    let r = reqwest::Client::new()
        .post(format!("{base}/api/submissions"))
        .bearer_auth(&vendor.token)
        .body(seal(&second_run(), &vendor.key))
        .send()
        .await
        .expect("api");
    assert_eq!(r.status().as_u16(), 201);
    // With its token, a form does what it did.
    let csrf = evaluator.get("/admin").await.csrf();
    let page = evaluator.post("/admin/vendors", &[("csrf", &csrf), ("name", "Real Ltd.")]).await;
    assert_eq!(page.status, 200);
    assert!(evaluator.get("/admin").await.body.contains("Real Ltd."));
    service.stop().await;
}

async fn failed_sign_ins_are_refused_for_a_while_per_login_and_per_address_across_restarts(db: &Db) {
    let service = start_with(db, true).await;
    let base = service.url();
    let vendor = onboard(&base, "Example Inc.", "alice").await;
    let throttled = |page: &common::Page| {
        assert_eq!(page.status, 429, "{}", page.body);
        let after: u64 = page
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=15 * 60).contains(&after), "{after}");
        assert!(page.body.contains("Too many failed sign-ins"), "{}", page.body);
    };
    // Five wrong passwords for alice from one address: the sixth attempt is refused, even with her
    // password, …
    let mut one = Client::at(&base, "203.0.113.1");
    for _ in 0..5 {
        assert_eq!(one.login("alice", "not her password").await.status, 401);
    }
    throttled(&one.login("alice", &vendor.password).await);
    // … and from any other address (per login), while others still sign in from there.
    let mut two = Client::at(&base, "203.0.113.2");
    throttled(&two.login("alice", &vendor.password).await);
    assert_eq!(two.login("admin", ADMIN_PASSWORD).await.status, 303);
    // Five failures from one address, each for another login: that address is refused (per address).
    let mut three = Client::at(&base, "203.0.113.3");
    for n in 0..5 {
        assert_eq!(three.login(&format!("nobody{n}"), "wrong password!").await.status, 401);
    }
    throttled(&three.login("admin", ADMIN_PASSWORD).await);
    // A success forgets the login's failures: four, a success, four more, and it still signs in.
    let mut four = Client::at(&base, "203.0.113.4");
    for _ in 0..4 {
        assert_eq!(four.login("admin", "wrong password!").await.status, 401);
    }
    assert_eq!(four.login("admin", ADMIN_PASSWORD).await.status, 303);
    let mut five = Client::at(&base, "203.0.113.5");
    for _ in 0..4 {
        assert_eq!(five.login("admin", "wrong password!").await.status, 401);
    }
    assert_eq!(five.login("admin", ADMIN_PASSWORD).await.status, 303);
    // The count is the database's: it holds across a restart.
    service.stop().await;
    let service = start_with(db, true).await;
    let base = service.url();
    throttled(&Client::at(&base, "203.0.113.6").login("alice", &vendor.password).await);
    throttled(&Client::at(&base, "203.0.113.3").login("admin", ADMIN_PASSWORD).await);
    assert_eq!(Client::at(&base, "203.0.113.7").login("admin", ADMIN_PASSWORD).await.status, 303);
    // In French too.
    let mut french = Client::at(&base, "203.0.113.8");
    french.set_cookie("dialtone_lang", "fr");
    let page = french.login("alice", &vendor.password).await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("Trop de connexions échouées"), "{}", page.body);
    service.stop().await;
}

async fn a_withdrawn_submission_is_gone_and_its_history_says_who_withdrew_it_when_and_why(db: &Db) {
    let service = start(db).await;
    let base = service.url();
    let mut alice = onboard(&base, "Example Inc.", "alice").await;
    let mut bob = onboard(&base, "Other Ltd.", "bob").await;
    let dir = TempDir::new("bundles");
    let id = |o: SubmitOutcome| match o {
        SubmitOutcome::Accepted { url, .. } => url.rsplit('/').next().unwrap_or_default().to_string(),
        other => panic!("{other:?}"),
    };
    let first = write(&dir, "1.tar.gz", &seal(&first_run(), &alice.key));
    let second = write(&dir, "2.tar.gz", &seal(&second_run(), &alice.key));
    let one = id(dialtone_serve::submit(&first, &base, &alice.token, None).await.expect("1"));
    let two = id(dialtone_serve::submit(&second, &base, &alice.token, None).await.expect("2"));
    let history = format!("/history?vendor={}&candidate=Example%20issuer", alice.vendor_id);

    // Another vendor cannot withdraw it: not his to see, and once published, still not his.
    let csrf = bob.client.get("/").await.csrf();
    let page = bob.client.post(&format!("/submissions/{one}/withdraw"), &[("csrf", &csrf), ("reason", "x")]).await;
    assert_eq!(page.status, 404);
    let csrf = alice.client.get("/").await.csrf();
    alice.client.post(&format!("/submissions/{one}/publish"), &[("csrf", &csrf), ("publish", "1")]).await;
    let csrf = bob.client.get("/").await.csrf();
    let page = bob.client.post(&format!("/submissions/{one}/withdraw"), &[("csrf", &csrf), ("reason", "x")]).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(!bob.client.get(&format!("/submissions/{one}")).await.body.contains("id=\"withdraw\""));
    assert_eq!(alice.client.get(&format!("/submissions/{one}")).await.status, 200, "still there");

    // An evaluator withdraws it, saying why: it is gone for everyone, and its history says so.
    let mut evaluator = Client::new(&base);
    evaluator.login("admin", ADMIN_PASSWORD).await;
    let page = evaluator.get(&format!("/submissions/{one}")).await;
    assert!(page.body.contains("id=\"withdraw\""));
    let reason = "submitted by mistake <b>twice</b>";
    let page =
        evaluator.post(&format!("/submissions/{one}/withdraw"), &[("csrf", &page.csrf()), ("reason", reason)]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(unescape(page.location.as_deref().unwrap_or_default()), history.replace("%20", "+"));
    for client in [&mut evaluator, &mut alice.client, &mut Client::new(&base)] {
        assert_eq!(client.get(&format!("/submissions/{one}")).await.status, 404);
    }
    assert!(!Client::new(&base).get("/").await.body.contains("Example issuer"));
    let page = alice.client.get(&history).await;
    assert_eq!(page.status, 200);
    let withdrawn = page.body.split("<table id=\"withdrawals\">").nth(1).expect("withdrawals").to_string();
    assert!(withdrawn.contains("<td>admin</td>") && withdrawn.contains("2.4.1"), "{withdrawn}");
    assert!(
        unescape(&withdrawn).contains("submitted by mistake <b>twice</b>") && !withdrawn.contains("<b>"),
        "{withdrawn}"
    );
    assert!(
        page.body
            .split("<table id=\"runs\">")
            .nth(1)
            .is_some_and(|t| t.contains("2.5.0") && !t.split("</table>").next().unwrap_or_default().contains("2.4.1"))
    );
    // The bundle may come again: it is a new submission.
    let again = dialtone_serve::submit(&first, &base, &alice.token, None).await.expect("again");
    assert!(matches!(again, SubmitOutcome::Accepted { .. }), "{again:?}");
    // A vendor withdraws its own; the public never sees the log.
    let page = alice.client.get(&format!("/submissions/{two}")).await;
    let page = alice.client.post(&format!("/submissions/{two}/withdraw"), &[("csrf", &page.csrf())]).await;
    assert_eq!(page.status, 303);
    let page = evaluator.get(&history).await;
    let withdrawn = page.body.split("<table id=\"withdrawals\">").nth(1).expect("withdrawals").to_string();
    assert!(withdrawn.contains("<td>alice</td>") && withdrawn.contains("2.5.0"), "{withdrawn}");
    assert_eq!(Client::new(&base).get(&history).await.status, 404);
    assert_eq!(bob.client.get(&history).await.status, 404);
    // In French.
    evaluator.set_cookie("dialtone_lang", "fr");
    assert!(evaluator.get(&history).await.body.contains("Soumissions retirées"));
    service.stop().await;
}
