//! The drivers cases name: the harness as the counterpart of the role under test — a wallet in
//! front of an issuer (`issuer/`), a wallet in front of a verifier (`verifier/`), an issuer and
//! verifiers in front of a wallet (`wallet/`), a TRQP consumer in front of a registry (`registry/`),
//! a VC-API client (`vc_api`), and the end-to-end chain (`chain`). Each binding ([`binding`]) says
//! which manifest section exposes it; each driver registers beside its code ([`driver!`]) with the
//! parameters its cases give.

pub mod binding;
pub(crate) mod chain;
pub mod counterparts;
pub(crate) mod dcql_ask;
pub mod driver;
pub(crate) mod issuer;
pub mod manifest;
pub(crate) mod manual;
pub(crate) mod registry;
pub(crate) mod transaction_ask;
pub(crate) mod vc_api;
pub(crate) mod verifier;
pub mod vocabulary;
pub(crate) mod wallet;

pub(crate) use driver::Ctx;
pub use driver::Drivers;
