"""Aggregates read from the event store, and events written with their read models."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from kisalli_feedback.adapters.projections import project
from kisalli_feedback.domain import contract as contracts
from kisalli_feedback.domain import feedback as documents
from kisalli_feedback.domain.contract import Contract
from kisalli_feedback.domain.feedback import Feedback
from kisalli_shared.events import Event, EventRegistry
from kisalli_shared.eventstore import Causation, PostgresEventStore, RecordedEvent

AlsoWrite = Callable[[asyncpg.Connection], Awaitable[None]]


class Repository:
    def __init__(self, store: PostgresEventStore, registry: EventRegistry) -> None:
        self.store = store
        self.registry = registry

    @property
    def pool(self) -> asyncpg.Pool:
        return self.store.pool

    async def _events(self, stream_id: str) -> list[Event]:
        envelopes = await self.store.read_stream(stream_id)
        return [self.registry.decode_envelope(e) for e in envelopes]

    async def contract(self, contract_id: str) -> Contract | None:
        return contracts.contract_from(
            await self._events(contracts.stream_of(contract_id))
        )

    async def feedback(self, feedback_id: str) -> Feedback | None:
        return documents.feedback_from(
            await self._events(documents.stream_of(feedback_id))
        )

    async def record(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        causation: Causation,
        also: AlsoWrite | None = None,
    ) -> list[RecordedEvent]:
        """Append events and update the read models, in one transaction.

        Raises ConcurrencyError when the stream moved past `expected_version`;
        nothing is written then.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            recorded = await self.store.append(
                stream_id, expected_version, events, causation, conn=conn
            )
            for event, written in zip(events, recorded, strict=True):
                await project(conn, event, written.envelope)
            if also is not None:
                await also(conn)
        return recorded
