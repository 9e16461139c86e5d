//! The harness as a wallet (the counterpart of an issuer under test): obtains credential offers
//! through the candidate's trigger, reads metadata, redeems codes, fetches nonces, builds proof JWTs
//! (correct ones and deliberately wrong ones) and requests credentials. Every step records evidence;
//! a step that cannot proceed returns the `Outcome` the case should end with.

use crate::Ctx;
use crate::manifest::Trigger;
use dialtone_engine::model::Outcome;
use dialtone_http::HttpResponse;
use dialtone_protocols::b64;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oid4vci::{self, well_known_url};
use serde_json::{Map, Value, json};

pub type Step<T> = Result<T, Outcome>;

/// A credential offer as received, and the transaction code delivered out of band (if any).
#[derive(Debug, Clone)]
pub struct Offer {
    pub object: Map<String, Value>,
    pub tx_code: Option<String>,
}

impl Offer {
    pub fn pre_authorized_grant(&self) -> Option<&Map<String, Value>> {
        self.object.get("grants")?.get(oid4vci::PRE_AUTHORIZED_GRANT)?.as_object()
    }

    pub fn pre_authorized_code(&self) -> Option<&str> {
        self.pre_authorized_grant()?.get("pre-authorized_code")?.as_str()
    }

    pub fn expects_tx_code(&self) -> bool {
        self.pre_authorized_grant().is_some_and(|g| g.contains_key("tx_code"))
    }

    pub fn configuration_id(&self) -> Option<&str> {
        self.object.get("credential_configuration_ids")?.as_array()?.first()?.as_str()
    }
}

/// Everything up to a credential request: metadata, an access token, a fresh nonce.
#[derive(Debug, Clone)]
pub struct Session {
    pub metadata: Map<String, Value>,
    pub configuration_id: String,
    pub access_token: String,
    pub c_nonce: Option<String>,
}

/// How to build a proof JWT; the default is a correct one.
#[derive(Debug, Clone)]
pub struct ProofSpec {
    pub typ: Option<String>,
    pub aud: Option<String>,
    pub nonce: Option<String>,
    pub iat_offset: i64,
    /// Sign with another key than the one in the header (a signature that does not verify).
    pub foreign_signature: bool,
    /// `alg: none` and an empty signature.
    pub alg_none: bool,
}

impl Default for ProofSpec {
    fn default() -> Self {
        Self {
            typ: Some(oid4vci::PROOF_TYP.into()),
            aud: None,
            nonce: None,
            iat_offset: 0,
            foreign_signature: false,
            alg_none: false,
        }
    }
}

pub struct Wallet {
    pub ctx: Ctx,
    pub key: EcKey,
}

/// A precondition the case relies on broke: the candidate fails, and the case says which step.
pub fn precondition(step: &str, observed: impl Into<String>) -> Outcome {
    Outcome::fail(format!("a working {step} (precondition of this case)"), observed.into())
}

impl Wallet {
    pub fn new(ctx: Ctx) -> Self {
        let key = EcKey::generate(&ctx.entropy);
        Self { ctx, key }
    }

    pub fn issuer_id(&self) -> String {
        self.ctx.manifest.base_url()
    }

    pub fn metadata_url(&self) -> Step<String> {
        well_known_url(&self.issuer_id(), oid4vci::WELL_KNOWN_ISSUER)
            .map_err(|e| Outcome::error(format!("manifest: {e}")))
    }

    /// GET the credential issuer metadata (§12.2.2), returning the response unjudged.
    pub async fn fetch_metadata(&self) -> Step<HttpResponse> {
        let url = self.metadata_url()?;
        Ok(self.ctx.http.get(&url, &[("Accept", "application/json")]).await?)
    }

    /// The metadata as a JSON object, or a failed precondition.
    pub async fn metadata(&self) -> Step<Map<String, Value>> {
        let response = self.fetch_metadata().await?;
        if response.status != 200 {
            return Err(precondition("credential issuer metadata endpoint", format!("HTTP {}", response.status)));
        }
        response.json_object().map_err(|e| precondition("credential issuer metadata endpoint", e))
    }

    /// The authorization server's identifier: the first of `authorization_servers`, or the issuer.
    pub fn authorization_server(&self, metadata: &Map<String, Value>) -> String {
        metadata
            .get("authorization_servers")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| self.issuer_id())
    }

    pub async fn fetch_as_metadata(&self, metadata: &Map<String, Value>) -> Step<(String, HttpResponse)> {
        let as_id = self.authorization_server(metadata);
        let url = well_known_url(&as_id, oid4vci::WELL_KNOWN_AS)
            .map_err(|e| Outcome::fail("an authorization server identifier that is an https URL", e.to_string()))?;
        Ok((as_id, self.ctx.http.get(&url, &[("Accept", "application/json")]).await?))
    }

    pub async fn token_endpoint(&self, metadata: &Map<String, Value>) -> Step<String> {
        let (_, response) = self.fetch_as_metadata(metadata).await?;
        let as_metadata = response.json_object().map_err(|e| precondition("authorization server metadata", e))?;
        as_metadata
            .get("token_endpoint")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| precondition("authorization server metadata", "no token_endpoint"))
    }

    pub fn credential_endpoint(metadata: &Map<String, Value>) -> Step<String> {
        metadata
            .get("credential_endpoint")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| precondition("credential issuer metadata", "no credential_endpoint"))
    }

    pub fn nonce_endpoint(metadata: &Map<String, Value>) -> Option<String> {
        metadata.get("nonce_endpoint").and_then(Value::as_str).map(str::to_string)
    }

    /// The configuration this run asks for: the conformance statement's first, else the metadata's first.
    pub fn wanted_configuration(&self) -> Option<String> {
        self.ctx.manifest.conformance.credential.first().map(|c| c.configuration_id.clone())
    }

    /// Asks the candidate for a fresh credential offer through its trigger.
    pub async fn offer(&self, with_tx_code: bool) -> Step<Offer> {
        match &self.ctx.manifest.trigger {
            Trigger::Control { url } => {
                let mut body = json!({ "tx_code": with_tx_code });
                if let Some(c) = self.wanted_configuration() {
                    body["credential_configuration_id"] = json!(c);
                }
                let response =
                    self.ctx.http.post_json(&format!("{}/offers", url.trim_end_matches('/')), &body, &[]).await?;
                if response.status != 200 {
                    return Err(Outcome::error(format!(
                        "the control API refused to create an offer: HTTP {}",
                        response.status
                    )));
                }
                let answer = response.json_object().map_err(|e| Outcome::error(format!("control API answer: {e}")))?;
                let tx_code = answer.get("tx_code").and_then(Value::as_str).map(str::to_string);
                let object = match (
                    answer.get("credential_offer"),
                    answer.get("credential_offer_uri").and_then(Value::as_str),
                ) {
                    (Some(Value::Object(o)), _) => o.clone(),
                    (_, Some(uri)) => self.resolve_offer_uri(uri).await?,
                    _ => {
                        return Err(Outcome::error(
                            "the control API answer has neither credential_offer nor credential_offer_uri",
                        ));
                    }
                };
                Ok(Offer { object, tx_code })
            }
            Trigger::StaticOffer { offer } => {
                if with_tx_code {
                    return Err(Outcome::skip("a static offer cannot deliver a transaction code; use the control API"));
                }
                let object = if offer.trim_start().starts_with('{') {
                    match serde_json::from_str::<Value>(offer) {
                        Ok(Value::Object(o)) => o,
                        _ => {
                            return Err(Outcome::error("the manifest's static offer is not a JSON object"));
                        }
                    }
                } else {
                    self.resolve_offer_uri(offer).await?
                };
                Ok(Offer { object, tx_code: None })
            }
            Trigger::None => Err(Outcome::error("the manifest gives no [trigger] to obtain a credential offer")),
            Trigger::Manual { .. } => Err(Outcome::skip(
                "manual trigger: this case needs a fresh credential offer per run, which needs the control API",
            )),
        }
    }

    /// Reads `openid-credential-offer://?credential_offer=…` or `…?credential_offer_uri=…` (§4.1.2, §4.1.3).
    pub async fn resolve_offer_uri(&self, uri: &str) -> Step<Map<String, Value>> {
        let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let params: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| Outcome::fail("a credential offer URI with a form-encoded query", e.to_string()))?;
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        if let Some(by_value) = get("credential_offer") {
            return match serde_json::from_str::<Value>(&by_value) {
                Ok(Value::Object(o)) => Ok(o),
                _ => Err(Outcome::fail("credential_offer to be a JSON object", "it is not")),
            };
        }
        if let Some(by_reference) = get("credential_offer_uri") {
            let response = self.ctx.http.get(&by_reference, &[("Accept", "application/json")]).await?;
            return response
                .json_object()
                .map_err(|e| Outcome::fail("the credential offer by reference to be a JSON object", e));
        }
        Err(Outcome::fail("credential_offer or credential_offer_uri in the offer URI", uri.to_string()))
    }

    /// POSTs a token request (form-encoded) to the token endpoint.
    pub async fn token_request(&self, metadata: &Map<String, Value>, form: &[(&str, &str)]) -> Step<HttpResponse> {
        let endpoint = self.token_endpoint(metadata).await?;
        Ok(self.ctx.http.post_form(&endpoint, form, &[]).await?)
    }

    /// Redeems an offer's pre-authorized code (with its tx_code), returning the access token.
    pub async fn redeem(&self, metadata: &Map<String, Value>, offer: &Offer) -> Step<String> {
        let code =
            offer.pre_authorized_code().ok_or_else(|| precondition("credential offer", "no pre-authorized_code"))?;
        let mut form = vec![("grant_type", oid4vci::PRE_AUTHORIZED_GRANT), ("pre-authorized_code", code)];
        if let Some(tx) = &offer.tx_code {
            form.push(("tx_code", tx));
        }
        let response = self.token_request(metadata, &form).await?;
        if response.status != 200 {
            let hint = match self.ctx.manifest.trigger {
                Trigger::StaticOffer { .. } => {
                    " (the manifest's static offer is shared by every case: its code must be reusable, or use the control API)"
                }
                _ => "",
            };
            return Err(precondition("token endpoint", format!("HTTP {}{hint}", response.status)));
        }
        let body = response.json_object().map_err(|e| precondition("token endpoint", e))?;
        body.get("access_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| precondition("token endpoint", "no access_token in the token response"))
    }

    pub async fn fetch_nonce(&self, metadata: &Map<String, Value>) -> Step<Option<HttpResponse>> {
        match Self::nonce_endpoint(metadata) {
            Some(url) => Ok(Some(self.ctx.http.send("POST", &url, &[], dialtone_http::Body::None).await?)),
            None => Ok(None),
        }
    }

    /// A fresh `c_nonce`, or `None` when the issuer has no nonce endpoint.
    pub async fn nonce(&self, metadata: &Map<String, Value>) -> Step<Option<String>> {
        let Some(response) = self.fetch_nonce(metadata).await? else {
            return Ok(None);
        };
        if !(200..300).contains(&response.status) {
            return Err(precondition("nonce endpoint", format!("HTTP {}", response.status)));
        }
        let body = response.json_object().map_err(|e| precondition("nonce endpoint", e))?;
        body.get("c_nonce")
            .and_then(Value::as_str)
            .map(|s| Some(s.to_string()))
            .ok_or_else(|| precondition("nonce endpoint", "no c_nonce"))
    }

    /// Offer → metadata → token → nonce: ready for a credential request.
    pub async fn session(&self) -> Step<Session> {
        let offer = self.offer(false).await?;
        let metadata = self.metadata().await?;
        let configuration_id = offer
            .configuration_id()
            .map(str::to_string)
            .ok_or_else(|| precondition("credential offer", "no credential_configuration_ids"))?;
        let access_token = self.redeem(&metadata, &offer).await?;
        let c_nonce = self.nonce(&metadata).await?;
        Ok(Session { metadata, configuration_id, access_token, c_nonce })
    }

    pub fn proof(&self, spec: &ProofSpec) -> String {
        let mut header = json!({ "jwk": self.key.public_jwk() });
        if let Some(typ) = &spec.typ {
            header["typ"] = json!(typ);
        }
        let mut payload = json!({
            "aud": spec.aud.clone().unwrap_or_else(|| self.issuer_id()),
            "iat": now_epoch() + spec.iat_offset,
        });
        if let Some(nonce) = &spec.nonce {
            payload["nonce"] = json!(nonce);
        }
        if spec.alg_none {
            header["alg"] = json!("none");
            return format!("{}.{}.", b64::encode(header.to_string()), b64::encode(payload.to_string()));
        }
        if spec.foreign_signature {
            let other = EcKey::generate(&self.ctx.entropy);
            let mut h = header.clone();
            h["alg"] = json!("ES256");
            let input = format!("{}.{}", b64::encode(h.to_string()), b64::encode(payload.to_string()));
            return other.sign_input(&input);
        }
        self.key.sign_jws(&header, &payload)
    }

    /// A correct proof for this session.
    pub fn good_proof(&self, session: &Session) -> String {
        self.proof(&ProofSpec { nonce: session.c_nonce.clone(), ..ProofSpec::default() })
    }

    pub async fn credential_request(
        &self,
        session: &Session,
        access_token: Option<&str>,
        body: &Value,
    ) -> Step<HttpResponse> {
        let endpoint = Self::credential_endpoint(&session.metadata)?;
        let auth = access_token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| vec![("Authorization", a)]).unwrap_or_default();
        Ok(self.ctx.http.post_json(&endpoint, body, &headers).await?)
    }

    /// The standard request body for this session with the given proofs value.
    pub fn request_body(session: &Session, proofs: Option<Value>) -> Value {
        let mut body = json!({ "credential_configuration_id": session.configuration_id });
        if let Some(p) = proofs {
            body["proofs"] = p;
        }
        body
    }

    /// The whole happy path: returns the issued credential (the first of `credentials`).
    pub async fn issue(&self) -> Step<Issued> {
        let session = self.session().await?;
        let proof = self.good_proof(&session);
        let body = Self::request_body(&session, Some(json!({ "jwt": [proof] })));
        let response = self.credential_request(&session, Some(&session.access_token), &body).await?;
        if response.status != 200 {
            return Err(precondition("credential endpoint", format!("HTTP {}", response.status)));
        }
        let object = response.json_object().map_err(|e| precondition("credential endpoint", e))?;
        let credential = object
            .get("credentials")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|c| c.get("credential"))
            .and_then(Value::as_str)
            .ok_or_else(|| precondition("credential endpoint", "no credentials[0].credential string in the response"))?
            .to_string();
        self.ctx.evidence.artifact("issued credential", credential.clone());
        Ok(Issued { session, credential })
    }

    /// The configuration object of the session's credential configuration id.
    pub fn configuration(session: &Session) -> Option<&Map<String, Value>> {
        session.metadata.get("credential_configurations_supported")?.get(&session.configuration_id)?.as_object()
    }
}

#[derive(Debug, Clone)]
pub struct Issued {
    pub session: Session,
    pub credential: String,
}

/// The OAuth error code of an error response, if it is a JSON object with a string `error`.
pub fn error_code(response: &HttpResponse) -> Option<String> {
    response.json_object().ok()?.get("error")?.as_str().map(str::to_string)
}

/// Judges an error response against the expected status and error code.
pub fn expect_error(response: &HttpResponse, status: u16, code: &str) -> Outcome {
    let observed_code = error_code(response);
    let observed = match (&observed_code, response.status) {
        (_, 200..=299) => format!("HTTP {}: the request was accepted", response.status),
        (Some(c), s) => format!("HTTP {s}, error {c:?}"),
        (None, s) => format!("HTTP {s}, no error code (body not a JSON object with a string error)"),
    };
    if response.status == status && observed_code.as_deref() == Some(code) {
        Outcome::pass(observed)
    } else {
        Outcome::fail(format!("HTTP {status} with error \"{code}\""), observed)
    }
}
