"""Read models rebuilt from the event store, and what a rebuild would change.

A service's read models are tables its projection writes in the transaction
of each append. Replaying the whole store through the same projection into
emptied tables gives them again, so a lost or drifted read model is never a
loss. A dry run replays inside a transaction it rolls back and tells the
rows that differ, changing nothing.

Each service names its tables and its projection in a `Projection`;
`kisalli_<service>.readmodels:rebuild` hands that to `rebuild_database`
for the analysts' `kisalli-replay rebuild <service>`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from kisalli_shared.events import Envelope, Event, EventRegistry
from kisalli_shared.eventstore import envelope_from_row

Project = Callable[[asyncpg.Connection, Event, Envelope], Awaitable[None]]
# Every row of every projected table as canonical JSON, counted.
Snapshot = dict[str, Counter[str]]

_PAGE = 500
_EVENTS = """
SELECT position, event_id, stream_id, version, type, schema_version,
       data::text AS data, correlation_id, causation_id, recorded_at
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""


@dataclass(frozen=True)
class Projection:
    """What a service projects: from which events, into which tables."""

    source: str
    registry: EventRegistry
    tables: Sequence[str]
    project: Project


@dataclass(frozen=True)
class RebuildReport:
    replayed: int
    # One line per row: "<table>: only live: <row>" or "... only replayed: ...".
    differences: list[str]


async def rebuild(pool: asyncpg.Pool, projection: Projection) -> int:
    """Replace the read models with a replay of the store; return events seen."""
    async with pool.acquire() as conn, conn.transaction():
        return await _replay(conn, projection)


async def differences(
    pool: asyncpg.Pool, projection: Projection
) -> dict[str, dict[str, list[str]]]:
    """Rows that differ between the live tables and a replay, per table."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            live = await snapshot(conn, projection.tables)
            await _replay(conn, projection)
            replayed = await snapshot(conn, projection.tables)
        finally:
            await transaction.rollback()
    found = {}
    for table in projection.tables:
        only_live = sorted((live[table] - replayed[table]).elements())
        only_replayed = sorted((replayed[table] - live[table]).elements())
        if only_live or only_replayed:
            found[table] = {"only_live": only_live, "only_replayed": only_replayed}
    return found


async def snapshot(conn: asyncpg.Connection, tables: Sequence[str]) -> Snapshot:
    taken: Snapshot = {}
    for table in tables:
        rows = await conn.fetch(f"SELECT to_jsonb(t)::text AS row FROM {table} t")
        taken[table] = Counter(row["row"] for row in rows)
    return taken


async def rebuild_database(
    dsn: str, projection: Projection, *, dry_run: bool
) -> RebuildReport:
    """Compare the read models with a replay, then replace them unless dry_run.

    Needs only the service's database: no Kafka, no HTTP.
    """
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        found = await differences(pool, projection)
        lines = [
            f"{table}: {side.replace('_', ' ')}: {row}"
            for table, sides in found.items()
            for side, rows in sides.items()
            for row in rows
        ]
        if dry_run:
            replayed = await pool.fetchval("SELECT count(*) FROM events")
        else:
            replayed = await rebuild(pool, projection)
        return RebuildReport(replayed=int(replayed), differences=lines)
    finally:
        await pool.close()


async def _replay(conn: asyncpg.Connection, projection: Projection) -> int:
    # Writers wait on the truncation's lock until the replay commits, so no
    # live projection interleaves with it.
    await conn.execute(f"TRUNCATE {', '.join(projection.tables)}")
    position, seen = 0, 0
    while rows := await conn.fetch(_EVENTS, position, _PAGE):
        for row in rows:
            envelope = envelope_from_row(row, projection.source)
            if projection.registry.knows(envelope.type):
                event = projection.registry.decode_envelope(envelope)
                await projection.project(conn, event, envelope)
            seen += 1
        position = rows[-1]["position"]
    return seen
