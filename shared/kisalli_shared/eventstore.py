"""Event stores: append to a stream at an expected version, read it back.

`PostgresEventStore` is the real one; `InMemoryEventStore` serves domain unit
tests. Both pass the same contract tests (tests/shared/test_event_store.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import asyncpg

from kisalli_shared.events import Envelope, Event, encode


class ConcurrencyError(Exception):
    """A write was made against a stale version of a stream."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(
            f"stream {stream_id} is no longer at version {expected_version}"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version


@dataclass(frozen=True)
class RecordedEvent:
    position: int
    envelope: Envelope


@dataclass(frozen=True)
class Causation:
    """Why events are written: the request or event that led to them."""

    correlation_id: str
    causation_id: str | None = None

    @classmethod
    def new(cls) -> Causation:
        return cls(correlation_id=str(uuid.uuid4()))

    def caused_by(self, envelope: Envelope) -> Causation:
        return Causation(envelope.correlationid, str(envelope.id))


class EventStore(Protocol):
    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        causation: Causation,
        conn: asyncpg.Connection | None = None,
    ) -> list[RecordedEvent]: ...

    async def read_stream(
        self, stream_id: str, after_version: int = 0
    ) -> list[Envelope]: ...

    async def read_all(
        self, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]: ...


def _envelopes(
    source: str,
    stream_id: str,
    expected_version: int,
    events: Sequence[Event],
    causation: Causation,
) -> list[Envelope]:
    now = datetime.now(UTC)
    return [
        Envelope(
            source=source,
            type=event.type_name(),
            subject=stream_id,
            time=now,
            schemaversion=event.schema_version,
            streamversion=expected_version + n,
            correlationid=causation.correlation_id,
            causationid=causation.causation_id,
            data=encode(event),
        )
        for n, event in enumerate(events, start=1)
    ]


# One statement does the version check, the append and the outbox rows, so
# that an append outside a caller's transaction is atomic and costs a single
# round trip. A racing writer that passed the check too is stopped by the
# unique constraint on (stream_id, version).
_APPEND = """
WITH current AS (
    SELECT coalesce(max(version), 0) AS version
    FROM events WHERE stream_id = $1
), appended AS (
    INSERT INTO events (event_id, stream_id, version, type, schema_version,
                        data, correlation_id, causation_id, recorded_at)
    SELECT e.event_id, $1, $2 + e.ord, e.type, e.schema_version,
           e.data::jsonb, $6, $7, $8
    FROM unnest($3::uuid[], $4::text[], $5::int[], $9::text[])
         WITH ORDINALITY AS e(event_id, type, schema_version, data, ord),
         current
    WHERE current.version = $2
    ORDER BY e.ord
    RETURNING position, version
), queued AS (
    INSERT INTO outbox (topic, message_key, event_position)
    SELECT $10, $1, position FROM appended ORDER BY position
)
SELECT position FROM appended ORDER BY position
"""

_COLUMNS = """position, event_id, stream_id, version, type, schema_version,
    data::text AS data, correlation_id, causation_id, recorded_at"""


class PostgresEventStore:
    """An event store in the service's own PostgreSQL database."""

    def __init__(self, pool: asyncpg.Pool, *, source: str, topic: str) -> None:
        self.pool = pool
        self.source = source
        self.topic = topic

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        causation: Causation,
        conn: asyncpg.Connection | None = None,
    ) -> list[RecordedEvent]:
        """Append events after `expected_version`, or raise ConcurrencyError.

        Pass `conn` to append inside the caller's transaction, together with
        whatever else that transaction writes.
        """
        if not events:
            return []
        envelopes = _envelopes(
            self.source, stream_id, expected_version, events, causation
        )
        args = (
            stream_id,
            expected_version,
            [e.id for e in envelopes],
            [e.type for e in envelopes],
            [e.schemaversion for e in envelopes],
            causation.correlation_id,
            causation.causation_id,
            envelopes[0].time,
            [json.dumps(e.data) for e in envelopes],
            self.topic,
        )
        try:
            if conn is None:
                async with self.pool.acquire() as own:
                    rows = await own.fetch(_APPEND, *args)
            else:
                rows = await conn.fetch(_APPEND, *args)
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyError(stream_id, expected_version) from exc

        # No rows: the stream was not at the expected version when we looked.
        if not rows:
            raise ConcurrencyError(stream_id, expected_version)
        return [
            RecordedEvent(row["position"], envelope)
            for row, envelope in zip(rows, envelopes, strict=True)
        ]

    async def read_stream(
        self, stream_id: str, after_version: int = 0
    ) -> list[Envelope]:
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM events"
            " WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [self._envelope(row) for row in rows]

    async def read_all(
        self, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]:
        """Read events in position order after a position.

        Positions are given out when a transaction writes, not when it
        commits; a reader tailing this while writers run may see position
        n + 1 before n. Live consumers follow Kafka instead; this serves
        rebuilds and replays.
        """
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM events"
            " WHERE position > $1 ORDER BY position LIMIT $2",
            after_position,
            limit,
        )
        return [RecordedEvent(row["position"], self._envelope(row)) for row in rows]

    async def stream_version(self, stream_id: str) -> int:
        version = await self.pool.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1",
            stream_id,
        )
        return int(version)

    def _envelope(self, row: asyncpg.Record) -> Envelope:
        return envelope_from_row(row, self.source)


def envelope_from_row(row: asyncpg.Record, source: str) -> Envelope:
    """Rebuild an envelope from an events row (columns as in _COLUMNS)."""
    return Envelope(
        id=row["event_id"],
        source=source,
        type=row["type"],
        subject=row["stream_id"],
        time=row["recorded_at"],
        schemaversion=row["schema_version"],
        streamversion=row["version"],
        correlationid=row["correlation_id"],
        causationid=row["causation_id"],
        data=json.loads(row["data"]),
    )


class InMemoryEventStore:
    """An event store in a list, for domain unit tests."""

    def __init__(self, *, source: str = "memory") -> None:
        self.source = source
        self._events: list[RecordedEvent] = []

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        causation: Causation,
        conn: asyncpg.Connection | None = None,
    ) -> list[RecordedEvent]:
        if not events:
            return []
        current = await self.stream_version(stream_id)
        if current != expected_version:
            raise ConcurrencyError(stream_id, expected_version)

        envelopes = _envelopes(
            self.source, stream_id, expected_version, events, causation
        )
        start = len(self._events)
        recorded = [
            RecordedEvent(start + n, envelope)
            for n, envelope in enumerate(envelopes, start=1)
        ]
        self._events.extend(recorded)
        return recorded

    async def read_stream(
        self, stream_id: str, after_version: int = 0
    ) -> list[Envelope]:
        return [
            r.envelope
            for r in self._events
            if r.envelope.subject == stream_id
            and r.envelope.streamversion > after_version
        ]

    async def read_all(
        self, after_position: int = 0, limit: int = 1000
    ) -> list[RecordedEvent]:
        return [r for r in self._events if r.position > after_position][:limit]

    async def stream_version(self, stream_id: str) -> int:
        versions = [
            r.envelope.streamversion
            for r in self._events
            if r.envelope.subject == stream_id
        ]
        return max(versions, default=0)
