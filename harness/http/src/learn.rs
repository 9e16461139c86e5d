//! Finding the secrets a text carries, where the protocols put them: members of JSON bodies,
//! parameters of forms and query strings, offers and URLs inside those (percent-encoded JSON in a
//! query parameter of a URL in a JSON member), JWT headers and payloads, `Authorization` headers.
//! What is found is registered with the run's [`crate::Secrets`] and then replaced by value.

use crate::secrets::{SecretMembers, is_learnable};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// How deep texts inside texts (and JSON inside JSON) are followed.
const MAX_DEPTH: usize = 48;

/// What was found: (what it is, the value).
pub(crate) type Found = Vec<(String, String)>;

/// The secrets in a body of the given media type (a form, JSON, a JWT, a URL).
pub(crate) fn in_body(members: &SecretMembers, text: &str, content_type: Option<&str>, out: &mut Found) {
    if is_form(content_type) {
        in_query(members, text, 0, out);
    } else {
        in_text(members, text, 0, out);
    }
}

/// A body (not a form) that is a JSON object or array, read once for both learning its secrets
/// ([`in_json_body`]) and redacting them, and whether nothing but JSON whitespace surrounds it
/// (redaction reads a body as JSON only then).
pub(crate) fn json_body(text: &str, content_type: Option<&str>) -> Option<(Value, bool)> {
    if is_form(content_type) {
        return None;
    }
    let t = text.trim();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let value = serde_json::from_str::<Value>(t).ok()?;
    let bare = text.trim_matches([' ', '\t', '\n', '\r']).len() == t.len();
    Some((value, bare))
}

/// The secrets of a body [`json_body`] read: what [`in_body`] finds in its text.
pub(crate) fn in_json_body(members: &SecretMembers, value: &Value, out: &mut Found) {
    in_json(members, value, 1, out);
}

/// The secrets of any text: JSON, a JWT, a form, a URL with a query.
pub(crate) fn in_text(members: &SecretMembers, text: &str, depth: usize, out: &mut Found) {
    if depth > MAX_DEPTH {
        return;
    }
    let t = text.trim();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(value) = serde_json::from_str::<Value>(t)
    {
        in_json(members, &value, depth + 1, out);
        return;
    }
    for part in jwt_parts(t) {
        if let Ok(value) = serde_json::from_slice::<Value>(&part) {
            in_json(members, &value, depth + 1, out);
        }
    }
    if t.contains('=') {
        // A URL's parameters, or a form's.
        in_query(members, query_of(t).unwrap_or(t), depth + 1, out);
    }
}

/// The credentials of an `Authorization` header value (`Bearer …`, `DPoP …`, `Basic …`).
pub(crate) fn in_authorization(value: &str, out: &mut Found) {
    let credentials = value.split_once(' ').map(|(_, c)| c).unwrap_or(value).trim();
    learn(out, "authorization", credentials);
}

/// A form or query string: secret parameters, and texts inside the others.
fn in_query(members: &SecretMembers, query: &str, depth: usize, out: &mut Found) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, value) in form_pairs(query) {
        if members.anywhere.contains(&name.as_str()) || members.in_forms.contains(&name.as_str()) {
            learn(out, &name, &value);
        } else {
            in_text(members, &value, depth + 1, out);
        }
    }
}

fn in_json(members: &SecretMembers, value: &Value, depth: usize, out: &mut Found) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            let is_key = map.contains_key("kty");
            for (name, member) in map {
                match member {
                    Value::String(s)
                        if members.anywhere.contains(&name.as_str())
                            || (is_key && members.in_keys.contains(&name.as_str())) =>
                    {
                        learn(out, name, s)
                    }
                    Value::String(s) => in_text(members, s, depth + 1, out),
                    other => in_json(members, other, depth + 1, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| in_json(members, v, depth + 1, out)),
        _ => {}
    }
}

fn learn(out: &mut Found, what: &str, value: &str) {
    if is_learnable(value) {
        out.push((what.to_string(), value.to_string()));
    }
}

/// Whether a media type is `application/x-www-form-urlencoded`.
pub(crate) fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
}

/// The parameters after a URL's `?` (and `#`: a fragment response carries parameters too).
pub(crate) fn query_of(text: &str) -> Option<&str> {
    text.find(['?', '#']).map(|i| &text[i + 1..])
}

/// Name-value pairs of a form or query, decoded (lossily); `#` separates like `&`.
pub(crate) fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split(['&', '#'])
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            form_urlencoded::parse(pair.as_bytes()).next().map(|(k, v)| (k.into_owned(), v.into_owned()))
        })
        .collect()
}

/// The decoded header and payload of a compact JWS (or the JWT of an SD-JWT), when `text` is one.
pub(crate) fn jwt_parts(text: &str) -> Vec<Vec<u8>> {
    let jwt = text.split('~').next().unwrap_or_default();
    if !jwt.starts_with("eyJ") {
        return Vec::new();
    }
    let segments: Vec<&str> = jwt.split('.').collect();
    if !(2..=3).contains(&segments.len()) || !segments.iter().all(|s| s.bytes().all(is_base64url)) {
        return Vec::new();
    }
    segments.iter().take(2).filter_map(|s| URL_SAFE_NO_PAD.decode(s).ok()).collect()
}

pub(crate) fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: SecretMembers =
        SecretMembers { anywhere: &["pre-authorized_code", "tx_code"], in_forms: &["code"], in_keys: &["d"] };

    fn found(text: &str) -> Vec<String> {
        let mut out = Found::new();
        in_text(&MEMBERS, text, 0, &mut out);
        out.into_iter().map(|(_, v)| v).collect()
    }

    #[test]
    fn an_offer_inside_a_url_inside_json_is_found() {
        let uri = "openid-credential-offer://?credential_offer=%7B%22grants%22%3A%7B%22g%22%3A%7B%22pre-authorized_code%22%3A%22SECRET-CODE-1%22%7D%7D%7D";
        let body = serde_json::json!({ "credential_offer_uri": uri, "tx_code": "493817" }).to_string();
        assert_eq!(found(&body), ["SECRET-CODE-1", "493817"]);
    }

    #[test]
    fn forms_queries_jwts_and_keys_are_read() {
        assert_eq!(found("grant_type=x&code=AUTHCODE&tx_code=1234"), ["AUTHCODE", "1234"]);
        assert_eq!(found("https://wallet.example/cb?state=s#code=FRAGMENTCODE"), ["FRAGMENTCODE"]);
        let payload = URL_SAFE_NO_PAD.encode(r#"{"tx_code":"987654"}"#);
        assert_eq!(found(&format!("eyJhbGciOiJub25lIn0.{payload}.")), ["987654"]);
        // `d` only in a key, `code` only in forms: elsewhere they are ordinary words.
        assert_eq!(
            found(r#"{"jwk":{"kty":"EC","d":"PRIVATE-D"},"d":"not-a-key","code":"invalid_grant"}"#),
            ["PRIVATE-D"]
        );
        // Too short to replace by value: left to redaction by member name.
        assert!(found(r#"{"tx_code":"12"}"#).is_empty());
    }
}
