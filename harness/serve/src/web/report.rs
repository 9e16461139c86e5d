//! One submission: its report (from the public view the signature covers), its bundle, the
//! original report.html for those who may see the evidence, and publishing it.

use super::{AppError, PageResult, Shared, Viewer, see_other};
use crate::store::{SubmissionRow, Visibility};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dialtone_bundle::VerifiedBundle;
use dialtone_engine::model::{CriterionStatus, Report};
use serde::Deserialize;

/// The submission `id` when `viewer` sees it, else the page saying it is not found (the same
/// answer whether it does not exist or is not theirs to see).
pub(super) async fn visible(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
) -> Result<Result<SubmissionRow, Response>, AppError> {
    Ok(match state.store.submission(&viewer.visibility(), id).await? {
        Some(row) => Ok(row),
        None => Err(state.templates.error(viewer, StatusCode::NOT_FOUND, "error-not-found")),
    })
}

/// A submission's bundle as stored, verified again (off the async runtime).
async fn verified(state: &Shared, row: &SubmissionRow) -> Result<VerifiedBundle, AppError> {
    let bytes = state.store.bundle(&row.id).await?;
    super::blocking(move || dialtone_bundle::verify(&bytes))
        .await?
        .map_err(|e| AppError::Internal(format!("a stored bundle no longer verifies: {e}")))
}

pub(crate) async fn page(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
) -> PageResult {
    let row = match visible(&state, &viewer, &id).await? {
        Ok(row) => row,
        Err(not_found) => return Ok(not_found),
    };
    let vis = viewer.visibility();
    let text = state.store.public_report(&id).await?;
    let report: Option<Report> = serde_json::from_str(&text).ok();
    let runs = state.store.series(&vis, &row).await?;
    let position = runs.iter().position(|r| r.id == row.id);
    let previous = position.and_then(|p| p.checked_sub(1)).and_then(|p| runs.get(p)).map(|r| r.id.clone());
    let catalogue = dialtone_engine::pctf::Catalogue::embedded();
    // The criteria the run tested; those that need evidence beyond the protocol are counted.
    let mut evidence_required = 0;
    let mut criteria = Vec::new();
    for c in report.iter().flat_map(|r| &r.pctf.criteria) {
        match c.status {
            CriterionStatus::Met | CriterionStatus::NotMet | CriterionStatus::NotTested => {
                criteria.push(minijinja::context! {
                    id => c.id,
                    process => catalogue.get(&c.id).map(|k| k.process.clone()).unwrap_or_default(),
                    status => serde_json::to_value(c.status).ok(),
                    cases => c.cases.iter().map(|v| v.id.clone()).collect::<Vec<_>>(),
                });
            }
            CriterionStatus::EvidenceRequired => evidence_required += 1,
            CriterionStatus::NotApplicable => {}
        }
    }
    let artifacts = report.as_ref().map(|r| crate::artifacts::views(&r.artifacts, &r.results)).unwrap_or_default();
    let owner = vis.sees_full(&row.vendor_id);
    Ok(state.templates.page(
        &viewer,
        "report.html",
        minijinja::context! {
            s => row,
            check => row.is_check(),
            statement => report.as_ref().map(|r| dialtone_engine::statement::statement(viewer.lang, &r.verdict)),
            report => report,
            artifacts => artifacts,
            criteria => criteria,
            evidence_required => evidence_required,
            previous => previous,
            runs => runs.len(),
            owner => owner,
        },
    ))
}

/// The bundle as received (with the evidence) for its vendor and evaluators; the public view
/// (`dialtone publish`'s) for everyone else. Both verify with `dialtone verify`.
pub(crate) async fn bundle(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
) -> PageResult {
    let row = match visible(&state, &viewer, &id).await? {
        Ok(row) => row,
        Err(not_found) => return Ok(not_found),
    };
    if viewer.visibility().sees_full(&row.vendor_id) {
        let bytes = state.store.bundle(&id).await?;
        return Ok(super::Templates::download(bytes, "application/gzip", &format!("bundle-{}.tar.gz", row.id)));
    }
    let bundle = verified(&state, &row).await?;
    let public = super::blocking(move || dialtone_bundle::pack(&dialtone_bundle::publish(&bundle)))
        .await?
        .map_err(|e| AppError::Internal(format!("the public view of a stored bundle cannot be packed: {e}")))?;
    Ok(super::Templates::download(public, "application/gzip", &format!("bundle-{}.public.tar.gz", row.id)))
}

/// The report.html of the bundle, for those who see the evidence: shown sandboxed (no script,
/// no form, no request anywhere), as dialtone rendered it.
pub(crate) async fn original(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
) -> PageResult {
    let row = match visible(&state, &viewer, &id).await? {
        Ok(row) if viewer.visibility().sees_full(&row.vendor_id) && row.full_view => row,
        Ok(_) => return Ok(state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found")),
        Err(not_found) => return Ok(not_found),
    };
    let Some(html) = verified(&state, &row).await?.files.remove(dialtone_bundle::REPORT_HTML) else {
        return Ok(state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found"));
    };
    let mut r = html.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
    );
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PublishForm {
    publish: String,
}

/// Shows (or withdraws) a submission's public view to everyone: its vendor's or an evaluator's call.
pub(crate) async fn publish(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    Form(form): Form<PublishForm>,
) -> PageResult {
    let vis = viewer.visibility();
    let row = state.store.submission(&vis, &id).await?;
    let allowed = row.filter(|r| vis != Visibility::Published && vis.sees_full(&r.vendor_id));
    let Some(row) = allowed else {
        return Ok(state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-forbidden"));
    };
    state.store.set_published(&row.id, form.publish == "1").await?;
    Ok(see_other(&format!("/submissions/{}", row.id)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct WithdrawForm {
    reason: String,
}

/// Withdraws (deletes) a submission: an evaluator's call, or its own vendor's. The audit log keeps
/// who did, when and why, and the candidate's history shows it.
pub(crate) async fn withdraw(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> PageResult {
    let account = match super::session::signed_in(&viewer) {
        Ok(a) => a.clone(),
        Err(login) => return Ok(*login),
    };
    let row = match visible(&state, &viewer, &id).await? {
        Ok(row) => row,
        Err(not_found) => return Ok(not_found),
    };
    // Another vendor sees a published submission, and may not withdraw it.
    if !viewer.visibility().sees_full(&row.vendor_id) {
        return Ok(state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-forbidden"));
    }
    state.store.withdraw_submission(&row, &account, &form.reason, crate::clock::now_ms()).await?;
    let history = serde_urlencoded::to_string([("vendor", row.vendor_id.as_str()), ("candidate", &row.candidate_name)])
        .unwrap_or_default();
    Ok(see_other(&format!("/history?{history}")))
}
