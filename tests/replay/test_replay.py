"""Replaying topics of real Kafka into files and DuckDB."""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from kisalli_shared.kafka import event_topic
from tests.replay.producing import (
    Produced,
    account_created,
    contract_signed,
    feedback_processed,
    produce,
    replay,
    rows_of,
)

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


def minutely(count: int) -> list[Produced]:
    """Events whose record timestamps are one minute apart from START."""
    return [
        Produced(feedback_processed("office-1", START), START + timedelta(minutes=n))
        for n in range(count)
    ]


def test_replay_from_a_time_returns_exactly_the_events_at_or_after_it(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    produced = minutely(12)
    produce(kafka, event_topic("feedback", prefix), produced)
    boundary = START + timedelta(minutes=5)

    out = tmp_path / "since.jsonl"
    result = replay(
        kafka,
        "feedback",
        "--prefix",
        prefix,
        "--since",
        boundary.isoformat(),
        "-o",
        out,
    )

    assert result.exit_code == 0, result.output
    expected = {str(p.envelope.id) for p in produced if p.timestamp >= boundary}
    assert {row["id"] for row in rows_of(out)} == expected
    assert len(expected) == 7


def test_replay_up_to_a_time_leaves_out_the_events_from_that_time_on(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    produced = minutely(12)
    produce(kafka, event_topic("feedback", prefix), produced)
    since, until = START + timedelta(minutes=2), START + timedelta(minutes=9)

    out = tmp_path / "window.jsonl"
    replay(
        kafka,
        "feedback",
        "--prefix",
        prefix,
        "-o",
        out,
        "--since",
        since.isoformat(),
        "--until",
        until.isoformat(),
    )

    expected = {str(p.envelope.id) for p in produced if since <= p.timestamp < until}
    assert {row["id"] for row in rows_of(out)} == expected


def test_replay_starts_a_partition_at_the_given_offset(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    topic = f"{prefix}.raw"
    produced = minutely(10)
    produce(kafka, topic, produced, partitions=1)

    out = tmp_path / "offsets.jsonl"
    replay(kafka, topic, "--offset", "0:6", "-o", out)

    rows = rows_of(out)
    assert [row["offset"] for row in rows] == [6, 7, 8, 9]
    assert [row["id"] for row in rows] == [str(p.envelope.id) for p in produced[6:]]


def mixed_history(prefix: str, kafka: str) -> list[Produced]:
    feedback = [
        Produced(feedback_processed(f"office-{n % 3}", START), START) for n in range(17)
    ] + [
        Produced(contract_signed("office-1", f"Student{n}", START), START)
        for n in range(5)
    ]
    accounts = [Produced(account_created(f"Person{n}", START), START) for n in range(8)]
    produce(kafka, event_topic("feedback", prefix), feedback)
    produce(kafka, event_topic("accounts", prefix), accounts)
    return feedback + accounts


def count_rows(path: Path) -> Counter[str]:
    """Events per type in a replay's output, whatever its format."""
    if path.suffix == ".jsonl":
        return Counter(row["type"] for row in rows_of(path))
    if path.suffix == ".csv":
        with path.open(newline="") as lines:
            return Counter(row["type"] for row in csv.DictReader(lines))
    if path.suffix == ".parquet":
        return Counter(pq.read_table(path, columns=["type"])["type"].to_pylist())
    with duckdb.connect(str(path), read_only=True) as db:
        return Counter(
            dict(db.sql("SELECT type, count(*) FROM events GROUP BY type").fetchall())
        )


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet", ".duckdb"])
def test_every_format_holds_as_many_events_as_were_produced(
    kafka: str, prefix: str, tmp_path: Path, suffix: str
) -> None:
    produced = mixed_history(prefix, kafka)

    out = tmp_path / f"all{suffix}"
    result = replay(kafka, "feedback", "accounts", "--prefix", prefix, "-o", out)

    assert result.exit_code == 0, result.output
    assert count_rows(out) == Counter(p.envelope.type for p in produced)
    assert f"{len(produced)} of {len(produced)} events written" in result.stderr


def test_replay_keeps_only_the_chosen_event_types_of_the_chosen_offices(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    produced = mixed_history(prefix, kafka)

    out = tmp_path / "chosen.jsonl"
    replay(
        kafka,
        "feedback",
        "accounts",
        "--prefix",
        prefix,
        "-o",
        out,
        "--type",
        "FeedbackProcessed",
        "--type",
        "AccountCreated",
        "--office",
        "office-1",
        "--office",
        "office-2",
    )

    # Accounts created name no office, so no office's filter keeps them.
    expected = [
        p.envelope.id
        for p in produced
        if p.envelope.type == "FeedbackProcessed"
        and p.envelope.data["office_id"] in {"office-1", "office-2"}
    ]
    assert sorted(row["id"] for row in rows_of(out)) == sorted(map(str, expected))


def test_duckdb_answers_how_many_feedbacks_each_office_processed_each_month(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    months = [datetime(2025, m, 10, tzinfo=UTC) for m in (1, 2, 3)]
    produced = [
        Produced(
            feedback_processed(f"office-{n % 3}", months[n % 2 + n % 3 // 2]), START
        )
        for n in range(40)
    ]
    produce(kafka, event_topic("feedback", prefix), produced)

    out = tmp_path / "history.duckdb"
    replay(kafka, "feedback", "--prefix", prefix, "-o", out)

    with duckdb.connect(str(out), read_only=True) as db:
        answer = db.sql(
            "SELECT office_id, strftime(event_time, '%Y-%m') AS month, count(*)"
            " FROM feedback_processed GROUP BY ALL"
        ).fetchall()
    expected = Counter(
        (p.envelope.data["office_id"], p.envelope.time.strftime("%Y-%m"))
        for p in produced
    )
    assert {(office, month): n for office, month, n in answer} == expected
    assert len(expected) > 3


def test_pseudonyms_stay_the_same_with_the_same_key_and_change_with_another(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    produce(
        kafka,
        event_topic("feedback", prefix),
        [Produced(contract_signed("office-1", "Aino", START), START)],
    )
    produce(
        kafka,
        event_topic("accounts", prefix),
        [Produced(account_created("Aino", START), START)],
    )

    def pseudonymised(key: str, name: str) -> dict[str, dict[str, object]]:
        out = tmp_path / f"{name}.jsonl"
        replay(
            kafka,
            "feedback",
            "accounts",
            "--prefix",
            prefix,
            "-o",
            out,
            "--pseudonym-key",
            key,
        )
        assert "aino" not in out.read_text().lower()
        return {row["type"]: row["data"] for row in rows_of(out)}

    first = pseudonymised("analyst-key", "first")
    again = pseudonymised("analyst-key", "again")
    other = pseudonymised("another-key", "other")

    assert first == again
    contract, account = first["ContractSigned"], first["AccountCreated"]
    assert contract["student"]["email"] == account["email"]  # the same person
    assert other["AccountCreated"]["email"] != account["email"]
    assert contract["qualification"]["name"] == "Talonrakennusalan ammattitutkinto"
    assert contract["office_id"] == other["ContractSigned"]["office_id"] == "office-1"


def test_replay_refuses_the_topic_that_carries_secret_links(
    kafka: str, tmp_path: Path
) -> None:
    out = tmp_path / "secrets.jsonl"

    result = replay(kafka, "kisalli.accounts.secret-links", "-o", out)

    assert result.exit_code == 2
    assert "secret links" in result.stderr
    assert not out.exists()


def test_replay_of_a_topic_that_does_not_exist_says_so(
    kafka: str, prefix: str, tmp_path: Path
) -> None:
    out = tmp_path / "none.parquet"

    result = replay(kafka, "payments", "--prefix", prefix, "-o", out)

    assert result.exit_code == 2
    assert f"topic {prefix}.payments.events does not exist" in result.stderr
    assert not out.exists()
