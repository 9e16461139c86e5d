//! Wire formats and protocol messages that dialtone speaks, written from the specification texts in
//! `../shared/specs/`. Nothing here trusts its input: every parser returns an error rather than
//! panicking, and bounded recursion comes from `serde_json`'s own depth limit.

pub mod b64;
pub mod control;
pub mod cose;
pub mod data_integrity;
pub mod dcql;
pub mod dpop;
pub mod jose;
pub mod jwe;
mod jwk_signer;
pub mod mdoc;
pub mod message;
pub mod oauth;
pub mod oid4vci;
pub mod oid4vp;
pub mod public_key;
pub mod sd_jwt_vc;
pub mod sdjwt;
pub mod seed;
pub mod shc;
pub mod status_list;
pub mod time;
pub mod x509;

/// Current time as seconds since the Unix epoch.
pub fn now_epoch() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
