"""The relay against real PostgreSQL and a real Kafka broker."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from kisalli_shared.events import Envelope
from kisalli_shared.eventstore import Causation, PostgresEventStore
from kisalli_shared.kafka import new_producer
from kisalli_shared.outbox import OutboxRelay
from tests.conftest import TopicFactory
from tests.kafka_reading import envelopes, read_topic
from tests.servers import Servers, start_kafka, stop_kafka
from tests.shared.events_for_tests import NoteWritten

RELAY_PROCESS = Path(__file__).with_name("relay_process.py")


@pytest.fixture
async def relay(pool: asyncpg.Pool, kafka: str) -> AsyncIterator[OutboxRelay]:
    producer = new_producer(kafka, "test-relay")
    await producer.start()
    yield OutboxRelay(pool, producer, source="kisalli/test")
    await producer.stop()


def assert_each_stream_in_order(received: list[Envelope]) -> None:
    """Redeliveries may repeat a version; a version never comes before its
    predecessor's first delivery."""
    seen: dict[str, list[int]] = defaultdict(list)
    for envelope in received:
        versions = seen[envelope.subject]
        if envelope.streamversion not in versions:
            versions.append(envelope.streamversion)
    for stream, versions in seen.items():
        assert versions == list(range(1, len(versions) + 1)), stream


async def outbox_size(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


async def test_an_event_whose_transaction_commits_late_still_reaches_kafka(
    pool: asyncpg.Pool, relay: OutboxRelay, new_topic: TopicFactory, kafka: str
):
    topic = await new_topic()
    store = PostgresEventStore(pool, source="kisalli/test", topic=topic)
    a_conn = await pool.acquire()
    a_transaction = a_conn.transaction()
    await a_transaction.start()
    await store.append(
        "a-1",
        0,
        [NoteWritten(text="a1"), NoteWritten(text="a2")],
        Causation.new(),
        conn=a_conn,
    )
    await store.append("b-1", 0, [NoteWritten(text="b1")], Causation.new())

    async with pool.acquire() as relay_conn:
        first_pass = await relay.publish_batch(relay_conn)
        await a_transaction.commit()
        await pool.release(a_conn)
        second_pass = await relay.publish_batch(relay_conn)

    assert (first_pass, second_pass) == (1, 2)
    received = envelopes(await read_topic(kafka, topic, at_least=3))
    assert sorted(e.data["text"] for e in received) == ["a1", "a2", "b1"]
    assert_each_stream_in_order(received)
    assert {r.key for r in await read_topic(kafka, topic, at_least=3)} == {
        b"a-1",
        b"b-1",
    }


async def test_a_relay_killed_mid_batch_loses_nothing_committed_and_sends_nothing_rolled_back(  # noqa: E501
    pool: asyncpg.Pool, event_store_db: str, new_topic: TopicFactory, kafka: str
):
    topic = await new_topic()
    store = PostgresEventStore(pool, source="kisalli/test", topic=topic)
    committed = []
    for n in range(3000):
        [recorded] = await store.append(
            f"s-{n % 30}", n // 30, [NoteWritten(text=str(n))], Causation.new()
        )
        committed.append(recorded.envelope.id)
    rolled_back = []
    async with pool.acquire() as conn:
        with contextlib.suppress(RuntimeError):
            async with conn.transaction():
                recorded_list = await store.append(
                    "doomed-1",
                    0,
                    [NoteWritten(text="never")],
                    Causation.new(),
                    conn=conn,
                )
                rolled_back = [r.envelope.id for r in recorded_list]
                raise RuntimeError("roll back")

    async def run_relay_until(stop_when_outbox_below: int) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(RELAY_PROCESS), event_store_db, kafka, "50"
        )
        try:
            async with asyncio.timeout(60):
                while await outbox_size(pool) >= stop_when_outbox_below:
                    await asyncio.sleep(0.005)
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()

    await run_relay_until(stop_when_outbox_below=2000)
    left_after_kill = await outbox_size(pool)
    await run_relay_until(stop_when_outbox_below=1)

    assert 0 < left_after_kill < 3000
    received = envelopes(await read_topic(kafka, topic, at_least=3000))
    ids = {e.id for e in received}
    assert ids >= set(committed)
    assert not ids & set(rolled_back)
    assert_each_stream_in_order(received)


async def test_events_appended_while_the_broker_is_down_arrive_once_it_is_back(
    pool: asyncpg.Pool,
    relay: OutboxRelay,
    new_topic: TopicFactory,
    kafka: str,
    servers: Servers,
):
    if not servers.can_restart_kafka:
        pytest.skip("the broker was given from outside; this test cannot stop it")
    topic = await new_topic()
    store = PostgresEventStore(pool, source="kisalli/test", topic=topic)
    relaying = asyncio.create_task(relay.run())
    appended = []

    async def append_some(count: int) -> None:
        for _ in range(count):
            n = len(appended)
            [recorded] = await store.append(
                f"s-{n % 5}", n // 5, [NoteWritten(text=str(n))], Causation.new()
            )
            appended.append(recorded.envelope.id)
            await asyncio.sleep(0.01)

    try:
        await append_some(50)
        await asyncio.to_thread(stop_kafka)
        await append_some(100)
        await asyncio.to_thread(start_kafka)
        await append_some(50)
        async with asyncio.timeout(90):
            while await outbox_size(pool):
                await asyncio.sleep(0.1)
    finally:
        relaying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relaying

    received = envelopes(await read_topic(kafka, topic, at_least=200))
    assert {e.id for e in received} >= set(appended)
    assert_each_stream_in_order(received)
