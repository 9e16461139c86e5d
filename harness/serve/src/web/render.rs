//! Pages: minijinja templates built into dialtone, HTML auto-escaped (every value a page shows is
//! escaped where it is written), texts from `i18n/<lang>/serve.ftl` through `t("id", var=…)`.

use super::Viewer;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use dialtone_i18n::Lang;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, State};

/// The templates, by name.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("report.html", include_str!("../../templates/report.html")),
    ("compare.html", include_str!("../../templates/compare.html")),
    ("history.html", include_str!("../../templates/history.html")),
    ("readiness.html", include_str!("../../templates/readiness.html")),
    ("program.html", include_str!("../../templates/program.html")),
    ("upload.html", include_str!("../../templates/upload.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("admin.html", include_str!("../../templates/admin.html")),
    ("error.html", include_str!("../../templates/error.html")),
];

pub(crate) struct Templates {
    env: Environment<'static>,
}

fn lang_of(state: &State) -> Lang {
    state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or(Lang::En)
}

/// `t("id", name=value, …)`: the message in the page's language.
fn translate(state: &State, id: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    dialtone_i18n::template::text(dialtone_i18n::serve(), lang_of(state), id, kwargs)
}

/// A text in the page's language when dialtone has one, else the English it was given, and the
/// language it is in (for the element's `lang`).
fn localized(lang: Lang, french: Option<String>, english: &str) -> Value {
    match (lang, french) {
        (Lang::Fr, Some(text)) => minijinja::context! { text => text, lang => "fr" },
        _ => minijinja::context! { text => english, lang => "en" },
    }
}

/// `title(id, english)`: a case's or rule's title in the page's language (`i18n/fr/titles.ftl`),
/// with `.text` and `.lang`.
fn title(state: &State, id: &str, english: &str) -> Value {
    let lang = lang_of(state);
    localized(lang, dialtone_i18n::title(lang, id), english)
}

/// `process(criterion_id, english)`: the PCTF process name of a criterion in the page's language
/// (the official French where the catalogue has it), with `.text` and `.lang`.
fn process(state: &State, id: &str, english: &str) -> Value {
    let french = dialtone_engine::pctf_french::CatalogueFr::embedded().get(id).map(|c| c.process.clone());
    localized(lang_of(state), french, english)
}

/// `criterion_text(criterion_id, english)`: a PCTF criterion's text in the page's language, with
/// `.text`, `.lang` and `.project` (the French is the project's translation, not the official one).
fn criterion_text(state: &State, id: &str, english: &str) -> Value {
    let lang = lang_of(state);
    match (lang, dialtone_engine::pctf_french::CatalogueFr::embedded().get(id)) {
        (Lang::Fr, Some(c)) => {
            minijinja::context! { text => c.text.clone(), lang => "fr", project => c.project_translation() }
        }
        _ => minijinja::context! { text => english, lang => "en", project => false },
    }
}

/// `level(name)`: a requirement level (`MUST`, `SHOULD`, `MAY`) in the page's language, as the
/// reports write it (DOIT, DEVRAIT, PEUT); anything else as it is.
fn level(state: &State, name: &str) -> String {
    let id = format!("level-{name}");
    let words = dialtone_i18n::report();
    if words.has(&id) { words.text(lang_of(state), &id, &[]) } else { name.to_string() }
}

impl Templates {
    pub fn new() -> Result<Templates, minijinja::Error> {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        env.add_function("t", translate);
        env.add_function("title", title);
        env.add_function("process", process);
        env.add_function("criterion_text", criterion_text);
        env.add_function("level", level);
        env.add_filter("when", |ms: i64| crate::clock::utc_minute(ms));
        env.add_filter("day", |ms: i64| crate::clock::utc_day(ms));
        env.add_filter("short", |id: &str| id.chars().take(12).collect::<String>());
        Ok(Templates { env })
    }

    /// What every page knows: the viewer, the language and how to switch it, the form token.
    fn base(viewer: &Viewer) -> Value {
        let other = match viewer.lang {
            Lang::En => Lang::Fr,
            Lang::Fr => Lang::En,
        };
        let back =
            serde_urlencoded::to_string([("to", other.code()), ("back", viewer.here.as_str())]).unwrap_or_default();
        let account = viewer.account.as_ref().map(|a| {
            minijinja::context! {
                login => a.login,
                evaluator => a.is_evaluator(),
                vendor => match &a.role { crate::store::Role::Vendor { vendor_name, .. } => Some(vendor_name.clone()), _ => None },
            }
        });
        minijinja::context! {
            lang => viewer.lang.code(),
            csrf => viewer.csrf,
            here => viewer.here,
            account => account,
            other_lang => minijinja::context! { code => other.code(), name => other.autonym(), href => format!("/lang?{back}") },
        }
    }

    pub fn render(&self, viewer: &Viewer, name: &str, ctx: Value) -> Result<String, minijinja::Error> {
        let template = self.env.get_template(name)?;
        template.render(minijinja::context! { ..ctx, ..Self::base(viewer) })
    }

    /// A page, or the failure to render it (logged).
    pub fn page(&self, viewer: &Viewer, name: &str, ctx: Value) -> Response {
        match self.render(viewer, name, ctx) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                eprintln!("dialtone serve: cannot render {name}: {e:#}");
                super::AppError::Internal(format!("template {name}")).into_response()
            }
        }
    }

    pub fn page_with(&self, status: StatusCode, viewer: &Viewer, name: &str, ctx: Value) -> Response {
        let mut r = self.page(viewer, name, ctx);
        if r.status().is_success() {
            *r.status_mut() = status;
        }
        r
    }

    /// An error page: the message `id` of `serve.ftl`.
    pub fn error(&self, viewer: &Viewer, status: StatusCode, id: &str) -> Response {
        self.page_with(status, viewer, "error.html", minijinja::context! { message => id, status => status.as_u16() })
    }

    /// A page for `application/octet-stream`-style downloads: a file named `name`.
    pub fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
        let mut r = bytes.into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every value a `t("prefix-" ~ value)` in a template may take.
    const FAMILIES: &[(&str, &[&str])] = &[
        ("verdict-", &["conforms", "incomplete", "does_not_conform"]),
        ("case-", &["pass", "fail", "warn", "info", "blocked", "inconclusive", "skip", "error", "other"]),
        ("criterion-", &["met", "not_met", "not_tested", "evidence_required", "not_applicable", "absent"]),
        ("compare-section-", &["newly-failing", "newly-passing", "changed", "new-cases", "gone"]),
        ("artifact-", &["valid", "acceptable", "unverified", "invalid", "error", "unsupported"]),
        ("compare-artifacts-section-", &["newly-failing", "newly-passing", "changed", "new", "gone"]),
    ];

    /// The message ids the code passes to pages (`problem`, `done`, `error`, error pages).
    fn ids_in_code() -> BTreeSet<String> {
        let sources = [
            include_str!("account.rs"),
            include_str!("admin.rs"),
            include_str!("compare.rs"),
            include_str!("csrf.rs"),
            include_str!("history.rs"),
            include_str!("readiness.rs"),
            include_str!("report.rs"),
            include_str!("session.rs"),
            include_str!("upload.rs"),
            include_str!("mod.rs"),
        ];
        let pattern = regex::Regex::new(
            r#"(?:(?:problem|done|error) => |text\(viewer\.lang, |StatusCode::[A-Z_]+, |Some\(\(?|Err\()"([a-z]+(?:-[a-z_]+)+)""#,
        )
        .expect("regex");
        sources.iter().flat_map(|s| pattern.captures_iter(s).map(|c| c[1].to_string()).collect::<Vec<_>>()).collect()
    }

    #[test]
    fn every_message_a_page_names_exists_in_both_languages() {
        let messages = dialtone_i18n::Messages::load("serve", dialtone_i18n::SERVE_SOURCES).expect("loads");
        let literal = regex::Regex::new(r#"\bt\("([a-z0-9_-]+)"(?:\)|,)"#).expect("regex");
        let dynamic = regex::Regex::new(r#"\bt\("([a-z-]+-)" ~"#).expect("regex");
        let mut used = ids_in_code();
        assert!(used.contains("error-csrf") && used.contains("key-unreadable"), "{used:?}");
        for (name, source) in TEMPLATES {
            for c in literal.captures_iter(source) {
                used.insert(c[1].to_string());
            }
            for c in dynamic.captures_iter(source) {
                let values = FAMILIES.iter().find(|(p, _)| *p == &c[1]).map(|(_, v)| *v);
                let values = values.unwrap_or_else(|| panic!("{name}: t(\"{}\" ~ …) is not a known family", &c[1]));
                used.extend(values.iter().map(|v| format!("{}{v}", &c[1])));
            }
        }
        let missing: Vec<_> = used.iter().filter(|id| !messages.has(id)).collect();
        assert!(missing.is_empty(), "not in i18n/*/serve.ftl: {missing:?}");
    }

    #[test]
    fn every_template_compiles() {
        Templates::new().expect("templates compile");
    }
}
