//! The difference between two runs of the same candidate.

use super::{PageResult, Shared, Viewer};
use crate::compare::compare;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CompareQuery {
    /// The earlier run (default: the run before `to`).
    from: String,
    to: String,
}

pub(crate) async fn page(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let vis = viewer.visibility();
    let Some(to) = state.store.submission(&vis, &q.to).await? else {
        return Ok(state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found"));
    };
    let runs = state.store.runs(&vis, &to.vendor_id, &to.candidate_name).await?;
    let from = if q.from.is_empty() {
        let at = runs.iter().position(|r| r.id == to.id);
        at.and_then(|p| p.checked_sub(1)).and_then(|p| runs.get(p)).cloned()
    } else {
        state.store.submission(&vis, &q.from).await?
    };
    let Some(from) = from else {
        return Ok(state.templates.page_with(
            StatusCode::NOT_FOUND,
            &viewer,
            "compare.html",
            minijinja::context! { to => to, runs => runs, missing => true },
        ));
    };
    if from.vendor_id != to.vendor_id || from.candidate_name != to.candidate_name {
        return Ok(state.templates.error(&viewer, StatusCode::BAD_REQUEST, "compare-not-same-candidate"));
    }
    let before = state.store.results(&from.id).await?;
    let after = state.store.results(&to.id).await?;
    let comparison = compare(&before, &after);
    Ok(state.templates.page(
        &viewer,
        "compare.html",
        minijinja::context! { from => from, to => to, c => comparison, runs => runs },
    ))
}
