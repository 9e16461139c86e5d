//! One's own account: the password, API tokens for `dialtone submit`, and (a vendor's) the
//! public keys its bundles are signed with.

use super::session::signed_in;
use super::{PageResult, Shared, Viewer, blocking};
use crate::clock::now_ms;
use crate::password;
use crate::store::{Account, Role};
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use minijinja::Value;
use serde::Deserialize;

/// The shortest password the service sets.
pub(crate) const MIN_PASSWORD_CHARS: usize = 12;

async fn render(state: &Shared, viewer: &Viewer, account: &Account, status: StatusCode, extra: Value) -> PageResult {
    let tokens = state.store.api_tokens(&account.id).await?;
    let keys = match &account.role {
        Role::Vendor { vendor_id, .. } => state.store.signing_keys(vendor_id).await?,
        Role::Evaluator => Vec::new(),
    };
    Ok(state.templates.page_with(
        status,
        viewer,
        "account.html",
        minijinja::context! { tokens => tokens, keys => keys, min_password => MIN_PASSWORD_CHARS, ..extra },
    ))
}

pub(crate) async fn page(State(state): State<Shared>, Extension(viewer): Extension<Viewer>) -> PageResult {
    let account = match signed_in(&viewer) {
        Ok(a) => a.clone(),
        Err(login) => return Ok(*login),
    };
    render(&state, &viewer, &account, StatusCode::OK, minijinja::context! {}).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PasswordForm {
    current: String,
    new: String,
}

pub(crate) async fn password(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let account = match signed_in(&viewer).cloned() {
        Ok(a) => a,
        Err(refused) => return Ok(*refused),
    };
    let stored = state.store.account_by_login(&account.login).await?.map(|(_, h)| h).unwrap_or_default();
    let current = form.current;
    let ok = blocking(move || password::verify(&current, &stored)).await?;
    let problem = if !ok {
        Some("password-wrong")
    } else if form.new.chars().count() < MIN_PASSWORD_CHARS {
        Some("password-too-short")
    } else {
        None
    };
    if let Some(problem) = problem {
        return render(
            &state,
            &viewer,
            &account,
            StatusCode::UNPROCESSABLE_ENTITY,
            minijinja::context! { problem => problem },
        )
        .await;
    }
    let new = form.new;
    let hash = blocking(move || password::hash(&new)).await?.map_err(super::AppError::Internal)?;
    state.store.set_password(&account.id, &hash).await?;
    render(&state, &viewer, &account, StatusCode::OK, minijinja::context! { done => "password-changed" }).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TokenForm {
    label: String,
}

/// A new API token, shown once.
pub(crate) async fn token(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    let account = match signed_in(&viewer).cloned() {
        Ok(a) => a,
        Err(refused) => return Ok(*refused),
    };
    let token = format!("dt_{}", password::secret(32));
    let label: String = form.label.trim().chars().filter(|c| !c.is_control()).take(80).collect();
    let label = if label.is_empty() { "dialtone submit".to_string() } else { label };
    state.store.create_api_token(&password::token_digest(&token), &account.id, &label, now_ms()).await?;
    render(&state, &viewer, &account, StatusCode::OK, minijinja::context! { new_token => token }).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct KeyForm {
    pem: String,
    /// An evaluator registering a key for a vendor.
    vendor: String,
}

/// Registers a public key (PEM) for a vendor: the key id, or the message saying why not.
pub(crate) async fn register_key(
    state: &Shared,
    vendor_id: &str,
    pem: &str,
) -> Result<Result<String, &'static str>, super::AppError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    if pem.len() > 8192 {
        return Ok(Err("key-unreadable"));
    }
    // The PEM block of what was pasted (`dialtone key public` prints a line about the key too).
    let block = pem.find(BEGIN).and_then(|at| pem[at..].find(END).map(|end| &pem[at..at + end + END.len()]));
    let Some(Ok(key)) = block.map(|b| dialtone_bundle::PublicKey::from_pem(b.as_bytes())) else {
        return Ok(Err("key-unreadable"));
    };
    let key_id = key.key_id();
    let canonical = key.to_pem().unwrap_or_else(|_| block.unwrap_or_default().to_string());
    state.store.add_signing_key(vendor_id, &key_id, &canonical, now_ms()).await?;
    Ok(Ok(key_id))
}

pub(crate) async fn key(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<KeyForm>,
) -> PageResult {
    let account = match signed_in(&viewer).cloned() {
        Ok(a) => a,
        Err(refused) => return Ok(*refused),
    };
    let vendor_id = match account.vendor_id() {
        Some(v) => v.to_string(),
        None if account.is_evaluator() && !form.vendor.is_empty() => form.vendor.clone(),
        None => return Ok(state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-forbidden")),
    };
    let outcome = register_key(&state, &vendor_id, &form.pem).await?;
    if account.is_evaluator() {
        return super::admin::render(&state, &viewer, outcome_context(outcome)).await;
    }
    let status = if outcome.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(&state, &viewer, &account, status, outcome_context(outcome)).await
}

pub(crate) fn outcome_context(outcome: Result<String, &'static str>) -> Value {
    match outcome {
        Ok(key_id) => minijinja::context! { done => "key-registered", key_id => key_id },
        Err(problem) => minijinja::context! { problem => problem },
    }
}
