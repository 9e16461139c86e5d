//! The wallet side of what goes with and follows a credential request (OpenID4VCI 1.0): batches of
//! proofs, each by its own key (§8.2, `batch_credential_issuance` §12.2.4); credential responses
//! that are immediate (200), deferred (202, §8.3) or encrypted (§10); polling the deferred
//! credential endpoint within a bound, honouring `interval` (§9); and notifications (§11). Written
//! once, as more of [`Client`]: the reference wallet runs it, the harness runs its steps.

use super::client::{Client, FlowError, Session, Step};
use super::deferred::{DeferredCredentialRequest, MAX_INTERVAL_SECS};
use super::encryption::{self, ResponseEncryption};
use super::message::{CredentialRequest, CredentialResponse};
use super::notification::NotificationRequest;
use super::proof::{self, ProofSpec};
use crate::jose::EcKey;
use crate::message::Message;
use crate::seed::Entropy;
use dialtone_http::{Body, HttpResponse};
use serde_json::Value;

/// The most polls of the deferred endpoint a wallet makes for one transaction.
pub const MAX_DEFERRED_POLLS: u32 = 5;

/// The answer to a credential (or deferred credential) request that was not refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// HTTP 200: the credentials (§8.3, §9.2).
    Issued(CredentialResponse),
    /// HTTP 202: come back later with `transaction_id`, after `interval` seconds.
    Deferred { transaction_id: String, interval: u64 },
}

impl Session {
    /// The batch size the issuer allows (§12.2.4), 1 when it does not batch.
    pub fn batch_size(&self) -> u32 {
        self.metadata.batch_credential_issuance.as_ref().map_or(1, |b| b.batch_size.max(1))
    }

    /// A credential request carrying one proof per key, each by its key (§8.2).
    pub fn batch_request(&self, keys: &[EcKey], spec: &ProofSpec, entropy: &Entropy) -> CredentialRequest {
        let proofs = keys.iter().map(|k| proof::build(k, spec, self.proof_target(), entropy)).collect();
        self.request(proofs)
    }
}

/// Asks for the response encrypted to `key` with `enc` (§8.2); the key's `alg` is ECDH-ES.
pub fn response_encryption(key: &EcKey, enc: &str) -> ResponseEncryption {
    let mut jwk = key.public_jwk();
    if let Some(o) = jwk.as_object_mut() {
        o.insert("alg".into(), Value::from(crate::jwe::ALG));
        o.insert("use".into(), Value::from("enc"));
    }
    ResponseEncryption { jwk, enc: enc.into(), zip: None }
}

/// Reads an answer of the credential or deferred endpoint: 200 with credentials, or 202 with a
/// transaction; decrypted with `decryption_key` when the wallet asked for encryption.
pub fn answer(step: Step, response: &HttpResponse, decryption_key: Option<&EcKey>) -> Result<Answer, FlowError> {
    if !matches!(response.status, 200 | 202) {
        return Err(FlowError::Status { step, status: response.status });
    }
    let unusable = |reason: String| FlowError::Unusable { step, reason };
    let parsed: CredentialResponse = match decryption_key {
        Some(key) => {
            let text = std::str::from_utf8(&response.body).map_err(|_| unusable("the JWE is not text".into()))?;
            let value = encryption::decrypt(text, &key.private_jwk()).map_err(unusable)?;
            CredentialResponse::parse(&value).map(|r| r.value)
        }
        None => CredentialResponse::parse_bytes(&response.body).map(|r| r.value),
    }
    .map_err(|error| FlowError::Message { step, error })?;
    if response.status == 200 {
        return match &parsed.credentials {
            Some(list) if !list.is_empty() => Ok(Answer::Issued(parsed)),
            _ => Err(unusable("HTTP 200 without credentials (§8.3)".into())),
        };
    }
    match (&parsed.transaction_id, parsed.interval) {
        (Some(id), Some(interval)) if interval > 0 => {
            Ok(Answer::Deferred { transaction_id: id.clone(), interval: interval as u64 })
        }
        _ => Err(unusable("HTTP 202 without a transaction_id and a positive interval (§8.3)".into())),
    }
}

impl Client {
    /// POSTs a JSON body to a protected endpoint, presenting the session's access token as the
    /// session does (Bearer, or DPoP-bound) (unjudged).
    pub async fn post_with_token(
        &self,
        session: &Session,
        endpoint: &str,
        body: &Value,
    ) -> Result<HttpResponse, FlowError> {
        self.post_presenting(session, endpoint, None, Body::Json(body)).await
    }

    /// POSTs an encrypted request body (`application/jwt`, §10) with the session's access token
    /// (unjudged).
    pub async fn post_encrypted(
        &self,
        session: &Session,
        endpoint: &str,
        jwe: &str,
    ) -> Result<HttpResponse, FlowError> {
        self.post_presenting(session, endpoint, Some(encryption::MEDIA_TYPE), Body::Raw(jwe.as_bytes())).await
    }

    /// GET the credential issuer metadata signed (`Accept: application/jwt`, §12.2.2), unjudged.
    pub async fn fetch_signed_issuer_metadata(&self, issuer: &str) -> Result<HttpResponse, FlowError> {
        let url = super::well_known_url(issuer, super::WELL_KNOWN_ISSUER)
            .map_err(|e| FlowError::Unusable { step: Step::IssuerMetadata, reason: e.to_string() })?;
        Ok(self.http().get(&url, &[("Accept", super::signed_metadata::MEDIA_TYPE)]).await?)
    }

    /// The signed metadata of `issuer` checked against its unsigned `metadata` with the signer's
    /// `jwk` (which key to trust is the wallet's business, §12.2.3): the JWT, or every shortfall.
    pub async fn signed_issuer_metadata(
        &self,
        issuer: &str,
        metadata: &Value,
        jwk: &Value,
    ) -> Result<String, FlowError> {
        let response = self.fetch_signed_issuer_metadata(issuer).await?;
        if response.status != 200 || response.media_type().as_deref() != Some(super::signed_metadata::MEDIA_TYPE) {
            return Err(FlowError::Status { step: Step::IssuerMetadata, status: response.status });
        }
        let jwt = String::from_utf8_lossy(&response.body).trim().to_string();
        let problems = super::signed_metadata::check(&jwt, issuer, metadata, Some(jwk));
        if problems.is_empty() {
            Ok(jwt)
        } else {
            Err(FlowError::Unusable { step: Step::IssuerMetadata, reason: problems.join("; ") })
        }
    }

    /// A credential request whose answer may be immediate or deferred.
    pub async fn request_credential(
        &self,
        session: &Session,
        request: &CredentialRequest,
    ) -> Result<Answer, FlowError> {
        let response = self.post_with_token(session, session.credential_endpoint()?, &request.to_json()).await?;
        answer(Step::Credential, &response, None)
    }

    /// The issuer's deferred credential endpoint (§12.2.4).
    pub fn deferred_endpoint(session: &Session) -> Result<&str, FlowError> {
        session.metadata.deferred_credential_endpoint.as_deref().ok_or(FlowError::Unusable {
            step: Step::Credential,
            reason: "a deferred answer from an issuer without a deferred_credential_endpoint".into(),
        })
    }

    /// POSTs a deferred credential request (unjudged).
    pub async fn post_deferred(
        &self,
        session: &Session,
        request: &DeferredCredentialRequest,
    ) -> Result<HttpResponse, FlowError> {
        self.post_with_token(session, Self::deferred_endpoint(session)?, &request.to_json()).await
    }

    /// Polls the deferred endpoint until the credentials come (§9), waiting `interval` before each
    /// request (at most [`MAX_INTERVAL_SECS`]), at most [`MAX_DEFERRED_POLLS`] times; `second` is how
    /// long a second lasts on the caller's clock (a second, but for a wallet in the harness's process).
    pub async fn await_deferred(
        &self,
        session: &Session,
        transaction_id: &str,
        interval: u64,
        second: std::time::Duration,
    ) -> Result<CredentialResponse, FlowError> {
        let (mut transaction, mut wait) = (transaction_id.to_string(), interval);
        for _ in 0..MAX_DEFERRED_POLLS {
            let seconds = u32::try_from(wait.min(MAX_INTERVAL_SECS)).unwrap_or(u32::MAX);
            tokio::time::sleep(second.saturating_mul(seconds)).await;
            let response = self.post_deferred(session, &DeferredCredentialRequest::new(&transaction)).await?;
            match answer(Step::Credential, &response, None)? {
                Answer::Issued(credentials) => return Ok(credentials),
                Answer::Deferred { transaction_id, interval } => (transaction, wait) = (transaction_id, interval),
            }
        }
        Err(FlowError::Unusable {
            step: Step::Credential,
            reason: format!("still pending after {MAX_DEFERRED_POLLS} polls of the deferred endpoint"),
        })
    }

    /// POSTs a notification (unjudged).
    pub async fn post_notification(
        &self,
        session: &Session,
        request: &NotificationRequest,
    ) -> Result<HttpResponse, FlowError> {
        let endpoint = session.metadata.notification_endpoint.as_deref().ok_or(FlowError::Unusable {
            step: Step::Credential,
            reason: "a notification_id from an issuer without a notification_endpoint".into(),
        })?;
        self.post_with_token(session, endpoint, &request.to_json()).await
    }

    /// Tells the issuer what became of the credentials of `notification_id` (§11); a 2xx is success.
    pub async fn notify(&self, session: &Session, notification_id: &str, event: &str) -> Result<(), FlowError> {
        let response = self.post_notification(session, &NotificationRequest::new(notification_id, event)).await?;
        if (200..300).contains(&response.status) {
            Ok(())
        } else {
            Err(FlowError::Status { step: Step::Credential, status: response.status })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(status: u16, body: &Value) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: body.to_string().into_bytes() }
    }

    #[test]
    fn answers_read_as_issued_deferred_or_unusable() {
        let issued = answer(Step::Credential, &response(200, &json!({"credentials": [{"credential": "x"}]})), None);
        assert!(matches!(issued, Ok(Answer::Issued(_))));
        let deferred = answer(Step::Credential, &response(202, &json!({"transaction_id": "t", "interval": 5})), None);
        assert_eq!(deferred, Ok(Answer::Deferred { transaction_id: "t".into(), interval: 5 }));
        for (status, body) in [
            (202, json!({"transaction_id": "t"})),
            (202, json!({"transaction_id": "t", "interval": 0})),
            (200, json!({"credentials": []})),
        ] {
            assert!(
                matches!(answer(Step::Credential, &response(status, &body), None), Err(FlowError::Unusable { .. })),
                "{status} {body}"
            );
        }
        assert!(matches!(
            answer(Step::Credential, &response(400, &json!({"error": "invalid_proof"})), None),
            Err(FlowError::Status { status: 400, .. })
        ));
    }

    #[test]
    fn an_encrypted_answer_decrypts_with_the_wallets_key_only() {
        let entropy = Entropy::seeded(11);
        let (wallet, other) = (EcKey::generate(&entropy), EcKey::generate(&entropy));
        let asked = response_encryption(&wallet, "A128GCM");
        let jwe = encryption::encrypt(&json!({"credentials": [{"credential": "x"}]}), &asked).unwrap();
        let encrypted = HttpResponse { status: 200, headers: Vec::new(), body: jwe.into_bytes() };
        assert!(matches!(answer(Step::Credential, &encrypted, Some(&wallet)), Ok(Answer::Issued(_))));
        assert!(matches!(answer(Step::Credential, &encrypted, Some(&other)), Err(FlowError::Unusable { .. })));
    }
}
