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

    def handle(records: pa.Table) -> None:
        rows = decoder.decode(records)
        sink.write(rows)
        tally.written += rows.num_rows

    consumer = new_consumer(replay.bootstrap)
    # Decoding and writing run in one worker thread while this one reads the
    # next batch; at most one batch waits for it, so memory stays bounded.
    # The worker's work is DuckDB's and Arrow's, which release the GIL.
    with (
        ThreadPoolExecutor(1, thread_name_prefix="replay-writer") as worker,
        _collecting_between_batches() as collect,
    ):
        writing: Future[None] | None = None
        try:
            partitions = partitions_of(consumer, replay.topics)
            spans = plan(consumer, partitions, replay.window)
            on_start(sum(span.size for span in spans.values()))
            for batch, records in enumerate(read(consumer, spans), 1):
                if writing is not None:
                    writing.result()
                tally.read += records.num_rows
                on_batch(records.num_rows)
                writing = worker.submit(handle, records)
                collect(batch)
            if writing is not None:
                writing.result()
        finally:
            consumer.close()
    return tally
