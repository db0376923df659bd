"""A replay: read a window of topics, decode, write rows to a sink."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyarrow as pa

from kisalli_replay.decoding import Decoder
from kisalli_replay.reading import new_consumer, partitions_of, plan, read
from kisalli_replay.sinks import Sink
from kisalli_replay.topics import Window


@dataclass(frozen=True)
class Replay:
    topics: list[str]
    bootstrap: str
    window: Window = field(default_factory=Window)


@dataclass
class Tally:
    read: int = 0
    written: int = 0


COLLECT_EVERY = 10  # batches


@contextmanager
def _collecting_between_batches() -> Iterator[Callable[[int], object]]:
    """Garbage collection only when called, over what the replay made.

    Every record becomes a Message object the collector tracks, so it would
    run every few hundred records and look at every one: a third of a
    replay's time went there. Freezing what exists (the imported modules)
    and collecting every few batches keeps memory bounded at a small cost.
    """
    gc.freeze()
    gc.disable()
    try:
        yield lambda batch: batch % COLLECT_EVERY or gc.collect()
    finally:
        gc.enable()
        gc.unfreeze()


class _Stages:
    """Decoding and writing, each in a thread of its own, a batch at a time.

    While the caller reads batch n+2, one thread decodes n+1 and the other
    writes n: DuckDB and Arrow release the GIL, so the three overlap. Each
    stage holds one batch at most, so memory stays bounded.
    """

    def __init__(self, decoder: Decoder, sink: Sink, tally: Tally) -> None:
        self._decoder, self._sink, self._tally = decoder, sink, tally
        self._decoding = ThreadPoolExecutor(1, thread_name_prefix="replay-decoder")
        self._writing = ThreadPoolExecutor(1, thread_name_prefix="replay-writer")
        self._decoded: Future[pa.Table] | None = None
        self._written: Future[None] | None = None

    def put(self, records: pa.Table) -> None:
        self._hand_on()
        self._decoded = self._decoding.submit(self._decoder.decode, records)

    def finish(self) -> None:
        self._hand_on()
        if self._written is not None:
            self._written.result()

    def _hand_on(self) -> None:
        if self._decoded is None:
            return
        rows, self._decoded = self._decoded.result(), None
        if self._written is not None:
            self._written.result()
        self._written = self._writing.submit(self._sink.write, rows)
        self._tally.written += rows.num_rows

    def close(self) -> None:
        self._decoding.shutdown()
        self._writing.shutdown()


def run(
    replay: Replay,
    decoder: Decoder,
    sink: Sink,
    *,
    on_start: Callable[[int], None] = lambda total: None,
    on_batch: Callable[[int], None] = lambda count: None,
) -> Tally:
    """Replay into `sink`; `on_start` hears how many records the window holds."""
    tally = Tally()
    consumer = new_consumer(replay.bootstrap)
    stages = _Stages(decoder, sink, tally)
    with _collecting_between_batches() as collect:
        try:
            partitions = partitions_of(consumer, replay.topics)
            spans = plan(consumer, partitions, replay.window)
            on_start(sum(span.size for span in spans.values()))
            for batch, records in enumerate(read(consumer, spans), 1):
                tally.read += records.num_rows
                on_batch(records.num_rows)
                stages.put(records)
                collect(batch)
            stages.finish()
        finally:
            stages.close()
            consumer.close()
    return tally
