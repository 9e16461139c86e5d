//! Mutants of the reference VC-API service: each is the reference with exactly one fault.

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
