//! Texts whose English lives elsewhere, in one other language: the French titles of the cases
//! (whose English is the `title` in `suites/*.toml`) and of the artifact rules (the English in
//! `dialtone_rules::table`), keyed by the case's or rule's id. One Fluent file,
//! `i18n/<lang>/<domain>.ftl`; a test of the crate that owns the English keeps the ids in step.

use crate::{I18nError, Lang};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// One domain's texts in one language, by id.
pub struct Translations {
    domain: String,
    lang: Lang,
    bundle: Option<FluentBundle<FluentResource>>,
    ids: Vec<String>,
}

impl std::fmt::Debug for Translations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translations").field("domain", &self.domain).field("lang", &self.lang).finish_non_exhaustive()
    }
}

impl Translations {
    /// Loads `source` (the file of `domain` in `lang`), refusing one that does not parse, defines
    /// an id twice, or has a message with variables or attributes (a title is plain text).
    pub fn load(domain: &str, lang: Lang, source: &str) -> Result<Translations, I18nError> {
        use fluent_syntax::ast;
        let file = |detail: String| I18nError::File { lang: lang.code(), domain: domain.into(), detail };
        let resource = crate::messages::parse(domain, lang, source)?;
        let mut ids = Vec::new();
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry {
                let plain = m
                    .value
                    .as_ref()
                    .is_some_and(|v| v.elements.iter().all(|e| matches!(e, ast::PatternElement::TextElement { .. })));
                if !plain || !m.attributes.is_empty() {
                    return Err(file(format!("{} is not plain text", m.id.name)));
                }
                ids.push(m.id.name.to_string());
            }
        }
        let bundle = crate::messages::bundle(domain, lang, resource)?;
        Ok(Translations { domain: domain.into(), lang, bundle: Some(bundle), ids })
    }

    /// No texts: every lookup falls back to the English.
    pub fn empty(domain: &str, lang: Lang) -> Translations {
        Translations { domain: domain.into(), lang, bundle: None, ids: Vec::new() }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `id`, when the file has one.
    pub fn get(&self, id: &str) -> Option<String> {
        let bundle = self.bundle.as_ref()?;
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(bundle.format_pattern(pattern, None::<&FluentArgs>, &mut errors).into_owned())
    }

    /// Every id the file defines, in its order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}
