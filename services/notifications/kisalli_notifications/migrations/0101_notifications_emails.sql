-- depends: 0001_event_store
-- Every email decided on, and where its delivery stands. A row is written
-- in the transaction that handles the event calling for it; the delivery
-- loop sends it. Its history is the email's event stream (email-<id>).

CREATE TABLE emails (
    email_id         uuid PRIMARY KEY,
    -- The event the email answers, or reminders:<date>.
    cause            text NOT NULL,
    correlation_id   text NOT NULL,
    recipient        text NOT NULL,
    recipient_key    text NOT NULL,
    template         text NOT NULL,
    language         text NOT NULL,
    office_id        text,
    -- The facts the template shows; never a secret.
    context          jsonb NOT NULL,
    -- A sealed secret link, opened only while sending; dropped once the
    -- email is sent or given up.
    sealed_link      text,
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    smtp_code        integer,
    stream_version   integer NOT NULL DEFAULT 1,
    queued_at        timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    -- One email per cause, person and template, however often the cause
    -- is delivered or replayed.
    CONSTRAINT emails_once UNIQUE (cause, recipient_key, template)
);

CREATE INDEX emails_due ON emails (next_attempt_at)
    WHERE state IN ('pending', 'sending');
CREATE INDEX emails_by_office ON emails (office_id, state, queued_at);
