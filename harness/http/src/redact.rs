//! Replacing secrets: by member name where they stand (forms, query strings, JSON, JWT payloads,
//! `Authorization`), and by value in every encoding they travel in (as they are, percent-encoded,
//! form-encoded once or twice, JSON-escaped, base64), each by its label.

use crate::learn::{form_pairs, is_base64url, is_form};
use crate::search::Patterns;
use crate::secrets::{Labeller, SecretMembers};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// Secrets shorter than this are replaced by value only where they stand as a whole token (not
/// inside a longer word, number or base64 text), so that a six-digit code does not also erase a
/// timestamp that happens to contain it. Longer ones are replaced wherever they occur.
const WHOLE_TOKEN_BELOW: usize = 16;
/// How deep JSON is followed when redacting by member name.
const MAX_DEPTH: usize = 64;
/// What stands in place of the signature of a JWT whose header or payload had a secret redacted.
const SIGNATURE_DROPPED: &str = "‹signature dropped: a secret in this JWT was redacted›";

/// Replaces a set of secrets, by value and by member name.
pub(crate) struct Matcher {
    /// Every encoding of every secret.
    search: Patterns,
    /// Per pattern of `search`: its label and whether it must stand as a whole token.
    patterns: Vec<(Arc<str>, bool)>,
    members: SecretMembers,
    /// `"name"` for each member a JWT may carry a secret as: a cheap test before parsing one.
    quoted_members: Vec<String>,
    labeller: Arc<Labeller>,
}

impl Matcher {
    pub(crate) fn new(secrets: &[&str], members: SecretMembers, labeller: Arc<Labeller>) -> Self {
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        for secret in secrets {
            let label: Arc<str> = labeller.label(secret).into();
            let whole = secret.chars().count() < WHOLE_TOKEN_BELOW;
            for encoded in encodings(secret) {
                if !texts.contains(&encoded) {
                    texts.push(encoded);
                    patterns.push((label.clone(), whole));
                }
            }
        }
        let search = Patterns::new(texts);
        let quoted_members = members.anywhere.iter().chain(members.in_keys).map(|n| format!("\"{n}\"")).collect();
        Self { search, patterns, members, quoted_members, labeller }
    }

    /// A text of any kind: the JWTs in it that carry a secret re-encoded without it, then every
    /// secret by value.
    pub(crate) fn redact(&self, text: &str) -> String {
        let remarked = self.remark_jwts(text);
        self.redact_values(&remarked).into_owned()
    }

    /// A body of the given media type: secret members by name (form or JSON), then [`Self::redact`].
    pub(crate) fn redact_body(&self, body: &str, content_type: Option<&str>) -> String {
        if is_form(content_type) {
            return self.redact(&self.redact_form(body));
        }
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value.is_object() || value.is_array() => self.redact_json(value),
            _ => self.redact(body),
        }
    }

    /// A JSON body already read (an object or an array): what [`Self::redact_body`] makes of its text.
    pub(crate) fn redact_json(&self, mut value: Value) -> String {
        self.redact_members(&mut value, false, 0);
        self.redact(&value.to_string())
    }

    /// A URL: secret query parameters by name, then [`Self::redact`].
    pub(crate) fn redact_url(&self, url: &str) -> String {
        match url.find(['?', '#']) {
            Some(i) => self.redact(&format!("{}{}", &url[..=i], self.redact_form(&url[i + 1..]))),
            None => self.redact(url),
        }
    }

    /// An `Authorization` header value: the scheme stays, the credentials are labelled.
    pub(crate) fn redact_authorization(&self, value: &str) -> String {
        match value.split_once(' ') {
            Some((scheme, credentials)) => format!("{scheme} {}", self.labeller.label(credentials.trim())),
            None => self.labeller.label(value),
        }
    }

    /// A form or query string with the values of secret parameters labelled (decoded first, so the
    /// label is the one the same secret gets in JSON). Other parameters are kept byte for byte.
    fn redact_form(&self, form: &str) -> String {
        let mut out = String::with_capacity(form.len());
        let mut rest = form;
        loop {
            let (pair, next) = match rest.find(['&', '#']) {
                Some(i) => (&rest[..i], Some((&rest[i..=i], &rest[i + 1..]))),
                None => (rest, None),
            };
            out.push_str(&self.redact_pair(pair));
            match next {
                Some((separator, remaining)) => {
                    out.push_str(separator);
                    rest = remaining;
                }
                None => break,
            }
        }
        out
    }

    fn redact_pair<'p>(&self, pair: &'p str) -> Cow<'p, str> {
        let Some((name, _)) = pair.split_once('=') else { return Cow::Borrowed(pair) };
        match form_pairs(pair).into_iter().next() {
            Some((n, v)) if self.members.hides(&n) && !v.starts_with("‹redacted") => {
                Cow::Owned(format!("{name}={}", self.labeller.label(&v)))
            }
            _ => Cow::Borrowed(pair),
        }
    }

    /// Secret members of JSON, by name: every member `hides`, or (inside JWTs, `narrow`) only those
    /// that are secrets wherever they stand and a key's private members.
    fn redact_members(&self, value: &mut Value, narrow: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(map) => {
                let is_key = map.contains_key("kty");
                for (name, member) in map.iter_mut() {
                    let secret = if narrow {
                        self.members.anywhere.contains(&name.as_str())
                            || (is_key && self.members.in_keys.contains(&name.as_str()))
                    } else {
                        self.members.hides(name)
                    };
                    match member {
                        Value::String(s) if secret && !s.starts_with("‹redacted") => {
                            *member = Value::String(self.labeller.label(s));
                        }
                        other => self.redact_members(other, narrow, depth + 1),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_members(v, narrow, depth + 1)),
            _ => {}
        }
    }

    /// Every secret, in each of its encodings, replaced by its label.
    fn redact_values<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.search.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::new();
        let mut last = 0;
        for m in self.search.find_all(text) {
            let Some((label, whole)) = self.patterns.get(m.pattern) else { continue };
            if *whole && !(starts_token(text, m.start) && ends_token(text, m.end)) {
                continue;
            }
            out.push_str(&text[last..m.start]);
            out.push_str(label);
            last = m.end;
        }
        if last == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    /// JWTs (and the JWT of an SD-JWT) whose header or payload carries a secret, by name or by
    /// value, are re-encoded with it labelled, and their signature is dropped: a reader decoding
    /// them sees the label, never the secret.
    fn remark_jwts<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !text.contains("eyJ") {
            return Cow::Borrowed(text);
        }
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut last = 0;
        let mut i = 0;
        while let Some(offset) = text[i..].find("eyJ") {
            let start = i + offset;
            let mut end = start;
            while end < bytes.len() && (is_base64url(bytes[end]) || bytes[end] == b'.') {
                end += 1;
            }
            i = end.max(start + 3);
            if start > 0 && (is_base64url(bytes[start - 1]) || bytes[start - 1] == b'.') {
                continue;
            }
            if let Some(remarked) = self.remark_jwt(&text[start..end]) {
                out.push_str(&text[last..start]);
                out.push_str(&remarked);
                last = end;
            }
        }
        if last == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    fn remark_jwt(&self, jwt: &str) -> Option<String> {
        let segments: Vec<&str> = jwt.split('.').collect();
        if !(2..=3).contains(&segments.len()) {
            return None;
        }
        let mut changed = false;
        let mut parts = Vec::new();
        for segment in segments.iter().take(2) {
            let decoded = URL_SAFE_NO_PAD.decode(segment).ok()?;
            let text = String::from_utf8_lossy(&decoded);
            let carries =
                self.quoted_members.iter().any(|m| text.contains(m.as_str())) || self.search.occurs_in(text.as_ref());
            if !carries {
                parts.push(segment.to_string());
                continue;
            }
            let mut value: Value = serde_json::from_slice(&decoded).ok()?;
            let before = value.to_string();
            self.redact_members(&mut value, true, 0);
            let after = self.redact_values(&value.to_string()).into_owned();
            if after != before {
                changed = true;
                parts.push(URL_SAFE_NO_PAD.encode(after));
            } else {
                parts.push(segment.to_string());
            }
        }
        changed.then(|| format!("{}.{SIGNATURE_DROPPED}", parts.join(".")))
    }
}

/// The encodings a secret may travel in, itself first.
fn encodings(secret: &str) -> Vec<String> {
    let form = form_encode(secret);
    let mut all = vec![
        secret.to_string(),
        form_encode(&form),
        percent_encode_lower(secret),
        serde_json::to_string(secret).map(|q| q.trim_matches('"').to_string()).unwrap_or_default(),
        form,
    ];
    if secret.len() >= WHOLE_TOKEN_BELOW {
        all.push(URL_SAFE_NO_PAD.encode(secret));
        all.push(STANDARD.encode(secret));
    }
    let mut unique: Vec<String> = Vec::new();
    for e in all {
        if !e.is_empty() && !unique.contains(&e) {
            unique.push(e);
        }
    }
    unique
}

/// `application/x-www-form-urlencoded` (WHATWG URL §5.2): what `form_urlencoded` and serde write.
fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every byte but the unreserved ones as `%xx`, lower-case: what some encoders write.
fn percent_encode_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// A word, number or base64 text continues across this character.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Whether a match at `start` begins a token: nothing of a token before it, or a `%XX` escape.
fn starts_token(text: &str, start: usize) -> bool {
    let Some(prev) = text[..start].chars().next_back() else { return true };
    if !is_token_char(prev) {
        return true;
    }
    let b = text.as_bytes();
    start >= 3 && b[start - 3] == b'%' && b[start - 2].is_ascii_hexdigit() && b[start - 1].is_ascii_hexdigit()
}

fn ends_token(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_none_or(|c| !is_token_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Secrets;

    const MEMBERS: SecretMembers = SecretMembers {
        anywhere: &["pre-authorized_code", "tx_code", "access_token"],
        in_forms: &["code"],
        in_keys: &["d"],
    };

    #[test]
    fn every_encoding_of_a_secret_is_replaced() {
        let s = Secrets::new(MEMBERS);
        let code = "Ab3+/x=Zq9_long-enough-code";
        s.register("pre-authorized_code", code);
        let label = s.label(code);
        let json = serde_json::to_string(&serde_json::json!({ "pre-authorized_code": code })).unwrap();
        let form = form_encode(code);
        let uri = format!("openid-credential-offer://?credential_offer={}", form_encode(&json));
        let text = format!(
            "{code} | {form} | {} | {uri} | {} | {}",
            percent_encode_lower(code),
            URL_SAFE_NO_PAD.encode(code),
            form_encode(&uri)
        );
        let out = s.redact_text(&text);
        assert!(!out.contains(code) && !out.contains(&form) && !out.contains(&URL_SAFE_NO_PAD.encode(code)), "{out}");
        assert_eq!(out.matches(&label).count(), 6, "{out}");
    }

    #[test]
    fn short_secrets_are_replaced_only_as_whole_tokens() {
        let s = Secrets::new(MEMBERS);
        s.register("tx_code", "493817");
        let out = s.redact_text(r#"tx_code=493817&x=1 "493817" %22493817%22 ts 1749381712 b64 aB493817cD"#);
        assert_eq!(out.matches("‹redacted 6 chars").count(), 3, "{out}");
        assert!(out.contains("1749381712") && out.contains("aB493817cD"), "{out}");
    }

    #[test]
    fn a_jwt_carrying_a_secret_is_re_encoded_without_it() {
        let s = Secrets::new(MEMBERS);
        s.register("access_token", "TOKEN-0123456789-abcdef");
        let payload = URL_SAFE_NO_PAD.encode(r#"{"iss":"x","at":"TOKEN-0123456789-abcdef","tx_code":"12"}"#);
        let clean = URL_SAFE_NO_PAD.encode(r#"{"iss":"x"}"#);
        let text = format!("jwt eyJhbGciOiJFUzI1NiJ9.{payload}.c2ln and eyJhbGciOiJFUzI1NiJ9.{clean}.c2ln");
        let out = s.redact_text(&text);
        let remarked = out.strip_prefix("jwt ").unwrap().split(" and ").next().unwrap();
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(remarked.split('.').nth(1).unwrap()).unwrap()).unwrap();
        assert!(decoded.contains("‹redacted 23 chars") && decoded.contains("‹redacted 2 chars"), "{decoded}");
        assert!(remarked.starts_with("eyJhbGciOiJFUzI1NiJ9.") && remarked.ends_with(SIGNATURE_DROPPED), "{out}");
        // A JWT without a secret is kept as it is, signature and all.
        assert!(out.ends_with(&format!("eyJhbGciOiJFUzI1NiJ9.{clean}.c2ln")), "{out}");
    }

    #[test]
    fn forms_json_and_urls_are_redacted_by_name_whatever_the_length() {
        let s = Secrets::new(MEMBERS);
        let m = s.matcher();
        let form = m.redact_body(
            "grant_type=x&pre-authorized_code=C%2B1&tx_code=12",
            Some("application/x-www-form-urlencoded"),
        );
        assert!(
            form.starts_with("grant_type=x&pre-authorized_code=‹redacted 3 chars") && !form.contains("=12"),
            "{form}"
        );
        let json = m.redact_body(
            r#"{"access_token":"T","token_type":"Bearer","grants":{"g":{"pre-authorized_code":"C"}}}"#,
            None,
        );
        assert!(!json.contains("\"T\"") && !json.contains("\"C\"") && json.contains("Bearer"), "{json}");
        let url = m.redact_url("https://i.example/cb?state=s&code=ab");
        assert!(url.starts_with("https://i.example/cb?state=s&code=‹redacted 2 chars"), "{url}");
        assert_eq!(m.redact_authorization("Bearer abc"), format!("Bearer {}", s.label("abc")));
    }
}
