//! One check of the form token for every state-changing request, before any handler: a request
//! other than GET, HEAD or OPTIONS (the API aside, which takes a bearer token and no cookie) must
//! carry, as its form's `csrf` field, the token of its viewer — their session's, or before signing
//! in their own cookie's. The body is read within its bound to find the field, then handed on
//! whole to the handler.

use super::{Shared, Viewer};
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The most bytes of a form other than the upload (a PEM key, a list of criteria …).
const FORM_LIMIT: usize = 1 << 20;

/// Whether `method` may change something (so needs the form token).
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The `csrf` field of a URL-encoded form.
fn urlencoded_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(name, value)| (name == "csrf").then_some(value))
}

/// The `csrf` field of a multipart form (the fields before it are skipped, not kept).
async fn multipart_token(content_type: &str, body: Bytes) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// Refuses a state-changing request whose form does not carry its viewer's token (403, the page
/// saying so), or whose body is past its bound (413).
pub(crate) async fn guard(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    request: Request,
    next: Next,
) -> Response {
    if !changes_state(request.method()) || request.uri().path() == super::API_PATH {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = if parts.uri.path() == super::UPLOAD_PATH { super::upload_body_limit() } else { FORM_LIMIT };
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return state.templates.error(&viewer, StatusCode::PAYLOAD_TOO_LARGE, "error-too-large");
    };
    let content_type =
        parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let token = match mime.as_str() {
        "application/x-www-form-urlencoded" => urlencoded_token(&bytes),
        "multipart/form-data" => multipart_token(&content_type, bytes.clone()).await,
        _ => None,
    };
    if !token.is_some_and(|t| viewer.csrf_ok(&t)) {
        return state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-csrf");
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requests_that_may_change_state_need_the_token() {
        assert!(!changes_state(&Method::GET) && !changes_state(&Method::HEAD));
        assert!(changes_state(&Method::POST) && changes_state(&Method::PUT) && changes_state(&Method::DELETE));
    }

    #[test]
    fn the_token_is_read_from_either_kind_of_form() {
        assert_eq!(urlencoded_token(b"label=x&csrf=abc%2Bd").as_deref(), Some("abc+d"));
        assert_eq!(urlencoded_token(b"label=x"), None);
        let body = "--XYZ\r\nContent-Disposition: form-data; name=\"vendor\"\r\n\r\nv\r\n\
                    --XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XYZ--\r\n";
        let token = tokio::runtime::Builder::new_current_thread()
            .build()
            .ok()
            .and_then(|rt| rt.block_on(multipart_token("multipart/form-data; boundary=XYZ", Bytes::from(body))));
        assert_eq!(token.as_deref(), Some("tok"));
    }
}
