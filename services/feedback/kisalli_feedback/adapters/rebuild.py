"""Rebuilding the read models by replaying the event store.

`rebuild` truncates the projected tables and replays every event through the
same projection code the live path uses. `differences` does the same inside
a transaction it rolls back, and tells what the live tables hold that a
replay would not give (and the other way round), without changing anything.
"""

from __future__ import annotations

from collections import Counter

import asyncpg

from kisalli_feedback.adapters.projections import PROJECTED_TABLES, project
from kisalli_shared.events import EventRegistry
from kisalli_shared.eventstore import envelope_from_row

_BATCH = 500
_EVENTS = """
SELECT position, event_id, stream_id, version, type, schema_version,
       data::text AS data, correlation_id, causation_id, recorded_at
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""

Snapshot = dict[str, Counter[str]]


async def rebuild(pool: asyncpg.Pool, registry: EventRegistry, source: str) -> int:
    """Replace the read models with a replay of the store; return events seen."""
    async with pool.acquire() as conn, conn.transaction():
        return await _replay(conn, registry, source)


async def differences(
    pool: asyncpg.Pool, registry: EventRegistry, source: str
) -> dict[str, dict[str, list[str]]]:
    """Rows that differ between the live tables and a replay, per table."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            live = await snapshot(conn)
            await _replay(conn, registry, source)
            replayed = await snapshot(conn)
        finally:
            await transaction.rollback()
    found = {}
    for table in PROJECTED_TABLES:
        only_live = sorted((live[table] - replayed[table]).elements())
        only_replayed = sorted((replayed[table] - live[table]).elements())
        if only_live or only_replayed:
            found[table] = {"only_live": only_live, "only_replayed": only_replayed}
    return found


async def snapshot(conn: asyncpg.Connection) -> Snapshot:
    """Every row of every projected table, as canonical JSON."""
    taken: Snapshot = {}
    for table in PROJECTED_TABLES:
        rows = await conn.fetch(f"SELECT to_jsonb(t)::text AS row FROM {table} t")
        taken[table] = Counter(row["row"] for row in rows)
    return taken


async def _replay(
    conn: asyncpg.Connection, registry: EventRegistry, source: str
) -> int:
    # Writers wait on this lock until the rebuild commits, so no live
    # projection interleaves with the replay.
    await conn.execute(f"TRUNCATE {', '.join(PROJECTED_TABLES)}")
    position, seen = 0, 0
    while True:
        rows = await conn.fetch(_EVENTS, position, _BATCH)
        if not rows:
            return seen
        for row in rows:
            envelope = envelope_from_row(row, source)
            if registry.knows(envelope.type):
                await project(conn, registry.decode_envelope(envelope), envelope)
            seen += 1
        position = rows[-1]["position"]
