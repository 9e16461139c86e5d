-- The review service's tables. One file for SQLite and PostgreSQL: only types both read alike
-- (TEXT, BIGINT, BYTEA), identifiers made by the service (TEXT), flags and times as BIGINT
-- (times in milliseconds since 1970 UTC).

CREATE TABLE vendors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('evaluator', 'vendor')),
    vendor_id TEXT REFERENCES vendors (id),
    created_at BIGINT NOT NULL,
    CHECK ((role = 'vendor' AND vendor_id IS NOT NULL) OR (role = 'evaluator' AND vendor_id IS NULL))
);

-- A browser session: the SHA-256 of its cookie's token, and the token its forms must carry.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- A token for `dialtone submit` (the SHA-256 of it; the token is shown once).
CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The public keys whose bundles a vendor's submissions may be signed with.
CREATE TABLE signing_keys (
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (vendor_id, key_id)
);

CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    vendor_id TEXT NOT NULL REFERENCES vendors (id),
    submitted_by TEXT NOT NULL REFERENCES accounts (id),
    received_at BIGINT NOT NULL,
    candidate_name TEXT NOT NULL,
    candidate_vendor TEXT NOT NULL,
    candidate_version TEXT NOT NULL,
    command TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    dialtone_version TEXT NOT NULL,
    dialtone_commit TEXT NOT NULL,
    verdict TEXT NOT NULL,
    must_failures BIGINT NOT NULL,
    cases_judged BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    warned BIGINT NOT NULL,
    signer_key_id TEXT NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    -- 1 when the bundle holds the evidence, 0 when it is a public view.
    full_view BIGINT NOT NULL,
    -- 1 when its public view is shown to everyone.
    published BIGINT NOT NULL,
    public_report TEXT NOT NULL,
    bundle BYTEA NOT NULL
);
CREATE INDEX submissions_by_candidate ON submissions (vendor_id, candidate_name, received_at);

-- Every result of a submission, in the report's order, for comparing runs.
CREATE TABLE results (
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    case_id TEXT NOT NULL,
    plan TEXT NOT NULL,
    level TEXT NOT NULL,
    verdict TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (submission_id, position)
);

-- Every PCTF criterion's status in a submission's report, for readiness.
CREATE TABLE criteria (
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    criterion_id TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (submission_id, criterion_id)
);

-- A jurisdiction's or program's PCTF criteria (space-separated ids; none: every criterion the
-- submissions test).
CREATE TABLE programs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    jurisdiction TEXT NOT NULL,
    criteria TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
