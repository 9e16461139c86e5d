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

#[cfg(test)]
mod tests {
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
