//! dialtone's messages in English and French, through [Fluent](https://projectfluent.org/).
//!
//! Messages live in Fluent files per language and domain, `i18n/<lang>/<domain>.ftl` at the root
//! of the repository, built into dialtone. A domain is one part of dialtone that speaks to people:
//! `serve` (the review service) today; the reports and the CLI add theirs (`report.ftl`,
//! `cli.ftl`) and call [`Messages::text`] the same way. Each domain's files are checked when they
//! are loaded (and by this crate's tests): they parse, and each language defines the same
//! messages with the same variables, so a message cannot exist in one language only.
//!
//! Titles whose English is elsewhere (a case's in its suite, a rule's in the rule table) are
//! translated in a [`Translations`] file keyed by id (`i18n/fr/titles.ftl`): the English stays the
//! one source of the English, and the crates that own it check the ids are in step.
//!
//! A text is plain text: a caller that writes HTML, XML or a terminal escapes it there, as it
//! escapes any other text.

mod lang;
mod messages;
#[cfg(feature = "minijinja")]
pub mod template;
mod translations;

pub use fluent_bundle::FluentValue;
pub use lang::{Lang, LangError};
pub use messages::{Args, I18nError, Messages};
pub use translations::Translations;

/// The review service's messages (`i18n/<lang>/serve.ftl`).
pub fn serve() -> &'static Messages {
    static SERVE: std::sync::OnceLock<Messages> = std::sync::OnceLock::new();
    SERVE.get_or_init(|| {
        // The files are built in and checked by this crate's tests; a defect is shown as the
        // message ids themselves rather than stopping the service.
        Messages::load("serve", SERVE_SOURCES).unwrap_or_else(|_| Messages::empty("serve"))
    })
}

/// The built-in sources of the `serve` domain, per language.
pub const SERVE_SOURCES: &[(Lang, &str)] =
    &[(Lang::En, include_str!("../../../i18n/en/serve.ftl")), (Lang::Fr, include_str!("../../../i18n/fr/serve.ftl"))];

/// The reports' messages (`i18n/<lang>/report.ftl`): the HTML page and the terminal report.
pub fn report() -> &'static Messages {
    static REPORT: std::sync::OnceLock<Messages> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| Messages::load("report", REPORT_SOURCES).unwrap_or_else(|_| Messages::empty("report")))
}

/// The built-in sources of the `report` domain, per language.
pub const REPORT_SOURCES: &[(Lang, &str)] =
    &[(Lang::En, include_str!("../../../i18n/en/report.ftl")), (Lang::Fr, include_str!("../../../i18n/fr/report.ftl"))];

/// The `dialtone` command's messages to people (`i18n/<lang>/cli.ftl`).
pub fn cli() -> &'static Messages {
    static CLI: std::sync::OnceLock<Messages> = std::sync::OnceLock::new();
    CLI.get_or_init(|| Messages::load("cli", CLI_SOURCES).unwrap_or_else(|_| Messages::empty("cli")))
}

/// The built-in sources of the `cli` domain, per language.
pub const CLI_SOURCES: &[(Lang, &str)] =
    &[(Lang::En, include_str!("../../../i18n/en/cli.ftl")), (Lang::Fr, include_str!("../../../i18n/fr/cli.ftl"))];

/// The French titles of the cases and the artifact rules, by id (`i18n/fr/titles.ftl`); their
/// English is the suites' and the rule table's.
pub fn titles_fr() -> &'static Translations {
    static TITLES: std::sync::OnceLock<Translations> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| {
        Translations::load("titles", Lang::Fr, TITLES_FR).unwrap_or_else(|_| Translations::empty("titles", Lang::Fr))
    })
}

/// A case's or an artifact rule's title in `lang`, when dialtone has one other than the English:
/// the French from [`titles_fr`]. An artifact row's id is the rule's id and the artifact's name
/// (`SDJWTVC-001 card.txt`): its title is the rule's.
pub fn title(lang: Lang, id: &str) -> Option<String> {
    match lang {
        Lang::En => None,
        Lang::Fr => titles_fr().get(id.split(' ').next().unwrap_or(id)),
    }
}

/// The built-in source of the French titles.
pub const TITLES_FR: &str = include_str!("../../../i18n/fr/titles.ftl");
