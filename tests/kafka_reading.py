"""Reading a topic back in tests, from the beginning, until enough arrived."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

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


async def consumer_joined(kafka: str, group: str, timeout: float = 15.0) -> None:
    """Wait until the service's consumer has joined its group.

    Stopping a consumer while aiokafka bootstraps it leaks that bootstrap
    connection, which warnings-as-errors turn into a failed test.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                described = await admin.describe_consumer_groups([group])
            except KafkaError:
                # The first group of a new broker waits for its coordinator.
                await asyncio.sleep(0.1)
                continue
            states = [g[2] for response in described for g in response.groups]
            if states == ["Stable"]:
                return
            await asyncio.sleep(0.05)
    finally:
        await admin.close()
