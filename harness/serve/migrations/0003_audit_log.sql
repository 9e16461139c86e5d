-- What was done to submissions, by whom and why, kept after the submission is gone: a submission
-- withdrawn (deleted) by an evaluator or its own vendor. No reference to the submission or the
-- account, so that the record outlives both.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    login TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('withdraw')),
    submission_id TEXT NOT NULL,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    candidate_name TEXT NOT NULL,
    candidate_version TEXT NOT NULL,
    command TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX audit_log_by_candidate ON audit_log (vendor_id, candidate_name, at);
