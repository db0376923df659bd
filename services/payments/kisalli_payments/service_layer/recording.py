"""Appending events together with their read model rows, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from kisalli_payments.adapters.projections import project
from kisalli_shared.events import Event
from kisalli_shared.eventstore import Causation, ConcurrencyError, PostgresEventStore


class Recorder:
    def __init__(self, store: PostgresEventStore) -> None:
        self.store = store

    async def record(
        self,
        conn: asyncpg.Connection,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        causation: Causation,
    ) -> int:
        """Append and project; return the stream's new version.

        Raises ConcurrencyError when the stream moved on; the caller's
        transaction is then still usable (the attempt ran in a savepoint).
        """
        if not events:
            return expected_version
        async with conn.transaction():
            recorded = await self.store.append(
                stream_id, expected_version, events, causation, conn=conn
            )
            for event, done in zip(events, recorded, strict=True):
                await project(conn, event, done.envelope)
        return recorded[-1].envelope.streamversion

    async def record_once(
        self,
        conn: asyncpg.Connection,
        stream_id: str,
        events: Sequence[Event],
        causation: Causation,
    ) -> bool:
        """Start a stream; False when it had been started already."""
        try:
            await self.record(conn, stream_id, 0, events, causation)
        except ConcurrencyError:
            return False
        return True
