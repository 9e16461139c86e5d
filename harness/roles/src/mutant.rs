//! The shape every family of mutants shares: an enum of single faults, each with the name suites
//! use (`<role>.<fault>`) and a description.

/// Declares a mutant family: `faults! { Enum, "role.", Variant => "name": "description", … }`.
macro_rules! faults {
    ($enum:ident, $prefix:literal, $($variant:ident => $name:literal : $doc:literal,)*) => {
        /// One deliberate fault of a reference candidate.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $enum { $($variant,)* }

        impl $enum {
            pub const ALL: &'static [$enum] = &[$($enum::$variant,)*];

            /// The mutant's name as suites write it.
            pub fn name(self) -> &'static str {
                match self { $($enum::$variant => concat!($prefix, $name),)* }
            }

            pub fn description(self) -> &'static str {
                match self { $($enum::$variant => $doc,)* }
            }

            pub fn from_name(name: &str) -> Option<$enum> {
                Self::ALL.iter().copied().find(|f| f.name() == name)
            }
        }
    };
}
pub(crate) use faults;

/// A mutant of any reference candidate, for listings and the selftest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutantInfo {
    pub role: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

/// Every mutant of every reference candidate.
pub fn catalog() -> Vec<MutantInfo> {
    let issuer = crate::issuer::IssuerFault::ALL.iter().map(|f| MutantInfo {
        role: "issuer",
        name: f.name(),
        description: f.description(),
    });
    let registry = crate::registry::RegistryFault::ALL.iter().map(|f| MutantInfo {
        role: "registry",
        name: f.name(),
        description: f.description(),
    });
    let verifier = crate::verifier::VerifierFault::ALL.iter().map(|f| MutantInfo {
        role: "verifier",
        name: f.name(),
        description: f.description(),
    });
    let wallet = crate::wallet::WalletFault::ALL.iter().map(|f| MutantInfo {
        role: "wallet",
        name: f.name(),
        description: f.description(),
    });
    let vc_api = crate::vc_api::VcApiFault::ALL.iter().map(|f| MutantInfo {
        role: "vc_api",
        name: f.name(),
        description: f.description(),
    });
    issuer.chain(registry).chain(verifier).chain(wallet).chain(vc_api).collect()
}

/// The fields of its reference's behaviour (as that reference's [`crate::seam::Seams`] names them)
/// that the mutant `name` changes; `None` when no mutant has that name. A case that read none of
/// them in the reference's run meets the same answers under the mutant.
pub fn changed_seams(name: &str) -> Option<Vec<String>> {
    use crate::seam::Differing;
    fn changed<B: Differing>(correct: B, faulty: B) -> Vec<String> {
        correct.differing(&faulty)
    }
    use crate::{issuer, registry, vc_api, verifier, wallet};
    if let Some(f) = issuer::IssuerFault::from_name(name) {
        return Some(changed(issuer::behaviour::Behaviour::with(None), issuer::behaviour::Behaviour::with(Some(f))));
    }
    if let Some(f) = registry::RegistryFault::from_name(name) {
        return Some(changed(registry::mutants::Behaviour::with(None), registry::mutants::Behaviour::with(Some(f))));
    }
    if let Some(f) = verifier::VerifierFault::from_name(name) {
        return Some(changed(
            verifier::behaviour::Behaviour::with(None),
            verifier::behaviour::Behaviour::with(Some(f)),
        ));
    }
    if let Some(f) = wallet::WalletFault::from_name(name) {
        return Some(changed(wallet::behaviour::Behaviour::with(None), wallet::behaviour::Behaviour::with(Some(f))));
    }
    let f = vc_api::VcApiFault::from_name(name)?;
    Some(changed(vc_api::mutants::Behaviour::with(None), vc_api::mutants::Behaviour::with(Some(f))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_mutant_changes_its_reference_s_behaviour() {
        for m in super::catalog() {
            let changed = super::changed_seams(m.name).unwrap_or_default();
            assert!(!changed.is_empty(), "{} changes no field of its reference's behaviour", m.name);
        }
        let named = |name: &str| super::changed_seams(name).map(|c| c.join(" "));
        assert_eq!(named("issuer.token_no_cache_control").as_deref(), Some("response"));
        assert_eq!(named("registry.plain_errors").as_deref(), Some("problem_details"));
        // Settings handed whole to the protocol's code, declared field by field.
        assert_eq!(named("wallet.no_tx_code").as_deref(), Some("issuance.withhold_tx_code"));
        assert_eq!(named("wallet.skips_par").as_deref(), Some("issuance.authorization"));
        assert_eq!(super::changed_seams("no.such_mutant"), None);
    }

    #[test]
    fn names_are_unique_and_prefixed_by_role() {
        let all = super::catalog();
        let mut names: Vec<&str> = all.iter().map(|m| m.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert!(all.iter().all(|m| m.name.starts_with(&format!("{}.", m.role))));
    }
}
