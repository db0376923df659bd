"""One service process: its database pool, relay, consumer and HTTP app.

A service runs its HTTP API, its outbox relay and its consumer in one process,
so one Deployment scales all three; only one relay leads at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from kisalli_shared.consumer import EventConsumer, Handler
from kisalli_shared.events import EventRegistry
from kisalli_shared.eventstore import PostgresEventStore
from kisalli_shared.kafka import (
    consumer_group,
    dead_letter_topic,
    ensure_topics,
    event_topic,
    new_producer,
)
from kisalli_shared.migrations import apply_migrations
from kisalli_shared.outbox import OutboxRelay
from kisalli_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)


async def keep_session(connection: asyncpg.Connection) -> None:
    """Return a pooled connection as it is, with no reset query.

    asyncpg rolls back an open transaction in any case; its default reset
    also unlocks advisory locks, closes cursors, unlistens and resets
    settings, a round trip on every release (six for a feedback
    submission). No code here leaves such state on a pooled connection but
    the outbox relay's leader lock, which the relay lets go of itself.
    """


@dataclass
class ServiceSpec:
    """What makes one service different from another."""

    name: str
    registry: EventRegistry
    migrations: Path | None = None
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Other services whose event topics this one consumes, and topics beyond
    # them (as "<service>.<name>", prefixed at start).
    subscribes_to: list[str] = field(default_factory=list)
    extra_subscriptions: list[str] = field(default_factory=list)
    # Topics this service owns besides its event topic, with their configs.
    extra_topics: dict[str, dict[str, str]] = field(default_factory=dict)


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec, settings: ServiceSettings) -> None:
        self.spec = spec
        self.settings = settings
        self._pool: asyncpg.Pool | None = None
        self._producer: AIOKafkaProducer | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the service has not started")
        return self._pool

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("the service has not started")
        return self._producer

    @property
    def topic(self) -> str:
        return event_topic(self.spec.name, self.settings.topic_prefix)

    @property
    def group(self) -> str:
        return consumer_group(self.spec.name, self.settings.topic_prefix)

    def topic_named(self, name: str) -> str:
        return f"{self.settings.topic_prefix}.{name}"

    @property
    def store(self) -> PostgresEventStore:
        return PostgresEventStore(
            self.pool, source=f"kisalli/{self.spec.name}", topic=self.topic
        )

    async def start(self, *, background: bool = True) -> None:
        spec, settings = self.spec, self.settings
        dirs = [spec.migrations] if spec.migrations else []
        applied = await asyncio.to_thread(apply_migrations, settings.dsn, *dirs)
        self._pool = await asyncpg.create_pool(
            settings.dsn,
            min_size=1,
            max_size=settings.database_pool_size,
            reset=keep_session,
        )
        # The topics this service reads are made too, so that its consumer
        # is assigned partitions even when it starts before their owner.
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            [
                self.topic,
                dead_letter_topic(self.group),
                *(event_topic(s, settings.topic_prefix) for s in spec.subscribes_to),
            ],
            partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
        )
        for name, config in spec.extra_topics.items():
            await ensure_topics(
                settings.kafka_bootstrap_servers,
                [self.topic_named(name)],
                partitions=settings.topic_partitions,
                replication_factor=settings.topic_replication_factor,
                config=config,
            )
        self._producer = new_producer(settings.kafka_bootstrap_servers, spec.name)
        await self._producer.start()
        log.info("service_started", migrations_applied=applied)
        if background:
            self._spawn("relay", lambda: self.relay().run())
            if spec.handlers:
                self._spawn("consumer", lambda: self.consumer().run())

    def relay(self) -> OutboxRelay:
        return OutboxRelay(self.pool, self.producer, source=f"kisalli/{self.spec.name}")

    def consumer(self) -> EventConsumer:
        return EventConsumer(
            group_id=self.group,
            topics=[
                *(
                    event_topic(s, self.settings.topic_prefix)
                    for s in self.spec.subscribes_to
                ),
                *map(self.topic_named, self.spec.extra_subscriptions),
            ],
            bootstrap=self.settings.kafka_bootstrap_servers,
            pool=self.pool,
            registry=self.spec.registry,
            handlers=self.spec.handlers,
            producer=self.producer,
        )

    def _spawn(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            # A background loop that dies must not die silently: log it and
            # start a fresh one.
            while True:
                try:
                    await loop()
                    return
                except Exception:
                    log.exception("background_task_crashed", task=name)
                    await asyncio.sleep(1.0)

        self._tasks.append(asyncio.create_task(guarded(), name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def check_database(self) -> None:
        await self.pool.fetchval("SELECT 1")

    async def check_kafka(self) -> None:
        await asyncio.wait_for(self.producer.client.fetch_all_metadata(), 5.0)

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()
