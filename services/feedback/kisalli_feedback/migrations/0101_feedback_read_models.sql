-- depends: 0001_event_store
-- The feedback service's own tables. contract_view, schedule_items and
-- feedback_view are projections of the event store and can be rebuilt by
-- replaying it; the others are not events and are never rebuilt.

-- Personal identity codes never enter an event; they live here alone,
-- sealed with the service's key.
CREATE TABLE personal_ids (
    contract_id  text PRIMARY KEY,
    sealed       bytea NOT NULL
);

-- What a creating request made, kept for its Idempotency-Key: a retry gets
-- the same thing back instead of a second one.
CREATE TABLE idempotency_keys (
    caller       text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    resource_id  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);

-- Who is who, as the accounts service tells it (ContractMemberAssigned).
CREATE TABLE contract_members (
    contract_id     text NOT NULL,
    role            text NOT NULL,
    effective_from  date NOT NULL,
    account_id      text NOT NULL,
    PRIMARY KEY (contract_id, role, effective_from)
);
CREATE INDEX contract_members_account ON contract_members (account_id, role);

CREATE TABLE contract_view (
    contract_id           text PRIMARY KEY,
    office_id             text NOT NULL,
    student_name          text NOT NULL,
    personal_id_masked    text NOT NULL,
    tutor_name            text NOT NULL,
    employer_name         text NOT NULL,
    employer_iban_masked  text,
    qualification_name    text NOT NULL,
    qualification_kind    text NOT NULL,
    start_date            date NOT NULL,
    end_date              date NOT NULL,
    ended_early           boolean NOT NULL DEFAULT false,
    signed_at             timestamptz NOT NULL,
    version               integer NOT NULL
);
CREATE INDEX contract_view_office ON contract_view (office_id, start_date, contract_id);

-- Every document a contract's schedule asks for, and how far it has got.
CREATE TABLE schedule_items (
    contract_id     text NOT NULL,
    kind            text NOT NULL,
    period_index    integer NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    due_date        date NOT NULL,
    feedback_id     text,
    feedback_state  text,
    PRIMARY KEY (contract_id, kind, period_index)
);

CREATE TABLE feedback_view (
    feedback_id         text PRIMARY KEY,
    contract_id         text NOT NULL,
    office_id           text NOT NULL,
    kind                text NOT NULL,
    period_index        integer NOT NULL,
    period_start        date NOT NULL,
    period_end          date NOT NULL,
    state               text NOT NULL,
    version             integer NOT NULL,
    content             jsonb NOT NULL,
    content_hash        text NOT NULL,
    tutor_account_id    text,
    student_account_id  text,
    returned_by         text,
    returned_reason     text,
    submitted_at        timestamptz,
    acknowledged_at     timestamptz,
    processed_at        timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
-- One interim feedback per period; one final assessment and one
-- certificate per contract. A second start is refused by these, in the
-- same transaction as its events.
CREATE UNIQUE INDEX feedback_view_one_interim
    ON feedback_view (contract_id, period_index) WHERE kind = 'interim';
CREATE UNIQUE INDEX feedback_view_one_final
    ON feedback_view (contract_id, kind) WHERE kind <> 'interim';
CREATE INDEX feedback_view_queue ON feedback_view (office_id, state, acknowledged_at);
CREATE INDEX feedback_view_contract ON feedback_view (contract_id);
