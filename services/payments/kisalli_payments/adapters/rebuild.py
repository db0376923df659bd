"""Rebuilding the read models by replaying the event store."""

from __future__ import annotations

import asyncpg

from kisalli_payments.adapters.projections import PROJECTED_TABLES, project
from kisalli_shared.events import EventRegistry
from kisalli_shared.eventstore import envelope_from_row

_PAGE = 500
_EVENTS = """
SELECT position, event_id, stream_id, version, type, schema_version,
       data::text AS data, correlation_id, causation_id, recorded_at
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""


async def rebuild(pool: asyncpg.Pool, registry: EventRegistry, source: str) -> int:
    """Replace the projected tables with a replay of the store; return events seen."""
    async with pool.acquire() as conn, conn.transaction():
        # Writers wait on the truncation's lock until the replay commits.
        await conn.execute(f"TRUNCATE {', '.join(PROJECTED_TABLES)}")
        position, seen = 0, 0
        while True:
            rows = await conn.fetch(_EVENTS, position, _PAGE)
            if not rows:
                return seen
            for row in rows:
                envelope = envelope_from_row(row, source)
                if registry.knows(envelope.type):
                    event = registry.decode_envelope(envelope)
                    await project(conn, event, envelope)
                seen += 1
            position = rows[-1]["position"]
