"""What the benchmarks share: a throwaway database, servers from the env."""

from __future__ import annotations

import os
import statistics
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from kisalli_shared.migrations import apply_migrations
from kisalli_shared.settings import with_database

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql://kisalli:kisalli@127.0.0.1:55432/postgres"
)
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(DATABASE_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    dsn = with_database(DATABASE_URL, name)
    apply_migrations(dsn)
    try:
        yield dsn
    finally:
        admin = await asyncpg.connect(DATABASE_URL)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
