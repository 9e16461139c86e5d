-- Failed sign-ins, counted per login and per client address over a sliding window: after too many,
-- sign-ins are refused for a while. In the database, so that the count holds across restarts and
-- is shared by every instance of the service on one PostgreSQL database.
CREATE TABLE login_failures (
    -- `login:<login>` or `address:<client address>`.
    subject TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);

CREATE INDEX login_failures_subject ON login_failures (subject, failed_at);
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);
