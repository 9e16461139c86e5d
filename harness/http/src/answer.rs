//! What a candidate said when it answered with an error: its status and its own words, read from
//! the conventions HTTP APIs use for them — an OAuth 2.0 error response (RFC 6749 §5.2, used by
//! OpenID4VCI and OpenID4VP: `error`, `error_description`), a bearer-token challenge
//! (RFC 6750 §3: `WWW-Authenticate: Bearer error="…"`), or Problem Details (RFC 9457: `title`,
//! `detail`). Bounded, so a report shows a candidate's words without a candidate filling it.

use crate::HttpExchange;
use serde::{Deserialize, Serialize};

/// The longest `error` or description kept, in characters.
const MAX_WORDS: usize = 300;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The candidate's error code (`error`, or a Problem Details `title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The candidate's own description (`error_description`, or a Problem Details `detail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl std::fmt::Display for ErrorAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(e) = &self.error {
            write!(f, " {e}")?;
        }
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl HttpExchange {
    /// The candidate's error answer, when this exchange is one (a status of 400 or more).
    pub fn error_answer(&self) -> Option<ErrorAnswer> {
        let status = self.status.filter(|s| *s >= 400)?;
        let mut answer = ErrorAnswer { status, error: None, description: None };
        let body: Option<serde_json::Value> = self.response_body.as_deref().and_then(|b| serde_json::from_str(b).ok());
        if let Some(body) = body.as_ref().and_then(|b| b.as_object()) {
            let text = |key: &str| body.get(key).and_then(|v| v.as_str()).map(bounded);
            answer.error = text("error").or_else(|| text("title"));
            answer.description = text("error_description").or_else(|| text("detail"));
        }
        if answer.error.is_none() {
            let challenge = self
                .response_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("www-authenticate"))
                .map(|(_, v)| v.as_str());
            if let Some(challenge) = challenge {
                answer.error = challenge_param(challenge, "error").map(|s| bounded(&s));
                answer.description = challenge_param(challenge, "error_description").map(|s| bounded(&s));
            }
        }
        Some(answer)
    }
}

/// A parameter of an RFC 6750 challenge (`Bearer error="invalid_token", error_description="…"`),
/// leniently: a quoted or token value.
fn challenge_param(challenge: &str, name: &str) -> Option<String> {
    let mut rest = challenge;
    while let Some(at) = rest.find(name) {
        let before_ok = rest[..at].chars().last().is_none_or(|c| c == ' ' || c == ',' || c == '\t');
        let after = &rest[at + name.len()..];
        let after_trimmed = after.trim_start();
        if before_ok && let Some(value) = after_trimmed.strip_prefix('=') {
            let value = value.trim_start();
            return Some(match value.strip_prefix('"') {
                Some(quoted) => {
                    let mut out = String::new();
                    let mut chars = quoted.chars();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => out.extend(chars.next()),
                            '"' => break,
                            c => out.push(c),
                        }
                    }
                    out
                }
                None => value.split([',', ' ']).next().unwrap_or_default().to_string(),
            });
        }
        rest = after;
    }
    None
}

fn bounded(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_WORDS).collect();
    if text.chars().count() > MAX_WORDS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> HttpExchange {
        HttpExchange {
            method: "POST".into(),
            url: "https://c.example/token".into(),
            request_headers: vec![],
            request_body: None,
            status: Some(status),
            response_headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            response_body: Some(body.into()),
            response_bytes: body.len(),
            error: None,
            duration_ms: 1.0,
        }
    }

    #[test]
    fn the_candidates_words_come_from_oauth_errors_challenges_and_problem_details() {
        let oauth = exchange(400, &[], r#"{"error":"invalid_grant","error_description":"code already used"}"#);
        assert_eq!(oauth.error_answer().unwrap().to_string(), "HTTP 400 invalid_grant: code already used");
        let bearer = exchange(
            401,
            &[(
                "WWW-Authenticate",
                r#"Bearer realm="x", error="invalid_token", error_description="expired \"token\"""#,
            )],
            "",
        );
        assert_eq!(bearer.error_answer().unwrap().to_string(), r#"HTTP 401 invalid_token: expired "token""#);
        let problem = exchange(404, &[], r#"{"type":"about:blank","title":"Not Found","detail":"no such entity"}"#);
        assert_eq!(problem.error_answer().unwrap().to_string(), "HTTP 404 Not Found: no such entity");
        let bare = exchange(500, &[], "<html>oops</html>");
        assert_eq!(bare.error_answer().unwrap().to_string(), "HTTP 500");
        assert!(exchange(200, &[], r#"{"error":"x"}"#).error_answer().is_none());
        let long = exchange(400, &[], &format!(r#"{{"error":"x","error_description":"{}"}}"#, "a".repeat(5000)));
        assert_eq!(long.error_answer().unwrap().description.unwrap().chars().count(), MAX_WORDS + 1);
    }
}
