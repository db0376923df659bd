"""The read models' rebuild as the analysts' tool calls it.

`kisalli-replay rebuild feedback` finds `rebuild` here. It needs only the
service's database: the replay runs through the same projections the live
service runs (adapters/rebuild.py), so no Kafka and no HTTP are involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from kisalli_feedback.adapters.rebuild import differences
from kisalli_feedback.adapters.rebuild import rebuild as replace_read_models
from kisalli_feedback.bootstrap import NAME, spec


@dataclass(frozen=True)
class RebuildReport:
    replayed: int
    differences: list[str]


async def rebuild(dsn: str, *, dry_run: bool) -> RebuildReport:
    """Replay the store into the read models; with dry_run, only compare.

    Either way the differences between the live read models and a replay
    are told, one line per row, before anything is replaced.
    """
    registry = spec().registry
    source = f"kisalli/{NAME}"
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        found = await differences(pool, registry, source)
        lines = [
            f"{table}: {side.replace('_', ' ')}: {row}"
            for table, sides in found.items()
            for side, rows in sides.items()
            for row in rows
        ]
        if dry_run:
            replayed = await pool.fetchval("SELECT count(*) FROM events")
        else:
            replayed = await replace_read_models(pool, registry, source)
        return RebuildReport(replayed=int(replayed), differences=lines)
    finally:
        await pool.close()
