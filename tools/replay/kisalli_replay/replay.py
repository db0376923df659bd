"""A replay: read a window of topics, decode, write rows to a sink."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa

from kisalli_replay.decoding import Decoder, records_table
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


async def run(
    replay: Replay,
    decoder: Decoder,
    sink: Sink,
    *,
    on_start: Callable[[int], None] = lambda total: None,
    on_batch: Callable[[int], None] = lambda count: None,
) -> Tally:
    """Replay into `sink`; `on_start` hears how many records the window holds."""
    partitions = await partitions_of(replay.bootstrap, replay.topics)
    consumer = new_consumer(replay.bootstrap)
    await consumer.start()
    tally = Tally()

    def handle(records: pa.Table) -> None:
        rows = decoder.decode(records)
        sink.write(rows)
        tally.written += rows.num_rows

    # Decoding and writing run in one worker thread while the next batch is
    # fetched; at most one batch waits for it, so memory stays bounded. The
    # worker's work is DuckDB's and Arrow's, which release the GIL; what
    # needs Python objects is done here, beside aiokafka.
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1, thread_name_prefix="replay-writer") as worker:
        writing: asyncio.Future[None] | None = None
        try:
            spans = await plan(consumer, partitions, replay.window)
            on_start(sum(span.size for span in spans.values()))
            async for batch in read(consumer, spans):
                if writing is not None:
                    await writing
                tally.read += len(batch)
                on_batch(len(batch))
                writing = loop.run_in_executor(worker, handle, records_table(batch))
            if writing is not None:
                await writing
        finally:
            await consumer.stop()
    return tally
