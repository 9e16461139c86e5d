//! SD-JWT-based Verifiable Credentials (draft-ietf-oauth-sd-jwt-vc): media type, `typ`, the claims
//! that must never be selectively disclosable, and JWT VC Issuer Metadata (§4).

/// §2.2.1: `typ` of the issuer-signed JWT.
pub const TYP: &str = "dc+sd-jwt";
/// The pre-2024 value, still seen in the wild; not conformant.
pub const LEGACY_TYP: &str = "vc+sd-jwt";
/// §4.1: JWT VC Issuer Metadata well-known segment.
pub const WELL_KNOWN_JWT_VC_ISSUER: &str = "/.well-known/jwt-vc-issuer";

/// §2.2.2.3: registered claims that MUST NOT be selectively disclosed.
pub const NEVER_DISCLOSABLE: &[&str] = &["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status"];
