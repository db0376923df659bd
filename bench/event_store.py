"""Event store appends per second against a bare INSERT of the same rows.

Each case runs the store and the bare insert in turn, several rounds, in the
same database; the figure to quote is the median ratio store / bare.

    uv run python -m bench.event_store [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from bench.common import median, scratch_database
from kisalli_shared.events import Event
from kisalli_shared.eventstore import Causation, PostgresEventStore


class FeedbackDraftSavedLike(Event):
    """An event about the size of a saved feedback draft."""

    feedback_id: str
    text: str


PAYLOAD = "x" * 400
BARE = """
INSERT INTO bare_events (event_id, stream_id, version, type, schema_version,
                         data, correlation_id, causation_id, recorded_at)
SELECT e.event_id, $1, $2 + e.ord, e.type, 1, e.data::jsonb, $5, NULL, $6
FROM unnest($3::uuid[], $4::text[], $7::text[])
     WITH ORDINALITY AS e(event_id, type, data, ord)
"""


def event() -> FeedbackDraftSavedLike:
    return FeedbackDraftSavedLike(feedback_id=str(uuid.uuid4()), text=PAYLOAD)


async def store_append(pool: asyncpg.Pool, stream: str, version: int, n: int) -> None:
    store = PostgresEventStore(pool, source="kisalli/bench", topic="bench.events")
    await store.append(stream, version, [event() for _ in range(n)], Causation.new())


async def bare_append(pool: asyncpg.Pool, stream: str, version: int, n: int) -> None:
    events = [event() for _ in range(n)]
    await pool.execute(
        BARE,
        stream,
        version,
        [uuid.uuid4() for _ in events],
        [e.type_name() for e in events],
        str(uuid.uuid4()),
        datetime.now(UTC),
        [json.dumps(e.model_dump(mode="json")) for e in events],
    )


Append = Callable[[asyncpg.Pool, str, int, int], Awaitable[None]]


async def run_case(
    pool: asyncpg.Pool, append: Append, *, writers: int, per_txn: int, txns: int
) -> float:
    """Events per second with `writers` connections, each on its own streams."""

    run = uuid.uuid4().hex[:8]

    async def writer(w: int) -> None:
        for t in range(txns):
            # A new stream every ten transactions: streams of realistic length.
            stream = f"s-{run}-{w}-{t // 10}"
            await append(pool, stream, (t % 10) * per_txn, per_txn)

    started = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    elapsed = time.perf_counter() - started
    return writers * txns * per_txn / elapsed


CASES = {
    "one event per transaction, 1 connection": dict(writers=1, per_txn=1, txns=1500),
    "one event per transaction, 8 connections": dict(writers=8, per_txn=1, txns=400),
    "batches of 100, 1 connection": dict(writers=1, per_txn=100, txns=60),
}


async def main(rounds: int) -> None:
    async with scratch_database() as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=8, max_size=8)
        await pool.execute(
            "CREATE TABLE bare_events (LIKE events INCLUDING DEFAULTS"
            " INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )
        print(f"{'case':44} {'store ev/s':>11} {'bare ev/s':>11} {'ratio':>6}")
        for name, shape in CASES.items():
            stores, bares, ratios = [], [], []
            for _ in range(rounds):
                store = await run_case(pool, store_append, **shape)
                bare = await run_case(pool, bare_append, **shape)
                stores.append(store)
                bares.append(bare)
                ratios.append(store / bare)
            print(
                f"{name:44} {median(stores):11.0f} {median(bares):11.0f}"
                f" {median(ratios):6.2f}"
            )
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
