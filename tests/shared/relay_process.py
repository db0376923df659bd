"""Runs one outbox relay as its own process, so a test can SIGKILL it."""

from __future__ import annotations

import asyncio
import sys

import asyncpg

from kisalli_shared.kafka import new_producer
from kisalli_shared.outbox import OutboxRelay


async def main(dsn: str, kafka: str, batch_size: int) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    producer = new_producer(kafka, "relay-under-test")
    await producer.start()
    relay = OutboxRelay(pool, producer, source="kisalli/test", batch_size=batch_size)
    await relay.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
