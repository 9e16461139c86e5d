//! Manual mode: for a candidate without a control API (a phone wallet), the harness shows what a
//! person must hand to it — a credential offer or a presentation request — as a QR code in the
//! terminal and on a local page, with a visible deadline, and waits (bounded) for the outcome.

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
    text.chars()
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

/// Shows the prompt (terminal and page) and polls `done` until it yields a value or the deadline
/// passes. Returns `None` at the deadline.
pub(crate) async fn show_and_wait<T, F, Fut>(prompt: &Prompt, mut done: F) -> Result<Option<T>, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let server = serve(prompt).await?;
    eprintln!("\n{}\n{}\n{}", prompt.title, prompt.instructions, terminal_qr(&prompt.payload)?);
    eprintln!("page: {}/   link: {}", server.base_url, prompt.payload);
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
