-- depends: 0001_event_store
-- The payments service's own tables. rate_tables, compensations, batches and
-- batch_lines are projections of the event store and can be rebuilt by
-- replaying it; payment_contracts comes from the feedback topic (with payee
-- corrections from the store); idempotency_keys are not events.

CREATE TABLE payment_contracts (
    contract_id         text PRIMARY KEY,
    office_id           text NOT NULL,
    qualification_kind  text NOT NULL,
    start_date          date NOT NULL,
    end_date            date NOT NULL,
    agreed_amounts      jsonb NOT NULL,
    payee_name          text NOT NULL,
    payee_business_id   text NOT NULL,
    payee_iban          text,
    payee_bic           text,
    payee_language      text NOT NULL,
    -- The version of the stream payee-<contract_id> (corrections by staff).
    payee_version       integer NOT NULL DEFAULT 0
);
CREATE INDEX payment_contracts_office ON payment_contracts (office_id);

CREATE TABLE rate_tables (
    office_id   text PRIMARY KEY,
    version     integer NOT NULL,
    rates       jsonb NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL
);

CREATE TABLE compensations (
    compensation_id     text PRIMARY KEY,
    contract_id         text NOT NULL,
    office_id           text NOT NULL,
    feedback_id         text NOT NULL,
    period_index        integer NOT NULL,
    period_start        date NOT NULL,
    period_end          date NOT NULL,
    paid_from           date,
    paid_to             date,
    amount              numeric(12, 2) CHECK (amount >= 0),
    months              jsonb,
    rate_table_version  integer,
    payee_name          text,
    status              text NOT NULL
        CHECK (status IN ('held', 'payable', 'nothing-to-pay', 'paid')),
    hold_reason         text,
    hold_text           text,
    batch_id            text,
    version             integer NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX compensations_office ON compensations (office_id, status, compensation_id);
CREATE INDEX compensations_contract ON compensations (contract_id);

CREATE TABLE batches (
    batch_id         text PRIMARY KEY,
    office_id        text NOT NULL,
    message_id       text NOT NULL UNIQUE,
    execution_date   date NOT NULL,
    line_count       integer NOT NULL,
    total            numeric(14, 2) NOT NULL,
    record           jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    file_sha256      text,
    file_written_at  timestamptz,
    version          integer NOT NULL
);
CREATE INDEX batches_office ON batches (office_id, created_at, batch_id);

-- The heart of paying once: a compensation is a line of one batch at most.
CREATE TABLE batch_lines (
    compensation_id  text NOT NULL,
    batch_id         text NOT NULL REFERENCES batches (batch_id),
    end_to_end_id    text NOT NULL,
    amount           numeric(12, 2) NOT NULL CHECK (amount > 0),
    CONSTRAINT batch_lines_compensation_once UNIQUE (compensation_id)
);
CREATE INDEX batch_lines_batch ON batch_lines (batch_id);

CREATE TABLE idempotency_keys (
    caller       text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    resource_id  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
