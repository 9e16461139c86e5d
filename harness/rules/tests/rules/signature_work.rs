//! The signature work `check` does per artifact: each signature verified once (an SD-JWT VC's
//! issuer signature serves both SDJWTVC-004 and SDJWTVC-005), counted on the judging thread.

use dialtone_protocols::jose::EcKey;
use dialtone_protocols::public_key::verified_on_this_thread;
use dialtone_protocols::sdjwt::{self, ConcealRules, HashAlg, SdJwt};
use dialtone_protocols::seed::Entropy;
use dialtone_rules::keys::{KeyRing, TrustedIssuer};
use dialtone_rules::{Artifact, ArtifactVerdict, Context, Format, judge};
use serde_json::{Value, json};

const ISS: &str = "https://issuer.example";
const NOW: i64 = 1_780_000_000;

fn key(n: u64) -> EcKey {
    EcKey::generate(&Entropy::seeded(n))
}

fn with_kid(key: &EcKey) -> Value {
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!(key.thumbprint());
    jwk
}

fn context(issuer: &EcKey, others: usize) -> Context {
    // Other keys first, so that a verifier trying every key would show in the count.
    let mut keys: Vec<Value> = (0..others as u64).map(|n| with_kid(&key(100 + n))).collect();
    keys.push(with_kid(issuer));
    let ring = KeyRing {
        keys: keys.clone(),
        trust: Some(vec![TrustedIssuer { id: ISS.into(), keys, roots: Vec::new() }]),
        ..Default::default()
    };
    Context { keys: ring, now: NOW, now_given: true, ..Default::default() }
}

fn credential(issuer: &EcKey, holder: &EcKey, key_binding: bool) -> String {
    let claims = json!({
        "iss": ISS, "vct": "urn:example:vct", "iat": NOW - 60, "exp": NOW + 3600,
        "cnf": {"jwk": holder.public_jwk()}, "given_name": "Élodie", "family_name": "Tremblay",
    });
    let rules = ConcealRules::new(&[&["given_name"], &["family_name"]]);
    let concealed = sdjwt::conceal(claims.as_object().expect("object"), &rules, HashAlg::Sha256, &Entropy::seeded(9));
    let jwt =
        issuer.sign_jws(&json!({"typ": "dc+sd-jwt", "kid": issuer.thumbprint()}), &Value::Object(concealed.payload));
    let issued = sdjwt::serialize(&jwt, &concealed.disclosures);
    if !key_binding {
        return issued;
    }
    let sd = SdJwt::parse(&issued).expect("parses");
    sdjwt::present(&sd, &|_| true, Some((holder, "n-1", "https://verifier.example", NOW))).expect("presents")
}

fn verifications(artifact: &Artifact, format: Format, ctx: &Context) -> (u64, ArtifactVerdict) {
    let before = verified_on_this_thread();
    let report = judge(artifact, Some(format), ctx);
    (verified_on_this_thread() - before, report.verdict())
}

#[test]
fn an_sd_jwt_vc_issuer_signature_is_verified_once_and_a_key_binding_jwt_once() {
    let (issuer, holder) = (key(1), key(2));
    let ctx = context(&issuer, 3);
    let issued = Artifact::single("issued", credential(&issuer, &holder, false).into_bytes());
    assert_eq!(verifications(&issued, Format::SdJwtVc, &ctx), (1, ArtifactVerdict::Valid));
    let presented = Artifact::single("presented", credential(&issuer, &holder, true).into_bytes());
    assert_eq!(verifications(&presented, Format::SdJwtVc, &ctx), (2, ArtifactVerdict::Valid));
}

#[test]
fn a_health_card_signature_is_verified_once() {
    let issuer = key(3);
    let ctx = context(&issuer, 3);
    let jws = dialtone_protocols::shc::sign(
        &issuer,
        &json!({"iss": ISS, "nbf": NOW - 60, "vc": {"type": ["https://smarthealth.cards#health-card"]}}),
    );
    let artifact = Artifact::single("card", jws.into_bytes());
    assert_eq!(verifications(&artifact, Format::Shc, &ctx).0, 1);
}
