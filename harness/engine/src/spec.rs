//! The specification documents suites may cite, with the text dialtone implements them from.

pub struct SpecDoc {
    pub id: &'static str,
    pub title: &'static str,
    pub url: &'static str,
}

pub(crate) const DOCS: &[SpecDoc] = &[
    SpecDoc {
        id: "OID4VCI-1.0",
        title: "OpenID for Verifiable Credential Issuance 1.0",
        url: "https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html",
    },
    SpecDoc {
        id: "OID4VP-1.0",
        title: "OpenID for Verifiable Presentations 1.0",
        url: "https://openid.net/specs/openid-4-verifiable-presentations-1_0.html",
    },
    SpecDoc {
        id: "RFC9901",
        title: "Selective Disclosure for JWTs (SD-JWT)",
        url: "https://www.rfc-editor.org/rfc/rfc9901",
    },
    SpecDoc {
        id: "SD-JWT-VC",
        title: "SD-JWT-based Verifiable Digital Credentials (draft-ietf-oauth-sd-jwt-vc)",
        url: "https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/",
    },
    SpecDoc {
        id: "TOKEN-STATUS-LIST",
        title: "Token Status List (draft-ietf-oauth-status-list)",
        url: "https://datatracker.ietf.org/doc/draft-ietf-oauth-status-list/",
    },
    SpecDoc {
        id: "RFC6749",
        title: "The OAuth 2.0 Authorization Framework",
        url: "https://www.rfc-editor.org/rfc/rfc6749",
    },
    SpecDoc { id: "RFC6750", title: "OAuth 2.0 Bearer Token Usage", url: "https://www.rfc-editor.org/rfc/rfc6750" },
    SpecDoc {
        id: "RFC7636",
        title: "Proof Key for Code Exchange by OAuth Public Clients (PKCE)",
        url: "https://www.rfc-editor.org/rfc/rfc7636",
    },
    SpecDoc {
        id: "RFC9126",
        title: "OAuth 2.0 Pushed Authorization Requests",
        url: "https://www.rfc-editor.org/rfc/rfc9126",
    },
    SpecDoc {
        id: "RFC9449",
        title: "OAuth 2.0 Demonstrating Proof of Possession (DPoP)",
        url: "https://www.rfc-editor.org/rfc/rfc9449",
    },
    SpecDoc {
        id: "RFC8414",
        title: "OAuth 2.0 Authorization Server Metadata",
        url: "https://www.rfc-editor.org/rfc/rfc8414",
    },
    SpecDoc { id: "RFC7515", title: "JSON Web Signature (JWS)", url: "https://www.rfc-editor.org/rfc/rfc7515" },
    SpecDoc { id: "RFC7517", title: "JSON Web Key (JWK)", url: "https://www.rfc-editor.org/rfc/rfc7517" },
    SpecDoc { id: "RFC7519", title: "JSON Web Token (JWT)", url: "https://www.rfc-editor.org/rfc/rfc7519" },
    SpecDoc {
        id: "RFC8725",
        title: "JSON Web Token Best Current Practices",
        url: "https://www.rfc-editor.org/rfc/rfc8725",
    },
    SpecDoc {
        id: "OAUTH-ATTESTATION",
        title: "OAuth 2.0 Attestation-Based Client Authentication (draft-ietf-oauth-attestation-based-client-auth)",
        url: "https://datatracker.ietf.org/doc/draft-ietf-oauth-attestation-based-client-auth/",
    },
    SpecDoc {
        id: "HAIP-1.0",
        title: "OpenID4VC High Assurance Interoperability Profile 1.0",
        url: "https://openid.net/specs/openid4vc-high-assurance-interoperability-profile-1_0.html",
    },
    SpecDoc {
        id: "TRQP-2.0",
        title: "Trust Registry Query Protocol v2 (Trust over IP)",
        url: "https://trustoverip.github.io/tswg-trust-registry-protocol/",
    },
    SpecDoc { id: "SHC", title: "SMART Health Cards Framework", url: "https://spec.smarthealth.cards/" },
    SpecDoc {
        id: "VC-DM-2.0",
        title: "Verifiable Credentials Data Model v2.0",
        url: "https://www.w3.org/TR/vc-data-model-2.0/",
    },
    SpecDoc {
        id: "VC-JOSE-COSE",
        title: "Securing Verifiable Credentials using JOSE and COSE",
        url: "https://www.w3.org/TR/vc-jose-cose/",
    },
    SpecDoc {
        id: "RFC9052",
        title: "CBOR Object Signing and Encryption (COSE): Structures and Process",
        url: "https://www.rfc-editor.org/rfc/rfc9052",
    },
    SpecDoc {
        id: "ISO-18013-5",
        title: "ISO/IEC 18013-5:2021 Mobile driving licence (mDL) application (sections as numbered in the 2021 edition; the text is not in ../shared)",
        url: "https://www.iso.org/standard/69084.html",
    },
    SpecDoc {
        id: "VC-API",
        title: "Verifiable Credentials API v0.3 (W3C CCG)",
        url: "https://w3c-ccg.github.io/vc-api/",
    },
    SpecDoc {
        id: "VC-DI",
        title: "Verifiable Credential Data Integrity 1.0",
        url: "https://www.w3.org/TR/vc-data-integrity/",
    },
    SpecDoc {
        id: "VC-DI-EDDSA",
        title: "Data Integrity EdDSA Cryptosuites v1.0",
        url: "https://www.w3.org/TR/vc-di-eddsa/",
    },
    SpecDoc { id: "RFC7638", title: "JSON Web Key (JWK) Thumbprint", url: "https://www.rfc-editor.org/rfc/rfc7638" },
    SpecDoc { id: "RFC7807", title: "Problem Details for HTTP APIs", url: "https://www.rfc-editor.org/rfc/rfc7807" },
];

pub fn find(id: &str) -> Option<&'static SpecDoc> {
    DOCS.iter().find(|d| d.id == id)
}
