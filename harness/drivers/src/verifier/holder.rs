//! The harness as a wallet (holder) in front of a verifier under test: starts a request through the
//! verifier's control API, fetches the request object, presents credentials minted by the
//! counterpart issuer — correct ones and deliberately faulty ones — and reads the verdict.

use crate::Ctx;
use crate::counterparts::Counterparts;
use crate::manifest::VerifierSection;
use dialtone_engine::model::Outcome;
use dialtone_http::HttpResponse;
use dialtone_protocols::dcql::{self, CredentialQuery};
use dialtone_protocols::jose::{CompactJws, EcKey};
use dialtone_protocols::sdjwt::{self, Disclosure, HashAlg, SdJwt};
use dialtone_roles::issuer::MintSpec;
use serde_json::{Map, Value, json};

pub type Step<T> = Result<T, Outcome>;

/// A presentation request as the wallet received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub request_id: String,
    /// `client_id` of the authorization request (the `openid4vp://` URI).
    pub client_id: String,
    pub request_uri: String,
    pub object_text: String,
    pub object: CompactJws,
    pub content_type: Option<String>,
}

impl Request {
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.object.payload.get(name)
    }
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claim(name).and_then(Value::as_str)
    }
    pub fn nonce(&self) -> Option<&str> {
        self.str_claim("nonce")
    }
    pub fn state(&self) -> Option<&str> {
        self.str_claim("state")
    }
    /// The DCQL credential queries; a malformed query is the verifier's failure.
    pub fn queries(&self) -> Step<Vec<CredentialQuery>> {
        let query = self.claim("dcql_query").ok_or_else(|| precondition("request with a dcql_query", "none"))?;
        dcql::parse(query).map_err(|e| precondition("request with a well-formed dcql_query", e))
    }
}

/// How to present; the default is correct.
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    pub kb: KeyBinding,
    /// Append a disclosure the credential does not reference.
    pub foreign_disclosure: bool,
    /// Alter the value inside the first presented disclosure.
    pub tamper_disclosure: bool,
    /// Present no disclosures at all (withholding the requested claims).
    pub withhold_claims: bool,
}

#[derive(Debug, Clone, Default)]
pub enum KeyBinding {
    #[default]
    Correct,
    Missing,
    WrongNonce,
    WrongAudience,
    Stale,
    OtherKey,
    WrongSdHash,
}

pub fn precondition(step: &str, observed: impl Into<String>) -> Outcome {
    Outcome::fail(format!("a working {step} (precondition of this case)"), observed.into())
}

pub struct Holder {
    pub ctx: Ctx,
    pub key: EcKey,
}

/// The verifier's verdict on a request, from its control API.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub status: String,
    pub reason: String,
}

impl Holder {
    pub fn new(ctx: Ctx) -> Self {
        let key = EcKey::generate(&ctx.entropy);
        Self { ctx, key }
    }

    pub fn section(&self) -> Step<&VerifierSection> {
        self.ctx.manifest.verifier.as_ref().ok_or_else(|| Outcome::error("the manifest has no [verifier] section"))
    }

    pub fn issuers(&self) -> Step<&Counterparts> {
        self.ctx.counterparts()
    }

    /// Starts a request through the control API and fetches its request object (unverified).
    pub async fn request(&self) -> Step<Request> {
        self.request_with(json!({})).await
    }

    /// Like [`Holder::request`], asking for a response mode (`direct_post.jwt`).
    pub async fn request_with_mode(&self, mode: &str) -> Step<Request> {
        let r = self.request_with(json!({ "response_mode": mode })).await?;
        if r.str_claim("response_mode") != Some(mode) {
            return Err(Outcome::skip(format!("the verifier did not honour a request for response_mode {mode}")));
        }
        Ok(r)
    }

    /// Like [`Holder::request`], asking for the `redirect_uri` client identifier prefix.
    pub async fn request_redirect_uri(&self) -> Step<Request> {
        let r = self.request_with(json!({ "client_id_prefix": "redirect_uri" })).await?;
        if !r.client_id.starts_with("redirect_uri:") {
            return Err(Outcome::skip(
                "the verifier did not honour a request for the redirect_uri client identifier prefix",
            ));
        }
        Ok(r)
    }

    pub async fn request_with(&self, start: Value) -> Step<Request> {
        let control = self.section()?.control.trim_end_matches('/').to_string();
        let started = self.ctx.http.post_json(&format!("{control}/requests"), &start, &[]).await?;
        let answer = started.json_object().map_err(|e| Outcome::error(format!("control API: {e}")))?;
        let request_id = answer
            .get("request_id")
            .and_then(Value::as_str)
            .ok_or_else(|| Outcome::error("control API: no request_id"))?;
        let uri = answer
            .get("authorization_request")
            .and_then(Value::as_str)
            .ok_or_else(|| Outcome::error("control API: no authorization_request"))?;
        let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let params: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|e| {
            Outcome::fail("an openid4vp:// authorization request with a form-encoded query", e.to_string())
        })?;
        let get = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let client_id = get("client_id")
            .ok_or_else(|| Outcome::fail("client_id in the authorization request (§5.2)", uri.to_string()))?;
        let Some(request_uri) = get("request_uri") else {
            // By value: the parameters are the request (an unsigned redirect_uri client, §5.9.3).
            let object = dialtone_protocols::oid4vp::request_by_value(&params);
            self.ctx
                .evidence
                .artifact("request parameters (by value)", Value::Object(object.payload.clone()).to_string());
            return Ok(Request {
                request_id: request_id.to_string(),
                client_id,
                request_uri: String::new(),
                object_text: String::new(),
                content_type: None,
                object,
            });
        };
        let fetched = self.ctx.http.get(&request_uri, &[("Accept", "application/oauth-authz-req+jwt")]).await?;
        if fetched.status != 200 {
            return Err(Outcome::fail("HTTP 200 from request_uri", format!("HTTP {}", fetched.status)));
        }
        let object_text = String::from_utf8_lossy(&fetched.body).trim().to_string();
        let object = CompactJws::parse(&object_text)
            .map_err(|e| Outcome::fail("a request object JWT (RFC 9101)", e.to_string()))?;
        self.ctx.evidence.artifact("request object payload", Value::Object(object.payload.clone()).to_string());
        Ok(Request {
            request_id: request_id.to_string(),
            client_id,
            request_uri,
            object_text,
            content_type: fetched.media_type(),
            object,
        })
    }

    /// A credential for the holder's key from the trusted (or untrusted) counterpart issuer.
    pub fn credential(&self, trusted: bool, tweak: impl FnOnce(&mut MintSpec)) -> Step<SdJwt> {
        let issuers = self.issuers()?;
        let minter = if trusted { &issuers.trusted.minter } else { &issuers.untrusted.minter };
        let mut spec = minter.spec(Some(self.key.public_jwk()));
        spec.x5c = x5c_only(&self.ctx.manifest);
        tweak(&mut spec);
        let text = minter.mint(&spec);
        SdJwt::parse(&text).map_err(|e| Outcome::error(format!("the counterpart minted an unreadable credential: {e}")))
    }

    /// Builds the `vp_token` for `request` from `credential`, shaped by `how`.
    pub fn vp_token(&self, request: &Request, credential: &SdJwt, how: &Presentation) -> Step<Value> {
        let queries = request.queries()?;
        let query = queries.first().ok_or_else(|| precondition("DCQL query", "no credential query"))?;
        let mut keep = if how.withhold_claims {
            Vec::new()
        } else {
            sdjwt::disclosures_for(credential, &query.key_paths()).map_err(|e| Outcome::error(e.to_string()))?
        };
        if how.tamper_disclosure
            && let Some(first) = keep.first_mut()
            && let Ok(d) = Disclosure::decode(first)
        {
            let value = match &d.value {
                Value::String(s) => json!(format!("{s} (altered)")),
                _ => json!("altered"),
            };
            *first = Disclosure::new(&d.salt, d.name.as_deref(), &value).encoded;
        }
        if how.foreign_disclosure {
            keep.push(Disclosure::new(&self.ctx.entropy.token(16), Some("given_name"), &json!("Mallory")).encoded);
        }
        let sd_part =
            format!("{}~{}", credential.issuer_jwt_text, keep.iter().map(|d| format!("{d}~")).collect::<String>());
        let client_id = request.str_claim("client_id").unwrap_or(&request.client_id).to_string();
        let nonce = request.nonce().unwrap_or_default().to_string();
        let now = dialtone_protocols::now_epoch();
        let (nonce, aud, iat, hashed) = match how.kb {
            KeyBinding::WrongNonce => (format!("{nonce}-other"), client_id, now, sd_part.clone()),
            KeyBinding::WrongAudience => {
                (nonce, "x509_san_dns:other-verifier.example".to_string(), now, sd_part.clone())
            }
            KeyBinding::Stale => (nonce, client_id, now - 3_600, sd_part.clone()),
            KeyBinding::WrongSdHash => (nonce, client_id, now, format!("{}~", credential.issuer_jwt_text)),
            _ => (nonce, client_id, now, sd_part.clone()),
        };
        let presentation = match how.kb {
            KeyBinding::Missing => sd_part,
            _ => {
                let key = if matches!(how.kb, KeyBinding::OtherKey) {
                    EcKey::generate(&self.ctx.entropy)
                } else {
                    self.key.clone()
                };
                let kb = key.sign_jws(
                    &json!({ "typ": sdjwt::KB_TYP }),
                    &json!({ "iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sdjwt::sd_hash(&hashed, HashAlg::Sha256) }),
                );
                format!("{sd_part}{kb}")
            }
        };
        self.ctx.evidence.artifact("presentation", presentation.clone());
        Ok(json!({ query.id.clone(): [presentation] }))
    }

    /// A correct vp_token for `request`, from a fresh credential of the trusted counterpart issuer.
    pub fn correct_vp_token(&self, request: &Request) -> Step<Value> {
        let credential = self.credential(true, |_| {})?;
        self.vp_token(request, &credential, &Presentation::default())
    }

    /// POSTs the response to the request's response_uri: encrypted (direct_post.jwt, §8.3.1) when
    /// the request asks for it, else direct_post (§8.2).
    pub async fn respond(&self, request: &Request, vp_token: &Value, state: Option<&str>) -> Step<HttpResponse> {
        if request.str_claim("response_mode") == Some(dialtone_protocols::oid4vp::DIRECT_POST_JWT) {
            let response_uri =
                request.str_claim("response_uri").ok_or_else(|| precondition("request with a response_uri", "none"))?;
            let metadata = request.claim("client_metadata").cloned().unwrap_or(Value::Null);
            let (key, enc) = dialtone_protocols::jwe::recipient(&metadata).ok_or_else(|| {
                Outcome::fail(
                    "an encryption key in client_metadata.jwks for direct_post.jwt (§8.3)",
                    metadata.to_string(),
                )
            })?;
            let mut inner = json!({ "vp_token": vp_token });
            if let Some(s) = state {
                inner["state"] = json!(s);
            }
            let jwe = dialtone_protocols::jwe::encrypt(inner.to_string().as_bytes(), &key, &enc)
                .map_err(|e| Outcome::fail("a usable encryption key in client_metadata.jwks", e))?;
            return Ok(self.ctx.http.post_form(response_uri, &[("response", jwe.as_str())], &[]).await?);
        }
        self.respond_plain(request, vp_token, state).await
    }

    /// POSTs an unencrypted direct_post response, whatever the request asked.
    pub async fn respond_plain(&self, request: &Request, vp_token: &Value, state: Option<&str>) -> Step<HttpResponse> {
        let response_uri =
            request.str_claim("response_uri").ok_or_else(|| precondition("request with a response_uri", "none"))?;
        let vp = vp_token.to_string();
        let mut form = vec![("vp_token", vp.as_str())];
        if let Some(s) = state {
            form.push(("state", s));
        }
        Ok(self.ctx.http.post_form(response_uri, &form, &[]).await?)
    }

    /// The verifier's verdict after `response`: read once when the response was refused (the verifier
    /// has answered), else waited for (bounded) while it is still pending.
    pub async fn verdict_after(&self, request_id: &str, response: &HttpResponse) -> Step<Verdict> {
        self.verdict(request_id, (200..300).contains(&response.status)).await
    }

    /// The verifier's verdict, waiting (bounded) while it is still pending when `wait` is set.
    pub async fn verdict(&self, request_id: &str, wait: bool) -> Step<Verdict> {
        let section = self.section()?;
        let url = format!("{}/requests/{request_id}", section.control.trim_end_matches('/'));
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(section.outcome_wait_ms);
        loop {
            let answer = self.ctx.http.get(&url, &[]).await?;
            let body: Map<String, Value> =
                answer.json_object().map_err(|e| Outcome::error(format!("control API outcome: {e}")))?;
            let status = body.get("status").and_then(Value::as_str).unwrap_or("unknown").to_string();
            if !wait || status != "pending" || std::time::Instant::now() >= deadline {
                let reason = body.get("reason").and_then(Value::as_str).unwrap_or_default().to_string();
                return Ok(Verdict { status, reason });
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// The common shape of a presentation case: request, credential, presentation, response, verdict.
    pub async fn present_and_judge(
        &self,
        trusted: bool,
        tweak: impl FnOnce(&mut MintSpec),
        how: &Presentation,
    ) -> Step<(HttpResponse, Verdict)> {
        let request = self.request().await?;
        self.present_to(request, trusted, tweak, how).await
    }

    /// Presents to an already fetched request.
    pub async fn present_to(
        &self,
        request: Request,
        trusted: bool,
        tweak: impl FnOnce(&mut MintSpec),
        how: &Presentation,
    ) -> Step<(HttpResponse, Verdict)> {
        let credential = self.credential(trusted, tweak)?;
        let vp = self.vp_token(&request, &credential, how)?;
        let response = self.respond(&request, &vp, request.state()).await?;
        let verdict = self.verdict_after(&request.request_id, &response).await?;
        Ok((response, verdict))
    }
}

/// A verifier rejected a presentation when it did not accept it over HTTP and does not report it accepted.
pub fn expect_rejected(response: &HttpResponse, verdict: &Verdict) -> Outcome {
    let observed = format!(
        "response HTTP {}, verdict {:?}{}",
        response.status,
        verdict.status,
        if verdict.reason.is_empty() { String::new() } else { format!(" ({})", verdict.reason) }
    );
    if (200..300).contains(&response.status) || verdict.status == "accepted" {
        Outcome::fail("the presentation rejected (HTTP 4xx from response_uri, verdict not accepted)", observed)
    } else {
        Outcome::pass(observed)
    }
}

/// Whether the candidate resolves issuer keys only from `x5c` (conformance feature `issuer_keys:x5c`
/// without `issuer_keys:jwt_vc_issuer_metadata`): the harness's issuers then sign that way.
pub fn x5c_only(manifest: &crate::manifest::Manifest) -> bool {
    let f = &manifest.conformance.features;
    f.iter().any(|x| x == "issuer_keys:x5c") && !f.iter().any(|x| x == "issuer_keys:jwt_vc_issuer_metadata")
}
