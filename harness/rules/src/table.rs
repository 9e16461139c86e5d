//! The rules `dialtone check` applies to stored artifacts: id, title, level, the clauses they test
//! and the PCTF criteria they evidence. A test proves every spec document and criterion named here
//! exists, and the vectors prove every MUST rule can fail (`vectors/`, flags name the rule broken).

use dialtone_engine::model::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    SdJwtVc,
    VcJose,
    VcCose,
    VcSdJwt,
    Shc,
    Mdoc,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::SdJwtVc, Format::VcJose, Format::VcCose, Format::VcSdJwt, Format::Shc, Format::Mdoc];

    pub fn name(self) -> &'static str {
        match self {
            Self::SdJwtVc => "sd-jwt-vc",
            Self::VcJose => "vc-jose",
            Self::VcCose => "vc-cose",
            Self::VcSdJwt => "vc-sd-jwt",
            Self::Shc => "shc",
            Self::Mdoc => "mdoc",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::SdJwtVc => "SD-JWT VC",
            Self::VcJose => "W3C VC 2.0 secured with JOSE",
            Self::VcCose => "W3C VC 2.0 secured with COSE",
            Self::VcSdJwt => "W3C VC 2.0 secured with SD-JWT",
            Self::Shc => "SMART Health Card",
            Self::Mdoc => "ISO mdoc",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub level: Level,
    pub spec: &'static [(&'static str, &'static str)],
    pub pctf: &'static [&'static str],
    /// The rule that verifies the artifact's signature with a key the user trusts: unless it
    /// passed, the artifact is `unverified`, never `valid`.
    pub authenticates: bool,
}

impl Rule {
    /// Marks the rule that verifies the artifact's signature with a trusted key.
    const fn authenticating(self) -> Rule {
        Rule { authenticates: true, ..self }
    }
}

const fn must(
    id: &'static str,
    title: &'static str,
    spec: &'static [(&'static str, &'static str)],
    pctf: &'static [&'static str],
) -> Rule {
    Rule { id, title, level: Level::Must, spec, pctf, authenticates: false }
}

const fn should(
    id: &'static str,
    title: &'static str,
    spec: &'static [(&'static str, &'static str)],
    pctf: &'static [&'static str],
) -> Rule {
    Rule { id, title, level: Level::Should, spec, pctf, authenticates: false }
}

/// Recognizing the artifact at all.
pub(crate) const FORMAT: Rule = must("ART-FORMAT-001", "The artifact is in a recognized credential format", &[], &[]);
/// Judging the artifact within the deadline per artifact; when it is not, the harness says `error`.
pub(crate) const JUDGED: Rule =
    must("ART-JUDGED-001", "The artifact is judged within dialtone's deadline per artifact", &[], &[]);

/// Rules every JWS-secured format shares (RFC 7515, RFC 7519): in the lists of SD-JWT VC and of
/// W3C VCs, judged over every JWS an artifact carries (`jws.rs`).
pub(crate) const JOSE_HDR_001: Rule = must(
    "JOSE-HDR-001",
    "Every header parameter crit lists is understood (dialtone understands no extension); crit is a non-empty list of extension names in the header",
    &[("RFC7515", "4.1.11"), ("RFC7515", "5.2")],
    &[],
);
pub(crate) const JOSE_HDR_002: Rule =
    must("JOSE-HDR-002", "Header parameter names are unique", &[("RFC7515", "4"), ("RFC7515", "5.2")], &[]);
pub(crate) const JOSE_HDR_003: Rule = must(
    "JOSE-HDR-003",
    "kid is a string; x5c is an array of base64 DER certificates, the first holding the signing key",
    &[("RFC7515", "4.1.4"), ("RFC7515", "4.1.6")],
    &[],
);
pub(crate) const JWT_CLM_001: Rule =
    must("JWT-CLM-001", "Claim names in each JWT Claims Set are unique", &[("RFC7519", "4"), ("RFC7519", "7.2")], &[]);
pub(crate) const JWT_CLM_002: Rule =
    must("JWT-CLM-002", "aud, when present, names the verifier (--aud)", &[("RFC7519", "4.1.3")], &["CRVA.01"]);
/// COSE's own (RFC 9052), shared by W3C VCs secured with COSE and by mdoc's issuerAuth.
pub(crate) const COSE_HDR_001: Rule = must(
    "COSE-HDR-001",
    "Every header parameter the COSE crit lists is understood (dialtone understands no extension), and crit sits in the protected header",
    &[("RFC9052", "3.1")],
    &[],
);
/// Rules of RFC 9901 every SD-JWT shares (`sd_jwt.rs`): in the lists of SD-JWT VC and of W3C VCs.
pub(crate) const SDJWT_001: Rule = must(
    "SDJWT-001",
    "_sd and ... only convey digests of the _sd_alg hash (decoys included); _sd_alg only at the top level",
    &[("RFC9901", "4.1"), ("RFC9901", "4.1.1"), ("RFC9901", "4.2.4.2"), ("RFC9901", "4.2.5")],
    &[],
);
pub(crate) const SDJWT_002: Rule =
    must("SDJWT-002", "Every Disclosure has a salt of its own", &[("RFC9901", "4.2.1"), ("RFC9901", "9.3")], &[]);
pub(crate) const SDJWT_003: Rule =
    must("SDJWT-003", "A Holder sends each Disclosure at most once", &[("RFC9901", "4")], &[]);

pub(crate) const SDJWTVC_001: Rule =
    must("SDJWTVC-001", "The SD-JWT parses: issuer-signed JWT, disclosures, '~'-separated", &[("RFC9901", "4")], &[]);
pub(crate) const SDJWTVC_002: Rule = must("SDJWTVC-002", "The header typ is dc+sd-jwt", &[("SD-JWT-VC", "2.2.1")], &[]);
pub(crate) const SDJWTVC_003: Rule = must(
    "SDJWTVC-003",
    "The credential is signed with an asymmetric algorithm",
    &[("RFC9901", "4.1"), ("RFC8725", "3.2")],
    &["SICH.02"],
);
pub(crate) const SDJWTVC_004: Rule = must(
    "SDJWTVC-004",
    "The signature verifies with a key of the issuer",
    &[("RFC9901", "7.1"), ("SD-JWT-VC", "2.5")],
    &["CRIS.05", "CRVA.01"],
)
.authenticating();
pub(crate) const SDJWTVC_005: Rule = must(
    "SDJWTVC-005",
    "The verifying key belongs to the issuer the credential names (trust list)",
    &[("SD-JWT-VC", "2.5")],
    &["CRIS.02"],
);
pub(crate) const SDJWTVC_006: Rule =
    must("SDJWTVC-006", "iss identifies the issuer", &[("SD-JWT-VC", "2.2.2.3")], &["CRIS.02"]);
pub(crate) const SDJWTVC_007: Rule = must(
    "SDJWTVC-007",
    "vct is a string and a Collision-Resistant Name (a URI, OID or UUID)",
    &[("SD-JWT-VC", "2.2.2.1"), ("RFC7515", "2")],
    &[],
);
pub(crate) const SDJWTVC_008: Rule = must(
    "SDJWTVC-008",
    "iat, nbf and exp are NumericDates, consistent, and valid at the verification time",
    &[("SD-JWT-VC", "2.2.2.3"), ("RFC7519", "4.1.4")],
    &["CRIS.03"],
);
pub(crate) const SDJWTVC_009: Rule = must(
    "SDJWTVC-009",
    "Every disclosure matches a digest; no digest repeats (nested, array elements, decoys)",
    &[("RFC9901", "7.1"), ("RFC9901", "4.2.4.1")],
    &["CRVA.01"],
);
pub(crate) const SDJWTVC_010: Rule = must(
    "SDJWTVC-010",
    "Registered claims (iss, nbf, exp, cnf, vct, vct#integrity, aka_vcts, status) and their sub-claims are not selectively disclosable",
    &[("SD-JWT-VC", "2.2.2.3")],
    &[],
);
pub(crate) const SDJWTVC_011: Rule = should("SDJWTVC-011", "Salts carry at least 128 bits", &[("RFC9901", "9.3")], &[]);
pub(crate) const SDJWTVC_012: Rule = must(
    "SDJWTVC-012",
    "The key binding JWT verifies: typ, cnf key, iat, sd_hash, a string nonce and a single-string aud, as the verifier expects",
    &[("RFC9901", "4.3"), ("RFC9901", "7.3")],
    &["CRVA.01"],
);
pub(crate) const SDJWTVC_013: Rule = must(
    "SDJWTVC-013",
    "The status claim references a status list entry (idx, uri)",
    &[("TOKEN-STATUS-LIST", "6.2"), ("SD-JWT-VC", "2.2.2.3")],
    &["CRVA.02"],
);
pub(crate) const SDJWTVC_014: Rule =
    must("SDJWTVC-014", "The claims satisfy the credential profile of the vct", &[("SD-JWT-VC", "2.2.2.1")], &[]);
pub(crate) const SDJWTVC_015: Rule =
    must("SDJWTVC-015", "The profile's selectively disclosable claims are not in clear", &[("RFC9901", "4.2")], &[]);

pub(crate) const SDJWTVC_016: Rule = must(
    "SDJWTVC-016",
    "aka_vcts, when present, is a non-empty array of Collision-Resistant Names without the vct",
    &[("SD-JWT-VC", "2.2.2.2")],
    &[],
);
pub(crate) const SDJWTVC_017: Rule = must(
    "SDJWTVC-017",
    "vct#integrity, when present, is an integrity metadata string (W3C SRI)",
    &[("SD-JWT-VC", "6"), ("SD-JWT-VC", "2.2.2.3")],
    &[],
);
pub(crate) const SDJWTVC_018: Rule = must(
    "SDJWTVC-018",
    "An SD-JWT VC without selectively disclosable claims has no _sd claim",
    &[("SD-JWT-VC", "2.2.2.5")],
    &[],
);

pub const SD_JWT_VC: &[Rule] = &[
    SDJWTVC_001,
    SDJWTVC_002,
    SDJWTVC_003,
    SDJWTVC_004,
    SDJWTVC_005,
    SDJWTVC_006,
    SDJWTVC_007,
    SDJWTVC_008,
    SDJWTVC_009,
    SDJWTVC_010,
    SDJWTVC_011,
    SDJWTVC_012,
    SDJWTVC_013,
    SDJWTVC_014,
    SDJWTVC_015,
    SDJWTVC_016,
    SDJWTVC_017,
    SDJWTVC_018,
    JOSE_HDR_001,
    JOSE_HDR_002,
    JOSE_HDR_003,
    JWT_CLM_001,
    JWT_CLM_002,
    SDJWT_001,
    SDJWT_002,
    SDJWT_003,
];

pub(crate) const VC_001: Rule = must(
    "VC-001",
    "The securing envelope parses (compact JWS, SD-JWT, or base64 COSE_Sign1)",
    &[("VC-JOSE-COSE", "3.1.1"), ("VC-JOSE-COSE", "3.2.1"), ("VC-JOSE-COSE", "3.3.1")],
    &["CRIS.05"],
);
pub(crate) const VC_002: Rule = must(
    "VC-002",
    "The media type (typ) is the one the securing mechanism registers",
    &[("VC-JOSE-COSE", "7.1"), ("VC-JOSE-COSE", "3.1.3")],
    &[],
);
pub(crate) const VC_003: Rule = must(
    "VC-003",
    "The content type (cty), when present, is vc or vp for the payload",
    &[("VC-JOSE-COSE", "7.1")],
    &[],
);
pub(crate) const VC_004: Rule =
    must("VC-004", "The securing algorithm is asymmetric", &[("VC-JOSE-COSE", "5")], &["SICH.02"]);
pub(crate) const VC_005: Rule = must(
    "VC-005",
    "The signature verifies with a key of the issuer",
    &[("VC-JOSE-COSE", "5.1"), ("VC-JOSE-COSE", "5.2"), ("VC-JOSE-COSE", "5.3")],
    &["CRIS.05", "CRVA.01"],
)
.authenticating();
pub(crate) const VC_006: Rule = must(
    "VC-006",
    "The verifying key belongs to the issuer the credential names (trust list)",
    &[("VC-JOSE-COSE", "4.1.2")],
    &["CRIS.02"],
);
pub(crate) const VC_007: Rule = must(
    "VC-007",
    "The document satisfies the data model schema (contexts, types, issuer, subject, dates)",
    &[("VC-DM-2.0", "4.2"), ("VC-DM-2.0", "4.13")],
    &[],
);
pub(crate) const VC_008: Rule =
    must("VC-008", "@context starts with https://www.w3.org/ns/credentials/v2", &[("VC-DM-2.0", "4.3")], &[]);
pub(crate) const VC_009: Rule =
    must("VC-009", "type includes VerifiableCredential (or VerifiablePresentation)", &[("VC-DM-2.0", "4.5")], &[]);
pub(crate) const VC_010: Rule =
    must("VC-010", "issuer is a URL, or an object whose id is a URL", &[("VC-DM-2.0", "4.7")], &["CRIS.02"]);
pub(crate) const VC_011: Rule = must(
    "VC-011",
    "validFrom and validUntil are dateTimeStamps, ordered, and valid at the verification time",
    &[("VC-DM-2.0", "4.9"), ("VC-DM-2.0", "5.8")],
    &["CRIS.03"],
);
pub(crate) const VC_012: Rule =
    must("VC-012", "iss, when present, matches issuer (or issuer.id)", &[("VC-JOSE-COSE", "4.1.2")], &["CRIS.02"]);
pub(crate) const VC_013: Rule = must("VC-013", "The claims vc and vp are absent", &[("VC-JOSE-COSE", "3.1.3")], &[]);
pub(crate) const VC_014: Rule = must(
    "VC-014",
    "credentialStatus entries have a type (and an id URL when present)",
    &[("VC-DM-2.0", "4.10")],
    &["CRVA.02"],
);
pub(crate) const VC_015: Rule = must(
    "VC-015",
    "A presentation's credentials are secured: EnvelopedVerifiableCredential objects with the base context and a data: URL of a VC media type (base64 for COSE)",
    &[("VC-DM-2.0", "4.13.1"), ("VC-JOSE-COSE", "3.1.2"), ("VC-JOSE-COSE", "3.3.2")],
    &["CRVA.01"],
);
pub(crate) const VC_016: Rule = must(
    "VC-016",
    "Enveloped credentials verify with a key of their issuer",
    &[("VC-JOSE-COSE", "3.1.2")],
    &["CRVA.01"],
);
pub(crate) const VC_017: Rule =
    must("VC-017", "SD-JWT disclosures match digests", &[("VC-JOSE-COSE", "3.2.1"), ("RFC9901", "7.1")], &["CRVA.01"]);
pub(crate) const VC_018: Rule = must(
    "VC-018",
    "JWT time claims (iat, exp, nbf) are NumericDates; exp has not passed and nbf has come at the verification time",
    &[("RFC7519", "4.1.4"), ("RFC7519", "4.1.5"), ("RFC7519", "4.1.6"), ("VC-JOSE-COSE", "3.1.3")],
    &["CRIS.03"],
);
pub(crate) const VC_019: Rule = must(
    "VC-019",
    "credentialSubject is an object or array of objects, each stating a claim about its subject",
    &[("VC-DM-2.0", "4.8")],
    &[],
);
pub(crate) const VC_020: Rule =
    must("VC-020", "The claims satisfy the credential profile of the type", &[("VC-DM-2.0", "4.11")], &[]);
pub(crate) const VC_021: Rule = must(
    "VC-021",
    "Enveloped credentials open as secured credentials of their media type",
    &[("VC-DM-2.0", "4.13.1")],
    &[],
);

pub(crate) const VC_022: Rule = must(
    "VC-022",
    "Every id is a single URL; holder and the @context entries after the first are URLs",
    &[("VC-DM-2.0", "4.4"), ("VC-DM-2.0", "4.3"), ("VC-DM-2.0", "4.13")],
    &[],
);
pub(crate) const VC_023: Rule =
    must("VC-023", "Every type value is a term or an absolute URL", &[("VC-DM-2.0", "4.5")], &[]);
pub(crate) const VC_024: Rule = must(
    "VC-024",
    "name and description are strings or language value objects; a language value object holds a string @value, @language, an ltr or rtl @direction and nothing else",
    &[("VC-DM-2.0", "4.6"), ("VC-DM-2.0", "11.1")],
    &[],
);
pub(crate) const VC_025: Rule =
    should("VC-025", "@language values are well-formed BCP 47 language tags", &[("VC-DM-2.0", "11.1")], &[]);
pub(crate) const VC_026: Rule = must(
    "VC-026",
    "The credentials inside a presentation satisfy the data model and their securing rules, each judged as a credential",
    &[("VC-DM-2.0", "4.13"), ("VC-JOSE-COSE", "3.1.2"), ("VC-JOSE-COSE", "3.2.2"), ("VC-JOSE-COSE", "3.3.2")],
    &["CRVA.01"],
);
pub(crate) const VC_027: Rule = must(
    "VC-027",
    "kid is present when the issuer (a presentation's holder) is a DID, and an absolute URL when iss is absent",
    &[("VC-JOSE-COSE", "4.1.1"), ("VC-JOSE-COSE", "4.3")],
    &[],
);
pub(crate) const VC_028: Rule = should(
    "VC-028",
    "@context, type, credentialStatus, credentialSchema and relatedResource are not selectively disclosable",
    &[("VC-JOSE-COSE", "3.2.1"), ("VC-JOSE-COSE", "3.2.2")],
    &[],
);
pub(crate) const VC_029: Rule = must(
    "VC-029",
    "relatedResource entries are objects, each with an id unique among them and a digestSRI or digestMultibase",
    &[("VC-DM-2.0", "5.3")],
    &[],
);

pub const VC: &[Rule] = &[
    VC_001,
    VC_002,
    VC_003,
    VC_004,
    VC_005,
    VC_006,
    VC_007,
    VC_008,
    VC_009,
    VC_010,
    VC_011,
    VC_012,
    VC_013,
    VC_014,
    VC_015,
    VC_016,
    VC_017,
    VC_018,
    VC_019,
    VC_020,
    VC_021,
    VC_022,
    VC_023,
    VC_024,
    VC_025,
    VC_026,
    VC_027,
    VC_028,
    VC_029,
    COSE_HDR_001,
    JOSE_HDR_001,
    JOSE_HDR_002,
    JOSE_HDR_003,
    JWT_CLM_001,
    JWT_CLM_002,
    SDJWT_001,
    SDJWT_002,
    SDJWT_003,
];

pub(crate) const SHC_001: Rule = must(
    "SHC-001",
    "Each QR payload is shc:/ followed by an even number of digits, each pair at most 77",
    &[("SHC", "Encoding QRs")],
    &[],
);
pub(crate) const SHC_002: Rule = must(
    "SHC-002",
    "Chunked QR payloads assemble: ordinals 1..N, all present, one total",
    &[("SHC", "Chunking Larger SHCs (deprecated)")],
    &[],
);
pub(crate) const SHC_003: Rule = must(
    "SHC-003",
    "The .smart-health-card file (or $health-cards-issue Parameters response) holds its JWS strings",
    &[("SHC", "via File Download"), ("SHC", "$health-cards-issue Operation")],
    &[],
);
pub(crate) const SHC_004: Rule =
    must("SHC-004", "The JWS header has alg ES256 and zip DEF", &[("SHC", "Health Cards are Compact")], &["SICH.02"]);
pub(crate) const SHC_005: Rule = must(
    "SHC-005",
    "The payload is raw DEFLATE that inflates, within bounds, to a JSON object",
    &[("SHC", "Health Cards are Compact")],
    &[],
);
pub(crate) const SHC_006: Rule =
    must("SHC-006", "The inflated payload is minified", &[("SHC", "Health Cards are Compact")], &[]);
pub(crate) const SHC_007: Rule = must(
    "SHC-007",
    "kid is the RFC 7638 thumbprint of the signing key",
    &[("SHC", "Health Cards are Compact"), ("RFC7638", "3")],
    &[],
);
pub(crate) const SHC_008: Rule = must(
    "SHC-008",
    "The ES256 signature verifies with a key of the issuer",
    &[("SHC", "Signing Health Cards"), ("RFC7515", "5.2")],
    &["CRIS.05", "CRVA.01"],
)
.authenticating();
pub(crate) const SHC_009: Rule = must(
    "SHC-009",
    "The verifying key is published by the iss (its jwks.json or the trust list)",
    &[("SHC", "Determining keys associated with an issuer")],
    &["CRIS.02"],
);
pub(crate) const SHC_010: Rule = must(
    "SHC-010",
    "iss is an https URL without a trailing slash",
    &[("SHC", "Determining keys associated with an issuer")],
    &["CRIS.02"],
);
pub(crate) const SHC_011: Rule = must(
    "SHC-011",
    "nbf is a NumericDate not after the verification time; exp, if present, not passed",
    &[
        ("SHC", "Health Cards are encoded as Compact Serialization JSON Web Signatures (JWS)"),
        ("SHC", "Expiration of Health Cards"),
    ],
    &["CRIS.03"],
);
pub(crate) const SHC_012: Rule = must(
    "SHC-012",
    "vc.type includes https://smarthealth.cards#health-card",
    &[("SHC", "Health Cards are encoded as Compact Serialization JSON Web Signatures (JWS)")],
    &[],
);
pub(crate) const SHC_013: Rule = must(
    "SHC-013",
    "credentialSubject has fhirVersion and a FHIR Bundle with entries",
    &[("SHC", "Health Cards are encoded as Compact Serialization JSON Web Signatures (JWS)")],
    &[],
);
pub(crate) const SHC_014: Rule = must(
    "SHC-014",
    "A QR-bound bundle has resource: fullUrls and references, and no Resource.id, meta (but security), text, CodeableConcept.text or Coding.display",
    &[("SHC", "Health Cards are Compact")],
    &[],
);
pub(crate) const SHC_015: Rule = must(
    "SHC-015",
    "A JWS in one QR is at most 1195 characters; a longer one is chunked, each chunk at most 1191",
    &[("SHC", "Chunking Larger SHCs (deprecated)")],
    &[],
);
pub(crate) const SHC_016: Rule = must(
    "SHC-016",
    "The credentialSubject satisfies the credential profile of its vc.type",
    &[("SHC", "Health Cards are encoded as Compact Serialization JSON Web Signatures (JWS)")],
    &[],
);

pub(crate) const SHC_017: Rule = must(
    "SHC-017",
    "Each QR code holds two segments: shc:/ (and C/N/) in byte mode, then the digits in numeric mode",
    &[("SHC", "Encoding QRs")],
    &[],
);
pub(crate) const SHC_018: Rule = must(
    "SHC-018",
    "Each QR code is of version 22 or lower",
    &[("SHC", "Health Cards as QR Codes"), ("SHC", "Chunking Larger SHCs (deprecated)")],
    &[],
);
pub(crate) const SHC_019: Rule = must(
    "SHC-019",
    "credentialSubject.fhirBundle of fhirVersion 4.0.x is valid against the FHIR R4 JSON schema",
    &[("SHC", "Health Cards are encoded as Compact Serialization JSON Web Signatures (JWS)"), ("SHC", "Data Model")],
    &[],
);
pub(crate) const SHC_020: Rule = must(
    "SHC-020",
    "vc.rid, when present, is at most 24 characters of the base64url alphabet",
    &[("SHC", "Revocation")],
    &[],
);
pub(crate) const SHC_021: Rule = must(
    "SHC-021",
    "The card is not revoked by its issuer's revocation list (a rid with a timestamp: only cards issued before it)",
    &[("SHC", "Revocation")],
    &["CRVA.02"],
);
pub(crate) const SHC_022: Rule = must(
    "SHC-022",
    "The issuer's key that verifies the card is published as an ES256 signing JWK: kty, use, alg, crv, kid its \
     thumbprint, no d, x5c holding the same key, crlVersion with a revocation list",
    &[("SHC", "Determining keys associated with an issuer"), ("SHC", "Revocation")],
    &["CRIS.02"],
);
pub(crate) const SHC_023: Rule =
    should("SHC-023", "A card's QR chunks are of balanced sizes", &[("SHC", "Chunking Larger SHCs (deprecated)")], &[]);

pub const SHC: &[Rule] = &[
    SHC_001, SHC_002, SHC_003, SHC_004, SHC_005, SHC_006, SHC_007, SHC_008, SHC_009, SHC_010, SHC_011, SHC_012,
    SHC_013, SHC_014, SHC_015, SHC_016, SHC_017, SHC_018, SHC_019, SHC_020, SHC_021, SHC_022, SHC_023,
];

pub(crate) const MDOC_001: Rule =
    must("MDOC-001", "The CBOR decodes as IssuerSigned or DeviceResponse", &[("ISO-18013-5", "8.3.2.1.2.2")], &[]);
pub(crate) const MDOC_002: Rule = must(
    "MDOC-002",
    "issuerAuth is a COSE_Sign1 with an asymmetric alg in the protected header",
    &[("ISO-18013-5", "9.1.2.4"), ("RFC9052", "4.2")],
    &["SICH.02"],
);
pub(crate) const MDOC_003: Rule =
    must("MDOC-003", "x5chain carries the document signer certificate", &[("ISO-18013-5", "9.1.2.4")], &[]);
pub(crate) const MDOC_004: Rule = must(
    "MDOC-004",
    "The MSO signature verifies with the document signer certificate's key",
    &[("ISO-18013-5", "9.1.2.4"), ("ISO-18013-5", "9.3.1")],
    &["CRIS.05", "CRVA.01"],
);
pub(crate) const MDOC_005: Rule = must(
    "MDOC-005",
    "The document signer certificate chains to a trusted issuing authority",
    &[("ISO-18013-5", "9.3.3")],
    &["CRIS.02"],
)
.authenticating();
pub(crate) const MDOC_006: Rule =
    must("MDOC-006", "The MSO has version 1.0 and a supported digestAlgorithm", &[("ISO-18013-5", "9.1.2.4")], &[]);
pub(crate) const MDOC_007: Rule = must(
    "MDOC-007",
    "Every IssuerSignedItem's digest equals the MSO's value digest",
    &[("ISO-18013-5", "9.1.2.4"), ("ISO-18013-5", "9.3.1")],
    &["CRVA.01"],
);
pub(crate) const MDOC_008: Rule = must(
    "MDOC-008",
    "validityInfo: signed ≤ validFrom < validUntil, and the verification time within",
    &[("ISO-18013-5", "9.1.2.4"), ("ISO-18013-5", "9.3.1")],
    &["CRIS.03"],
);
pub(crate) const MDOC_009: Rule =
    must("MDOC-009", "The MSO docType equals the document's docType", &[("ISO-18013-5", "9.3.1")], &[]);
pub(crate) const MDOC_010: Rule =
    must("MDOC-010", "deviceKeyInfo carries the device key", &[("ISO-18013-5", "9.1.2.4")], &[]);
pub(crate) const MDOC_011: Rule = must(
    "MDOC-011",
    "A DeviceResponse has version 1.0, status 0 and at least one document",
    &[("ISO-18013-5", "8.3.2.1.2.2")],
    &[],
);
pub(crate) const MDOC_012: Rule =
    should("MDOC-012", "Each IssuerSignedItem random is at least 16 bytes", &[("ISO-18013-5", "9.1.2.5")], &[]);
pub(crate) const MDOC_013: Rule =
    must("MDOC-013", "The claims satisfy the credential profile of the docType", &[("ISO-18013-5", "7.2")], &[]);

pub(crate) const MDOC_014: Rule = must(
    "MDOC-014",
    "The document signer certificate names a country (countryName) in its subject and in its issuer, the IACA",
    &[("ISO-18013-5", "B.1.2"), ("ISO-18013-5", "B.1.4")],
    &["CRIS.02"],
);

pub const MDOC: &[Rule] = &[
    MDOC_001,
    MDOC_002,
    MDOC_003,
    MDOC_004,
    MDOC_005,
    MDOC_006,
    MDOC_007,
    MDOC_008,
    MDOC_009,
    MDOC_010,
    MDOC_011,
    MDOC_012,
    MDOC_013,
    MDOC_014,
    COSE_HDR_001,
];

pub fn rules(format: Format) -> &'static [Rule] {
    match format {
        Format::SdJwtVc => SD_JWT_VC,
        Format::VcJose | Format::VcCose | Format::VcSdJwt => VC,
        Format::Shc => SHC,
        Format::Mdoc => MDOC,
    }
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id == id)
}

/// Every rule of every format (a rule several formats share comes once per list).
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [&FORMAT, &JUDGED].into_iter().chain(SD_JWT_VC).chain(VC).chain(SHC).chain(MDOC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_engine::pctf::Catalogue;

    #[test]
    fn every_rule_cites_real_documents_and_criteria() {
        let catalogue = Catalogue::embedded();
        let mut seen = std::collections::HashMap::new();
        for rule in [&FORMAT, &JUDGED].into_iter().chain(SD_JWT_VC).chain(VC).chain(SHC).chain(MDOC) {
            // A rule several formats share is one constant in each list: one id, one meaning.
            if let Some(first) = seen.insert(rule.id, (rule.title, rule.level)) {
                assert_eq!(first, (rule.title, rule.level), "two rules named {}", rule.id);
            }
            for (doc, _) in rule.spec {
                assert!(dialtone_engine::spec::find(doc).is_some(), "{}: unknown spec document {doc}", rule.id);
            }
            for id in rule.pctf {
                assert!(catalogue.contains(id), "{}: {id} is not a PCTF v1.5 criterion", rule.id);
            }
        }
    }
}
