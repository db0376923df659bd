-- depends: 0001_event_store
-- Read models of the account streams, kept in the same transaction as each
-- append and rebuildable from the events (kisalli_accounts.adapters.projection).

CREATE TABLE accounts (
    account_id  uuid PRIMARY KEY,
    role        text NOT NULL,
    username    text NOT NULL,
    email       text NOT NULL,
    name        text NOT NULL,
    language    text NOT NULL,
    office_id   text,
    activated   boolean NOT NULL DEFAULT false,
    version     integer NOT NULL
);

-- Usernames and email addresses in their canonical form (NFKC + case
-- folding). The primary key is what keeps two people from one name, also
-- when two requests race: both insert in the transaction of their append.
CREATE TABLE claimed_names (
    canonical   text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('username', 'email')),
    account_id  uuid NOT NULL
);
CREATE INDEX claimed_names_account ON claimed_names (account_id);

-- Offices whose staff may manage an account: their own staff, and the
-- tutors and apprentices of their contracts.
CREATE TABLE account_offices (
    account_id  uuid NOT NULL,
    office_id   text NOT NULL,
    PRIMARY KEY (account_id, office_id)
);
CREATE INDEX account_offices_office ON account_offices (office_id);
