//! Credential format rules: pure functions over an artifact and its context, one implementation per
//! rule, used by every role's plan that meets that format.

pub mod sd_jwt_vc;
