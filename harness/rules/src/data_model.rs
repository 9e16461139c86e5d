//! The values W3C VC Data Model 2.0 §4 gives its properties, judged over a whole document (a
//! credential or a presentation, the JSON-LD contexts it names left out): every `id` a single URL
//! (§4.4), `holder` and the `@context` entries after the first URLs (§4.13, §4.3), every `type`
//! value a term or an absolute URL (§4.5), language value objects as §11.1 defines them (`name` and
//! `description`, §4.6), and each subject the subject of a claim (§4.8). Whether a term is defined
//! by the contexts needs a JSON-LD processor and the contexts themselves: dialtone judges the shape.

use serde_json::{Map, Value};

/// A URL as the data model means it (the WHATWG URL Standard): a string that parses as an absolute
/// URL and needs no repair to do so (no whitespace or control characters, which the parser would
/// strip or percent-encode and which RFC 3986 and RFC 2397 `data:` URLs do not allow).
pub fn is_url(text: &str) -> bool {
    url_problem(text).is_none()
}

/// Why `text` is not a URL, or `None` when it is one.
pub fn url_problem(text: &str) -> Option<&'static str> {
    if text.is_empty() {
        Some("is empty")
    } else if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("holds whitespace or control characters")
    } else if !opaque_url(text) && url::Url::parse(text).is_err() {
        Some("does not parse as an absolute URL")
    } else {
        None
    }
}

/// The URL Standard's special schemes: the others' URLs may have an opaque path.
const SPECIAL_SCHEMES: [&str; 6] = ["ftp", "file", "http", "https", "ws", "wss"];

/// Whether `text` is a scheme that is not special, `:`, and something not starting with `/` (most
/// `id`s: `did:example:…`, `urn:uuid:…`). The URL Standard parses every such string as an absolute
/// URL with an opaque path, its path, query and fragment percent-encoded where needed and never
/// refused, so there is nothing left for the parser to decide (and nothing to build).
fn opaque_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else { return false };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.starts_with('/')
        && !SPECIAL_SCHEMES.iter().any(|special| scheme.eq_ignore_ascii_case(special))
}

/// `text`, shortened for an observation.
fn shown(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{:?}…", text.chars().take(60).collect::<String>())
    } else {
        format!("{text:?}")
    }
}

/// Members that hold JSON-LD context definitions, where `id` and `type` are term definitions, not
/// values.
const CONTEXT: &str = "@context";

/// Where a value sits in the document, for observations: `path` and a member's `name` after it,
/// while `judge` looks at the member's value.
/// The walks that name where a fault is (here and SHC-014) keep one path, each step written onto it
/// and cut off again after the value below it is judged, instead of a new path for every member and
/// item.
pub(crate) fn at_member<T>(path: &mut String, name: &str, judge: impl FnOnce(&mut String) -> T) -> T {
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
    let judged = judge(path);
    path.truncate(len);
    judged
}

/// `path` and an item's index after it, while `judge` looks at the item.
pub(crate) fn at_item<T>(path: &mut String, i: usize, judge: impl FnOnce(&mut String) -> T) -> T {
    let len = path.len();
    let _ = std::fmt::Write::write_fmt(path, format_args!("[{i}]"));
    let judged = judge(path);
    path.truncate(len);
    judged
}

/// VC-022: every `id` (and `@id`) in the document is a single URL, except `issuer`'s (VC-010) and the
/// `credentialStatus` entries' (VC-014); `holder` is a URL or an object whose `id` is; the `@context`
/// entries after the first are URLs or objects. Returns the problems found.
pub fn url_values(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(Value::Array(contexts)) = doc.get(CONTEXT) {
        for (i, c) in contexts.iter().enumerate().skip(1) {
            match c {
                Value::String(s) if is_url(s) => {}
                Value::Object(_) => {}
                other => {
                    problems.push(format!("@context[{i}] = {} is neither a URL nor a context object", short(other)))
                }
            }
        }
    }
    if let Some(holder) = doc.get("holder")
        && let Value::String(h) = holder
        && !is_url(h)
    {
        problems.push(format!("holder {h:?} is not a URL"));
    }
    if let Some(Value::Object(holder)) = doc.get("holder")
        && !holder.contains_key("id")
    {
        problems.push("holder is an object without an id".into());
    }
    ids(doc, &mut String::new(), &mut problems);
    problems
}

fn ids(value: &Value, path: &mut String, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let top = path.is_empty();
            for (name, child) in map {
                if name == CONTEXT || (top && (name == "issuer" || name == "credentialStatus")) {
                    continue;
                }
                at_member(path, name, |path| {
                    if name == "id" || name == "@id" {
                        match child {
                            Value::String(s) => {
                                if let Some(why) = url_problem(s) {
                                    problems.push(format!("{path} {} is not a URL: it {why}", shown(s)));
                                }
                            }
                            other => problems.push(format!("{path} = {} is not a single URL", short(other))),
                        }
                    } else {
                        ids(child, path, problems);
                    }
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at_item(path, i, |path| ids(item, path, problems));
            }
        }
        _ => {}
    }
}

/// VC-023: every `type` (and `@type`) value is a term or an absolute URL: a non-empty string
/// without whitespace, and a URL when it has a scheme separator. Returns the problems found.
pub fn type_values(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    types(doc, &mut String::new(), &mut problems);
    problems
}

fn is_type_value(text: &str) -> bool {
    !text.is_empty()
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && (!text.contains(':') || is_url(text))
}

fn types(value: &Value, path: &mut String, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (name, child) in map {
                if name == CONTEXT {
                    continue;
                }
                at_member(path, name, |path| {
                    if name == "type" || name == "@type" {
                        type_value(child, path, problems);
                    } else {
                        types(child, path, problems);
                    }
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at_item(path, i, |path| types(item, path, problems));
            }
        }
        _ => {}
    }
}

/// A `type` member's value at `here`: a term or an absolute URL, or a non-empty array of them.
fn type_value(value: &Value, here: &str, problems: &mut Vec<String>) {
    let values: Vec<&Value> = match value {
        Value::Array(a) if !a.is_empty() => a.iter().collect(),
        Value::Array(_) => {
            problems.push(format!("{here} is an empty array"));
            return;
        }
        other => vec![other],
    };
    for v in values {
        match v {
            Value::String(s) if is_type_value(s) => {}
            other => problems.push(format!("{here} value {} is neither a term nor an absolute URL", short(other))),
        }
    }
}

/// Base directions JSON-LD 1.1 defines for `@direction`.
const DIRECTIONS: &[&str] = &["ltr", "rtl"];
const VALUE_OBJECT_KEYS: &[&str] = &["@value", "@language", "@direction"];

/// VC-024: `name` and `description` are strings or language value objects (or arrays of them), and
/// every language value object (an object with `@language` or `@direction`) holds a string `@value`,
/// a string `@language`, a `@direction` of `ltr` or `rtl`, and no other member (§4.6, §11.1).
/// Returns the problems found.
pub fn language_values(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for name in ["name", "description"] {
        let Some(v) = doc.get(name) else { continue };
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for item in items {
            match item {
                Value::String(_) => {}
                Value::Object(o) if o.contains_key("@value") => {}
                other => {
                    problems.push(format!("{name} = {} is neither a string nor a language value object", short(other)))
                }
            }
        }
    }
    value_objects(doc, &mut String::new(), &mut problems);
    problems
}

fn value_objects(value: &Value, path: &mut String, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let language = map.contains_key("@language") || map.contains_key("@direction");
            // The credential's own name and description, alone or as an array's items.
            let named = ["name", "description"]
                .iter()
                .any(|n| path.strip_prefix(n).is_some_and(|rest| rest.is_empty() || rest.starts_with('[')));
            if language || (named && map.contains_key("@value")) {
                language_object(map, path, problems);
                return;
            }
            for (name, child) in map {
                if name != CONTEXT {
                    at_member(path, name, |path| value_objects(child, path, problems));
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at_item(path, i, |path| value_objects(item, path, problems));
            }
        }
        _ => {}
    }
}

fn language_object(map: &Map<String, Value>, path: &str, problems: &mut Vec<String>) {
    let path = if path.is_empty() { "(the document)" } else { path };
    if !map.get("@value").is_some_and(Value::is_string) {
        problems.push(format!("{path}: a language value object without a string @value"));
    }
    let extra: Vec<&str> = map.keys().map(String::as_str).filter(|k| !VALUE_OBJECT_KEYS.contains(k)).collect();
    if !extra.is_empty() {
        problems.push(format!("{path}: a language value object with other members {extra:?}"));
    }
    if let Some(l) = map.get("@language")
        && !l.is_string()
    {
        problems.push(format!("{path}: @language = {l} is not a string"));
    }
    if let Some(d) = map.get("@direction")
        && !d.as_str().is_some_and(|d| DIRECTIONS.contains(&d))
    {
        problems.push(format!("{path}: @direction = {d} is not \"ltr\" or \"rtl\""));
    }
}

/// VC-025: the `@language` values that are not well-formed BCP 47 language tags (RFC 5646 §2.1: the
/// shape of the subtags, not the registry).
pub fn ill_formed_languages(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    languages(doc, &mut found);
    found
}

fn languages(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (name, child) in map {
                if name == "@language" {
                    if let Some(tag) = child.as_str()
                        && !well_formed_language_tag(tag)
                    {
                        found.push(tag.to_string());
                    }
                } else if name != CONTEXT {
                    languages(child, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| languages(i, found)),
        _ => {}
    }
}

/// A BCP 47 tag's shape: a primary subtag of 2 to 8 letters (or `x`/`i` for private use and
/// grandfathered tags), then subtags of 1 to 8 letters or digits, separated by hyphens.
pub fn well_formed_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let Some(primary) = subtags.next() else { return false };
    let primary_ok = (2..=8).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic())
        || primary.eq_ignore_ascii_case("x")
        || primary.eq_ignore_ascii_case("i");
    primary_ok && subtags.all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// VC-029: `relatedResource` is one or more objects, each with an `id` (a URL: VC-022) unique among
/// them and a `digestSRI` or `digestMultibase` (§5.3). Returns the problems found.
pub fn related_resources(doc: &Value) -> Vec<String> {
    let entries: Vec<&Value> = match doc.get("relatedResource") {
        None => return Vec::new(),
        Some(Value::Array(a)) if !a.is_empty() => a.iter().collect(),
        Some(Value::Array(_)) => return vec!["relatedResource is an empty array".into()],
        Some(v) => vec![v],
    };
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(o) = e.as_object() else {
            problems.push(format!("relatedResource[{i}] = {} is not an object", short(e)));
            continue;
        };
        match o.get("id") {
            None => problems.push(format!("relatedResource[{i}] has no id")),
            Some(id) if !ids.insert(id.to_string()) => problems.push(format!("relatedResource[{i}].id {id} repeats")),
            Some(_) => {}
        }
        if !o.contains_key("digestSRI") && !o.contains_key("digestMultibase") {
            problems.push(format!("relatedResource[{i}] has neither digestSRI nor digestMultibase"));
        }
    }
    problems
}

/// VC-019's second half: subject objects that carry no claim besides their `id` (§4.8: each object
/// MUST be the subject of one or more claims).
pub fn subjects_without_claims(doc: &Value) -> Vec<String> {
    let subjects: Vec<&Value> = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    subjects
        .iter()
        .enumerate()
        .filter(|(_, s)| s.as_object().is_some_and(|o| !o.is_empty() && o.keys().all(|k| k == "id" || k == "@id")))
        .map(|(i, s)| format!("credentialSubject[{i}] = {} states no claim about its subject", short(s)))
        .collect()
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 { format!("{}…", text.chars().take(80).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_as_the_data_model_means_them() {
        for ok in [
            "https://example.edu/credentials/1",
            "did:example:123",
            "urn:uuid:0c07c1ce-57cb-41af-bef2-1b932b986873",
            "data:application/vc+jwt,eyJ",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in
            ["", "status 7", "example.edu/credentials/1", "https://exa mple.edu", " https://example.edu", "#key-1"]
        {
            assert!(!is_url(bad), "{bad}");
        }
    }

    /// The opaque-path shortcut decides only what the URL parser would accept: tricky strings and
    /// random ones alike, and it does not take special schemes, paths from `/` or bad schemes.
    #[test]
    fn what_the_opaque_path_shortcut_takes_the_parser_accepts() {
        let taken = [
            "did:example:123",
            "urn:uuid:0c07c1ce-57cb-41af-bef2-1b932b986873",
            "DID:x:%zz",
            "a+b-c.d:%%%[]^`{|}\u{e9}#frag#more?q",
            "x:",
            "mailto:a@b",
            "data:application/vc+jwt,eyJ",
            "did:web:example.com%3A8443:user:alice?versionId=1#key-1",
        ];
        for text in taken {
            assert!(opaque_url(text) && url::Url::parse(text).is_ok(), "{text}");
        }
        for text in
            ["https:foo", "HTTP:x", "file:x", "did:/x", "did://host:99999", "1did:x", "di d:x", ":x", "did", "é:x"]
        {
            assert!(!opaque_url(text), "{text}");
        }
        let strings = proptest::collection::vec(
            proptest::prop_oneof![
                proptest::char::range('a', 'f'),
                proptest::sample::select(vec![
                    ':', '/', '%', '?', '#', '[', ']', '@', '.', '+', '-', '1', 'é', '\\', '|'
                ]),
            ],
            0..12,
        );
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let checked = runner.run(&strings, |chars| {
            let text: String = chars.into_iter().collect();
            proptest::prop_assert!(!opaque_url(&text) || url::Url::parse(&text).is_ok(), "{text}");
            Ok(())
        });
        assert!(checked.is_ok(), "{checked:?}");
    }

    #[test]
    fn every_id_is_a_single_url() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", {"id": "@id"}, "not a url"],
            "id": "urn:uuid:1",
            "issuer": "not judged here",
            "credentialSubject": {"id": ["did:example:a", "did:example:b"], "degree": {"id": "degree 1"}},
            "credentialSchema": {"id": "https://example.org/schema.json", "type": "JsonSchema"},
        });
        let problems = url_values(&doc);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("@context[2]"));
        assert!(problems.iter().any(|p| p.starts_with("credentialSubject.id")));
        assert!(problems.iter().any(|p| p.starts_with("credentialSubject.degree.id")));
    }

    #[test]
    fn types_are_terms_or_absolute_urls() {
        let doc = json!({"type": ["VerifiableCredential", "https://example.org/T", "Alumni Credential"], "credentialSubject": {"type": 5}});
        assert_eq!(type_values(&doc).len(), 2);
        // Each named by its path, through items and members, the path cut back after each value.
        let nested = json!({"evidence": [{"type": []}, {"x": {"type": "a b"}}], "z": {"type": ""}});
        assert_eq!(
            type_values(&nested),
            [
                "evidence[0].type is an empty array",
                "evidence[1].x.type value \"a b\" is neither a term nor an absolute URL",
                "z.type value \"\" is neither a term nor an absolute URL"
            ]
        );
    }

    #[test]
    fn language_value_objects_hold_nothing_else() {
        let ok = json!({"name": [{"@value": "Diplôme", "@language": "fr-CA", "@direction": "ltr"}, "Degree"]});
        assert!(language_values(&ok).is_empty());
        let extra = json!({"name": {"@value": "Degree", "@language": "en", "tooltip": "x"}});
        assert_eq!(language_values(&extra).len(), 1);
        let nested = json!({"credentialSubject": {"title": {"@value": "x", "@direction": "up"}}});
        assert_eq!(language_values(&nested).len(), 1);
        assert_eq!(language_values(&json!({"name": 5})).len(), 1);
        assert!(well_formed_language_tag("iu-Cans-CA") && well_formed_language_tag("en"));
        assert!(!well_formed_language_tag("en_CA") && !well_formed_language_tag("english language"));
    }
}
