"""Reading a topic back in tests, from the beginning, until enough arrived."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from kisalli_shared.events import Envelope


async def read_topic(
    kafka: str, topic: str, *, at_least: int, timeout: float = 30.0
) -> list[ConsumerRecord[Any, Any]]:
    """Read every message of a topic; wait until there are `at_least`."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord[Any, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for batch in batches.values():
                records.extend(batch)
            if len(records) >= at_least and not batches:
                break
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return records


def envelopes(records: list[ConsumerRecord[Any, Any]]) -> list[Envelope]:
    return [Envelope.from_json(r.value) for r in records]
