//! `report.html`: one self-contained page, in the reader's language (`lang="…"` on the page;
//! texts from `i18n/<lang>/report.ftl`, titles and PCTF criteria in French when asked).
//! The template (`reports/templates/report.html`) lays out the page; each role's table of results
//! is written by [`rows`]. Candidate-supplied strings only ever reach the page through minijinja's
//! HTML escaping (the template's auto-escaping, its name ending in `.html`; `HtmlEscape` in
//! `rows`), and the page through `xml_text`: the template is dialtone's, so what it would drop came
//! from a value.

use crate::RenderError;
use crate::terminal::json_name;
use crate::words;
use dialtone_engine::model::{CaseResult, CaseVerdict, CriterionStatus, Report};
use dialtone_engine::pctf_french::{CATALOGUE_NAME_FR, CATALOGUE_VERSION_FR, CatalogueFr};
use dialtone_engine::safe_text::xml_text;
use dialtone_i18n::Lang;
use minijinja::value::Kwargs;
use minijinja::{Environment, context};

mod rows;

const TEMPLATE: &str = include_str!("../../../reports/templates/report.html");

/// The page in English.
pub fn render(report: &Report) -> Result<String, RenderError> {
    render_with(report, None, Lang::En)
}

/// The page in `lang`.
pub fn render_in(report: &Report, lang: Lang) -> Result<String, RenderError> {
    render_with(report, None, lang)
}

/// One PCTF criterion as the page shows it, in the page's language.
#[derive(serde::Serialize)]
struct CriterionRow<'a> {
    id: &'a str,
    status: String,
    process: String,
    text: String,
    /// The French is the project's translation, not the official text.
    project: bool,
    cases: &'a [CaseVerdict],
}

/// `t("id", name=value, …)`: a message of the page's language.
pub(crate) fn translate(lang: Lang, id: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    dialtone_i18n::template::text(dialtone_i18n::report(), lang, id, kwargs)
}

/// [`render`] of a report that shows a selection of its artifacts (`check` over many files):
/// `shown` says how many there are in all, and which are shown.
pub fn render_with(report: &Report, shown: Option<(usize, &str)>, lang: Lang) -> Result<String, RenderError> {
    let mut page = Vec::new();
    write_with(report, shown, lang, &mut page)?;
    String::from_utf8(page).map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })
}

/// Where the template puts each role's table, written in its place by [`write_with`]: a comment
/// no value can make (every value is escaped, `<` with it).
const ROLE_SECTIONS: &str = "<!--dialtone:role-sections-->";

/// [`render_with`] into `out`: the page around the tables of results rendered, then written with
/// the tables streamed in their place ([`rows::write_role_sections`]), so that the page of a
/// check of many artifacts is never held whole.
pub fn write_with<W: std::io::Write>(
    report: &Report,
    shown: Option<(usize, &str)>,
    lang: Lang,
    out: &mut W,
) -> Result<(), RenderError> {
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })?;
    // A message without arguments and a word are the same wherever the page shows them (in every
    // row of a check's artifacts): each is composed once.
    let messages = Memo::default();
    env.add_function("t", move |id: &str, kwargs: Kwargs| {
        if kwargs.args().next().is_some() {
            return translate(lang, id, kwargs);
        }
        messages.get_or(id, || translate(lang, id, kwargs))
    });
    let named = Memo::default();
    env.add_function("word", move |kind: &str, name: &str| {
        named.get_or(&format!("{kind}-{name}"), || Ok(words::word(lang, kind, name)))
    });
    env.add_function("title", move |id: &str, english: &str| words::title_of(lang, id, english));
    env.add_function("roles", move |roles: Vec<String>| {
        roles.iter().map(|r| words::word(lang, "role", r)).collect::<Vec<_>>().join(", ")
    });
    let template = env
        .get_template("report.html")
        .map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })?;
    let statuses = [
        CriterionStatus::Met,
        CriterionStatus::NotMet,
        CriterionStatus::NotTested,
        CriterionStatus::EvidenceRequired,
        CriterionStatus::NotApplicable,
    ];
    let pctf_counts: Vec<(String, usize)> = statuses
        .iter()
        .map(|s| (json_name(s), report.pctf.criteria.iter().filter(|c| c.status == *s).count()))
        .collect();
    let untested = report
        .pctf
        .criteria
        .iter()
        .filter(|c| matches!(c.status, CriterionStatus::EvidenceRequired | CriterionStatus::NotApplicable))
        .count();
    let french = (lang == Lang::Fr).then(CatalogueFr::embedded);
    let pctf_rows: Vec<CriterionRow> = report
        .pctf
        .criteria
        .iter()
        .map(|c| {
            let fr = french.and_then(|f| f.get(&c.id));
            CriterionRow {
                id: &c.id,
                status: json_name(&c.status),
                process: fr.map_or_else(|| c.process.clone(), |f| f.process.clone()),
                text: fr.map_or_else(|| c.text.clone(), |f| f.text.clone()),
                // A criterion the French catalogue lacks is shown in English: not a translation.
                project: fr.is_some_and(|f| f.project_translation()),
                cases: &c.cases,
            }
        })
        .collect();
    let (pctf_catalogue, pctf_version) = match lang {
        Lang::En => (report.pctf.catalogue.as_str(), report.pctf.version.as_str()),
        Lang::Fr => (CATALOGUE_NAME_FR, CATALOGUE_VERSION_FR),
    };
    let attention = crate::attention::attention(report);
    // The rows of chained plans, given to the template once; each role's table written by
    // `rows` (the report goes to the template without its rows).
    let chain: Vec<&CaseResult> = report.results.iter().filter(|r| r.driver.starts_with("chain.")).collect();
    let role_sections = minijinja::Value::from_safe_string(ROLE_SECTIONS.into());
    let page = template
        .render(context! {
            report => report.without_results(), chain => chain, role_sections => role_sections, lang => lang.code(), attention => attention, pctf_counts => pctf_counts,
            untested => untested, pctf_rows => pctf_rows, pctf_catalogue => pctf_catalogue,
            pctf_version => pctf_version, statement => dialtone_engine::statement::statement(lang, &report.verdict),
            artifacts_total => shown.map(|(total, _)| total), shown_note => shown.map(|(_, note)| note),
        })
        .map_err(|e| RenderError::Render { what: "report.html", detail: e.to_string() })?;
    let page = xml_text(&page);
    let (before, after) = page.split_once(ROLE_SECTIONS).ok_or_else(|| RenderError::Render {
        what: "report.html",
        detail: "the template has no place for the tables of results".into(),
    })?;
    let io = |source| RenderError::Write { path: "report.html".into(), source };
    out.write_all(before.as_bytes()).map_err(io)?;
    rows::write_role_sections(&report.results, lang, out).map_err(io)?;
    out.write_all(after.as_bytes()).map_err(io)
}

/// Texts composed once per page, by key (the template's functions must be `Send + Sync`).
#[derive(Default)]
struct Memo(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl Memo {
    fn get_or(
        &self,
        key: &str,
        compose: impl FnOnce() -> Result<String, minijinja::Error>,
    ) -> Result<String, minijinja::Error> {
        if let Some(text) = self.0.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(text);
        }
        let text = compose()?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(key.to_string(), text.clone());
        }
        Ok(text)
    }
}
