//! The roles of the vocabulary: what a candidate plays, and what each case tests.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Issuer,
    Wallet,
    Verifier,
    Registry,
    /// A stored artifact judged by `dialtone check` (no live candidate).
    Artifact,
}

impl Role {
    /// The roles a candidate can play.
    pub const PLAYED: [Role; 4] = [Role::Issuer, Role::Wallet, Role::Verifier, Role::Registry];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issuer => "issuer",
            Self::Wallet => "wallet",
            Self::Verifier => "verifier",
            Self::Registry => "registry",
            Self::Artifact => "artifact",
        }
    }

    /// A role a candidate can play, by name.
    pub fn played(name: &str) -> Option<Role> {
        Self::PLAYED.into_iter().find(|r| r.as_str() == name)
    }

    /// The names of the roles a candidate can play, for messages.
    pub fn played_names() -> String {
        Self::PLAYED.map(Role::as_str).join(", ")
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
