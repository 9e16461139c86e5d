//! Mutants of the reference VC-API service: each fault is one value of its [`Behaviour`].

crate::seam::behaviour! {
    /// What the reference VC-API service does; the default is correct.
    #[derive(Debug, Clone, Copy)]
    pub struct Behaviour {
        pub issue: Issuing,
        pub verify: Verifying,
    }
}

/// How it issues.
#[derive(Debug, Clone, Copy)]
pub struct Issuing {
    /// A credential without `credentialSubject` is refused.
    pub(crate) subject_required: bool,
    /// Names are signed as sent (else U+02BC folded to an ASCII apostrophe).
    pub(crate) keeps_names: bool,
    /// The type keeps `VerifiableCredential`.
    pub(crate) keeps_vc_type: bool,
    /// A proof is added.
    pub proof: bool,
    pub(crate) proof_purpose: &'static str,
    /// The proof is made over the document returned (else over another one, transplanted).
    pub(crate) proof_over_document: bool,
}

/// How it verifies.
#[derive(Debug, Clone, Copy)]
pub struct Verifying {
    /// Refuses everything.
    pub(crate) refuses_all: bool,
    /// A credential without a proof is refused.
    pub(crate) proof_required: bool,
    /// The proof's signature (and purpose) is verified.
    pub(crate) signature_checked: bool,
    /// `validFrom` / `validUntil` are honoured.
    pub(crate) validity_checked: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            issue: Issuing {
                subject_required: true,
                keeps_names: true,
                keeps_vc_type: true,
                proof: true,
                proof_purpose: "assertionMethod",
                proof_over_document: true,
            },
            verify: Verifying {
                refuses_all: false,
                proof_required: true,
                signature_checked: true,
                validity_checked: true,
            },
        }
    }
}

impl Behaviour {
    pub fn with(fault: Option<VcApiFault>) -> Self {
        let mut b = Self::default();
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}

crate::mutant::faults! {
    VcApiFault, "vc_api.",
    IssueWithoutProof => "issue_without_proof": "returns the credential unsecured (no proof)",
    IssueFoldsApostrophe => "issue_folds_apostrophe": "rewrites U+02BC (ʼ) as an ASCII apostrophe before signing",
    IssueDropsVcType => "issue_drops_vc_type": "issues a credential whose type lacks VerifiableCredential",
    ProofPurposeAuthentication => "proof_purpose_authentication": "signs with proofPurpose authentication instead of assertionMethod",
    ProofOverOtherDocument => "proof_over_other_document": "the proofValue signs another document",
    IssueAcceptsNonCredential => "issue_accepts_non_credential": "issues an input that has no credentialSubject",
    VerifyRejectsAll => "verify_rejects_all": "the verify endpoint refuses every credential",
    VerifyIgnoresSignature => "verify_ignores_signature": "verify checks the proof's shape, never its signature",
    VerifyAcceptsUnproved => "verify_accepts_unproved": "verify accepts a credential without a proof",
    VerifyIgnoresValidity => "verify_ignores_validity": "verify accepts a credential whose validUntil has passed",
}

impl VcApiFault {
    /// The service's behaviour with this one fault.
    pub fn apply(self, b: &mut Behaviour) {
        match self {
            Self::IssueWithoutProof => b.issue.proof = false,
            Self::IssueFoldsApostrophe => b.issue.keeps_names = false,
            Self::IssueDropsVcType => b.issue.keeps_vc_type = false,
            Self::ProofPurposeAuthentication => b.issue.proof_purpose = "authentication",
            Self::ProofOverOtherDocument => b.issue.proof_over_document = false,
            Self::IssueAcceptsNonCredential => b.issue.subject_required = false,
            Self::VerifyRejectsAll => b.verify.refuses_all = true,
            Self::VerifyIgnoresSignature => b.verify.signature_checked = false,
            Self::VerifyAcceptsUnproved => b.verify.proof_required = false,
            Self::VerifyIgnoresValidity => b.verify.validity_checked = false,
        }
    }
}
