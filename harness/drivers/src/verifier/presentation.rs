//! What a verifier accepts: one correct presentation, and none of the faulty ones — each case
//! changes exactly one thing about the credential or the presentation.

use super::holder::{Holder, KeyBinding, Presentation, expect_rejected, precondition};
use crate::Ctx;
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_protocols::status_list;
use dialtone_roles::issuer::MintSpec;

fn unchanged(_: &mut MintSpec) {}

async fn rejected(ctx: Ctx, trusted: bool, tweak: fn(&mut MintSpec), how: Presentation) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let (response, verdict) = holder.present_and_judge(trusted, tweak, &how).await?;
            Ok(expect_rejected(&response, &verdict))
        }
        .await,
    )
}

/// A presentation the verifier should accept: HTTP 2xx and the verdict `accepted`.
fn expect_accepted(
    expected: &str,
    response: &dialtone_http::HttpResponse,
    verdict: &super::holder::Verdict,
) -> Outcome {
    let observed = format!("response HTTP {}, verdict {:?} {}", response.status, verdict.status, verdict.reason);
    if (200..300).contains(&response.status) && verdict.status == "accepted" {
        Outcome::pass(observed)
    } else {
        Outcome::fail(expected, observed)
    }
}

pub async fn valid_accepted(ctx: Ctx) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let (response, verdict) = holder.present_and_judge(true, unchanged, &Presentation::default()).await?;
            Ok(expect_accepted("a correct presentation accepted (HTTP 200, verdict accepted)", &response, &verdict))
        }
        .await,
    )
}

pub async fn tampered_disclosure(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { tamper_disclosure: true, ..Default::default() }).await
}
pub async fn foreign_disclosure(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { foreign_disclosure: true, ..Default::default() }).await
}
pub async fn sd_hash_mismatch(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { kb: KeyBinding::WrongSdHash, ..Default::default() }).await
}
pub async fn kb_missing(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { kb: KeyBinding::Missing, ..Default::default() }).await
}
pub async fn kb_wrong_nonce(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { kb: KeyBinding::WrongNonce, ..Default::default() }).await
}
pub async fn kb_wrong_aud(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { kb: KeyBinding::WrongAudience, ..Default::default() }).await
}
pub async fn kb_stale(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { kb: KeyBinding::Stale, ..Default::default() }).await
}
pub async fn kb_other_key(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { kb: KeyBinding::OtherKey, ..Default::default() }).await
}
pub async fn expired(ctx: Ctx) -> Outcome {
    rejected(
        ctx,
        true,
        |s| {
            s.iat -= 86_400 * 60;
            s.nbf = Some(s.iat);
            s.exp = Some(s.iat + 86_400 * 30);
        },
        Presentation::default(),
    )
    .await
}
pub async fn not_yet_valid(ctx: Ctx) -> Outcome {
    rejected(ctx, true, |s| s.nbf = Some(s.iat + 86_400 * 7), Presentation::default()).await
}
pub async fn unlisted_issuer_key(ctx: Ctx) -> Outcome {
    rejected(ctx, true, |s| s.sign_with_unlisted_key = true, Presentation::default()).await
}
pub async fn revoked(ctx: Ctx) -> Outcome {
    rejected(ctx, true, |s| s.status = Some(status_list::INVALID), Presentation::default()).await
}
pub async fn suspended(ctx: Ctx) -> Outcome {
    rejected(ctx, true, |s| s.status = Some(status_list::SUSPENDED), Presentation::default()).await
}
pub async fn issuer_not_authorized(ctx: Ctx) -> Outcome {
    rejected(ctx, false, unchanged, Presentation::default()).await
}
pub async fn wrong_type(ctx: Ctx) -> Outcome {
    rejected(ctx, true, |s| s.vct = "urn:dialtone:vct:proof-of-address:1".into(), Presentation::default()).await
}
pub async fn claims_withheld(ctx: Ctx) -> Outcome {
    rejected(ctx, true, unchanged, Presentation { withhold_claims: true, ..Default::default() }).await
}

/// A second response to an answered request is refused.
pub async fn replayed_response(ctx: Ctx) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let request = holder.request().await?;
            let vp = holder.correct_vp_token(&request)?;
            let first = holder.respond(&request, &vp, request.state()).await?;
            if !(200..300).contains(&first.status) {
                return Err(precondition("first response accepted", format!("HTTP {}", first.status)));
            }
            let second = holder.respond(&request, &vp, request.state()).await?;
            Ok(if (200..300).contains(&second.status) {
                Outcome::fail("the replayed response refused (HTTP 4xx)", format!("HTTP {}", second.status))
            } else {
                Outcome::pass(format!("replay refused with HTTP {}", second.status))
            })
        }
        .await,
    )
}

/// A response carrying a `state` that belongs to no request is refused, and the request it was
/// built for stays unanswered.
pub async fn unknown_state(ctx: Ctx) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let request = holder.request().await?;
            let vp = holder.correct_vp_token(&request)?;
            let forged = format!("{}-other", request.state().unwrap_or("state"));
            let response = holder.respond(&request, &vp, Some(&forged)).await?;
            let verdict = holder.verdict_after(&request.request_id, &response).await?;
            Ok(expect_rejected(&response, &verdict))
        }
        .await,
    )
}

/// direct_post.jwt: the encrypted response is accepted.
pub async fn jwt_response_accepted(ctx: Ctx) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let request = holder.request_with_mode(dialtone_protocols::oid4vp::DIRECT_POST_JWT).await?;
            let vp = holder.correct_vp_token(&request)?;
            let response = holder.respond(&request, &vp, request.state()).await?;
            let verdict = holder.verdict_after(&request.request_id, &response).await?;
            Ok(expect_accepted("an encrypted (direct_post.jwt) presentation accepted", &response, &verdict))
        }
        .await,
    )
}

/// direct_post.jwt: a plain response is refused, the request asked for encryption.
pub async fn jwt_plain_refused(ctx: Ctx) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let request = holder.request_with_mode(dialtone_protocols::oid4vp::DIRECT_POST_JWT).await?;
            let vp = holder.correct_vp_token(&request)?;
            let response = holder.respond_plain(&request, &vp, request.state()).await?;
            let verdict = holder.verdict_after(&request.request_id, &response).await?;
            Ok(expect_rejected(&response, &verdict))
        }
        .await,
    )
}

/// A presentation to a `redirect_uri` client, its KB-JWT aud the full client identifier, is accepted.
pub async fn redirect_uri_accepted(ctx: Ctx) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let request = holder.request_redirect_uri().await?;
            let (response, verdict) = holder.present_to(request, true, unchanged, &Presentation::default()).await?;
            Ok(expect_accepted("a correct presentation to a redirect_uri client accepted", &response, &verdict))
        }
        .await,
    )
}
