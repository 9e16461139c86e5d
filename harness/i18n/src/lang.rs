//! The languages dialtone speaks, and which one a person asked for.

/// Canada's two official languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag (`en`, `fr`), as written in `lang="…"`, a cookie or `--lang`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's name in itself (what a language switch shows).
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// `en`, `fr`, or a tag of either (`fr-CA`, `en_GB`), in any case.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.code()))
    }

    /// The language a person asked for through the environment: `DIALTONE_LANG` (`en`, `fr`, or a
    /// tag of either) when set, else the locale of messages (the first of `LC_ALL`, `LC_MESSAGES`,
    /// `LANG` that is set, as POSIX orders them) when it names French; English otherwise. `var`
    /// reads one variable (`std::env::var`, or a test's map).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Lang, LangError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        if let Some(value) = set("DIALTONE_LANG") {
            return Lang::parse(&value).ok_or(LangError { variable: "DIALTONE_LANG", value });
        }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(set);
        Ok(match locale.as_deref().and_then(Lang::parse) {
            Some(Lang::Fr) => Lang::Fr,
            _ => Lang::En,
        })
    }

    /// The first language of an `Accept-Language` header dialtone speaks, by the header's
    /// weights (`q`), ties in the header's order.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u16, Lang)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else { continue };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1000, |q| q.trim().parse::<f32>().map_or(0, |q| (q.clamp(0.0, 1.0) * 1000.0) as u16));
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// A language dialtone does not speak, and where it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value}: dialtone speaks en (English) and fr (français)")]
pub struct LangError {
    pub variable: &'static str,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_read_by_weight_then_order() {
        assert_eq!(Lang::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de, en;q=0.5, fr;q=0.7"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-CA, fr-CA"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr;q=0, de"), None);
        assert_eq!(Lang::from_accept_language("*;q=x, ;;;, é"), None);
        assert_eq!(Lang::parse("FR_ca"), Some(Lang::Fr));
        assert_eq!(Lang::parse("f"), None);
    }

    #[test]
    fn the_environment_names_french_through_dialtone_lang_or_the_message_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(Lang::from_env(env(&[])), Ok(Lang::En));
        assert_eq!(Lang::from_env(env(&[("LANG", "fr_CA.UTF-8")])), Ok(Lang::Fr));
        assert_eq!(Lang::from_env(env(&[("LANG", "fr_CA.UTF-8"), ("LC_MESSAGES", "en_CA.UTF-8")])), Ok(Lang::En));
        assert_eq!(Lang::from_env(env(&[("LC_ALL", "fr_FR"), ("LC_MESSAGES", "C")])), Ok(Lang::Fr));
        assert_eq!(Lang::from_env(env(&[("LANG", "de_DE.UTF-8")])), Ok(Lang::En));
        assert_eq!(Lang::from_env(env(&[("LANG", "C.UTF-8"), ("LC_ALL", "")])), Ok(Lang::En));
        assert_eq!(Lang::from_env(env(&[("LANG", "en_CA"), ("DIALTONE_LANG", "fr")])), Ok(Lang::Fr));
        assert_eq!(Lang::from_env(env(&[("LANG", "fr_CA"), ("DIALTONE_LANG", "en")])), Ok(Lang::En));
        assert_eq!(
            Lang::from_env(env(&[("DIALTONE_LANG", "de")])),
            Err(LangError { variable: "DIALTONE_LANG", value: "de".into() })
        );
    }
}
