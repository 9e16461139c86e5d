//! A candidate's runs over time, as a chart and a table.

use super::{PageResult, Shared, Viewer};
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct HistoryQuery {
    vendor: String,
    candidate: String,
}

pub(crate) async fn page(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<HistoryQuery>,
) -> PageResult {
    let runs = state.store.runs(&viewer.visibility(), &q.vendor, &q.candidate).await?;
    let Some(last) = runs.last() else {
        return Ok(state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found"));
    };
    let chart = crate::chart::history(&runs);
    let pairs: Vec<_> = runs.windows(2).filter_map(|w| Some((w.first()?.id.clone(), w.get(1)?.id.clone()))).collect();
    let ctx = minijinja::context! {
        vendor => last.vendor_name,
        candidate => last.candidate_name,
        chart => chart,
        runs => runs.iter().rev().collect::<Vec<_>>(),
        pairs => pairs,
    };
    Ok(state.templates.page(&viewer, "history.html", ctx))
}
