//! One domain's messages in every language, checked to define the same messages alike.

use crate::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::{BTreeMap, BTreeSet};

/// A message's variables: `[("count", 3.into()), ("name", "…".into())]`.
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum I18nError {
    #[error("i18n/{lang}/{domain}.ftl: {detail}")]
    File { lang: &'static str, domain: String, detail: String },
    #[error("i18n/{domain}.ftl: {detail}")]
    Mismatch { domain: String, detail: String },
}

/// A domain's messages (`i18n/<lang>/<domain>.ftl` for each language).
pub struct Messages {
    domain: String,
    bundles: BTreeMap<Lang, FluentBundle<FluentResource>>,
    ids: Vec<String>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages").field("domain", &self.domain).finish_non_exhaustive()
    }
}

/// What a language's file defines: each message id (and attribute, `id.attr`) with its variables.
type Shape = BTreeMap<String, BTreeSet<String>>;

impl Messages {
    /// Loads a domain from its source in each language, refusing a file that does not parse, a
    /// language missing, or a message whose id or variables are not the same in every language.
    pub fn load(domain: &str, sources: &[(Lang, &str)]) -> Result<Messages, I18nError> {
        let mut bundles = BTreeMap::new();
        let mut shapes: Vec<(Lang, Shape)> = Vec::new();
        for &(lang, source) in sources {
            let resource = parse(domain, lang, source)?;
            shapes.push((lang, shape(&resource)));
            bundles.insert(lang, bundle(domain, lang, resource)?);
        }
        let mismatch = |detail: String| I18nError::Mismatch { domain: domain.into(), detail };
        for lang in Lang::ALL {
            if !bundles.contains_key(&lang) {
                return Err(mismatch(format!("no {} file", lang.code())));
            }
        }
        if let Some(((first, reference), rest)) = shapes.split_first().map(|(f, r)| ((f.0, &f.1), r)) {
            for (lang, shape) in rest {
                for (id, vars) in reference {
                    match shape.get(id) {
                        None => {
                            return Err(mismatch(format!("{id} is in {} but not in {}", first.code(), lang.code())));
                        }
                        Some(v) if v != vars => {
                            return Err(mismatch(format!(
                                "{id} takes {vars:?} in {} but {v:?} in {}",
                                first.code(),
                                lang.code()
                            )));
                        }
                        Some(_) => {}
                    }
                }
                if let Some(id) = shape.keys().find(|id| !reference.contains_key(*id)) {
                    return Err(mismatch(format!("{id} is in {} but not in {}", lang.code(), first.code())));
                }
            }
        }
        let ids = shapes.first().map(|(_, s)| s.keys().cloned().collect()).unwrap_or_default();
        Ok(Messages { domain: domain.into(), bundles, ids })
    }

    /// No messages: every text is its id.
    pub fn empty(domain: &str) -> Messages {
        Messages { domain: domain.into(), bundles: BTreeMap::new(), ids: Vec::new() }
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Whether `id` (or `id.attribute`) is defined.
    pub fn has(&self, id: &str) -> bool {
        let (message, attribute) = split(id);
        self.bundles.values().next().is_some_and(|b| {
            b.get_message(message)
                .is_some_and(|m| attribute.map_or(m.value().is_some(), |a| m.get_attribute(a).is_some()))
        })
    }

    /// The message `id` (or `id.attribute`) in `lang` with `args`. A message that is not defined
    /// is its id, so a defect shows where it is instead of stopping the caller.
    pub fn text(&self, lang: Lang, id: &str, args: &Args<'_>) -> String {
        let (message, attribute) = split(id);
        let Some(bundle) = self.bundles.get(&lang) else { return id.to_string() };
        let Some(m) = bundle.get_message(message) else { return id.to_string() };
        let pattern = match attribute {
            Some(a) => m.get_attribute(a).map(|a| a.value()),
            None => m.value(),
        };
        let Some(pattern) = pattern else { return id.to_string() };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
    }

    /// Every message id (`id.attribute` for attributes) the domain defines.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

/// A domain's file in one language, parsed; a syntax error names the file.
pub(crate) fn parse(domain: &str, lang: Lang, source: &str) -> Result<FluentResource, I18nError> {
    FluentResource::try_new(source.to_string()).map_err(|(_, errors)| I18nError::File {
        lang: lang.code(),
        domain: domain.into(),
        detail: errors.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join("; "),
    })
}

/// The bundle that formats a parsed file's messages in `lang`.
pub(crate) fn bundle(
    domain: &str,
    lang: Lang,
    resource: FluentResource,
) -> Result<FluentBundle<FluentResource>, I18nError> {
    let file = |detail: String| I18nError::File { lang: lang.code(), domain: domain.into(), detail };
    let langid = lang.code().parse().map_err(|e| file(format!("{e}")))?;
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // No Unicode isolation marks around variables: the texts go into HTML and terminals, whose
    // writers escape them; marks would only show as noise in copied text.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| file(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))?;
    Ok(bundle)
}

fn split(id: &str) -> (&str, Option<&str>) {
    match id.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (id, None),
    }
}

fn shape(resource: &FluentResource) -> Shape {
    use fluent_syntax::ast;
    fn variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }
    fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Inline(inline) => inline_variables(inline, out),
            ast::Expression::Select { selector, variants } => {
                inline_variables(selector, out);
                for v in variants {
                    variables(&v.value, out);
                }
            }
        }
    }
    fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_variables(a, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
            _ => {}
        }
    }
    let mut shape = Shape::new();
    for entry in resource.entries() {
        if let ast::Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &m.value {
                variables(value, &mut vars);
                shape.insert(m.id.name.to_string(), vars);
            }
            for a in &m.attributes {
                let mut vars = BTreeSet::new();
                variables(&a.value, &mut vars);
                shape.insert(format!("{}.{}", m.id.name, a.id.name), vars);
            }
        }
    }
    shape
}
