//! Readiness per jurisdiction or program: which PCTF criteria each candidate's latest run meets.

use super::{PageResult, Shared, Viewer, see_other};
use crate::clock::now_ms;
use crate::store::SubmissionRow;
use crate::store::submissions::Filter;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dialtone_engine::pctf::Catalogue;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) async fn index(State(state): State<Shared>, Extension(viewer): Extension<Viewer>) -> PageResult {
    let programs = state.store.programs().await?;
    Ok(state.templates.page(&viewer, "readiness.html", minijinja::context! { programs => programs }))
}

/// The latest run of each candidate (vendor and candidate name) the viewer sees.
fn latest(rows: Vec<SubmissionRow>) -> Vec<SubmissionRow> {
    let mut by: BTreeMap<(String, String), SubmissionRow> = BTreeMap::new();
    for row in rows {
        let key = (row.vendor_name.clone(), row.candidate_name.clone());
        match by.get(&key) {
            Some(kept) if (kept.received_at, &kept.id) >= (row.received_at, &row.id) => {}
            _ => {
                by.insert(key, row);
            }
        }
    }
    by.into_values().collect()
}

/// A criterion is tested when a run says it is met, not met, or not tested (its cases skipped).
fn tested(status: &str) -> bool {
    matches!(status, "met" | "not_met" | "not_tested")
}

pub(crate) async fn program(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
) -> PageResult {
    let programs = state.store.programs().await?;
    let Some(program) = programs.into_iter().find(|p| p.id == id) else {
        return Ok(state.templates.error(&viewer, StatusCode::NOT_FOUND, "error-not-found"));
    };
    let candidates = latest(state.store.submissions(&viewer.visibility(), &Filter::default()).await?);
    let mut statuses: Vec<BTreeMap<String, String>> = Vec::new();
    for c in &candidates {
        statuses.push(state.store.criteria(&c.id).await?.into_iter().collect());
    }
    let criteria: Vec<String> = if program.criteria.is_empty() {
        let all: BTreeSet<String> =
            statuses.iter().flat_map(|s| s.iter().filter(|(_, v)| tested(v)).map(|(k, _)| k.clone())).collect();
        all.into_iter().collect()
    } else {
        program.criteria.clone()
    };
    let catalogue = Catalogue::embedded();
    let rows: Vec<_> = criteria
        .iter()
        .map(|id| {
            let cells: Vec<String> =
                statuses.iter().map(|s| s.get(id).cloned().unwrap_or_else(|| "absent".into())).collect();
            let criterion = catalogue.get(id);
            minijinja::context! {
                id => id,
                process => criterion.map(|c| c.process.clone()),
                text => criterion.map(|c| c.text.clone()),
                cells => cells,
            }
        })
        .collect();
    let met: Vec<usize> =
        statuses.iter().map(|s| criteria.iter().filter(|id| s.get(*id).is_some_and(|v| v == "met")).count()).collect();
    let columns: Vec<_> = candidates
        .iter()
        .zip(&met)
        .map(|(c, m)| minijinja::context! { s => c, met => m, ready => *m == criteria.len() && !criteria.is_empty() })
        .collect();
    Ok(state.templates.page(
        &viewer,
        "program.html",
        minijinja::context! { program => program, rows => rows, columns => columns, total => criteria.len() },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ProgramForm {
    name: String,
    jurisdiction: String,
    criteria: String,
}

/// An evaluator defines a program: its name, its jurisdiction, the criteria it requires.
pub(crate) async fn create(
    State(state): State<Shared>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<ProgramForm>,
) -> PageResult {
    if !viewer.is_evaluator() {
        return Ok(state.templates.error(&viewer, StatusCode::FORBIDDEN, "error-forbidden"));
    }
    let catalogue = Catalogue::embedded();
    let criteria: Vec<String> =
        form.criteria.split([' ', ',', '\n', '\r', '\t']).filter(|c| !c.is_empty()).map(str::to_uppercase).collect();
    let unknown: Vec<&String> = criteria.iter().filter(|c| !catalogue.contains(c)).collect();
    let name = form.name.trim();
    let problem = if name.is_empty() || name.chars().count() > 120 || form.jurisdiction.chars().count() > 120 {
        Some(("program-name-required".to_string(), String::new()))
    } else if !unknown.is_empty() {
        Some((
            "program-unknown-criteria".to_string(),
            unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        ))
    } else if state.store.program_name_exists(name).await? {
        Some(("program-exists".to_string(), String::new()))
    } else {
        None
    };
    if let Some((message, detail)) = problem {
        let programs = state.store.programs().await?;
        return Ok(state.templates.page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &viewer,
            "readiness.html",
            minijinja::context! { programs => programs, problem => message, detail => detail, form_name => form.name, form_jurisdiction => form.jurisdiction, form_criteria => form.criteria },
        ));
    }
    let id = state.store.create_program(name, form.jurisdiction.trim(), &criteria, now_ms()).await?;
    Ok(see_other(&format!("/readiness/{id}")))
}
