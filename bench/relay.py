"""The outbox relay: throughput from commit to readable on Kafka, and latency
at a steady rate.

Throughput: a backlog of committed events is published by one relay while a
consumer reads the topic; events/s is the backlog over the time from relay
start to the last event read. The reference, measured in the same run, is
the same number of messages sent straight to a topic by the same producer
settings, with no database in between.

Latency: events appended at a steady rate, one per transaction; each event's
latency is the time from its commit to its arrival at a consumer.

    uv run python -m bench.relay [--backlog 50000] [--rate 500] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer

from bench.common import KAFKA, percentile, scratch_database
from kisalli_shared.events import Envelope, Event
from kisalli_shared.eventstore import Causation, PostgresEventStore
from kisalli_shared.kafka import ensure_topics, new_producer
from kisalli_shared.outbox import OutboxRelay


class FeedbackSubmittedLike(Event):
    feedback_id: str
    text: str


def event() -> FeedbackSubmittedLike:
    return FeedbackSubmittedLike(feedback_id=str(uuid.uuid4()), text="x" * 300)


async def read_until(topic: str, count: int, arrivals: dict[str, float]) -> float:
    """Read `count` messages; note when each event id arrived."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KAFKA, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        while len(arrivals) < count:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    arrivals.setdefault(Envelope.from_json(record.value).subject, now)
        return time.perf_counter()
    finally:
        await consumer.stop()


async def fill_outbox(store: PostgresEventStore, backlog: int) -> None:
    # One stream per event, so that arrival can be keyed by stream id.
    for start in range(0, backlog, 500):
        async with store.pool.acquire() as conn, conn.transaction():
            for n in range(start, min(start + 500, backlog)):
                await store.append(f"s-{n}", 0, [event()], Causation.new(), conn=conn)


async def throughput(dsn: str, backlog: int) -> tuple[float, float]:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    topic = f"bench.relay.{uuid.uuid4().hex[:8]}"
    reference_topic = f"{topic}.reference"
    await ensure_topics(KAFKA, [topic, reference_topic], partitions=3)
    store = PostgresEventStore(pool, source="kisalli/bench", topic=topic)
    await fill_outbox(store, backlog)
    producer = new_producer(KAFKA, "bench-relay")
    await producer.start()

    # Reference: the same messages straight to Kafka, no database.
    envelopes = [
        Envelope(
            source="kisalli/bench",
            type="FeedbackSubmittedLike",
            subject=f"s-{n}",
            streamversion=1,
            correlationid="c",
            data=event().model_dump(),
        )
        for n in range(backlog)
    ]
    arrivals: dict[str, float] = {}
    reader = asyncio.create_task(read_until(reference_topic, backlog, arrivals))
    started = time.perf_counter()
    futures = [
        await producer.send(reference_topic, e.to_json(), key=e.subject.encode())
        for e in envelopes
    ]
    await asyncio.gather(*futures)
    reference_rate = backlog / (await reader - started)

    arrivals = {}
    reader = asyncio.create_task(read_until(topic, backlog, arrivals))
    relay = asyncio.create_task(
        OutboxRelay(pool, producer, source="kisalli/bench").run()
    )
    started = time.perf_counter()
    relay_rate = backlog / (await reader - started)
    relay.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay
    await producer.stop()
    await pool.close()
    return relay_rate, reference_rate


async def latency(dsn: str, rate: int, seconds: int) -> list[float]:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    topic = f"bench.latency.{uuid.uuid4().hex[:8]}"
    await ensure_topics(KAFKA, [topic], partitions=3)
    store = PostgresEventStore(pool, source="kisalli/bench", topic=topic)
    producer = new_producer(KAFKA, "bench-latency")
    await producer.start()
    relay = asyncio.create_task(
        OutboxRelay(pool, producer, source="kisalli/bench").run()
    )
    total = rate * seconds
    arrivals: dict[str, float] = {}
    committed: dict[str, float] = {}
    reader = asyncio.create_task(read_until(topic, total, arrivals))
    await asyncio.sleep(1.0)  # let the reader join before the first event

    async def append(n: int) -> None:
        await store.append(f"l-{n}", 0, [event()], Causation.new())
        committed[f"l-{n}"] = time.perf_counter()

    started = time.perf_counter()
    writes = []
    for n in range(total):
        # Keep a steady rate: start event n at its scheduled time.
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        writes.append(asyncio.create_task(append(n)))
    await asyncio.gather(*writes)
    await reader
    relay.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay
    await producer.stop()
    await pool.close()
    return [arrivals[k] - committed[k] for k in committed]


async def main(backlog: int, rate: int, seconds: int) -> None:
    async with scratch_database() as dsn:
        relay_rate, reference_rate = await throughput(dsn, backlog)
        print(f"throughput, {backlog} events from commit to readable:")
        print(f"  relay      {relay_rate:8.0f} events/s")
        print(
            f"  reference  {reference_rate:8.0f} events/s (producer alone, no database)"
        )
        print(f"  ratio      {relay_rate / reference_rate:8.2f}")
        latencies = await latency(dsn, rate, seconds)
        print(f"latency at {rate} events/s for {seconds} s, commit to consumer:")
        print(f"  p50 {percentile(latencies, 0.50) * 1000:7.1f} ms")
        print(f"  p99 {percentile(latencies, 0.99) * 1000:7.1f} ms")
        print(f"  max {max(latencies) * 1000:7.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.backlog, args.rate, args.seconds))
