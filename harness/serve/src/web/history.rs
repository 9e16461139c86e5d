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
    let vis = viewer.visibility();
    let runs = state.store.runs(&vis, &q.vendor, &q.candidate).await?;
    let withdrawals = state.store.withdrawals(&vis, &q.vendor, &q.candidate).await?;
    if runs.is_empty() && withdrawals.is_empty() {
        return Ok(state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found"));
    }
    let vendor = match runs.last() {
        Some(last) => last.vendor_name.clone(),
        None => state.store.vendor(&q.vendor).await?.map(|v| v.name).unwrap_or_default(),
    };
    let chart = crate::chart::history(&runs);
    let pairs: Vec<_> = runs.windows(2).filter_map(|w| Some((w.first()?.id.clone(), w.get(1)?.id.clone()))).collect();
    let ctx = minijinja::context! {
        vendor => vendor,
        candidate => q.candidate,
        withdrawals => withdrawals.iter().rev().collect::<Vec<_>>(),
        chart => chart,
        runs => runs.iter().rev().collect::<Vec<_>>(),
        pairs => pairs,
    };
    Ok(state.templates.page(&viewer, "history.html", ctx))
}
