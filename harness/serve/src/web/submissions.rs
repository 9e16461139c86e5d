//! The submissions a viewer sees, per vendor, candidate and version.

use super::{PageResult, Shared, Viewer};
use crate::store::SubmissionRow;
use crate::store::submissions::{Filter, LIST_LIMIT};
use axum::Extension;
use axum::extract::{Query, State};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct IndexQuery {
    vendor: String,
    candidate: String,
    version: String,
}

/// One vendor's candidate at one version, and its runs (newest first).
#[derive(serde::Serialize)]
struct Group {
    vendor_id: String,
    vendor_name: String,
    candidate: String,
    version: String,
    runs: Vec<SubmissionRow>,
}

pub(crate) async fn index(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<IndexQuery>,
) -> PageResult {
    let filter = Filter { vendor_id: &q.vendor, candidate: &q.candidate, version: &q.version };
    let rows = state.store.submissions(&viewer.visibility(), &filter).await?;
    let truncated = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= LIST_LIMIT;
    let mut groups: Vec<Group> = Vec::new();
    for row in rows {
        match groups.last_mut() {
            Some(g)
                if g.vendor_id == row.vendor_id
                    && g.candidate == row.candidate_name
                    && g.version == row.candidate_version =>
            {
                g.runs.push(row)
            }
            _ => groups.push(Group {
                vendor_id: row.vendor_id.clone(),
                vendor_name: row.vendor_name.clone(),
                candidate: row.candidate_name.clone(),
                version: row.candidate_version.clone(),
                runs: vec![row],
            }),
        }
    }
    let filtered = !(q.vendor.is_empty() && q.candidate.is_empty() && q.version.is_empty());
    Ok(state.templates.page(
        &viewer,
        "index.html",
        minijinja::context! { groups => groups, truncated => truncated, filtered => filtered },
    ))
}
