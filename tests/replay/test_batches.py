"""What a replay makes of whole batches of records, read as Kafka gives them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kisalli_replay.reading import new_consumer, partitions_of, plan, read
from kisalli_replay.topics import SecretTopicRefused, Window, topics_named
from kisalli_shared.contracts.accounts import secret_links_topic
from tests.replay.producing import (
    Produced,
    account_created,
    contract_signed,
    feedback_processed,
    produce,
    produce_raw,
    replay,
)

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def mixed(count: int) -> list[Produced]:
    """Events of three types, one second apart, in no type's order."""
    made = (
        lambda n: feedback_processed(f"office-{n % 4}", START),
        lambda n: contract_signed("office-2", f"Student{n}", START),
        lambda n: account_created(f"Person{n}", START),
    )
    return [
        Produced(made[n % 3](n), START + timedelta(seconds=n)) for n in range(count)
    ]


def test_each_parquet_row_holds_its_events_envelope_whatever_the_type_next_to_it(
    kafka: str, tmp_path: Path
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.mixed"
    produced = mixed(30)
    produce(kafka, topic, produced)

    out = tmp_path / "mixed.parquet"
    result = replay(kafka, topic, "-o", out)

    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in pq.read_table(out).to_pylist()}
    assert len(rows) == len(produced)
    for event in produced:
        sent = json.loads(event.envelope.to_json())
        row = rows[sent["id"]]
        for name in ("type", "source", "subject", "streamversion", "correlationid"):
            assert row[name] == sent[name]
        assert row["time"] == event.envelope.time
        assert row["kafka_timestamp"] == event.timestamp
        assert row["key"] == event.envelope.subject
        assert row["topic"] == topic
        assert json.loads(row["data"]) == sent["data"]
        assert row["office_id"] == sent["data"].get("office_id")


def test_a_record_that_is_not_json_stops_the_replay_and_says_where_it_is(
    kafka: str, tmp_path: Path
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.broken"
    good = feedback_processed("office-1", START).to_json()
    produce_raw(kafka, topic, [good, b"Aino Virtanen, not JSON", good])

    out = tmp_path / "broken.parquet"
    result = replay(kafka, topic, "-o", out)

    assert result.exit_code == 2
    assert f"the record at {topic}:0:1 is not an event envelope" in result.stderr
    assert "Aino" not in result.output  # what it holds may be personal
    assert not out.exists()


def test_a_topic_written_in_transactions_replays_whole_despite_the_gaps_in_offsets(
    kafka: str, tmp_path: Path
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.transactions"
    sent = [feedback_processed("office-1", START) for _ in range(5)]
    produce_raw(kafka, topic, [e.to_json() for e in sent], transactional=True)

    out = tmp_path / "transactions.parquet"
    result = replay(kafka, topic, "-o", out)

    assert result.exit_code == 0, result.output
    rows = pq.read_table(out).to_pylist()
    assert [row["id"] for row in rows] == [str(e.id) for e in sent]
    # Each commit marker took the offset after its record.
    assert [row["offset"] for row in rows] == [0, 2, 4, 6, 8]


def test_reading_in_small_batches_yields_every_record_of_the_window_once(
    kafka: str,
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.batches"
    produced = mixed(60)
    produce(kafka, topic, produced)
    until = START + timedelta(seconds=45)

    consumer = new_consumer(kafka)
    try:
        spans = plan(consumer, partitions_of(consumer, [topic]), Window(until=until))
        # Batches far smaller than a fetch: reads run past the window's end.
        batches = list(read(consumer, spans, batch_size=4))
    finally:
        consumer.close()

    ids = [json.loads(value)["id"] for b in batches for value in b["value"].to_pylist()]
    expected = [str(p.envelope.id) for p in produced if p.timestamp < until]
    assert sorted(ids) == sorted(expected)
    assert all(b.num_rows <= 4 for b in batches)


@pytest.mark.parametrize("prefix", ["kisalli", "staging"])
def test_the_secret_links_topic_is_refused_under_any_prefix(prefix: str) -> None:
    with pytest.raises(SecretTopicRefused):
        topics_named([secret_links_topic(prefix)], prefix)
