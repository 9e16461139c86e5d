//! A message called from a minijinja template, `t("id", name=value, …)`: the keyword arguments
//! become the message's variables (numbers stay numbers, so Fluent chooses plural forms from them).

use crate::{Lang, Messages};
use fluent_bundle::FluentValue;
use minijinja::value::{Kwargs, Value};

/// The message `id` of `messages` in `lang`, its variables the template's keyword arguments.
pub fn text(messages: &Messages, lang: Lang, id: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let mut args: Vec<(String, FluentValue<'static>)> = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let fluent = match (value.as_i64(), value.as_str()) {
            (Some(n), _) => FluentValue::from(n),
            (None, Some(s)) => FluentValue::from(s.to_string()),
            (None, None) => FluentValue::from(value.to_string()),
        };
        args.push((name.to_string(), fluent));
    }
    kwargs.assert_all_used()?;
    let args: Vec<(&str, FluentValue<'_>)> = args.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    Ok(messages.text(lang, id, &args))
}
