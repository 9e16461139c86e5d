//! The reference wallet (holder): receives `openid-credential-offer://` offers and `openid4vp://`
//! requests through its control API, runs OpenID4VCI issuance with proof JWTs, stores credentials,
//! and answers DCQL requests disclosing only what was asked, with a KB-JWT. And its mutants.

pub(crate) mod behaviour;
pub mod mutants;
pub mod reference;

pub use mutants::WalletFault;
pub use reference::{WALLET_CLIENT_ID, WalletConfig, start};
