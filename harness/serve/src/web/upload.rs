//! Receiving a bundle: in the browser (a form) or from `dialtone submit` (the API); both verify
//! it on arrival through [`accept`].

use super::session::signed_in;
use super::{AppError, PageResult, Shared, Viewer, blocking, see_other};
use crate::arrival::{Refusal, examine};
use crate::clock::now_ms;
use crate::store::{Account, Vendor};
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

/// Verifies a bundle for `vendor`, sent by `account`, and records it: the new submission's id,
/// or why it is refused.
pub(crate) async fn accept(
    state: &Shared,
    vendor: &Vendor,
    account: &Account,
    bytes: Vec<u8>,
) -> Result<Result<String, Refusal>, AppError> {
    let _turn = state.uploads.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let (vendor_id, account_id) = (vendor.id.clone(), account.id.clone());
    let examined = blocking(move || examine(bytes, &vendor_id, &account_id, now_ms())).await?;
    let examined = match examined {
        Ok(e) => e,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let registered = state.store.signing_keys(&vendor.id).await?;
    if !registered.iter().any(|k| k.key_id == examined.signer_key_id) {
        return Ok(Err(Refusal::UnknownSigner { key_id: examined.signer_key_id, vendor: vendor.name.clone() }));
    }
    if let Some(id) = state.store.submission_of_bundle(&vendor.id, &examined.submission.bundle_sha256).await? {
        return Ok(Err(Refusal::Duplicate { id }));
    }
    Ok(Ok(state.store.insert_submission(&examined.submission).await?))
}

pub(crate) async fn form(State(state): State<Shared>, Extension(viewer): Extension<Viewer>) -> PageResult {
    let account = match signed_in(&viewer) {
        Ok(a) => a,
        Err(login) => return Ok(*login),
    };
    let vendors = if account.is_evaluator() { state.store.vendors().await? } else { Vec::new() };
    Ok(state.templates.page(&viewer, "upload.html", minijinja::context! { vendors => vendors }))
}

pub(crate) async fn receive(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    mut multipart: Multipart,
) -> PageResult {
    let account = match signed_in(&viewer) {
        Ok(a) => a.clone(),
        Err(login) => return Ok(*login),
    };
    let (mut vendor_id, mut bundle) = (String::new(), None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let status = e.status();
                return refused_page(&state, &viewer, status, &e.body_text(), None, Vec::new()).await;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return refused_page(&state, &viewer, e.status(), &e.body_text(), None, Vec::new()).await,
        };
        match name.as_str() {
            "vendor" => vendor_id = String::from_utf8_lossy(&bytes).into_owned(),
            "bundle" => bundle = Some(bytes.to_vec()),
            _ => {}
        }
    }
    let vendor = match account.vendor_id() {
        Some(own) => state.store.vendor(own).await?,
        None => state.store.vendor(&vendor_id).await?,
    };
    let vendors = if account.is_evaluator() { state.store.vendors().await? } else { Vec::new() };
    let Some(vendor) = vendor else {
        let text = dialtone_i18n::serve().text(viewer.lang, "upload-choose-vendor", &[]);
        return refused_page(&state, &viewer, StatusCode::UNPROCESSABLE_ENTITY, &text, None, vendors).await;
    };
    let Some(bundle) = bundle.filter(|b| !b.is_empty()) else {
        let text = dialtone_i18n::serve().text(viewer.lang, "upload-no-file", &[]);
        return refused_page(&state, &viewer, StatusCode::UNPROCESSABLE_ENTITY, &text, None, vendors).await;
    };
    match accept(&state, &vendor, &account, bundle).await? {
        Ok(id) => Ok(see_other(&format!("/submissions/{id}"))),
        Err(Refusal::Duplicate { id }) => {
            let text = dialtone_i18n::serve().text(viewer.lang, "upload-duplicate", &[]);
            refused_page(&state, &viewer, StatusCode::CONFLICT, &text, Some(id), vendors).await
        }
        Err(refusal) => {
            let page = state.templates.page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &viewer,
                "upload.html",
                minijinja::context! { vendors => vendors, refused => refusal.to_string(), file => refusal.file() },
            );
            Ok(page)
        }
    }
}

async fn refused_page(
    state: &Shared,
    viewer: &Viewer,
    status: StatusCode,
    reason: &str,
    existing: Option<String>,
    vendors: Vec<Vendor>,
) -> PageResult {
    Ok(state
        .templates
        .page_with(
            status,
            viewer,
            "upload.html",
            minijinja::context! { vendors => vendors, refused => reason, existing => existing },
        )
        .into_response())
}
