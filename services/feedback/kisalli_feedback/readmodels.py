"""The read models' rebuild as the analysts' tool calls it.

`kisalli-replay rebuild feedback` finds `rebuild` here; the replay runs
through the projection the live service runs.
"""

from __future__ import annotations

from kisalli_feedback.bootstrap import projection
from kisalli_shared.readmodels import RebuildReport, rebuild_database


async def rebuild(dsn: str, *, dry_run: bool) -> RebuildReport:
    return await rebuild_database(dsn, projection(), dry_run=dry_run)
