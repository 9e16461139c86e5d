//! Why a bundle is refused. Every error about one file of the bundle names it ([`BundleError::file`]).

use crate::{ENVELOPE, SIGNER_KEY};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The container is not a bundle dialtone can read (not gzip, not tar, damaged, truncated).
    #[error("not a bundle: {0}")]
    Archive(String),
    /// Past one of the bounds of [`crate::Limits`].
    #[error("{what} exceeds the bound of {limit}")]
    TooLarge { what: String, limit: u64 },
    /// An entry whose name could escape the folder it is unpacked in, or that is not a plain file.
    #[error("{name:?}: {why}; refused")]
    Unsafe { name: String, why: String },
    /// The envelope cannot be read, or is not in the form dialtone writes.
    #[error("{file}: {detail}", file = ENVELOPE)]
    Envelope { detail: String },
    /// The signature does not verify over the statement: the envelope's payload or signature changed.
    #[error("{file}: the signature does not verify with key {key_id}: the statement or its signature has changed", file = ENVELOPE)]
    Signature { key_id: String },
    /// The bundle was signed by a key other than the one it is checked against.
    #[error("{file}: signed by key {signed_by}, not by the key you trust ({trusted})", file = ENVELOPE)]
    OtherSigner { signed_by: String, trusted: String },
    /// The public key the bundle carries is not readable, or is not the key that signed.
    #[error("{file}: {detail}", file = SIGNER_KEY)]
    SignerKey { detail: String },
    /// The signed statement is not one dialtone reads.
    #[error("{file}: the signed statement {detail}", file = ENVELOPE)]
    Statement { detail: String },
    /// A file's bytes are not those the statement signed.
    #[error("{file}: changed since it was signed (SHA-256 {found}, signed {expected})")]
    Changed { file: String, expected: String, found: String },
    /// A file the statement signs is absent (and the public view needs it).
    #[error("{file}: missing (the statement signs it)")]
    Missing { file: String },
    /// A file the statement does not sign.
    #[error("{file}: not part of what was signed")]
    Unexpected { file: String },
    /// Signed files that disagree with the statement (a signer's defect, or a forged statement
    /// signed with a real key).
    #[error("{file}: {detail}")]
    Inconsistent { file: String, detail: String },
}

impl BundleError {
    /// The bundled file the error is about, when it is about one.
    pub fn file(&self) -> Option<&str> {
        match self {
            Self::Envelope { .. } | Self::Signature { .. } | Self::OtherSigner { .. } | Self::Statement { .. } => {
                Some(ENVELOPE)
            }
            Self::SignerKey { .. } => Some(SIGNER_KEY),
            Self::Changed { file, .. }
            | Self::Missing { file }
            | Self::Unexpected { file }
            | Self::Inconsistent { file, .. } => Some(file),
            Self::Unsafe { name, .. } => Some(name),
            Self::Archive(_) | Self::TooLarge { .. } => None,
        }
    }
}
