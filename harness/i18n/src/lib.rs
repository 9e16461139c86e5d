//! dialtone's messages in English and French, through [Fluent](https://projectfluent.org/).
//!
//! Messages live in Fluent files per language and domain, `i18n/<lang>/<domain>.ftl` at the root
//! of the repository, built into dialtone. A domain is one part of dialtone that speaks to people:
//! `serve` (the review service) today; the reports and the CLI add theirs (`report.ftl`,
//! `cli.ftl`) and call [`Messages::text`] the same way. Each domain's files are checked when they
//! are loaded (and by this crate's tests): they parse, and each language defines the same
//! messages with the same variables, so a message cannot exist in one language only.
//!
//! A text is plain text: a caller that writes HTML, XML or a terminal escapes it there, as it
//! escapes any other text.

mod lang;
mod messages;

pub use lang::Lang;
pub use messages::{Args, I18nError, Messages};

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
