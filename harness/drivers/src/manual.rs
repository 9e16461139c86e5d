//! Manual mode: for a candidate without a control API, a person does what the control API would.
//! For a wallet (a phone), the harness shows what the person must hand to it — a credential offer
//! or a presentation request — as a QR code in the terminal and on a local page, with a visible
//! deadline, and waits (bounded) for the outcome ([`show_and_wait`]). For a verifier, it asks the
//! person to start a request in the verifier's own interface and to hand back its request link,
//! pasted into a form on a local page or typed in the terminal, with a deadline ([`ask_for_link`]).
//! Pages are served on loopback only, carry no script, and escape everything they show.

use dialtone_engine::safe_text as safe;
use dialtone_roles::server::RunningServer;
use qrcode::QrCode;
use qrcode::render::{svg, unicode};
use std::time::{Duration, SystemTime};

/// What to show a person.
#[derive(Debug, Clone)]
pub(crate) struct Prompt {
    pub title: String,
    pub(crate) instructions: String,
    /// The URI the wallet must receive (`openid-credential-offer://…`, `openid4vp://…`).
    pub payload: String,
    pub deadline: SystemTime,
}

/// The QR code as text for a terminal (two modules per character cell).
pub(crate) fn terminal_qr(payload: &str) -> Result<String, String> {
    let code = QrCode::new(payload.as_bytes()).map_err(|e| format!("cannot encode a QR code: {e}"))?;
    Ok(code.render::<unicode::Dense1x2>().quiet_zone(true).build())
}

/// The QR code as an inline SVG element.
pub(crate) fn svg_qr(payload: &str) -> Result<String, String> {
    let code = QrCode::new(payload.as_bytes()).map_err(|e| format!("cannot encode a QR code: {e}"))?;
    Ok(code.render::<svg::Color>().min_dimensions(320, 320).quiet_zone(true).build())
}

fn escape(text: &str) -> String {
    dialtone_engine::safe_text::xml_text(text)
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A self-contained page (no external assets, no script) with the QR code, the payload as text, and
/// the deadline.
pub fn page(prompt: &Prompt) -> Result<String, String> {
    let svg = svg_qr(&prompt.payload)?;
    let deadline = prompt.deadline.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let deadline = dialtone_protocols::time::format_rfc3339(deadline);
    Ok(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>dialtone: {title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:48rem}} code{{word-break:break-all}} .deadline{{font-weight:600}}</style>
</head><body>
<h1>{title}</h1>
<p>{instructions}</p>
<div id="qr">{svg}</div>
<p>Or open this link on the device: <code id="payload">{payload}</code></p>
<p class="deadline">dialtone waits until {deadline} (UTC), then records the case as not completed.</p>
</body></html>"#,
        title = escape(&prompt.title),
        instructions = escape(&prompt.instructions),
        payload = escape(&prompt.payload),
    ))
}

/// Serves the page at `http://127.0.0.1:<port>/` (loopback only) until dropped.
pub async fn serve(prompt: &Prompt) -> Result<RunningServer, String> {
    let html = page(prompt)?;
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let html = html.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html) }
        }),
    );
    RunningServer::start(router, 0).await.map_err(|e| format!("cannot serve the manual-mode page: {e}"))
}

/// The longest link a person may hand back (a request link carries a `request_uri`, or a request
/// by value).
const MAX_LINK: usize = 16 * 1024;

/// A form asking for a link, with the prompt's instructions and deadline; `token` is echoed by the
/// form (so another page of the person's browser cannot post to it), `problem` says why the last
/// link was refused.
pub(crate) fn ask_page(prompt: &Prompt, token: &str, problem: Option<&str>) -> String {
    let deadline = prompt.deadline.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let deadline = dialtone_protocols::time::format_rfc3339(deadline);
    let problem = problem.map(|p| format!("<p class=\"problem\">Not taken: {}</p>", escape(p))).unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'">
<title>dialtone: {title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:48rem}} textarea{{width:100%}} .deadline{{font-weight:600}} .problem{{color:#a00}}</style>
</head><body>
<h1>{title}</h1>
<p>{instructions}</p>
{problem}
<form method="post" action="/">
<input type="hidden" name="token" value="{token}">
<p><label for="link">Request link</label><br><textarea id="link" name="link" rows="6" required></textarea></p>
<p><button type="submit">Hand it to dialtone</button></p>
</form>
<p class="deadline">dialtone waits until {deadline} (UTC), then records the case as not completed.</p>
</body></html>"#,
        title = escape(&prompt.title),
        instructions = escape(&prompt.instructions),
        token = escape(token),
    )
}

fn answer_page(title: &str, text: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>dialtone: {title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:48rem}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>"#,
        title = escape(title),
        text = escape(text),
    )
}

/// A link as a person handed it: trimmed, one line, bounded, then `check`ed.
fn take_link(text: &str, check: fn(&str) -> Result<(), String>) -> Result<String, String> {
    let link = text.trim();
    if link.is_empty() {
        return Err("empty".into());
    }
    if link.len() > MAX_LINK {
        return Err(format!("longer than {MAX_LINK} bytes"));
    }
    if link.chars().any(char::is_control) {
        return Err("more than one line".into());
    }
    check(link)?;
    Ok(link.to_string())
}

/// The page's state: the prompt, its token, and where a taken link goes.
struct Asking {
    prompt: Prompt,
    token: String,
    check: fn(&str) -> Result<(), String>,
    taken: tokio::sync::mpsc::Sender<String>,
}

#[derive(serde::Deserialize)]
struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    link: String,
}

/// Serves the form at `http://127.0.0.1:<port>/` (loopback only) until dropped.
async fn serve_form(asking: std::sync::Arc<Asking>) -> Result<RunningServer, String> {
    use axum::extract::State;
    use axum::response::Html;
    let router = axum::Router::new()
        .route(
            "/",
            axum::routing::get(|State(a): State<std::sync::Arc<Asking>>| async move {
                Html(ask_page(&a.prompt, &a.token, None))
            })
            .post(|State(a): State<std::sync::Arc<Asking>>, body: axum::body::Bytes| async move {
                let form: LinkForm = serde_urlencoded::from_bytes(&body).unwrap_or(LinkForm { token: String::new(), link: String::new() });
                if form.token != a.token {
                    return (axum::http::StatusCode::FORBIDDEN, Html(answer_page("Not taken", "This form is not the one dialtone showed (stale or foreign page).")));
                }
                match take_link(&form.link, a.check) {
                    Ok(link) => {
                        let _ = a.taken.try_send(link);
                        (axum::http::StatusCode::OK, Html(answer_page("Taken", "dialtone now answers the request as the wallet; the terminal and the report tell what followed. This page can be closed.")))
                    }
                    Err(problem) => (axum::http::StatusCode::BAD_REQUEST, Html(ask_page(&a.prompt, &a.token, Some(&problem)))),
                }
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(2 * MAX_LINK))
        .with_state(asking);
    RunningServer::start(router, 0).await.map_err(|e| format!("cannot serve the manual-mode page: {e}"))
}

/// Lines typed on the terminal (standard input), read by one thread for the whole run, each at most
/// [`MAX_LINK`] bytes (longer ones are dropped).
fn terminal_lines() -> &'static tokio::sync::Mutex<tokio::sync::mpsc::Receiver<String>> {
    static LINES: std::sync::OnceLock<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<String>>> =
        std::sync::OnceLock::new();
    LINES.get_or_init(|| {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let _ = std::thread::Builder::new().name("dialtone-stdin".into()).spawn(move || {
            use std::io::{BufRead, Read};
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            loop {
                let mut line = Vec::new();
                match (&mut input).take(MAX_LINK as u64 + 2).read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(n) if n - usize::from(line.ends_with(b"\n")) > MAX_LINK => {
                        // Too long: drop the rest of the line, a bounded chunk at a time.
                        while !line.ends_with(b"\n") {
                            line.clear();
                            match (&mut input).take(MAX_LINK as u64).read_until(b'\n', &mut line) {
                                Ok(0) | Err(_) => return,
                                Ok(_) => {}
                            }
                        }
                    }
                    Ok(_) => {
                        if tx.blocking_send(String::from_utf8_lossy(&line).into_owned()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        tokio::sync::Mutex::new(rx)
    })
}

/// Asks a person for a link (a verifier's request link): shows the prompt in the terminal and on a
/// local page with a form, and waits until a link that passes `check` is pasted into the form or
/// typed in the terminal, or the deadline passes (`None`).
pub(crate) async fn ask_for_link(
    prompt: &Prompt,
    check: fn(&str) -> Result<(), String>,
) -> Result<Option<String>, String> {
    let (taken, mut links) = tokio::sync::mpsc::channel(1);
    let token = dialtone_protocols::seed::Entropy::from_os().token(16);
    let asking = std::sync::Arc::new(Asking { prompt: prompt.clone(), token, check, taken });
    let server = serve_form(asking).await?;
    eprintln!("\n{}\n{}", safe::terminal_text(&prompt.title, 200), safe::terminal_lines(&prompt.instructions));
    eprintln!("page: {}/   or paste the link here and press Enter", server.base_url);
    let mut terminal = terminal_lines().lock().await;
    loop {
        let left = prompt.deadline.duration_since(SystemTime::now()).unwrap_or_default();
        if left.is_zero() {
            eprintln!("deadline reached");
            server.stop().await;
            return Ok(None);
        }
        eprint!("\rwaiting: {:>4} s left ", left.as_secs());
        tokio::select! {
            Some(link) = links.recv() => {
                server.stop().await;
                return Ok(Some(link));
            }
            Some(line) = terminal.recv() => match take_link(&line, check) {
                Ok(link) => {
                    server.stop().await;
                    return Ok(Some(link));
                }
                Err(problem) if line.trim().is_empty() => { let _ = problem; }
                Err(problem) => eprintln!("\nnot taken: {}", safe::terminal_text(&problem.to_string(), 400)),
            },
            _ = tokio::time::sleep(Duration::from_secs(1).min(left)) => {}
        }
    }
}

/// Shows the prompt (terminal and page) and polls `done` until it yields a value or the deadline
/// passes. Returns `None` at the deadline.
pub(crate) async fn show_and_wait<T, F, Fut>(prompt: &Prompt, mut done: F) -> Result<Option<T>, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let server = serve(prompt).await?;
    let qr = terminal_qr(&prompt.payload)?;
    eprintln!(
        "\n{}\n{}\n{}",
        safe::terminal_text(&prompt.title, 200),
        safe::terminal_lines(&prompt.instructions),
        safe::terminal_lines(&qr)
    );
    eprintln!("page: {}/   link: {}", server.base_url, safe::terminal_text(&prompt.payload, 4000));
    loop {
        if let Some(v) = done().await {
            return Ok(Some(v));
        }
        let left = prompt.deadline.duration_since(SystemTime::now()).unwrap_or_default();
        if left.is_zero() {
            eprintln!("deadline reached");
            return Ok(None);
        }
        eprint!("\rwaiting: {:>4} s left ", left.as_secs());
        tokio::time::sleep(Duration::from_millis(250).min(left)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(payload: &str) -> Prompt {
        Prompt {
            title: "Scan to receive a credential <test>".into(),
            instructions: "Open your wallet and scan the code.".into(),
            payload: payload.into(),
            deadline: SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_444_272),
        }
    }

    /// Decodes the QR code the page shows (from the code's own module matrix, as a camera would see
    /// it in black and white) and checks it carries the payload.
    #[test]
    fn the_page_shows_a_qr_code_that_decodes_to_the_payload() {
        let payload = "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A%22https%3A%2F%2F127.0.0.1%3A8300%22%7D";
        let html = page(&prompt(payload)).unwrap();
        assert!(html.contains("<svg") && html.contains("2026-11-23T14:31:12Z"));
        assert!(html.contains("Scan to receive a credential &lt;test&gt;"), "title escaped");
        assert!(!html.contains("<script"), "no script");
        let code = QrCode::new(payload.as_bytes()).unwrap();
        let width = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (4usize, 4usize);
        let size = (width + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
            if mx < width && my < width && colors[my * width + mx] == qrcode::Color::Dark { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, payload);
        // The SVG on the page is drawn from the same code.
        assert!(html.contains(&svg_qr(payload).unwrap()));
    }

    #[tokio::test]
    async fn the_page_is_served_on_loopback() {
        let server = serve(&prompt("openid4vp://?client_id=x509_san_dns%3Alocalhost")).await.unwrap();
        assert!(server.base_url.starts_with("http://127.0.0.1:"));
        let client = dialtone_http::build_client(dialtone_http::HttpLimits::default(), &[]).unwrap().client().clone();
        let body = client.get(format!("{}/", server.base_url)).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("openid4vp://?client_id=x509_san_dns%3Alocalhost") && body.contains("<svg"));
        server.stop().await;
    }

    fn a_link(link: &str) -> Result<(), String> {
        if link.contains("client_id=") { Ok(()) } else { Err("no client".into()) }
    }

    /// The form takes a link only with the token of the page it showed, refuses what is not a link
    /// (saying why, escaped), and hands a good one over.
    #[tokio::test]
    async fn the_form_takes_a_link_with_its_token_only() {
        let (taken, mut links) = tokio::sync::mpsc::channel(1);
        let mut p = prompt("");
        p.instructions = "Start a request <b>now</b>".into();
        let asking = std::sync::Arc::new(Asking { prompt: p, token: "t0k3n".into(), check: a_link, taken });
        let server = serve_form(asking).await.unwrap();
        assert!(server.base_url.starts_with("http://127.0.0.1:"));
        let client = dialtone_http::build_client(dialtone_http::HttpLimits::default(), &[]).unwrap().client().clone();
        let url = format!("{}/", server.base_url);
        let page = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("name=\"token\" value=\"t0k3n\"") && page.contains("<form method=\"post\""));
        assert!(page.contains("Start a request &lt;b&gt;now&lt;/b&gt;") && !page.contains("<script"));
        let post = |body: String| {
            client.post(&url).header("Content-Type", "application/x-www-form-urlencoded").body(body).send()
        };
        let foreign = post("token=other&link=openid4vp%3A%2F%2F%3Fclient_id%3Dx".into()).await.unwrap();
        assert_eq!(foreign.status(), 403);
        let bad = post("token=t0k3n&link=%3Cscript%3Enope".into()).await.unwrap();
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("Not taken: no client"));
        let two_lines = post("token=t0k3n&link=a%0Aclient_id%3Dx".into()).await.unwrap();
        assert_eq!(two_lines.status(), 400);
        assert!(links.try_recv().is_err(), "nothing taken yet");
        let good = post("token=t0k3n&link=+openid4vp%3A%2F%2F%3Fclient_id%3Dx+".into()).await.unwrap();
        assert_eq!(good.status(), 200);
        assert_eq!(links.recv().await.unwrap(), "openid4vp://?client_id=x");
        let huge = post(format!("token=t0k3n&link={}", "a".repeat(3 * MAX_LINK))).await.unwrap();
        assert!(huge.status().is_client_error());
        server.stop().await;
    }

    #[tokio::test]
    async fn asking_stops_at_the_deadline() {
        let mut p = prompt("");
        p.deadline = SystemTime::now() + Duration::from_millis(300);
        assert_eq!(ask_for_link(&p, a_link).await.unwrap(), None);
    }

    #[tokio::test]
    async fn waiting_stops_at_the_deadline() {
        let mut p = prompt("openid4vp://?x=1");
        p.deadline = SystemTime::now() + Duration::from_millis(300);
        let outcome: Option<()> = show_and_wait(&p, || async { None }).await.unwrap();
        assert!(outcome.is_none());
        let done = show_and_wait(&p, || async { Some(7) }).await.unwrap();
        assert_eq!(done, Some(7));
    }
}
