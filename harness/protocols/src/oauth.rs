//! OAuth 2.0 pieces beside OpenID4VCI: the Bearer challenge of RFC 6750 §3 (and the DPoP challenge
//! of RFC 9449 §7.1, which has its syntax), PKCE (RFC 7636) in [`pkce`], and attestation-based
//! client authentication ([`client_attestation`]).

pub mod client_attestation;
pub mod pkce;

/// The auth-params of the `Bearer` challenge in a `WWW-Authenticate` value (RFC 6750 §3:
/// `"Bearer" [ 1*SP 1#param ]`, every param `name=value`; RFC 7235 §4.1 allows other challenges
/// in the same list). `Err` says why it is not a well-formed Bearer challenge.
pub fn bearer_params(header: &str) -> Result<Vec<(String, String)>, String> {
    challenge_params(header, "Bearer")
}

/// The auth-params of the challenge of `scheme` (ASCII, compared without case) in a
/// `WWW-Authenticate` value, with the grammar of [`bearer_params`].
pub fn challenge_params(header: &str, scheme: &str) -> Result<Vec<(String, String)>, String> {
    let elements = split_list(header);
    let n = scheme.len();
    let start = elements
        .iter()
        .position(|e| {
            e.len() >= n
                && e.is_char_boundary(n)
                && e[..n].eq_ignore_ascii_case(scheme)
                && (e.len() == n || e.as_bytes()[n] == b' ')
        })
        .ok_or_else(|| format!("no {scheme} challenge"))?;
    let mut params = Vec::new();
    let first = elements[start][n..].trim();
    let mut rest = elements[start + 1..].iter().map(|e| e.trim());
    let mut pending = if first.is_empty() { None } else { Some(first) };
    while let Some(element) = pending.take().or_else(|| rest.next()) {
        match element.split_once('=') {
            Some((name, value)) if is_token(name.trim()) => {
                let value = value.trim();
                let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                    Some(q) => q.replace("\\\"", "\""),
                    None if is_token(value) => value.to_string(),
                    None => return Err(format!("parameter {name:?} has a malformed value {value:?}")),
                };
                params.push((name.trim().to_ascii_lowercase(), value));
            }
            _ if params.is_empty() && !first.is_empty() => {
                return Err(format!("{element:?} is not a name=value parameter (RFC 6750 §3 allows no token68)"));
            }
            // An element without '=' after the parameters starts the next challenge.
            _ => break,
        }
    }
    Ok(params)
}

/// Splits a header list at commas outside quoted strings.
fn split_list(header: &str) -> Vec<String> {
    let (mut out, mut current, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in header.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, _, '"') => quoted = !quoted,
            (false, _, ',') => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect()
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

#[cfg(test)]
mod tests {
    use super::bearer_params;

    #[test]
    fn dpop_challenges_as_rfc_9449_writes_them() {
        let header = r#"Bearer error="invalid_token", DPoP error="use_dpop_nonce", algs="ES256""#;
        let p = super::challenge_params(header, "DPoP").expect("RFC 9449 §9 challenge");
        assert_eq!(p, vec![("error".into(), "use_dpop_nonce".into()), ("algs".into(), "ES256".into())]);
        assert!(super::challenge_params("Bearer", "DPoP").is_err());
    }

    #[test]
    fn bearer_challenges_as_rfc_6750_writes_them() {
        assert_eq!(bearer_params("Bearer").expect("bare scheme"), vec![]);
        let p = bearer_params(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        )
        .expect("RFC 6750 §3 example");
        assert_eq!(p[1], ("error".into(), "invalid_token".into()));
        // A DPoP challenge may follow in the same list (RFC 7235 §4.1).
        let p = bearer_params(r#"Bearer error="invalid_token", DPoP algs="ES256""#).expect("two challenges");
        assert_eq!(p.len(), 1);
        // What Credo 0.6.3 sends for an unknown token: valid params, then a bare `scope` (read as the
        // next challenge, per RFC 7235's list grammar).
        assert!(
            bearer_params(r#"Bearer error="invalid_token", error_description="Token is not valid", scope"#).is_ok()
        );
        // What it sends without a token: parameter names without values.
        let e = bearer_params("Bearer error, error_description, scope, DPoP error, error_description, scope")
            .expect_err("names without values");
        assert!(e.contains("not a name=value parameter"), "{e}");
        assert!(bearer_params("Basic realm=\"x\"").is_err());
        assert!(bearer_params(r#"Bearer error="a,b", scope="x y""#).is_ok(), "commas inside quotes");
    }
}
