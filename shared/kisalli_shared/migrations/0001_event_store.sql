-- The event store, its outbox and the consumers' record of handled events.
-- Every service database has these three tables; services add their own
-- read models in later migrations.

CREATE TABLE events (
    position        bigserial PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE,
    stream_id       text NOT NULL,
    version         integer NOT NULL CHECK (version > 0),
    type            text NOT NULL,
    schema_version  integer NOT NULL,
    data            jsonb NOT NULL,
    correlation_id  text NOT NULL,
    causation_id    text,
    recorded_at     timestamptz NOT NULL,
    -- Optimistic concurrency rests on this constraint: two writers that
    -- both read version n cannot both write version n + 1.
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

-- Messages waiting for the relay. A row is deleted once Kafka has
-- acknowledged it, so a transaction that commits late is still found.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    topic           text NOT NULL,
    message_key     text NOT NULL,
    event_position  bigint REFERENCES events (position),
    payload         bytea,
    headers         jsonb NOT NULL DEFAULT '{}'::jsonb,
    enqueued_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((event_position IS NULL) <> (payload IS NULL))
);

CREATE TABLE handled_events (
    consumer    text NOT NULL,
    event_id    uuid NOT NULL,
    outcome     text NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
