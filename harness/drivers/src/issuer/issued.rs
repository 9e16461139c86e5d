//! The credential an issuer issues, judged with the SD-JWT VC rules `dialtone check` applies
//! (`dialtone_rules::sd_jwt_vc::rule`): the harness obtains a credential through the whole flow,
//! then applies the one rule the case names.

use super::metadata::issuer_jwks;
use super::wallet::{Issued, Wallet};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::now_epoch;
use dialtone_protocols::sdjwt::SdJwt;
use dialtone_rules::sd_jwt_vc::rule::{self as rules, Context};
use serde_json::Value;

driver!("sd_jwt_vc.issued", binding::ISSUER, judge, IssuedParams);

/// The SD-JWT VC rule a case applies to the issued credential.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Structure,
    Typ,
    Signature,
    AlgAdvertised,
    Iss,
    Vct,
    Validity,
    ExpPresent,
    #[serde(rename = "cnf_matches_proof")]
    Cnf,
    #[serde(rename = "disclosures_digests")]
    Disclosures,
    SdClaimsNotInClear,
    #[serde(rename = "registered_claims_in_clear")]
    RegisteredClaimsNotDisclosable,
    SaltEntropy,
    Profile,
}

/// The parameters of `sd_jwt_vc.issued`: which rule.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IssuedParams {
    pub rule: Rule,
}

async fn context(wallet: &Wallet, issued: &Issued, sd: &SdJwt, rule: Rule) -> Result<Context, Outcome> {
    let config = Wallet::configuration(&issued.session);
    // Keys inline (x5c) need no metadata; otherwise the issuer publishes them (SD-JWT VC §2.5).
    let jwks = match rule {
        Rule::Signature if !sd.issuer_jwt.header.contains_key("x5c") => Some(issuer_jwks(wallet).await?),
        _ => None,
    };
    Ok(Context {
        expected_iss: Some(wallet.issuer_id()),
        expected_vct: config.as_ref().and_then(|c| c.vct.clone()),
        jwks,
        holder_jwk: Some(wallet.key.public_jwk()),
        sd_claims: wallet
            .ctx
            .manifest
            .sd_claims(&issued.session.configuration_id)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
        advertised_algs: config.as_ref().and_then(|c| c.signing_algs()),
        x5c_roots: wallet.ctx.manifest.issuer.as_ref().map(|i| i.x5c_roots.clone()).unwrap_or_default(),
        now: now_epoch(),
    })
}

fn apply(rule: Rule, sd: &SdJwt, ctx: &Context) -> Outcome {
    match rule {
        Rule::Structure => Outcome::pass("parsed"),
        Rule::Typ => rules::typ(sd),
        Rule::Signature => rules::signature(sd, ctx),
        Rule::AlgAdvertised => rules::alg_advertised(sd, ctx),
        Rule::Iss => rules::iss(sd, ctx),
        Rule::Vct => rules::vct(sd, ctx),
        Rule::Validity => rules::validity(sd, ctx),
        Rule::ExpPresent => rules::exp_present(sd),
        Rule::Cnf => rules::cnf(sd, ctx),
        Rule::Disclosures => rules::disclosures(sd),
        Rule::SdClaimsNotInClear => rules::sd_claims_not_in_clear(sd, ctx),
        Rule::RegisteredClaimsNotDisclosable => rules::registered_claims_not_disclosable(sd),
        Rule::SaltEntropy => rules::salt_entropy(sd),
        Rule::Profile => rules::profile(sd, profiles()),
    }
}

/// The credential profiles the plans judge issued credentials against (dialtone's examples).
fn profiles() -> &'static dialtone_rules::Profiles {
    static PROFILES: std::sync::OnceLock<dialtone_rules::Profiles> = std::sync::OnceLock::new();
    PROFILES.get_or_init(dialtone_rules::Profiles::embedded)
}

pub async fn judge(ctx: Ctx, IssuedParams { rule }: IssuedParams) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let issued = wallet.issue().await?;
            let format = Wallet::configuration(&issued.session).and_then(|c| c.format).unwrap_or_default();
            if format != dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC {
                return Ok(Outcome::skip(format!("the offered configuration's format is {format:?}, not dc+sd-jwt")));
            }
            if matches!(rule, Rule::Structure) {
                return Ok(rules::structure(&issued.credential));
            }
            let sd = rules::parse_issued(&issued.credential)?;
            wallet
                .ctx
                .evidence
                .artifact("issuer-signed JWT header", Value::Object(sd.issuer_jwt.header.clone()).to_string());
            wallet
                .ctx
                .evidence
                .artifact("issuer-signed JWT payload", Value::Object(sd.issuer_jwt.payload.clone()).to_string());
            let context = context(&wallet, &issued, &sd, rule).await?;
            Ok(apply(rule, &sd, &context))
        }
        .await,
    )
}
