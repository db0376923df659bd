from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import asyncpg
import pytest

from kisalli_shared.kafka import ensure_topics
from kisalli_shared.migrations import apply_migrations
from kisalli_shared.settings import with_database
from tests.servers import Servers, find_servers


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    with find_servers() as found:
        yield found


@pytest.fixture(scope="session")
def kafka(servers: Servers) -> str:
    return servers.kafka


@pytest.fixture
async def database(servers: Servers) -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(servers.database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield with_database(servers.database_url, name)
    admin = await asyncpg.connect(servers.database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def event_store_db(database: str) -> str:
    """A new database with the shared event-store tables."""
    apply_migrations(database)
    return database


@pytest.fixture
async def pool(event_store_db: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(event_store_db, min_size=1, max_size=10)
    yield pool
    await pool.close()


TopicFactory = Callable[..., Awaitable[str]]


@pytest.fixture
def new_topic(kafka: str) -> TopicFactory:
    """Make a topic no other test uses."""

    async def make(prefix: str = "test", partitions: int = 3) -> str:
        topic = f"{prefix}.{uuid.uuid4().hex[:10]}"
        await ensure_topics(kafka, [topic], partitions=partitions)
        return topic

    return make
