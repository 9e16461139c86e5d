//! Evaluators manage vendors, accounts and vendors' signing keys.

use super::session::signed_in;
use super::{PageResult, Shared, Viewer, blocking};
use crate::clock::now_ms;
use crate::password;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::Value;
use serde::Deserialize;

/// The page, with `extra` (what was just done, or why not).
pub(crate) async fn render(state: &Shared, viewer: &Viewer, extra: Value) -> PageResult {
    let vendors = state.store.vendors().await?;
    let mut with_keys = Vec::new();
    for v in &vendors {
        let keys = state.store.signing_keys(&v.id).await?;
        with_keys.push(minijinja::context! { id => v.id, name => v.name, keys => keys });
    }
    let accounts: Vec<_> = state
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|a| {
            let vendor = match &a.role {
                crate::store::Role::Vendor { vendor_name, .. } => Some(vendor_name.clone()),
                crate::store::Role::Evaluator => None,
            };
            minijinja::context! { login => a.login, evaluator => a.is_evaluator(), vendor => vendor }
        })
        .collect();
    let status = if extra.get_attr("problem").is_ok_and(|p| !p.is_undefined() && !p.is_none()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(state.templates.page_with(
        status,
        viewer,
        "admin.html",
        minijinja::context! { vendors => with_keys, accounts => accounts, ..extra },
    ))
}

fn evaluator_only(state: &Shared, viewer: &Viewer) -> Option<Response> {
    match signed_in(viewer) {
        Err(login) => Some(*login),
        Ok(a) if !a.is_evaluator() => Some(state.templates.error(viewer, StatusCode::FORBIDDEN, "error-forbidden")),
        Ok(_) => None,
    }
}

pub(crate) async fn page(State(state): State<Shared>, Extension(viewer): Extension<Viewer>) -> PageResult {
    if let Some(r) = evaluator_only(&state, &viewer) {
        return Ok(r);
    }
    render(&state, &viewer, minijinja::context! {}).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct VendorForm {
    name: String,
}

pub(crate) async fn vendor(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<VendorForm>,
) -> PageResult {
    if let Some(r) = evaluator_only(&state, &viewer) {
        return Ok(r);
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        return render(&state, &viewer, minijinja::context! { problem => "vendor-name-invalid" }).await;
    }
    if state.store.vendors().await?.iter().any(|v| v.name == name) {
        return render(&state, &viewer, minijinja::context! { problem => "vendor-exists" }).await;
    }
    state.store.create_vendor(name, now_ms()).await?;
    render(&state, &viewer, minijinja::context! { done => "vendor-created" }).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AccountForm {
    login: String,
    /// `evaluator`, or a vendor's id.
    role: String,
}

/// A login is 1 to 64 letters, digits and `.`, `_`, `-`, `@`.
pub(crate) fn valid_login(login: &str) -> bool {
    (1..=64).contains(&login.len()) && login.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
}

/// A new account with a password made here and shown once.
pub(crate) async fn new_account(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<AccountForm>,
) -> PageResult {
    if let Some(r) = evaluator_only(&state, &viewer) {
        return Ok(r);
    }
    let login = form.login.trim().to_string();
    if !valid_login(&login) {
        return render(&state, &viewer, minijinja::context! { problem => "login-invalid" }).await;
    }
    if state.store.login_exists(&login).await? {
        return render(&state, &viewer, minijinja::context! { problem => "login-exists" }).await;
    }
    let vendor = if form.role == "evaluator" {
        None
    } else {
        match state.store.vendor(&form.role).await? {
            Some(v) => Some(v),
            None => return render(&state, &viewer, minijinja::context! { problem => "upload-choose-vendor" }).await,
        }
    };
    let secret = password::secret(15);
    let to_hash = secret.clone();
    let hash = blocking(move || password::hash(&to_hash)).await?.map_err(super::AppError::Internal)?;
    state.store.create_account(&login, &hash, vendor.as_ref().map(|v| v.id.as_str()), now_ms()).await?;
    render(
        &state,
        &viewer,
        minijinja::context! { done => "account-created", new_login => login, new_password => secret },
    )
    .await
}
