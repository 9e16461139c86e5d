//! The reports' words in the reader's language: messages of `i18n/<lang>/report.ftl`, verdicts,
//! levels and statuses by their JSON names, and the titles of cases and rules (English from the
//! report, French from `i18n/fr/titles.ftl`). Plain text: the writers escape it.

use dialtone_engine::model::{CaseResult, Level, Verdict};
use dialtone_i18n::{FluentValue, Lang};

/// The message `id` in `lang`.
pub(crate) fn t(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    dialtone_i18n::report().text(lang, id, args)
}

/// A count as a message variable (Fluent chooses the plural form from it).
pub(crate) fn n(count: usize) -> FluentValue<'static> {
    FluentValue::from(count as i64)
}

pub(crate) fn verdict(lang: Lang, v: Verdict) -> String {
    t(lang, &format!("verdict-{}", v.as_str()), &[])
}

pub(crate) fn level(lang: Lang, l: Level) -> String {
    t(lang, &format!("level-{}", l.as_str()), &[])
}

/// A JSON name of a kind of word (`conformance`, `criterion`, `artifact`, `role`, `verdict`,
/// `level`) in `lang`: the name itself when it has no message (never an id shown to a reader).
pub(crate) fn word(lang: Lang, kind: &str, name: &str) -> String {
    let id = format!("{kind}-{name}");
    if dialtone_i18n::report().has(&id) { t(lang, &id, &[]) } else { name.replace('_', " ") }
}

/// A case's or an artifact rule's title in `lang`. An artifact row's id is the rule's id and the
/// artifact's name (`SDJWTVC-001 card.txt`): its title is the rule's.
pub fn title(lang: Lang, result: &CaseResult) -> String {
    title_of(lang, &result.id, &result.title)
}

/// [`title`] from a result's id and English title.
pub fn title_of(lang: Lang, id: &str, english: &str) -> String {
    dialtone_i18n::title(lang, id).unwrap_or_else(|| english.to_string())
}
