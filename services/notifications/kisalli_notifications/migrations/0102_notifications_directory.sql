-- depends: 0101_notifications_emails
-- What notifications knows from other services' events: whom to write to,
-- in which language, and where each contract's feedback stands. Rebuilt by
-- replaying those topics; the emails table keeps a replay from re-sending.

CREATE TABLE directory_accounts (
    account_id  text PRIMARY KEY,
    username    text NOT NULL,
    email       text NOT NULL,
    name        text NOT NULL,
    language    text NOT NULL,
    office_id   text
);

CREATE TABLE directory_contracts (
    contract_id    text PRIMARY KEY,
    office_id      text NOT NULL,
    start_date     date NOT NULL,
    end_date       date NOT NULL,
    student        jsonb NOT NULL,
    tutor          jsonb NOT NULL,
    payee          jsonb,
    payee_name     text NOT NULL,
    qualification  text NOT NULL
);

CREATE TABLE directory_feedback (
    feedback_id    text PRIMARY KEY,
    contract_id    text NOT NULL,
    kind           text NOT NULL,
    period_index   integer NOT NULL,
    period_end     date NOT NULL,
    state          text NOT NULL,
    submitted_on   date
);
CREATE INDEX directory_feedback_contract ON directory_feedback (contract_id);

-- Events about a contract that arrived before the contract itself (topics
-- and partitions keep no order between them); handled when it arrives.
CREATE TABLE awaiting_contract (
    event_id     uuid PRIMARY KEY,
    contract_id  text NOT NULL,
    envelope     jsonb NOT NULL
);
CREATE INDEX awaiting_contract_by_contract ON awaiting_contract (contract_id);

-- The last day each reminder item was told, e.g. late:<contract>:<period>.
CREATE TABLE reminded (
    item_key     text PRIMARY KEY,
    reminded_on  date NOT NULL
);
