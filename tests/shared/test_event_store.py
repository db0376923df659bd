"""One contract, run against every event store (the in-memory one included)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from kisalli_shared.eventstore import (
    Causation,
    ConcurrencyError,
    EventStore,
    InMemoryEventStore,
    PostgresEventStore,
)
from tests.shared.events_for_tests import CounterIncremented, NoteWritten


@pytest.fixture(params=["memory", "postgres"])
def store(request: pytest.FixtureRequest) -> EventStore:
    if request.param == "memory":
        return InMemoryEventStore(source="kisalli/test")
    pool: asyncpg.Pool = request.getfixturevalue("pool")
    return PostgresEventStore(pool, source="kisalli/test", topic="test.events")


async def test_appended_events_are_read_back_in_order(store: EventStore):
    cause = Causation.new()

    await store.append("counter-1", 0, [CounterIncremented(by=1)], cause)
    await store.append(
        "counter-1", 1, [CounterIncremented(by=2), NoteWritten(text="ä")], cause
    )

    stream = await store.read_stream("counter-1")
    assert [(e.streamversion, e.type, e.data) for e in stream] == [
        (1, "CounterIncremented", {"by": 1}),
        (2, "CounterIncremented", {"by": 2}),
        (3, "NoteWritten", {"text": "ä"}),
    ]
    assert {e.correlationid for e in stream} == {cause.correlation_id}


async def test_an_append_at_a_stale_version_is_refused(store: EventStore):
    await store.append("counter-1", 0, [CounterIncremented()], Causation.new())

    with pytest.raises(ConcurrencyError):
        await store.append("counter-1", 0, [CounterIncremented()], Causation.new())

    assert len(await store.read_stream("counter-1")) == 1


async def test_an_append_ahead_of_the_stream_is_refused(store: EventStore):
    with pytest.raises(ConcurrencyError):
        await store.append("counter-1", 3, [CounterIncremented()], Causation.new())

    assert await store.read_stream("counter-1") == []


async def test_reading_a_stream_after_a_version_skips_earlier_events(
    store: EventStore,
):
    events = [CounterIncremented(by=n) for n in range(1, 5)]
    await store.append("counter-1", 0, events, Causation.new())

    later = await store.read_stream("counter-1", after_version=2)

    assert [e.data["by"] for e in later] == [3, 4]


async def test_read_all_returns_every_stream_after_a_position(store: EventStore):
    await store.append("a-1", 0, [NoteWritten(text="one")], Causation.new())
    first = await store.read_all()
    await store.append("b-1", 0, [NoteWritten(text="two")], Causation.new())
    await store.append("a-1", 1, [NoteWritten(text="three")], Causation.new())

    rest = await store.read_all(after_position=first[-1].position)

    assert [r.envelope.data["text"] for r in rest] == ["two", "three"]
    assert rest[0].position < rest[1].position


async def test_events_caused_by_another_event_carry_its_id(store: EventStore):
    [first] = await store.append("a-1", 0, [NoteWritten(text="x")], Causation.new())

    cause = Causation.new().caused_by(first.envelope)
    [second] = await store.append("b-1", 0, [NoteWritten(text="y")], cause)

    assert second.envelope.causationid == str(first.envelope.id)
    assert second.envelope.correlationid == first.envelope.correlationid


@pytest.mark.parametrize("existing", [0, 2], ids=["new stream", "existing stream"])
async def test_two_concurrent_appends_at_one_version_leave_exactly_one_winner(
    pool: asyncpg.Pool, existing: int
):
    store = PostgresEventStore(pool, source="kisalli/test", topic="test.events")
    if existing:
        await store.append(
            "race-1", 0, [CounterIncremented()] * existing, Causation.new()
        )

    async def writer(by: int) -> str:
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                await store.append(
                    "race-1",
                    existing,
                    [CounterIncremented(by=by)],
                    Causation.new(),
                    conn=conn,
                )
            except ConcurrencyError:
                await transaction.rollback()
                return "lost"
            # Hold the transaction open so that the other writer overlaps it.
            await asyncio.sleep(0.3)
            await transaction.commit()
            return "won"

    results = await asyncio.gather(writer(10), writer(20))

    assert sorted(results) == ["lost", "won"]
    stream = await store.read_stream("race-1")
    assert len(stream) == existing + 1
