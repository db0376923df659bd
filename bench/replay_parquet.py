"""Replaying a topic into Parquet, next to kcat reading the same topic.

A topic of `--events` FeedbackProcessed envelopes is filled once and reused
by later runs (its name carries the count). Then, in the same run, kcat reads
it from the beginning to /dev/null, and `kisalli-replay replay` writes it to
a Parquet file; both are subprocesses, timed from start to exit, and the
replay's peak memory is its maximum resident set (wait4's rusage).

    uv run python -m bench.replay_parquet [--events 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner
from confluent_kafka import Consumer, TopicPartition

from bench.common import KAFKA
from kisalli_shared.contracts.feedback import FeedbackKind, FeedbackProcessed
from kisalli_shared.events import Envelope
from kisalli_shared.kafka import ensure_topics

PARTITIONS = 3
TEMPLATE_ID = uuid.UUID(int=0)


def topic_size(topic: str) -> int | None:
    """Records in the topic, or None when it does not exist."""
    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": "bench-replay"})
    try:
        described = consumer.list_topics(topic, timeout=10).topics[topic]
        if described.error or not described.partitions:
            return None
        marks = [
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            for p in described.partitions
        ]
        return sum(end - first for first, end in marks)
    finally:
        consumer.close()


async def delete_topic(topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    # Deleting is asynchronous on the broker: filling too early would add to
    # the old topic.
    while topic_size(topic) is not None:
        await asyncio.sleep(0.5)


def template() -> str:
    """One envelope as JSON with holes for what varies; serialised once."""
    facts = FeedbackProcessed(
        feedback_id="@FEEDBACK@",
        contract_id="@CONTRACT@",
        office_id="@OFFICE@",
        kind=FeedbackKind.INTERIM,
        period_index=2,
        period_start=date(2025, 9, 1),
        period_end=date(2025, 12, 31),
        processed_by="@STAFF@",
    )
    envelope = Envelope(
        id=TEMPLATE_ID,
        source="kisalli/feedback",
        type=FeedbackProcessed.type_name(),
        subject="@SUBJECT@",
        time=datetime(2026, 1, 1, tzinfo=UTC),
        streamversion=4,
        correlationid="@CORRELATION@",
        data=facts.model_dump(mode="json"),
    )
    return envelope.to_json().decode()


def envelopes(count: int) -> Iterator[tuple[bytes, bytes]]:
    """Pre-serialised (key, value) pairs: a stream per feedback."""
    shape = template()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        feedback = uuid.UUID(int=n)
        subject = f"feedback-{feedback}"
        value = (
            shape.replace(str(TEMPLATE_ID), str(uuid.uuid4()))
            .replace("@FEEDBACK@", str(feedback))
            .replace("@CONTRACT@", f"contract-{n // 6}")
            .replace("@OFFICE@", f"office-{n % 7}")
            .replace("@STAFF@", f"staff-{n % 40}")
            .replace("@SUBJECT@", subject)
            .replace("@CORRELATION@", str(uuid.UUID(int=n + count)))
            .replace(
                "2026-01-01T00:00:00Z",
                (start + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
            )
        )
        yield subject.encode(), value.encode()


async def fill(topic: str, count: int) -> None:
    await ensure_topics(KAFKA, [topic], partitions=PARTITIONS)
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, acks=1, linger_ms=20, max_batch_size=1 << 20
    )
    await producer.start()
    partitioner = DefaultPartitioner()
    every = list(range(PARTITIONS))
    try:
        # Whole batches per partition, one request each: far fewer Python
        # calls than a send per message.
        batches = {p: producer.create_batch() for p in every}
        sent = []
        for key, value in envelopes(count):
            partition = partitioner(key, every, every)
            if batches[partition].append(key=key, value=value, timestamp=None) is None:
                sent.append(
                    await producer.send_batch(
                        batches[partition], topic, partition=partition
                    )
                )
                batches[partition] = producer.create_batch()
                batches[partition].append(key=key, value=value, timestamp=None)
        for partition, batch in batches.items():
            if batch.record_count():
                sent.append(
                    await producer.send_batch(batch, topic, partition=partition)
                )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def ensure_filled(topic: str, count: int) -> None:
    size = topic_size(topic)
    if size == count:
        return
    if size is not None:
        await delete_topic(topic)  # a run was interrupted while filling
    started = time.perf_counter()
    await fill(topic, count)
    print(
        f"filled {topic} with {count} events in {time.perf_counter() - started:.1f} s"
    )


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds from start to exit, and this child's peak resident set in bytes."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    # wait4 gives the usage of this one child, not the largest of all.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    return seconds, usage.ru_maxrss * 1024  # KiB on Linux


def main(count: int) -> None:
    topic = f"bench.replay.{count}"
    asyncio.run(ensure_filled(topic, count))
    kcat = shutil.which("kcat")
    if kcat is None:
        sys.exit("kcat is missing: apt-get install -y kcat (or make bench-replay)")

    kcat_seconds, _ = timed(
        [kcat, "-C", "-b", KAFKA, "-t", topic, "-o", "beginning", "-e", "-q"]
    )
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "events.parquet"
        replay_seconds, replay_peak = timed(
            [
                sys.executable,
                "-m",
                "kisalli_replay",
                "replay",
                topic,
                "--bootstrap",
                KAFKA,
                "--format",
                "parquet",
                "--output",
                str(output),
                "--quiet",
            ]
        )
        size = output.stat().st_size

    kcat_rate = count / kcat_seconds
    replay_rate = count / replay_seconds
    print(f"{count} events from {topic}:")
    print(f"  kcat to /dev/null   {kcat_rate:9.0f} events/s")
    print(
        f"  replay to Parquet   {replay_rate:9.0f} events/s ({size / 1e6:.0f} MB file)"
    )
    print(f"  ratio               {replay_rate / kcat_rate:9.2f} (target >= 0.5)")
    print(f"  replay peak memory  {replay_peak / 2**20:9.0f} MiB (target < 500)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    main(parser.parse_args().events)
