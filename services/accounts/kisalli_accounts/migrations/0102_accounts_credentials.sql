-- depends: 0101_accounts_read_models
-- Secrets and operational state. None of it is an event: password hashes,
-- hashes of one-time tokens, sessions and counters of failed attempts.

CREATE TABLE credentials (
    account_id     uuid PRIMARY KEY,
    password_hash  text NOT NULL,
    changed_at     timestamptz NOT NULL
);

-- SHA-256 of activation and reset tokens; the tokens themselves are only in
-- the emails.
CREATE TABLE secret_tokens (
    token_hash  bytea PRIMARY KEY,
    account_id  uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('activation', 'password_reset')),
    request_id  text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX secret_tokens_account ON secret_tokens (account_id);

CREATE TABLE sessions (
    session_id  uuid PRIMARY KEY,
    account_id  uuid NOT NULL,
    started_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    end_reason  text
);
CREATE INDEX sessions_account ON sessions (account_id) WHERE ended_at IS NULL;

-- Each refresh token is used once; a used one coming back means it was
-- stolen, and its session ends.
CREATE TABLE refresh_tokens (
    token_hash   bytea PRIMARY KEY,
    session_id   uuid NOT NULL REFERENCES sessions (session_id),
    issued_at    timestamptz NOT NULL,
    replaced_at  timestamptz
);

-- Failed logins per account, or per unknown login name so that locking
-- does not tell which names exist.
CREATE TABLE login_failures (
    key             text PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0,
    last_failed_at  timestamptz,
    locked_until    timestamptz
);

CREATE TABLE rate_limit_hits (
    bucket  text NOT NULL,
    hit_at  timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_bucket ON rate_limit_hits (bucket, hit_at);

CREATE TABLE idempotent_requests (
    scope        text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    status       integer NOT NULL,
    body         jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
