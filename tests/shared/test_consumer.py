"""The consumer runner against real PostgreSQL and a real Kafka broker."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from kisalli_shared.consumer import EventConsumer, Handler
from kisalli_shared.events import Envelope, Event
from kisalli_shared.kafka import dead_letter_topic, ensure_topics, new_producer
from tests.conftest import TopicFactory
from tests.kafka_reading import read_topic
from tests.shared.events_for_tests import NoteWritten, registry


@pytest.fixture
async def producer(kafka: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = new_producer(kafka, "test-producer")
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def notes_table(pool: asyncpg.Pool) -> asyncpg.Pool:
    await pool.execute("CREATE TABLE notes (text text NOT NULL)")
    return pool


async def write_note(conn: asyncpg.Connection, event: Event, _: Envelope) -> None:
    assert isinstance(event, NoteWritten)
    if event.text == "poison":
        raise ValueError("this note can never be written")
    await conn.execute("INSERT INTO notes (text) VALUES ($1)", event.text)


def note(text: str, stream: str = "n-1", version: int = 1) -> Envelope:
    return Envelope(
        source="kisalli/test",
        type="NoteWritten",
        subject=stream,
        streamversion=version,
        correlationid=str(uuid.uuid4()),
        data={"text": text},
    )


async def make_consumer(
    pool: asyncpg.Pool, producer: AIOKafkaProducer, kafka: str, topic: str
) -> EventConsumer:
    group = f"test-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [dead_letter_topic(group)], partitions=1)
    return EventConsumer(
        group_id=group,
        topics=[topic],
        bootstrap=kafka,
        pool=pool,
        registry=registry,
        handlers={"NoteWritten": write_note},
        producer=producer,
        max_attempts=3,
        first_backoff=0.01,
    )


async def send(producer: AIOKafkaProducer, topic: str, *messages: Envelope) -> None:
    for message in messages:
        await producer.send_and_wait(
            topic, message.to_json(), key=message.subject.encode()
        )


async def consume_until(
    consumer: EventConsumer, pool: asyncpg.Pool, handled: int
) -> None:
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(30):
            while await pool.fetchval("SELECT count(*) FROM handled_events") < handled:
                await asyncio.sleep(0.05)
            # Give a redelivered copy time to arrive and be skipped.
            await asyncio.sleep(0.5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def notes(pool: asyncpg.Pool) -> list[str]:
    return [r["text"] for r in await pool.fetch("SELECT text FROM notes")]


async def test_an_event_delivered_twice_has_its_effect_once(
    notes_table: asyncpg.Pool,
    producer: AIOKafkaProducer,
    new_topic: TopicFactory,
    kafka: str,
):
    topic = await new_topic()
    consumer = await make_consumer(notes_table, producer, kafka, topic)
    once = note("hello")

    await send(producer, topic, once, once, note("world", "n-2"))
    await consume_until(consumer, notes_table, handled=2)

    assert sorted(await notes(notes_table)) == ["hello", "world"]


async def test_an_event_delivered_twice_at_the_same_time_has_its_effect_once(
    notes_table: asyncpg.Pool,
    producer: AIOKafkaProducer,
    new_topic: TopicFactory,
    kafka: str,
):
    topic = await new_topic(partitions=1)
    consumer = await make_consumer(notes_table, producer, kafka, topic)
    await send(producer, topic, note("hello"))
    [record] = await read_topic(kafka, topic, at_least=1)

    outcomes = await asyncio.gather(*(consumer.handle(record) for _ in range(4)))

    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "handled"]
    assert await notes(notes_table) == ["hello"]


async def test_a_poison_event_is_dead_lettered_and_later_events_are_handled(
    notes_table: asyncpg.Pool,
    producer: AIOKafkaProducer,
    new_topic: TopicFactory,
    kafka: str,
):
    topic = await new_topic(partitions=1)
    consumer = await make_consumer(notes_table, producer, kafka, topic)
    poison = note("poison", "n-2")

    await send(producer, topic, note("before"), poison, note("after", "n-3"))
    await consume_until(consumer, notes_table, handled=3)

    assert sorted(await notes(notes_table)) == ["after", "before"]
    [dead] = await read_topic(kafka, consumer.dead_letter_topic, at_least=1)
    headers = dict(dead.headers)
    assert Envelope.from_json(dead.value).id == poison.id
    assert headers["dlt_attempts"] == b"3"
    assert headers["dlt_error_type"] == b"ValueError"
    assert headers["dlt_topic"] == topic.encode()


async def test_a_message_that_is_not_an_event_is_dead_lettered_at_once(
    notes_table: asyncpg.Pool,
    producer: AIOKafkaProducer,
    new_topic: TopicFactory,
    kafka: str,
):
    topic = await new_topic(partitions=1)
    consumer = await make_consumer(notes_table, producer, kafka, topic)
    await producer.send_and_wait(topic, b"{not json", key=b"x")
    await send(producer, topic, note("after"))

    await consume_until(consumer, notes_table, handled=1)

    assert await notes(notes_table) == ["after"]
    [dead] = await read_topic(kafka, consumer.dead_letter_topic, at_least=1)
    assert dead.value == b"{not json"
    assert dict(dead.headers)["dlt_attempts"] == b"1"


def slow_writer(member: str) -> Handler:
    async def write(conn: asyncpg.Connection, event: Event, _: Envelope) -> None:
        assert isinstance(event, NoteWritten)
        await asyncio.sleep(0.005)  # slow enough that the group changes midway
        await conn.execute(
            "INSERT INTO notes (text, member) VALUES ($1, $2)", event.text, member
        )

    return write


async def test_events_are_handled_once_while_consumers_join_and_leave_the_group(
    notes_table: asyncpg.Pool,
    producer: AIOKafkaProducer,
    new_topic: TopicFactory,
    kafka: str,
):
    await notes_table.execute("ALTER TABLE notes ADD COLUMN member text")
    topic = await new_topic(partitions=3)
    group = f"test-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [dead_letter_topic(group)], partitions=1)

    def member(name: str) -> EventConsumer:
        return EventConsumer(
            group_id=group,
            topics=[topic],
            bootstrap=kafka,
            pool=notes_table,
            registry=registry,
            handlers={"NoteWritten": slow_writer(name)},
            producer=producer,
        )

    sent = [note(str(n), f"n-{n % 12}", n // 12 + 1) for n in range(600)]
    await send(producer, topic, *sent)

    async def handled() -> int:
        return int(await notes_table.fetchval("SELECT count(*) FROM notes"))

    first_task = asyncio.create_task(member("first").run())
    second_task = None
    try:
        async with asyncio.timeout(90):
            while await handled() < 100:
                await asyncio.sleep(0.01)
            # A second member joins mid-stream: the group rebalances.
            second_task = asyncio.create_task(member("second").run())
            while await handled() < 300:
                await asyncio.sleep(0.01)
            # The first leaves mid-stream: its partitions move to the second.
            first_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await first_task
            while await handled() < 600:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
    finally:
        for task in (first_task, second_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    rows = await notes_table.fetch("SELECT text, member FROM notes")
    assert sorted(int(r["text"]) for r in rows) == list(range(600))
    assert {r["member"] for r in rows} == {"first", "second"}


async def test_a_consumer_stopped_while_it_connects_closes_what_it_opened(
    pool, producer, kafka, new_topic
):
    topic = await new_topic()
    consumer = await make_consumer(pool, producer, kafka, topic)
    task = asyncio.create_task(consumer.run())
    await asyncio.sleep(0.01)

    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    # A consumer left half-started warns when collected; warnings are errors.
    gc.collect()
    assert consumer._consumer is None
