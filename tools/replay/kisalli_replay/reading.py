"""Reading a window of topics from Kafka in bounded batches of Arrow records.

A replay reads with confluent-kafka (librdkafka, in C), not with aiokafka as
the services do: aiokafka's Python work per record cost more than all the
rest of a replay together.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import pyarrow as pa
from confluent_kafka import (
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    TopicPartition,
)

from kisalli_replay.topics import Window

# (topic, partition)
Partition = tuple[str, int]

RECORDS = pa.schema(
    [
        ("topic", pa.string()),
        ("partition", pa.int32()),
        ("offset", pa.int64()),
        ("kafka_timestamp", pa.timestamp("ms", tz="UTC")),
        ("key", pa.binary()),
        ("value", pa.binary()),
    ]
)
TIMEOUT = 10.0  # seconds for a metadata or offsets request


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


def _raise(error: KafkaError) -> None:
    # Connection trouble is retried by librdkafka and reported here too; only
    # what it gives up on ends the replay.
    if error.fatal():
        raise KafkaException(error)


def new_consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            # The client wants a group, but partitions are assigned, never
            # subscribed: no group is joined and no offset is committed.
            "group.id": "kisalli-replay",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
            # librdkafka waits a whole second before fetching again once its
            # queue was full; a replay drains it in milliseconds.
            "fetch.queue.backoff.ms": 10,
            # What librdkafka prefetches, at most: it bounds memory. Bounded
            # by bytes alone (not by a count of messages, whose default let
            # the queue run dry between fetches), with fetches large enough
            # that the broker is asked seldom: a third of the reading time.
            "queued.max.messages.kbytes": 32 << 10,
            "queued.min.messages": 10_000_000,
            "max.partition.fetch.bytes": 8 << 20,
            # How long the broker holds a fetch that finds nothing new: the
            # end of a partition with gaps in its offsets is known no sooner.
            "fetch.wait.max.ms": 100,
            "error_cb": _raise,
        }
    )


def partitions_of(consumer: Consumer, topics: list[str]) -> list[Partition]:
    found = []
    for topic in topics:
        described = consumer.list_topics(topic, timeout=TIMEOUT).topics.get(topic)
        if described is None or described.error or not described.partitions:
            raise TopicMissing(f"topic {topic} does not exist")
        found += [(topic, p) for p in described.partitions]
    return sorted(found)


def _offsets_at(
    consumer: Consumer, partitions: list[Partition], moment: datetime
) -> dict[Partition, int | None]:
    """The first offset whose record timestamp is at or after `moment`."""
    millis = int(moment.timestamp() * 1000)
    asked = [TopicPartition(t, p, millis) for t, p in partitions]
    found = consumer.offsets_for_times(asked, timeout=TIMEOUT)
    return {
        (tp.topic, tp.partition): (None if tp.offset == OFFSET_END else tp.offset)
        for tp in found
    }


def plan(
    consumer: Consumer, partitions: list[Partition], window: Window
) -> dict[Partition, Span]:
    """Fix each partition's span now, so that reading ends at 'now'."""
    marks = {
        (t, p): consumer.get_watermark_offsets(
            TopicPartition(t, p), timeout=TIMEOUT, cached=False
        )
        for t, p in partitions
    }
    since = _offsets_at(consumer, partitions, window.since) if window.since else {}
    until = _offsets_at(consumer, partitions, window.until) if window.until else {}

    spans = {}
    for partition, (first, end) in marks.items():
        stop = until.get(partition)
        if stop is not None:
            end = min(end, stop)
        start = window.start_offset(*partition)
        if start is None and window.since:
            start = since.get(partition)
            if start is None:
                start = end  # no record at or after `since`
        if start is None:
            start = first
        spans[partition] = Span(max(start, first), end)
    return spans


def records_table(messages: list[Message]) -> pa.Table:
    """The records' coordinates and bytes as Arrow columns, without a loop.

    The values are joined into one buffer that Arrow takes as it is.
    """
    values: list[Any] = list(map(Message.value, messages))
    if None in values:  # a tombstone: no envelope, as decoding will say
        values = [value or b"" for value in values]
    ends = pa.array(itertools.accumulate(map(len, values), initial=0), pa.int32())
    value = pa.Array.from_buffers(
        pa.binary(),
        len(values),
        [None, ends.buffers()[1], pa.py_buffer(b"".join(values))],
    )
    return pa.table(
        [
            pa.array(map(Message.topic, messages), pa.string()),
            pa.array(map(Message.partition, messages), pa.int32()),
            pa.array(map(Message.offset, messages), pa.int64()),
            pa.array(
                map(itemgetter(1), map(Message.timestamp, messages)),
                pa.timestamp("ms", tz="UTC"),
            ),
            pa.array(map(Message.key, messages), pa.binary()),
            value,
        ],
        schema=RECORDS,
    )


def _before_ends(records: pa.Table, beyond: dict[Partition, int]) -> pa.Table:
    """Leave out records at or after their partition's end."""
    import pyarrow.compute as pc  # seldom needed, slow to import

    outside: Any = None
    for (topic, partition), end in beyond.items():
        here = pc.and_(
            pc.and_(
                pc.equal(records["topic"], topic),
                pc.equal(records["partition"], partition),
            ),
            pc.greater_equal(records["offset"], end),
        )
        outside = here if outside is None else pc.or_(outside, here)
    return records.filter(pc.invert(outside))


def read(
    consumer: Consumer,
    spans: Mapping[Partition, Span],
    *,
    batch_size: int = 20_000,
) -> Iterator[pa.Table]:
    """Yield the records of every span in tables of at most `batch_size` rows."""
    # The next offset to read of every partition not yet at its end.
    pending = {p: span.start for p, span in spans.items() if span.size}
    if not pending:
        return
    consumer.assign([TopicPartition(t, p, at) for (t, p), at in pending.items()])

    while pending:
        # Ask for no more than is left, so that the last call returns as soon
        # as the records are in: the end-of-partition events come a fetch
        # later, and only matter where offsets have gaps.
        left = sum(spans[p].end - at for p, at in pending.items())
        messages = consumer.consume(num_messages=min(batch_size, left), timeout=1.0)
        done = _ended(messages)
        if done:
            messages = [m for m in messages if m.error() is None]

        # Positions, not counts: offsets may have gaps (transaction markers).
        beyond = {}
        for position in consumer.position([TopicPartition(*p) for p in pending]):
            partition, at = (position.topic, position.partition), position.offset
            end = spans[partition].end
            pending[partition] = max(at, pending[partition])
            if at >= end:
                done.add(partition)
            if at > end:
                beyond[partition] = end
        if done & pending.keys():
            consumer.incremental_unassign(
                [TopicPartition(*p) for p in done & pending.keys()]
            )
            for partition in done:
                pending.pop(partition, None)

        if messages:
            records = records_table(messages)
            del messages  # the caller may collect garbage: less to look at
            yield _before_ends(records, beyond) if beyond else records


def _ended(messages: list[Message]) -> set[Partition]:
    """Partitions that reached their end; any other error ends the replay."""
    ended = set()
    for failed in itertools.compress(messages, map(Message.error, messages)):
        error = failed.error()
        if error is not None and error.code() != KafkaError._PARTITION_EOF:
            raise KafkaException(error)
        ended.add((str(failed.topic()), int(failed.partition() or 0)))
    return ended
