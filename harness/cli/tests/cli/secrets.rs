//! No secret of a run reaches what it writes: the default plan against the references, then
//! report.json, report.html, junit.xml and the terminal table are searched for every pre-authorized
//! code, transaction code, token and private key — as members of decoded JSON, forms, query strings
//! and JWT payloads, and by value in every encoding.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dialtone_cli::reference::start_references;
use dialtone_cli::run::run_plan_with_secrets;
use dialtone_engine::pctf::Catalogue;
use dialtone_http::Secrets;
use dialtone_protocols::oid4vci::message::SECRET_MEMBERS;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// What the run wrote, by name.
fn outputs(report: &dialtone_engine::model::Report) -> Vec<(&'static str, String)> {
    let dir = std::env::temp_dir().join(format!("dialtone-secrets-{}", std::process::id()));
    dialtone_reports::write_all(report, &dir).unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let out = vec![
        ("report.json", read("report.json")),
        ("report.html", read("report.html")),
        ("junit.xml", read("junit.xml")),
        ("terminal", dialtone_reports::terminal::render(report, true)),
    ];
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// The text as a reader decodes it: HTML and XML entities, JSON string escapes, percent-encoding
/// (twice: a URL inside a URL).
fn decoded_views(text: &str) -> Vec<String> {
    let unescape_markup = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#x22;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let unescape_json = |s: &str| s.replace("\\\"", "\"").replace("\\/", "/").replace("\\\\", "\\");
    let percent_decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (b'%', Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                (b, ..) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let markup = unescape_markup(text);
    let json = unescape_json(&markup);
    let once = percent_decode(&json);
    let twice = unescape_json(&percent_decode(&once));
    vec![text.to_string(), markup, json, once, twice]
}

/// Secret members with a value in clear, in one decoded view (JSON members, form and query
/// parameters, Bearer credentials), and inside the payloads of the JWTs it holds.
fn clear_secret_members(view: &str, found: &mut BTreeSet<(String, String)>) {
    let json = Regex::new(
        r#""(pre-authorized_code|tx_code|access_token|refresh_token|code_verifier|client_secret|d)"\s*:\s*"([^"]*)""#,
    )
    .unwrap();
    let form = Regex::new(
        r#"(?:^|[?&\s"'>])(pre-authorized_code|tx_code|access_token|refresh_token|code|code_verifier|client_secret)=([^&\s"'<]*)"#,
    )
    .unwrap();
    let bearer = Regex::new(r#"(?i)(authorization)"?\s*[,:]\s*"?(?:Bearer|DPoP|Basic) ([A-Za-z0-9._~+/=-]+)"#).unwrap();
    let clear = |v: &str| !v.is_empty() && !v.starts_with('‹');
    for re in [&json, &form, &bearer] {
        for c in re.captures_iter(view) {
            if clear(&c[2]) {
                found.insert((c[1].to_string(), c[2].to_string()));
            }
        }
    }
    let jwt = Regex::new(r"eyJ[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.").unwrap();
    for c in jwt.captures_iter(view) {
        if let Ok(payload) = URL_SAFE_NO_PAD.decode(&c[1]) {
            let payload = String::from_utf8_lossy(&payload);
            if payload.starts_with('{') {
                for c in json.captures_iter(&payload) {
                    if clear(&c[2]) {
                        found.insert((format!("{} (in a JWT payload)", &c[1]), c[2].to_string()));
                    }
                }
            }
        }
    }
}

/// The encodings a secret may travel in: as it is, percent-encoded (upper and lower case, once and
/// twice), JSON- and HTML-escaped, and base64url — alone and at each of the three alignments a
/// value takes inside a longer base64url text (a JWT payload, a disclosure).
fn encodings(secret: &str) -> Vec<String> {
    let form = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => (b as char).to_string(),
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let html = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    let mut all = vec![
        secret.to_string(),
        form(secret),
        form(secret).to_lowercase(),
        form(&form(secret)),
        serde_json::to_string(secret).unwrap().trim_matches('"').to_string(),
        html(secret),
    ];
    if secret.len() >= 16 {
        for align in 0..3usize {
            let mut bytes = vec![0u8; align];
            bytes.extend_from_slice(secret.as_bytes());
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            let skip = (4 * align).div_ceil(3);
            let tail = usize::from(bytes.len() % 3 != 0);
            all.push(encoded[skip..encoded.len() - tail].to_string());
        }
    }
    all.sort();
    all.dedup();
    all
}

/// Occurrences of `needle` in `text`; a short one only as a whole token (not inside a longer word,
/// number or base64 text; a `%XX` escape before it counts as a boundary).
fn occurrences(text: &str, needle: &str) -> usize {
    text.match_indices(needle).filter(|(i, _)| counts(text, *i, needle.len())).count()
}

/// Whether an occurrence at `start` of a needle `len` bytes long counts: a long one always, a short
/// one as a whole token. A short run of digits that is a part of a decimal number (the `587039` of a
/// duration `12.587039`) is not a token: every report holds a thousand such fractions, and a six-digit
/// transaction code would otherwise be "found" in one of them by chance.
fn counts(text: &str, start: usize, len: usize) -> bool {
    if len >= 16 {
        return true;
    }
    let token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let bytes = text.as_bytes();
    let before = text[..start].chars().next_back().is_none_or(|c| !token(c))
        || (start >= 3 && bytes[start - 3] == b'%' && bytes[start - 2].is_ascii_hexdigit());
    let after = text[start + len..].chars().next().is_none_or(|c| !token(c));
    let digits = bytes[start..start + len].iter().all(u8::is_ascii_digit);
    let fraction = start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_digit();
    let integer_part =
        bytes.get(start + len) == Some(&b'.') && bytes.get(start + len + 1).is_some_and(u8::is_ascii_digit);
    before && after && !(digits && (fraction || integer_part))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_of_the_default_run_reaches_any_output() {
    let suites = common::suites();
    let catalogue = Catalogue::embedded();
    let refs = start_references(None, Some(11)).await.unwrap();
    let secrets = Secrets::new(SECRET_MEMBERS);
    let report = run_plan_with_secrets(
        &suites,
        refs.manifest.clone(),
        Some(11),
        &[],
        &catalogue,
        Some(refs.counterparts.clone()),
        None,
        &secrets,
    )
    .await
    .unwrap();
    refs.stop().await;
    let outputs = outputs(&report);

    // 1. No secret member in clear, however deep it is encoded.
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        let mut found = BTreeSet::new();
        for view in decoded_views(text) {
            clear_secret_members(&view, &mut found);
        }
        if !found.is_empty() {
            let members: BTreeSet<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
            leaks.push(format!("{name}: {} secret values in clear ({members:?}): {found:?}", found.len()));
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");

    // 2. The run knows what it made and received: codes, transaction codes, tokens, private keys.
    let known = secrets.values();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for (what, _) in &known {
        *kinds.entry(what.as_str()).or_default() += 1;
    }
    for (what, at_least) in [("pre-authorized_code", 50), ("tx_code", 3), ("access_token", 20), ("d", 50)] {
        assert!(kinds.get(what).copied().unwrap_or(0) >= at_least, "the run knows too few {what}: {kinds:?}");
    }

    // The scan finds what it looks for: a code inside a JWT payload, a transaction code in a form.
    let code = &known.iter().find(|(w, _)| w == "pre-authorized_code").unwrap().1;
    let jwt = format!("eyJhbGciOiJub25lIn0.{}.", URL_SAFE_NO_PAD.encode(format!(r#"{{"x":"{code}"}}"#)));
    assert!(encodings(code).iter().any(|e| occurrences(&jwt, e) > 0));
    let tx_code = &known.iter().find(|(w, _)| w == "tx_code").unwrap().1;
    assert_eq!(occurrences(&format!("a=1&tx_code={tx_code}&b=12{tx_code}"), tx_code), 1);
    // ... but not as the digits of a duration, while a sentence's full stop still ends one.
    let durations = format!(r#""duration_ms": 12.{tx_code}, "candidate_ms": {tx_code}.5, "said": "code {tx_code}.""#);
    assert_eq!(occurrences(&durations, tx_code), 1);

    // 3. None of them, in any encoding, in any output: every encoding of every secret searched for
    // at once, each output read once.
    let needles: Vec<(&str, String)> =
        known.iter().flat_map(|(what, value)| encodings(value).into_iter().map(move |e| (what.as_str(), e))).collect();
    let searcher = aho_corasick::AhoCorasick::new(needles.iter().map(|(_, encoded)| encoded)).unwrap();
    assert!(searcher.find_overlapping_iter(jwt.as_str()).any(|m| counts(&jwt, m.start(), m.len())), "finds the code");
    let mut found = Vec::new();
    for (name, text) in &outputs {
        let mut times: BTreeMap<usize, usize> = BTreeMap::new();
        for m in searcher.find_overlapping_iter(text.as_str()) {
            if counts(text, m.start(), m.len()) {
                *times.entry(m.pattern().as_usize()).or_default() += 1;
            }
        }
        for (pattern, n) in times {
            let (what, encoded) = &needles[pattern];
            found.push(format!("{name}: a {what} {n} times as {encoded:?}"));
        }
    }
    assert!(found.is_empty(), "{} leaks: {:#?}", found.len(), &found[..found.len().min(20)]);
    // The labels stand where the secrets were.
    let json = &outputs[0].1;
    assert!(json.contains("‹redacted 32 chars #"), "pre-authorized codes are labelled");
}

/// A candidate that hands out the same pre-authorized code and transaction code every time, so two
/// runs show the same secrets.
async fn fixed_secrets_issuer() -> dialtone_roles::server::RunningServer {
    use axum::http::header;
    use axum::response::IntoResponse;
    use serde_json::json;
    let router = axum::Router::new().fallback(axum::routing::any(|req: axum::extract::Request| async move {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
        let base = format!("http://{host}");
        let body = match req.uri().path() {
            "/.well-known/openid-credential-issuer" => json!({
                "credential_issuer": base, "credential_endpoint": format!("{base}/credential"),
                "credential_configurations_supported": {"X": {"format": "dc+sd-jwt", "vct": "urn:x"}}
            }),
            "/.well-known/oauth-authorization-server" => json!({"issuer": base, "token_endpoint": format!("{base}/token")}),
            "/control/offers" => json!({"credential_offer": {"credential_issuer": base, "credential_configuration_ids": ["X"],
                "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "c0de-c0de-c0de-c0de",
                "tx_code": {"length": 6, "input_mode": "numeric"}}}}, "tx_code": "493817"}),
            _ => json!({"error": "invalid_grant"}),
        };
        ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }));
    dialtone_roles::server::RunningServer::start(router, 0).await.unwrap()
}

/// The digests of the labels the transaction code the candidate handed out gets in a report.
fn six_char_labels(report: &dialtone_engine::model::Report) -> BTreeSet<String> {
    let label = Regex::new("‹redacted 6 chars #([0-9a-f]{8})›").unwrap();
    let mut out = BTreeSet::new();
    for r in &report.results {
        for e in &r.evidence {
            if let dialtone_http::EvidenceItem::Http(h) = e
                && h.url.ends_with("/control/offers")
            {
                let body = h.response_body.as_deref().unwrap_or_default();
                out.extend(label.captures_iter(body).map(|c| c[1].to_string()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_does_not_give_away_a_short_code() {
    let server = fixed_secrets_issuer().await;
    let manifest = dialtone_drivers::manifest::Manifest::parse(
        &format!(
            r#"
[candidate]
name = "fixed secrets"
version = "0"
roles = ["issuer"]
[issuer]
credential_issuer = "{base}"
allow_http = true
[trigger]
kind = "control"
url = "{base}/control"
[conformance]
formats = ["dc+sd-jwt"]
features = ["pre-authorized_code", "tx_code"]
"#,
            base = server.base_url
        ),
        "test",
    )
    .unwrap();
    let (suites, catalogue) = (common::suites(), Catalogue::embedded());
    let only = ["VCI-ISS-TOKEN".to_string()];
    let first =
        dialtone_cli::run::run_plan(&suites, manifest.clone(), Some(1), &only, &catalogue, None, None).await.unwrap();
    let second = dialtone_cli::run::run_plan(&suites, manifest, Some(1), &only, &catalogue, None, None).await.unwrap();
    server.stop().await;
    let (one, two) = (six_char_labels(&first), six_char_labels(&second));
    // Within a run the code reads the same everywhere, so exchanges can be correlated …
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(two.len(), 1, "{two:?}");
    // … but the label is keyed for the run: the same code gets another label in another run, so no
    // table of labels can be computed in advance,
    assert_ne!(one, two, "the same code has the same label in two runs");
    // and the attack that recovered every code of a report (a fixed-key 32-bit hash of each of the
    // 10^6 six-digit codes) finds nothing.
    use std::hash::{Hash, Hasher};
    let recovered = (0..1_000_000u32).map(|n| format!("{n:06}")).find(|code| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        code.hash(&mut h);
        one.contains(&format!("{:08x}", h.finish() as u32))
    });
    assert_eq!(recovered, None);
}
