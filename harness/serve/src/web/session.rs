//! Who is asking: the session cookie (an account and its CSRF token), or an anonymous visitor
//! (whose forms carry the token of a cookie of their own); the language they read; logging in
//! and out; switching languages.

use super::{AppError, PageResult, Shared, see_other};
use crate::clock::now_ms;
use crate::password;
use crate::store::{Account, Visibility};
use axum::Extension;
use axum::extract::{Form, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dialtone_i18n::Lang;
use serde::Deserialize;

const SESSION_COOKIE: &str = "dialtone_session";
const CSRF_COOKIE: &str = "dialtone_csrf";
const LANG_COOKIE: &str = "dialtone_lang";
/// How long a session lasts.
pub(crate) const SESSION_MS: i64 = 12 * 3600 * 1000;

/// The person asking, as every page sees them.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub account: Option<Account>,
    /// The token this viewer's forms carry.
    pub csrf: String,
    pub lang: Lang,
    /// The path and query asked for (where the language switch comes back to).
    pub here: String,
    session_digest: Option<String>,
}

impl Viewer {
    pub fn visibility(&self) -> Visibility {
        match &self.account {
            Some(a) if a.is_evaluator() => Visibility::All,
            Some(a) => a.vendor_id().map_or(Visibility::Published, |v| Visibility::Vendor(v.to_string())),
            None => Visibility::Published,
        }
    }

    pub fn is_evaluator(&self) -> bool {
        self.account.as_ref().is_some_and(Account::is_evaluator)
    }

    /// Whether a form's token is this viewer's.
    pub fn csrf_ok(&self, given: &str) -> bool {
        !given.is_empty() && password::same_secret(given, &self.csrf)
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

pub(crate) fn set_cookie(secure: bool, name: &str, value: &str, max_age_s: i64, same_site: &str) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Finds who is asking before every handler, and sets the anonymous CSRF cookie when new.
pub(crate) async fn context(State(state): State<Shared>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let now = now_ms();
    let mut account = None;
    let mut csrf = None;
    let mut session_digest = None;
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let digest = password::token_digest(token);
        match state.store.session(&digest, now).await {
            Ok(Some((a, token))) => {
                account = Some(a);
                csrf = Some(token);
                session_digest = Some(digest);
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let mut new_anonymous_token = None;
    let csrf = match csrf {
        Some(t) => t,
        None => match cookie(headers, CSRF_COOKIE) {
            Some(t) => t.to_string(),
            None => {
                let t = password::secret(32);
                new_anonymous_token = Some(t.clone());
                t
            }
        },
    };
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En);
    let here = request.uri().path_and_query().map_or("/".to_string(), |p| p.as_str().to_string());
    request.extensions_mut().insert(super::Viewer { account, csrf, lang, here, session_digest });
    let mut response = next.run(request).await;
    if let Some(t) = new_anonymous_token {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(state.secure_cookies, CSRF_COOKIE, &t, 86_400, "Strict"));
    }
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginQuery {
    next: String,
}

/// A local path to come back to (never another site).
pub(crate) fn local_path(path: &str) -> &str {
    if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.chars().any(char::is_control) {
        path
    } else {
        "/"
    }
}

pub(crate) async fn login_form(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    Ok(state.templates.page(&viewer, "login.html", minijinja::context! { next => local_path(&q.next) }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginForm {
    csrf: String,
    login: String,
    password: String,
    next: String,
}

pub(crate) async fn login(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<LoginForm>,
) -> PageResult {
    if !viewer.csrf_ok(&form.csrf) {
        return Ok(state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-csrf"));
    }
    let found = state.store.account_by_login(form.login.trim()).await?;
    let (account, stored) = match found {
        Some((a, h)) => (Some(a), h),
        None => (None, password::decoy().to_string()),
    };
    let given = form.password;
    let ok = super::blocking(move || password::verify(&given, &stored)).await?;
    let Some(account) = account.filter(|_| ok) else {
        let page = state.templates.page(
            &viewer,
            "login.html",
            minijinja::context! { next => local_path(&form.next), error => "login-failed", login => form.login },
        );
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    let token = password::secret(32);
    let csrf = password::secret(32);
    let now = now_ms();
    state.store.create_session(&password::token_digest(&token), &account.id, &csrf, now + SESSION_MS).await?;
    let mut response = see_other(local_path(&form.next));
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(state.secure_cookies, SESSION_COOKIE, &token, SESSION_MS / 1000, "Lax"));
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CsrfOnly {
    csrf: String,
}

pub(crate) async fn logout(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    if !viewer.csrf_ok(&form.csrf) {
        return Ok(state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-csrf"));
    }
    if let Some(digest) = &viewer.session_digest {
        state.store.end_session(digest, now_ms()).await?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(header::SET_COOKIE, set_cookie(state.secure_cookies, SESSION_COOKIE, "", 0, "Lax"));
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SwitchQuery {
    to: String,
    back: String,
}

/// `/lang?to=fr&back=/path`: remembers the language in a cookie and goes back.
pub(crate) async fn switch_language(State(state): State<Shared>, Query(q): Query<SwitchQuery>) -> Response {
    let lang = Lang::parse(&q.to).unwrap_or(Lang::En);
    let mut response = see_other(local_path(&q.back));
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(state.secure_cookies, LANG_COOKIE, lang.code(), 31_536_000, "Lax"));
    response
}

/// The account of a page that needs one, or the way to the login page.
pub(crate) fn signed_in(viewer: &Viewer) -> Result<&Account, Box<Response>> {
    viewer.account.as_ref().ok_or_else(|| {
        let next: String = form_urlencoded_path(&viewer.here);
        Box::new(see_other(&format!("/login?next={next}")))
    })
}

fn form_urlencoded_path(path: &str) -> String {
    serde_urlencoded::to_string([("", path)]).map(|s| s.trim_start_matches('=').to_string()).unwrap_or_default()
}
