//! The reference issuer's key attestations (OpenID4VCI 1.0 Appendix D): the `attestation` proof
//! type (F.3) and `key_attestation` in a `jwt` proof's header (F.1), signed by an attester it
//! trusts; required with every proof when its configuration says `key_attestations_required`.

use dialtone_protocols::oid4vci::key_attestation;
use dialtone_protocols::oid4vci::proof::CheckedProof;
use serde_json::Value;

crate::seam::behaviour! {
    /// What it checks of key attestations (the default: everything).
    #[derive(Debug, Clone, Copy)]
    pub struct KeyAttestationPolicy {
        /// The attestation verifies with a trusted attester's key.
        pub(crate) signature_checked: bool,
        /// A `jwt` proof's key is among the attested keys.
        pub(crate) key_bound: bool,
        /// The `attestation` proof type it advertises is taken.
        pub(crate) attestation_proofs_taken: bool,
    }
}

impl Default for KeyAttestationPolicy {
    fn default() -> Self {
        Self { signature_checked: true, key_bound: true, attestation_proofs_taken: true }
    }
}

/// Its trust in key attesters and what it requires.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyAttestationTrust {
    /// Public JWKs of the attesters it trusts; none: it takes no key attestations.
    pub trusted: Vec<Value>,
    /// Every proof must carry a key attestation (`key_attestations_required`).
    pub required: bool,
    pub policy: crate::seam::Seams<KeyAttestationPolicy>,
}

impl KeyAttestationTrust {
    pub(crate) fn enabled(&self) -> bool {
        !self.trusted.is_empty()
    }

    /// An `attestation` proof (F.3): the key to bind (the first attested) and the attestation's
    /// nonce, which the caller judges as a proof's.
    pub(crate) fn attestation_proof(&self, jwt: &str, now: i64) -> Result<(Value, Option<String>), String> {
        if !self.enabled() || !self.policy.attestation_proofs_taken() {
            return Err("this issuer takes no attestation proofs".into());
        }
        let checked = key_attestation::check(jwt, &self.trusted, now, false, *self.policy.signature_checked())?;
        let key = checked.attested_keys.first().cloned().ok_or("the key attestation has no attested_keys")?;
        Ok((key, checked.nonce))
    }

    /// The key attestation in a checked `jwt` proof's header (F.1), when there is one or one is
    /// required: signed by a trusted attester, attesting the proof's key, with the proof's nonce.
    pub(crate) fn jwt_proof(&self, proof: &CheckedProof, now: i64) -> Result<(), String> {
        let Some(jwt) = proof.key_attestation.as_deref() else {
            return match self.required {
                true => Err("a key attestation is required (key_attestations_required)".into()),
                false => Ok(()),
            };
        };
        if !self.enabled() {
            return Err("this issuer takes no key attestations".into());
        }
        let checked = key_attestation::check(jwt, &self.trusted, now, true, *self.policy.signature_checked())?;
        if *self.policy.key_bound() && !checked.attests(&proof.jwk) {
            return Err("the proof's key is not among the key attestation's attested_keys".into());
        }
        if checked.nonce.is_some() && checked.nonce != proof.claims.nonce {
            return Err("the key attestation's nonce is not the proof's c_nonce".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::oauth::client_attestation::Attester;
    use dialtone_protocols::oid4vci::key_attestation::{KeyAttestationSpec, build};
    use dialtone_protocols::oid4vci::proof::{self, ProofChecks, ProofSpec, ProofTarget};
    use dialtone_protocols::seed::Entropy;

    const ISSUER: &str = "https://issuer.example";

    #[test]
    fn required_attestations_are_demanded_and_must_attest_the_proof_key() {
        let entropy = Entropy::seeded(21);
        let attester = Attester { id: "https://wp.example".into(), key: EcKey::generate(&entropy) };
        let holder = EcKey::generate(&entropy);
        let target = ProofTarget { issuer: ISSUER, token_endpoint: "https://issuer.example/token", c_nonce: Some("n") };
        let now = dialtone_protocols::now_epoch();
        let check = |jwt: &str| proof::check(jwt, ISSUER, now, 300, &["ES256"], ProofChecks::default()).unwrap();
        let trust =
            KeyAttestationTrust { trusted: vec![attester.public_jwk()], required: true, policy: Default::default() };

        let bare = check(&proof::build(&holder, &ProofSpec::default(), target, &entropy));
        assert!(trust.jwt_proof(&bare, now).unwrap_err().contains("required"));
        let optional = KeyAttestationTrust { required: false, ..trust.clone() };
        assert!(optional.jwt_proof(&bare, now).is_ok(), "without key_attestations_required a bare proof is taken");

        let attested = |spec: &KeyAttestationSpec| {
            let attestation = build(&attester, &holder, Some("n"), spec, &entropy);
            check(&proof::build_attested(&holder, &ProofSpec::default(), target, &attestation, &entropy))
        };
        assert!(trust.jwt_proof(&attested(&KeyAttestationSpec::default()), now).is_ok());
        let other = attested(&KeyAttestationSpec { other_key: true, ..KeyAttestationSpec::default() });
        assert!(trust.jwt_proof(&other, now).unwrap_err().contains("attested_keys"));
        let unbound = KeyAttestationTrust {
            policy: crate::seam::Seams::new(
                "issuer",
                KeyAttestationPolicy { key_bound: false, ..KeyAttestationPolicy::default() },
                None,
            ),
            ..trust.clone()
        };
        assert!(unbound.jwt_proof(&other, now).is_ok(), "the mutant's fault");
    }
}
