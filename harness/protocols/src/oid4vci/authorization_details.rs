//! Authorization details of type `openid_credential` (OpenID4VCI 1.0 §5.1.1, RFC 9396): what a
//! wallet asks for in an authorization or token request (§6.1), and what the token response grants
//! (§6.2: the `credential_identifiers` the wallet then names in its credential requests, §8.2).

use super::message::TokenResponse;
use crate::message::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// §5.1.1
pub const OPENID_CREDENTIAL: &str = "openid_credential";

/// One authorization details object of type `openid_credential`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationDetail {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_configuration_id: Option<String>,
    /// Token response only (§6.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_identifiers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for AuthorizationDetail {
    const NAME: &'static str = "authorization details";
    const CLAUSE: &'static str = "OID4VCI-1.0 §5.1.1, §6.2";
}

impl AuthorizationDetail {
    /// A request for one configuration.
    pub fn for_configuration(id: &str) -> Self {
        Self { kind: OPENID_CREDENTIAL.into(), credential_configuration_id: Some(id.into()), ..Self::default() }
    }

    /// The form parameter's value: a JSON array (RFC 9396 §2).
    pub fn param(details: &[Self]) -> String {
        serde_json::to_string(details).unwrap_or_default()
    }

    /// Reads the form parameter; an `Err` says why it is not an array of `openid_credential` objects.
    pub fn read_param(text: &str) -> Result<Vec<Self>, String> {
        let details: Vec<Self> =
            serde_json::from_str(text).map_err(|e| format!("authorization_details is not an array of objects: {e}"))?;
        if details.is_empty() {
            return Err("authorization_details is empty".into());
        }
        if let Some(other) = details.iter().find(|d| d.kind != OPENID_CREDENTIAL) {
            return Err(format!("authorization_details type {:?} is not {OPENID_CREDENTIAL}", other.kind));
        }
        Ok(details)
    }

    /// The `openid_credential` details a token response grants (those that read).
    pub fn granted(response: &TokenResponse) -> Vec<Self> {
        response
            .authorization_details
            .iter()
            .flatten()
            .filter_map(|v| Self::parse(v).ok().map(|r| r.value))
            .filter(|d| d.kind == OPENID_CREDENTIAL)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_token_response_example_grants_two_identifiers() {
        let response = TokenResponse::parse(&serde_json::json!({
            "access_token": "x", "token_type": "Bearer",
            "authorization_details": [{"type": "openid_credential", "credential_configuration_id": "UniversityDegreeCredential",
                "credential_identifiers": ["CivilEngineeringDegree-2023", "ElectricalEngineeringDegree-2023"]}]
        }))
        .unwrap()
        .value;
        let granted = AuthorizationDetail::granted(&response);
        assert_eq!(granted[0].credential_identifiers.as_ref().map(Vec::len), Some(2));
        let param = AuthorizationDetail::param(&[AuthorizationDetail::for_configuration("A")]);
        assert_eq!(
            AuthorizationDetail::read_param(&param).unwrap()[0].credential_configuration_id.as_deref(),
            Some("A")
        );
        assert!(AuthorizationDetail::read_param("[]").is_err());
        assert!(AuthorizationDetail::read_param(r#"[{"type":"other"}]"#).is_err());
    }
}
