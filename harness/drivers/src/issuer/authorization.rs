//! The authorization code flow against an issuer under test (§5, §6; RFC 6749 §4.1, RFC 7636,
//! RFC 9126): one driver, the cases varying how the harness-as-wallet asks (PKCE, PAR,
//! `authorization_details` or `scope`), what it changes when redeeming the code, and what it expects.
//! The test user signs in through the candidate's control API (`POST {control}/authorize`), or, in
//! manual mode, a person signs in in a browser on this machine and the issuer redirects to a loopback
//! listener (`loopback`); without an offer then (a wallet-initiated flow, §3.4).

use super::loopback::{Catcher, Caught};
use super::wallet::{Wallet, error_code, precondition};
use crate::manifest::Trigger;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_http::HttpResponse;
use dialtone_protocols::control::{AuthorizeAnswer, OfferRequest};
use dialtone_protocols::message::Message;
use dialtone_protocols::oauth::pkce;
use dialtone_protocols::oid4vci::client::{
    Authorization, AuthorizationSpec, ClientIdentity, CredentialAsk, FlowError, ParChoice, PkceChoice,
    Step as FlowStep, Wanted,
};
use dialtone_protocols::oid4vci::message::{
    AuthorizationResponse, CredentialIssuerMetadata, TokenRequest, TokenResponse,
};
use serde::Deserialize;
use std::time::{Duration, SystemTime};

driver!("oid4vci.issuer.authorization_code", binding::ISSUER, authorization_code, AuthorizationCase);

/// The harness's wallets: public clients whose redirect URIs no browser ever reaches (the control
/// API hands the redirect back).
const CLIENTS: [(&str, &str); 2] = [
    ("dialtone-wallet", "https://wallet.dialtone.invalid/callback"),
    ("dialtone-wallet-2", "https://wallet-2.dialtone.invalid/callback"),
];

/// The longest request URI lifetime a case waits out (RFC 9126 §2.2 `expires_in`).
const LONGEST_WAIT_SECS: i64 = 10;

/// One run of the authorization code flow and the answer it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthorizationCase {
    /// `authorization_details` or `scope`; `auto`: authorization details when the server takes them.
    #[serde(default)]
    ask: CredentialAsk,
    #[serde(default)]
    pkce: PkceChoice,
    /// `when_offered` (the default) or `never`.
    #[serde(default)]
    par: ParChoice,
    /// What the token request changes.
    #[serde(default)]
    redeem: Redeem,
    /// Open the authorization URL (its `request_uri`) a second time; that second time is judged.
    #[serde(default)]
    reuse_request_uri: bool,
    /// Open the authorization URL only after the request URI's `expires_in` has passed.
    #[serde(default)]
    after_request_uri_expiry: bool,
    /// A second client runs the same flow interleaved with the first; both must get credentials.
    #[serde(default)]
    second_client: bool,
    /// After the credential, another credential request with the same access token.
    #[serde(default)]
    additional_request: bool,
    /// Judge only the PAR endpoint's answer: HTTP 201 Created with a request URI (RFC 9126 §2.2).
    #[serde(default)]
    par_created: bool,
    expect: Expect,
}

/// Deviations of the token request.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Redeem {
    #[serde(default)]
    code_verifier: VerifierValue,
    /// Sent as the other harness client's `client_id`.
    #[serde(default)]
    other_client: bool,
    /// Sent with another `redirect_uri` than the authorization request's.
    #[serde(default)]
    other_redirect_uri: bool,
    /// Redeem twice; the first must succeed, the second is judged.
    #[serde(default)]
    replay: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum VerifierValue {
    #[default]
    AsMade,
    /// A well-formed verifier other than the one the challenge was made from.
    Wrong,
    Absent,
}

/// `expect = "credential"`, `"authorization_refused"`, or `{ status = 400, error = [...] }` at the
/// token endpoint.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expect {
    Answer(Answer),
    TokenError { status: u16, error: Vec<String> },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    /// The whole flow ends with a credential (and, when `authorization_details` were asked for,
    /// a token response returning them with `credential_identifiers`, §6.2).
    Credential,
    /// The authorization request is refused (at the PAR endpoint or the authorization endpoint): no
    /// code is issued.
    AuthorizationRefused,
}

/// What became of an authorization request.
enum Granted {
    Code(String),
    Refused(String),
}

/// How the test user signs in.
enum SignIn {
    /// The candidate's control API.
    Control(String),
    /// A person, in a browser on this machine, the redirect caught on loopback.
    Person { catcher: Catcher, wait: Duration },
}

struct Flow<'a> {
    wallet: &'a Wallet,
    sign_in: SignIn,
    metadata: CredentialIssuerMetadata,
    configuration_id: String,
    issuer_state: Option<String>,
    /// The second client's own offer's `issuer_state` (an issuer may take an offer's state once,
    /// §4.1.1), when the case has a second client.
    second_issuer_state: Option<String>,
}

impl Flow<'_> {
    fn identity(&self, n: usize) -> ClientIdentity {
        let (client_id, redirect_uri) = CLIENTS[n % CLIENTS.len()];
        let redirect_uri = match &self.sign_in {
            SignIn::Control(_) => redirect_uri.to_string(),
            // One loopback redirect URI; the second client tells itself apart by a query parameter.
            SignIn::Person { catcher, .. } if n == 0 => catcher.redirect_uri(),
            SignIn::Person { catcher, .. } => format!("{}?client={n}", catcher.redirect_uri()),
        };
        ClientIdentity { client_id: client_id.into(), redirect_uri }
    }

    fn wanted(&self, n: usize) -> Wanted<'_> {
        let issuer_state = if n == 0 { &self.issuer_state } else { &self.second_issuer_state };
        Wanted { configuration_id: &self.configuration_id, issuer_state: issuer_state.as_deref() }
    }

    /// The authorization request, pushed as `spec` says; a refusal at the PAR endpoint is `Err(Ok)`.
    async fn begin(&self, n: usize, spec: &AuthorizationSpec) -> Result<Result<Authorization, String>, Outcome> {
        let wanted = self.wanted(n);
        let client = &self.wallet.client;
        let issuer = self.wallet.issuer_id();
        match client
            .begin_authorization(&issuer, &self.metadata, &wanted, &self.identity(n), spec, &self.wallet.ctx.entropy)
            .await
        {
            Ok(a) => Ok(Ok(a)),
            Err(FlowError::Status { step: FlowStep::PushedAuthorization, status }) if (400..500).contains(&status) => {
                Ok(Err(format!("the PAR endpoint refused the request: HTTP {status}")))
            }
            Err(e) => Err(self.wallet.flow(e)),
        }
    }

    /// The test user signs in at `url`: the code, or why there is none.
    async fn sign_in(&self, authorization: &Authorization, url: &str) -> Result<Granted, Outcome> {
        let answer = match &self.sign_in {
            SignIn::Control(control) => {
                self.wallet.client.control_authorize(control, url).await.map_err(|e| match e {
                    FlowError::Http(e) => e.into(),
                    e => Outcome::error(format!("the control API: {e}")),
                })?
            }
            SignIn::Person { catcher, wait } => self.person_signs_in(catcher, *wait, url).await?,
        };
        Ok(match answer {
            AuthorizeAnswer { redirect: Some(redirect), .. } => {
                let response = AuthorizationResponse::from_redirect(&redirect).unwrap_or_default();
                match (&response.error, response.code) {
                    (Some(error), _) => Granted::Refused(format!("redirected with error {error:?}")),
                    (None, Some(_)) => match authorization.code(&redirect) {
                        Ok(code) => Granted::Code(code),
                        Err(e) => {
                            return Err(Outcome::fail("an authorization response for this request", e.to_string()));
                        }
                    },
                    (None, None) => Granted::Refused("redirected without a code".into()),
                }
            }
            AuthorizeAnswer { error, .. } => Granted::Refused(format!(
                "refused without redirecting: error {:?}",
                error.as_deref().unwrap_or_default()
            )),
        })
    }

    /// Manual mode: shows the URL to open and waits for the redirect (or the person's word that the
    /// issuer refused).
    async fn person_signs_in(&self, catcher: &Catcher, wait: Duration, url: &str) -> Result<AuthorizeAnswer, Outcome> {
        self.wallet.ctx.evidence.note(format!("manual mode: the authorization URL shown: {url}"));
        let prompt = crate::manual::Prompt {
            title: "dialtone: sign in at the issuer".into(),
            instructions: format!(
                "Open this link in a browser on this computer and sign in as your test user. If the issuer shows \
                 an error instead of returning to dialtone, open {}",
                catcher.refused_url()
            ),
            payload: url.into(),
            deadline: SystemTime::now() + wait,
        };
        let caught =
            crate::manual::show_and_wait(&prompt, || async { catcher.take() }).await.map_err(Outcome::error)?;
        Ok(match caught {
            Some(Caught::Redirect(redirect)) => {
                AuthorizeAnswer { redirect: Some(redirect), ..AuthorizeAnswer::default() }
            }
            Some(Caught::Refused) => {
                AuthorizeAnswer { error: Some("(shown to the person)".into()), ..AuthorizeAnswer::default() }
            }
            None => return Err(Outcome::skip("manual mode: no answer from the issuer before the deadline")),
        })
    }

    async fn token(&self, authorization: &Authorization, request: &TokenRequest) -> Result<HttpResponse, Outcome> {
        let form = request.form();
        self.wallet.client.post_token(&authorization.token_endpoint, &form).await.map_err(|e| self.wallet.flow(e))
    }

    /// A token response that must succeed, and the credential it buys (twice when asked).
    async fn credential(&self, token: &TokenResponse, additional: bool) -> Result<Outcome, Outcome> {
        let configuration_id = self.configuration_id.clone();
        let issuer = self.wallet.issuer_id();
        let token_endpoint = self.wallet.token_endpoint(&self.metadata).await?;
        let client = &self.wallet.client;
        let session = client
            .session_from_token(
                issuer.clone(),
                self.metadata.clone(),
                configuration_id.clone(),
                token_endpoint.clone(),
                token,
                None,
            )
            .await
            .map_err(|e| self.wallet.flow(e))?;
        let issued = client
            .credential(&session, &session.request(vec![self.wallet.good_proof(&session)]))
            .await
            .map_err(|e| self.wallet.flow(e))?;
        self.wallet.ctx.evidence.artifact("issued credential", issued.credential.clone());
        if !additional {
            return Ok(Outcome::pass("a credential through the authorization code flow"));
        }
        let again = client
            .session_from_token(issuer, self.metadata.clone(), configuration_id, token_endpoint, token, None)
            .await
            .map_err(|e| self.wallet.flow(e))?;
        let request = again.request(vec![self.wallet.good_proof(&again)]);
        Ok(match client.credential(&again, &request).await {
            Ok(_) => Outcome::pass("a second credential with the same access token"),
            Err(FlowError::Http(e)) => e.into(),
            Err(e) => Outcome::fail("a second credential with the same access token (§14.3)", e.to_string()),
        })
    }
}

/// The token response of a successful redemption, checked for the `authorization_details` it must
/// return (§6.2).
fn granted_token(
    response: &HttpResponse,
    asked_details: bool,
    configuration_id: &str,
) -> Result<TokenResponse, Outcome> {
    if response.status != 200 {
        return Err(precondition("authorization code redemption", format!("HTTP {}", response.status)));
    }
    let token = TokenResponse::parse_bytes(&response.body)
        .map(|r| r.value)
        .map_err(|e| precondition("authorization code redemption", e.to_string()))?;
    if asked_details && token.credential_identifier(configuration_id).is_none() {
        return Err(Outcome::fail(
            format!(
                "authorization_details in the token response with credential_identifiers for {configuration_id:?} \
                 (§6.2: REQUIRED when authorization_details were used)"
            ),
            format!("authorization_details {:?}", token.authorization_details),
        ));
    }
    Ok(token)
}

fn judge_token_error(response: &HttpResponse, status: u16, errors: &[String]) -> Outcome {
    let code = error_code(response);
    let observed = match (&code, response.status) {
        (_, 200..=299) => format!("HTTP {}: the code was redeemed", response.status),
        (Some(c), s) => format!("HTTP {s}, error {c:?}"),
        (None, s) => format!("HTTP {s}, no error code"),
    };
    if response.status == status && code.as_ref().is_some_and(|c| errors.contains(c)) {
        Outcome::pass(observed)
    } else {
        Outcome::fail(format!("HTTP {status} with error {}", errors.join(" or ")), observed)
    }
}

async fn authorization_code(ctx: Ctx, case: AuthorizationCase) -> Outcome {
    let trigger = ctx.manifest.trigger.clone();
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let flow = match trigger {
                Trigger::Control { url } => {
                    let offer = wallet.offer_for(false, Some(OfferRequest::AUTHORIZATION_CODE)).await?.offer;
                    let Some(grant) = offer.authorization_code() else {
                        return Err(precondition(
                            "authorization code offer (asked through the control API)",
                            "the offer has no authorization_code grant",
                        ));
                    };
                    let issuer_state = grant.issuer_state.clone();
                    let wanted = Wanted::from_offer(&offer).map_err(|e| wallet.flow(e))?;
                    let configuration_id = wanted.configuration_id.to_string();
                    let second_issuer_state = if case.second_client {
                        let second = wallet.offer_for(false, Some(OfferRequest::AUTHORIZATION_CODE)).await?.offer;
                        second.authorization_code().and_then(|g| g.issuer_state.clone())
                    } else {
                        None
                    };
                    let sign_in = SignIn::Control(url);
                    Flow { wallet: &wallet, sign_in, metadata, configuration_id, issuer_state, second_issuer_state }
                }
                Trigger::Manual { wait_seconds } => {
                    // A wallet-initiated flow (§3.4) for the configuration the statement names, else the
                    // first the issuer publishes.
                    let configuration_id = wallet
                        .wanted_configuration()
                        .or_else(|| metadata.configurations().first().map(|(id, _)| id.to_string()))
                        .ok_or_else(|| precondition("credential issuer metadata", "no credential configuration"))?;
                    let catcher =
                        Catcher::start().await.map_err(|e| Outcome::error(format!("loopback listener: {e}")))?;
                    let sign_in = SignIn::Person { catcher, wait: Duration::from_secs(wait_seconds) };
                    Flow {
                        wallet: &wallet,
                        sign_in,
                        metadata,
                        configuration_id,
                        issuer_state: None,
                        second_issuer_state: None,
                    }
                }
                Trigger::StaticOffer { .. } | Trigger::None => {
                    return Err(Outcome::skip(
                        "the authorization code flow needs the test user signed in: through the control API \
                         (POST {control}/authorize; [trigger] kind = \"control\"), or by a person \
                         ([trigger] kind = \"manual\")",
                    ));
                }
            };
            run(&flow, &case).await
        }
        .await,
    )
}

async fn run(flow: &Flow<'_>, case: &AuthorizationCase) -> Result<Outcome, Outcome> {
    let spec = AuthorizationSpec { pkce: case.pkce, par: case.par, ask: case.ask, ..AuthorizationSpec::default() };
    let refused_expected = matches!(case.expect, Expect::Answer(Answer::AuthorizationRefused));
    let authorization = match flow.begin(0, &spec).await? {
        Ok(a) => a,
        Err(why) if refused_expected => return Ok(Outcome::pass(why)),
        Err(why) => return Err(precondition(FlowStep::PushedAuthorization.name(), why)),
    };
    if case.par_created {
        return Ok(match authorization.pushed_status {
            Some(201) => Outcome::pass("HTTP 201 Created with a request_uri"),
            Some(status) => Outcome::fail("HTTP 201 Created (RFC 9126 §2.2)", format!("HTTP {status}")),
            None => Outcome::skip("the authorization server publishes no PAR endpoint"),
        });
    }
    if case.par == ParChoice::Never && refused_expected && !authorization.as_metadata.requires_par() {
        return Err(Outcome::skip(
            "the authorization server does not require pushed authorization requests \
             (require_pushed_authorization_requests is not true)",
        ));
    }
    let second = if case.second_client {
        match flow.begin(1, &spec).await? {
            Ok(a) => Some(a),
            Err(why) => return Ok(Outcome::fail("the second client's pushed request accepted", why)),
        }
    } else {
        None
    };
    if case.after_request_uri_expiry {
        let lifetime = authorization.pushed.as_ref().map(|p| p.expires_in).ok_or_else(|| {
            precondition("pushed authorization request", "the request was not pushed (no PAR endpoint)")
        })?;
        if lifetime > LONGEST_WAIT_SECS {
            return Err(Outcome::skip(format!(
                "the request URI lives {lifetime} s (expires_in); this case waits at most {LONGEST_WAIT_SECS} s"
            )));
        }
        // Its lifetime, and a quarter of a second more, on the issuer's clock.
        let manifest = &flow.wallet.ctx.manifest;
        let wait = manifest.seconds(lifetime.max(0) as u64) + manifest.seconds(1) / 4;
        flow.wallet.ctx.evidence.wait_on_candidate(wait).await;
    }
    let mut granted = flow.sign_in(&authorization, &authorization.url).await?;
    if case.reuse_request_uri {
        if !matches!(granted, Granted::Code(_)) {
            return Err(precondition("first use of the request URI", "no code"));
        }
        granted = flow.sign_in(&authorization, &authorization.url).await?;
    }
    let code = match granted {
        Granted::Refused(why) if refused_expected => return Ok(Outcome::pass(why)),
        Granted::Refused(why) => return Err(precondition(FlowStep::Authorization.name(), why)),
        Granted::Code(_) if refused_expected => {
            let how = if authorization.pushed.is_some() { "pushed" } else { "not pushed" };
            return Ok(Outcome::fail(
                "the authorization request refused",
                format!("a code was issued (request {how})"),
            ));
        }
        Granted::Code(code) => code,
    };
    let second_code = match &second {
        Some(b) => match flow.sign_in(b, &b.url).await? {
            Granted::Code(code) => Some(code),
            Granted::Refused(why) => return Ok(Outcome::fail("a code for the second client", why)),
        },
        None => None,
    };
    let mut request = authorization.token_request(&code);
    match case.redeem.code_verifier {
        VerifierValue::AsMade => {}
        VerifierValue::Wrong => request.code_verifier = Some(pkce::verifier(&flow.wallet.ctx.entropy)),
        VerifierValue::Absent => request.code_verifier = None,
    }
    if case.redeem.other_client {
        request.client_id = Some(flow.identity(1).client_id);
    }
    if case.redeem.other_redirect_uri {
        request.redirect_uri = Some(flow.identity(1).redirect_uri);
    }
    let mut response = flow.token(&authorization, &request).await?;
    if case.redeem.replay {
        if response.status != 200 {
            return Err(precondition(
                "first redemption of the authorization code",
                format!("HTTP {}", response.status),
            ));
        }
        response = flow.token(&authorization, &request).await?;
    }
    match &case.expect {
        Expect::TokenError { status, error } => Ok(judge_token_error(&response, *status, error)),
        Expect::Answer(Answer::AuthorizationRefused) => unreachable_refusal(),
        Expect::Answer(Answer::Credential) => {
            let configuration_id = flow.configuration_id.clone();
            let asked_details = authorization.request.authorization_details.is_some();
            let token = granted_token(&response, asked_details, &configuration_id)?;
            let first = flow.credential(&token, case.additional_request).await?;
            let (Some(b), Some(code)) = (&second, second_code) else { return Ok(first) };
            let response = flow.token(b, &b.token_request(&code)).await?;
            let token_b = granted_token(&response, asked_details, &configuration_id)?;
            if token_b.access_token == token.access_token {
                return Ok(Outcome::fail("an access token per client", "both clients got the same access token"));
            }
            flow.credential(&token_b, false).await?;
            Ok(Outcome::pass("each of two interleaved clients got its own code, token and credential"))
        }
    }
}

/// A refusal expected but the code was redeemed: said before redemption, so never reached.
fn unreachable_refusal() -> Result<Outcome, Outcome> {
    Err(Outcome::error("internal: an expected refusal reached the token endpoint"))
}
