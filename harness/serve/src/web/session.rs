//! Who is asking: the session cookie (an account and its CSRF token), or an anonymous visitor
//! (whose forms carry the token of a cookie of their own); the language they read; logging in
//! and out; switching languages.

use super::{AppError, PageResult, Shared, see_other};
use crate::clock::now_ms;
use crate::password;
use crate::store::{Account, Visibility};
use axum::Extension;
use axum::extract::{ConnectInfo, Form, Query, Request, State};
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
    /// The client's address (the connection's, or a proxy's `X-Forwarded-For` when trusted).
    pub client: String,
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
    let client = client_address(&request, state.forwarded_for);
    request.extensions_mut().insert(super::Viewer { account, csrf, lang, here, client, session_digest });
    let mut response = next.run(request).await;
    if let Some(t) = new_anonymous_token {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(state.secure_cookies, CSRF_COOKIE, &t, 86_400, "Strict"));
    }
    response
}

/// The client's address: the last of `X-Forwarded-For` when the proxy in front is trusted to set
/// it (an address, else the connection's), else the connection's peer.
fn client_address(request: &Request, forwarded_for: bool) -> String {
    let forwarded = forwarded_for
        .then(|| {
            let last = request.headers().get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
            last.rsplit(',').next()?.trim().parse::<std::net::IpAddr>().ok()
        })
        .flatten();
    let peer = request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    forwarded.or(peer).map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
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
    login: String,
    password: String,
    next: String,
}

/// What failed sign-ins are counted against: the login tried, and the client's address.
fn throttled_subjects(login: &str, viewer: &Viewer) -> [String; 2] {
    let login: String = login.chars().take(64).collect();
    [format!("login:{login}"), format!("address:{}", viewer.client)]
}

/// The sign-in page refusing for a while (429, with `Retry-After`), when the login or the address
/// has had too many failures.
async fn throttled(
    state: &Shared,
    viewer: &Viewer,
    form: &LoginForm,
    subjects: &[String; 2],
) -> Result<Option<Response>, AppError> {
    let now = now_ms();
    let mut until = None;
    for subject in subjects {
        until = until.max(state.store.login_refused_until(subject, now).await?);
    }
    let Some(until) = until else { return Ok(None) };
    let seconds = u64::try_from(until - now).unwrap_or(0).max(1000).div_ceil(1000);
    let page = state.templates.page(
        viewer,
        "login.html",
        minijinja::context! { next => local_path(&form.next), throttled => seconds.div_ceil(60), login => form.login },
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    Ok(Some(response))
}

pub(crate) async fn login(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let subjects = throttled_subjects(form.login.trim(), &viewer);
    if let Some(refused) = throttled(&state, &viewer, &form, &subjects).await? {
        return Ok(refused);
    }
    let found = state.store.account_by_login(form.login.trim()).await?;
    let (account, stored) = match found {
        Some((a, h)) => (Some(a), h),
        None => (None, password::decoy().to_string()),
    };
    let given = form.password;
    let ok = super::blocking(move || password::verify(&given, &stored)).await?;
    let Some(account) = account.filter(|_| ok) else {
        let [login, address] = &subjects;
        state.store.record_login_failure(&[login, address], now_ms()).await?;
        let page = state.templates.page(
            &viewer,
            "login.html",
            minijinja::context! { next => local_path(&form.next), error => "login-failed", login => form.login },
        );
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    state.store.clear_login_failures(&subjects[0]).await?;
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

pub(crate) async fn logout(State(state): State<Shared>, Extension(viewer): Extension<Viewer>) -> PageResult {
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
