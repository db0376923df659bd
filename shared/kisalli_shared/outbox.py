"""The relay: publishes what the outbox holds to Kafka, in order, at least once.

Rows are read in id order and deleted only after Kafka acknowledged them, so
an event whose transaction commits after one with a later position is still
published on the next pass: nothing is skipped by a moving high-water mark.
Within one stream, version n + 1 can only be written once version n has
committed, so id order is stream order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Counter, Gauge

from kisalli_shared.eventstore import envelope_from_row
from kisalli_shared.kafka import envelope_headers

log = structlog.get_logger(__name__)

PUBLISHED = Counter(
    "kisalli_outbox_published_total", "Messages the relay published", ["topic"]
)
BACKLOG = Gauge("kisalli_outbox_backlog", "Messages waiting in the outbox")

# Only one relay of a service publishes at a time; others wait for the lock.
# Two relays could otherwise publish the same stream out of order.
_LEADER_LOCK = 0x6B69_7361_6C6C_69  # "kisalli"

_BATCH = """
SELECT o.id, o.topic, o.message_key, o.payload, o.headers::text AS headers,
       e.event_id, e.stream_id, e.version, e.type, e.schema_version,
       e.data::text AS data, e.correlation_id, e.causation_id, e.recorded_at
FROM outbox o LEFT JOIN events e ON e.position = o.event_position
ORDER BY o.id
LIMIT $1
"""


async def enqueue(
    conn: asyncpg.Connection,
    topic: str,
    key: str,
    payload: bytes,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Queue a message that is not a stored event, in the caller's transaction."""
    await conn.execute(
        "INSERT INTO outbox (topic, message_key, payload, headers)"
        " VALUES ($1, $2, $3, $4::jsonb)",
        topic,
        key,
        payload,
        json.dumps(dict(headers or {})),
    )


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        source: str,
        batch_size: int = 500,
        idle_interval: float = 0.02,
    ) -> None:
        self.pool = pool
        self.producer = producer
        self.source = source
        self.batch_size = batch_size
        self.idle_interval = idle_interval

    async def run(self) -> None:
        """Publish forever; cancel the task to stop."""
        async with self.pool.acquire() as conn:
            unlocked = False
            try:
                await self._become_leader(conn)
                await self._publish_forever(conn)
            finally:
                # A broken connection has lost the lock already.
                with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError):
                    await conn.execute("SELECT pg_advisory_unlock_all()")
                    unlocked = True
                # The pool returns connections without resetting them
                # (runtime.keep_session): one that may still hold the lock
                # is closed rather than handed to the next caller.
                if not unlocked:
                    # Unless the pool has closed it already.
                    with contextlib.suppress(asyncpg.InterfaceError):
                        conn.terminate()

    async def _publish_forever(self, conn: asyncpg.Connection) -> None:
        backoff = self.idle_interval
        while True:
            try:
                published = await self.publish_batch(conn)
            except KafkaError as exc:
                # The broker is away: the rows stay in the outbox until it is
                # back, and are sent again then.
                log.warning("outbox_publish_failed", error=repr(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = self.idle_interval
            if published == 0:
                await asyncio.sleep(self.idle_interval)

    async def _become_leader(self, conn: asyncpg.Connection) -> None:
        while True:
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK):
                break
            await asyncio.sleep(1.0)
        log.info("outbox_relay_leading", source=self.source)

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(_BATCH, self.batch_size)
        # Measured before sending, so that the gauge shows a backlog that
        # builds up while Kafka is away.
        if len(rows) < self.batch_size:
            BACKLOG.set(len(rows))
        else:
            BACKLOG.set(await conn.fetchval("SELECT count(*) FROM outbox"))
        if not rows:
            return 0

        # Send all, then wait for all: the idempotent producer keeps each
        # partition's order while several requests are in flight.
        pending = [await self._send(row) for row in rows]
        await asyncio.gather(*pending)

        # Only now are the rows safe to forget. A crash before this line
        # publishes them again: at least once.
        await conn.execute(
            "DELETE FROM outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
        )
        BACKLOG.dec(len(rows))
        for row in rows:
            PUBLISHED.labels(row["topic"]).inc()
        return len(rows)

    async def _send(self, row: asyncpg.Record) -> asyncio.Future[Any]:
        if row["payload"] is not None:
            headers = [(k, v.encode()) for k, v in json.loads(row["headers"]).items()]
            value = bytes(row["payload"])
        else:
            envelope = envelope_from_row(row, self.source)
            headers = envelope_headers(envelope)
            value = envelope.to_json()
        future: asyncio.Future[Any] = await self.producer.send(
            row["topic"], value=value, key=row["message_key"].encode(), headers=headers
        )
        return future
