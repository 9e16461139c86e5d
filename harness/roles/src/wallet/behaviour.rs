//! What the reference wallet does, as values: the default is correct; a mutant changes one thing
//! ([`super::WalletFault::apply`]). The flows read these values and nothing else of a fault.

use dialtone_protocols::oid4vci::client::IssuanceSpec;
use dialtone_protocols::oid4vp::holder::{PresentationSpec, RequestChecks};

#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// How it runs OpenID4VCI issuance.
    pub issuance: IssuanceSpec,
    /// Put the first `c_nonce` it ever got into every proof.
    pub(crate) reuse_first_nonce: bool,
    /// Store names with U+02BC folded to an ASCII apostrophe (a lossy "normalization").
    pub(crate) fold_apostrophes: bool,
    /// What it checks of a presentation request.
    pub(crate) request_checks: RequestChecks,
    /// How it presents.
    pub presentation: PresentationSpec,
}

impl Behaviour {
    pub fn with(fault: Option<super::WalletFault>) -> Self {
        let mut b = Self::default();
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}
