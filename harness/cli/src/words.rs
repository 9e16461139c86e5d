//! The command's messages to people, in the language asked (`--lang`, `DIALTONE_LANG`, the
//! locale): `i18n/<lang>/cli.ftl`. The language is resolved once, in `main`.

use dialtone_i18n::{FluentValue, Lang};

/// The message `id` of `i18n/<lang>/cli.ftl`.
pub fn t(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    dialtone_i18n::cli().text(lang, id, args)
}

/// A count as a message variable (Fluent chooses the plural form from it).
pub(crate) fn n(count: usize) -> FluentValue<'static> {
    FluentValue::from(count as i64)
}

/// The language a person asked for: `--lang` when given, else the environment
/// ([`Lang::from_env`]); a language dialtone does not speak is a usage error.
pub fn resolve(flag: Option<&str>) -> Result<Lang, crate::CliError> {
    match flag {
        Some(tag) => Lang::parse(tag).ok_or_else(|| {
            crate::CliError::config(format!("--lang {tag}: dialtone speaks en (English) and fr (français)"))
        }),
        None => Lang::from_env(|name| std::env::var(name).ok()).map_err(|e| crate::CliError::config(e.to_string())),
    }
}

/// "wrote PATH (signed by key ID)".
pub fn wrote_signed(lang: Lang, path: &std::path::Path, key_id: &str) -> String {
    t(lang, "wrote-signed", &[("path", crate::shown(path.display()).into()), ("key", key_id.to_string().into())])
}
