//! Correct requests that vary in what a wallet must tolerate — the counterpart verifier of a wallet
//! case asks this way when the case says so (the OpenID Foundation's "alternate happy flow" and
//! "ignores unusable encryption key"). None of these is a fault: the reference itself asks plainly.

use dialtone_protocols::oid4vp::message::RequestParameters;
use serde::Deserialize;
use serde_json::{Value, json};

/// The variations of a request; the default is none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequestVariation {
    /// `client_metadata.jwks` starts with a key of a `kty` no specification defines, then the
    /// usable one (RFC 7517 §5: a key set's keys a party does not understand are ignored).
    pub unusable_key_first: bool,
    /// The encryption key has no `use` (§8.3 allows it).
    pub key_without_use: bool,
    /// `nonce` and `state` of 256 characters (§5.2 sets no length).
    pub long_state_and_nonce: bool,
    /// A request parameter no specification defines (§5: a wallet ignores what it does not know).
    pub unknown_parameter: bool,
    /// The request object's `iss` is not the client identifier (nothing requires it to be).
    pub iss_other_than_client_id: bool,
    /// Asked for the `decentralized_identifier` prefix, it names itself by its signing key's
    /// `did:jwk` rather than its `did:web`.
    pub did_jwk: bool,
}

/// A form parameter and request member no specification defines.
const UNKNOWN: &str = "dialtone_unknown_parameter";

impl RequestVariation {
    /// Bytes of entropy in nonces and states: 192 (256 characters) when long, else `plain`.
    pub(super) fn token_bytes(self, plain: usize) -> usize {
        if self.long_state_and_nonce { 192 } else { plain }
    }

    /// The request's parameters as this variation says.
    pub(super) fn apply(self, params: &mut RequestParameters) {
        if self.unknown_parameter {
            params.extra.insert(UNKNOWN.into(), json!("ignore me"));
        }
        if self.iss_other_than_client_id {
            params.extra.insert("iss".into(), json!("https://issuer-of-this-request.dialtone.invalid"));
        }
        let keys = params
            .client_metadata
            .as_mut()
            .and_then(|m| m.jwks.as_mut())
            .and_then(|j| j.get_mut("keys"))
            .and_then(Value::as_array_mut);
        let Some(keys) = keys else { return };
        if self.key_without_use {
            for key in keys.iter_mut().filter_map(Value::as_object_mut) {
                key.remove("use");
            }
        }
        if self.unusable_key_first {
            keys.insert(0, json!({ "kty": "dialtone-unknown-kty", "use": "enc", "kid": "unusable", "k": "AAAA" }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_protocols::message::Message;
    use dialtone_protocols::oid4vp::message::ClientMetadata;

    #[test]
    fn a_varied_request_still_offers_its_usable_key() {
        let key = json!({ "kty": "EC", "crv": "P-256", "x": "x", "y": "y", "use": "enc" });
        let mut params = RequestParameters {
            client_metadata: Some(ClientMetadata { jwks: Some(json!({ "keys": [key] })), ..Default::default() }),
            ..Default::default()
        };
        RequestVariation {
            unusable_key_first: true,
            key_without_use: true,
            unknown_parameter: true,
            ..Default::default()
        }
        .apply(&mut params);
        let jwks = params.client_metadata.clone().unwrap_or_default().jwks.unwrap_or_default();
        assert_eq!(jwks["keys"][0]["kty"], "dialtone-unknown-kty");
        assert!(jwks["keys"][1].get("use").is_none());
        assert_eq!(params.to_json()[UNKNOWN], "ignore me");
        assert_eq!(RequestVariation { long_state_and_nonce: true, ..Default::default() }.token_bytes(16), 192);
    }
}
