//! The web application: routes, the headers every answer carries, and the pages' shared parts.

mod account;
mod admin;
mod api;
mod compare;
mod csrf;
mod history;
mod readiness;
mod render;
mod report;
mod session;
mod submissions;
mod upload;

pub(crate) use account::MIN_PASSWORD_CHARS;
pub(crate) use render::Templates;
pub(crate) use session::{SESSION_MS, Viewer};

use crate::store::{Store, StoreError};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// The most bytes of a bundle the service reads: the bundle crate's bound on an archive.
pub(crate) fn bundle_limit() -> usize {
    usize::try_from(dialtone_bundle::Limits::default().archive_bytes).unwrap_or(usize::MAX)
}

/// The most bytes of an upload form (the bundle and the form's fields).
pub(crate) fn upload_body_limit() -> usize {
    bundle_limit().saturating_add(64 << 10)
}

/// The path of the one form that uploads a file (`multipart/form-data`).
pub(crate) const UPLOAD_PATH: &str = "/upload";
/// The path of the API, which authenticates with a bearer token and no cookie (no CSRF to fear).
pub(crate) const API_PATH: &str = "/api/submissions";

/// Bundles verified at once; more wait for a turn (each holds up to 64 MiB and a core).
pub(crate) const UPLOADS_AT_ONCE: usize = 2;

/// The Content-Security-Policy of every page: nothing but the service's own stylesheet and forms;
/// no script at all, no frames, no plugins.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

pub(crate) struct AppState {
    pub store: Store,
    pub templates: Templates,
    /// Cookies only over https (`Secure`): a deployment behind TLS.
    pub secure_cookies: bool,
    /// The client's address from `X-Forwarded-For` (a proxy in front), not the connection's.
    pub forwarded_for: bool,
    pub uploads: tokio::sync::Semaphore,
}

pub(crate) type Shared = Arc<AppState>;

pub(crate) fn router(state: Shared) -> Router {
    let upload_limit = DefaultBodyLimit::max(upload_body_limit());
    Router::new()
        .route("/", get(submissions::index))
        .route("/submissions/{id}", get(report::page))
        .route("/submissions/{id}/bundle", get(report::bundle))
        .route("/submissions/{id}/report.html", get(report::original))
        .route("/submissions/{id}/publish", post(report::publish))
        .route("/submissions/{id}/withdraw", post(report::withdraw))
        .route(UPLOAD_PATH, get(upload::form).post(upload::receive).layer(upload_limit))
        .route(API_PATH, post(api::submit).layer(DefaultBodyLimit::disable()))
        .route("/compare", get(compare::page))
        .route("/history", get(history::page))
        .route("/readiness", get(readiness::index).post(readiness::create))
        .route("/readiness/{id}", get(readiness::program))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/lang", get(session::switch_language))
        .route("/account", get(account::page))
        .route("/account/password", post(account::password))
        .route("/account/tokens", post(account::token))
        .route("/account/keys", post(account::key))
        .route("/admin", get(admin::page))
        .route("/admin/vendors", post(admin::vendor))
        .route("/admin/accounts", post(admin::new_account))
        .route("/static/style.css", get(stylesheet))
        .fallback(not_found)
        // Every state-changing request carries its viewer's form token (checked once, here).
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::context))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// The headers of every answer: a strict CSP (unless the handler set a stricter one), no
/// sniffing, no referrer, no framing, and no caching of pages that may be someone's own.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn stylesheet() -> Response {
    let mut r = include_str!("../../static/style.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

async fn not_found(State(state): State<Shared>, viewer: axum::Extension<Viewer>) -> Response {
    state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found")
}

/// A failure answering a request.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Store(StoreError::Query(e))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        eprintln!("dialtone serve: {self}");
        let body = "The review service could not answer (the error is in its log).\n\
                    Le service d'examen n'a pas pu répondre (l'erreur est dans son journal).\n";
        (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
    }
}

pub(crate) type PageResult = Result<Response, AppError>;

/// A 303 to a path of this service.
pub(crate) fn see_other(path: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, path.to_string())]).into_response()
}

/// Runs CPU-heavy work (verification, password hashing) off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(format!("a worker stopped: {e}")))
}
