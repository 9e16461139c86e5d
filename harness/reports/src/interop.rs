//! The interop matrix (`dialtone interop`): rows are issuers, columns wallet × verifier, each cell
//! one issue → hold → present → verify chain with a link to its run's report.

use crate::RenderError;
use dialtone_i18n::Lang;
use minijinja::value::Kwargs;
use serde::{Deserialize, Serialize};

const TEMPLATE: &str = include_str!("../../../reports/templates/interop.html");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Matrix {
    pub tool_version: String,
    pub generated_at: String,
    pub duration_ms: f64,
    pub issuers: Vec<String>,
    pub columns: Vec<Column>,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Column {
    pub wallet: String,
    pub verifier: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cell {
    pub issuer: String,
    pub wallet: String,
    pub verifier: String,
    /// pass, fail, skip or error: the chain case's verdict.
    pub verdict: String,
    pub observed: String,
    /// The chain step reached last ("step 5: the verifier's verdict"…), when the chain did not pass.
    pub step: Option<String>,
    /// The cell's report, relative to the matrix; none when the run could not start (a candidate
    /// that is not reachable), and `observed` says why.
    pub report: Option<String>,
    pub duration_ms: f64,
}

/// The matrix's page in English.
pub fn render_html(matrix: &Matrix) -> Result<String, RenderError> {
    render_html_in(matrix, Lang::En)
}

/// The matrix's page in `lang` (the chains' observations and steps stay as written, marked English).
pub fn render_html_in(matrix: &Matrix, lang: Lang) -> Result<String, RenderError> {
    let mut env = minijinja::Environment::new();
    env.add_template("interop.html", TEMPLATE)
        .map_err(|e| RenderError::Render { what: "interop.html", detail: e.to_string() })?;
    env.add_function("t", move |id: &str, kwargs: Kwargs| crate::html::translate(lang, id, kwargs));
    env.get_template("interop.html")
        .and_then(|t| t.render(minijinja::context! { matrix => matrix, lang => lang.code() }))
        // Like report.html, the page passes through xml_text: only values could bring what it drops.
        .map(|page| dialtone_engine::safe_text::xml_text(&page).into_owned())
        .map_err(|e| RenderError::Render { what: "interop.html", detail: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_render_escaped_with_their_links() {
        let m = Matrix {
            tool_version: "0".into(),
            generated_at: "now".into(),
            duration_ms: 1.0,
            issuers: vec!["<script>i</script>".into()],
            columns: vec![Column { wallet: "w".into(), verifier: "v".into() }],
            cells: vec![Cell {
                issuer: "<script>i</script>".into(),
                wallet: "w".into(),
                verifier: "v".into(),
                verdict: "fail".into(),
                observed: "<img src=x onerror=alert(1)>".into(),
                step: Some("step 5".into()),
                report: Some("cells/1/report.html".into()),
                duration_ms: 1.0,
            }],
        };
        let html = render_html(&m).expect("renders");
        assert!(!html.contains("<script>i") && !html.contains("<img src=x"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("href=\"cells&#x2f;1&#x2f;report.html\"") && html.contains("class=\"fail\""), "{html}");
        assert!(html.contains("<html lang=\"en\">") && html.contains("1 chain in 1 ms") && html.contains(">fail<"));

        // In French: dialtone's words translated, the candidates' text escaped and marked English.
        let html = render_html_in(&m, Lang::Fr).expect("renders");
        assert!(html.contains("<html lang=\"fr\">") && html.contains("Matrice d&#x27;interopérabilité"), "{html}");
        assert!(html.contains("1 chaîne en 1 ms") && html.contains(">échec<") && html.contains("rapport et preuves"));
        assert!(html.contains("<div class=\"obs\" lang=\"en\">&lt;img src=x onerror=alert(1)&gt;</div>"), "{html}");
        assert!(!html.contains("interop-") && !html.contains("report and evidence"), "{html}");
    }
}
