//! The difference between two runs of the same candidate, or between two checks of stored
//! artifacts by the same vendor (artifact by artifact, and rule by rule).

use super::{PageResult, Shared, Viewer};
use crate::compare::compare;
use crate::store::Store;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use dialtone_engine::model::Report;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CompareQuery {
    /// The earlier run (default: the run before `to`).
    from: String,
    to: String,
}

/// The artifacts of a check's public report (none when it cannot be read).
async fn artifacts(store: &Store, id: &str) -> Result<Vec<dialtone_engine::model::ArtifactResult>, super::AppError> {
    let text = store.public_report(id).await?;
    Ok(serde_json::from_str::<Report>(&text).map(|r| r.artifacts).unwrap_or_default())
}

pub(crate) async fn page(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let vis = viewer.visibility();
    let to = match super::report::visible(&state, &viewer, &q.to).await? {
        Ok(row) => row,
        Err(not_found) => return Ok(not_found),
    };
    let runs = state.store.series(&vis, &to).await?;
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
            minijinja::context! { to => to, runs => runs, missing => true, check => to.is_check() },
        ));
    };
    if from.is_check() != to.is_check() {
        return Ok(state.templates.error(&viewer, StatusCode::BAD_REQUEST, "compare-not-same-kind"));
    }
    let same_series = from.vendor_id == to.vendor_id && (to.is_check() || from.candidate_name == to.candidate_name);
    if !same_series {
        return Ok(state.templates.error(&viewer, StatusCode::BAD_REQUEST, "compare-not-same-candidate"));
    }
    let before = state.store.results(&from.id).await?;
    let after = state.store.results(&to.id).await?;
    let comparison = compare(&before, &after);
    let artifacts = if to.is_check() {
        let (before, after) = (artifacts(&state.store, &from.id).await?, artifacts(&state.store, &to.id).await?);
        Some(crate::artifacts::compare(&before, &after))
    } else {
        None
    };
    Ok(state.templates.page(
        &viewer,
        "compare.html",
        minijinja::context! {
            from => from, to => to, c => comparison, runs => runs, check => to.is_check(), a => artifacts,
        },
    ))
}
