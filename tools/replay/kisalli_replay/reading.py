"""Reading a window of topics from Kafka in bounded batches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from kisalli_replay.topics import Window

Record: TypeAlias = ConsumerRecord[bytes, bytes]


class TopicMissing(LookupError):
    pass


@dataclass(frozen=True)
class Span:
    """Offsets [start, end) of one partition."""

    start: int
    end: int

    @property
    def size(self) -> int:
        return max(0, self.end - self.start)


def new_consumer(bootstrap: str) -> AIOKafkaConsumer:
    # No group: a replay commits nothing and disturbs no service's offsets.
    # Fetches of a few MB keep the buffers small; no CRC checks, the broker
    # checked them when they were written.
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        check_crcs=False,
        max_partition_fetch_bytes=2 << 20,
        fetch_max_bytes=8 << 20,
    )


async def partitions_of(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    found = []
    for topic in described:
        if topic["error_code"] or not topic["partitions"]:
            raise TopicMissing(f"topic {topic['topic']} does not exist")
        found += [
            TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"]
        ]
    return sorted(found)


async def _offsets_at(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], moment: datetime
) -> Mapping[TopicPartition, int | None]:
    """The first offset whose record timestamp is at or after `moment`."""
    millis = int(moment.timestamp() * 1000)
    found = await consumer.offsets_for_times({tp: millis for tp in partitions})
    return {tp: (at.offset if at else None) for tp, at in found.items()}


async def plan(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], window: Window
) -> dict[TopicPartition, Span]:
    """Fix each partition's span now, so that reading ends at 'now'."""
    first = await consumer.beginning_offsets(partitions)
    ends = await consumer.end_offsets(partitions)
    since = (
        await _offsets_at(consumer, partitions, window.since) if window.since else {}
    )
    until = (
        await _offsets_at(consumer, partitions, window.until) if window.until else {}
    )

    spans = {}
    for tp in partitions:
        end = ends[tp]
        stop = until.get(tp)
        if stop is not None:
            end = min(end, stop)
        start = window.start_offset(tp.topic, tp.partition)
        if start is None and window.since:
            start = since.get(tp)
            if start is None:
                start = end  # no record at or after `since`
        if start is None:
            start = first[tp]
        spans[tp] = Span(max(start, first[tp]), end)
    return spans


async def read(
    consumer: AIOKafkaConsumer,
    spans: Mapping[TopicPartition, Span],
    *,
    batch_size: int = 20_000,
) -> AsyncIterator[list[Record]]:
    """Yield the records of every span in batches of at most `batch_size`."""
    pending = {tp for tp, span in spans.items() if span.size}
    if not pending:
        return
    consumer.assign(list(pending))
    for tp in pending:
        consumer.seek(tp, spans[tp].start)

    while pending:
        fetched: dict[TopicPartition, list[Any]] = await consumer.getmany(
            *pending, timeout_ms=1000, max_records=batch_size
        )
        batch: list[Record] = []
        for tp, records in fetched.items():
            end = spans[tp].end
            if records and records[-1].offset >= end:
                records = [r for r in records if r.offset < end]
            batch += records
        # Positions, not counts: offsets may have gaps (transaction markers).
        for tp in list(pending):
            if await consumer.position(tp) >= spans[tp].end:
                pending.discard(tp)
                consumer.pause(tp)
        if batch:
            yield batch
