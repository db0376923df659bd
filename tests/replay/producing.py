"""Events for replay tests: built from the contract models, produced with
explicit record timestamps so that time boundaries are exact."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from kisalli_shared.contracts.accounts import AccountCreated
from kisalli_shared.contracts.common import Language, Person, Role
from kisalli_shared.contracts.feedback import (
    ContractSigned,
    FeedbackKind,
    FeedbackProcessed,
    Payee,
    Qualification,
    QualificationKind,
    Student,
)
from kisalli_shared.events import Envelope, Event, encode
from kisalli_shared.kafka import ensure_topics, envelope_headers
from tests.replay.running import Result, invoke


@dataclass(frozen=True)
class Produced:
    envelope: Envelope
    timestamp: datetime  # the Kafka record's timestamp


def envelope(event: Event, stream_id: str, time: datetime) -> Envelope:
    return Envelope(
        source="kisalli/test",
        type=event.type_name(),
        subject=stream_id,
        time=time,
        streamversion=1,
        correlationid=str(uuid.uuid4()),
        data=encode(event),
    )


def feedback_processed(office_id: str, time: datetime) -> Envelope:
    feedback_id = str(uuid.uuid4())
    event = FeedbackProcessed(
        feedback_id=feedback_id,
        contract_id=f"contract-{uuid.uuid4()}",
        office_id=office_id,
        kind=FeedbackKind.INTERIM,
        period_index=0,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 4, 30),
        processed_by=f"staff-{office_id}",
    )
    return envelope(event, f"feedback-{feedback_id}", time)


def contract_signed(office_id: str, student: str, time: datetime) -> Envelope:
    employer = Payee(
        name="Rakennus Virtanen Oy",
        business_id="0112038-9",
        iban="FI2112345600000785",
        contact_email="palkat@virtanen.example",
    )
    event = ContractSigned(
        contract_id=f"contract-{uuid.uuid4()}",
        office_id=office_id,
        student=Student(
            name=student,
            email=f"{student.lower()}@example.fi",
            personal_id_masked="010203-****",
        ),
        tutor=Person(name="Tuula Ohjaaja", email="tuula@virtanen.example"),
        employer=employer,
        payee=employer,
        qualification=Qualification(
            name="Talonrakennusalan ammattitutkinto",
            kind=QualificationKind.FURTHER_VOCATIONAL,
        ),
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
    )
    return envelope(event, f"contract-{event.contract_id}", time)


def account_created(name: str, time: datetime) -> Envelope:
    account_id = str(uuid.uuid4())
    event = AccountCreated(
        account_id=account_id,
        role=Role.STUDENT,
        username=name.lower(),
        email=f"{name.lower()}@example.fi",
        name=name,
        language=Language.SV,
    )
    return envelope(event, f"account-{account_id}", time)


def produce(
    kafka: str, topic: str, events: Sequence[Produced], partitions: int = 3
) -> None:
    async def send_all() -> None:
        await ensure_topics(kafka, [topic], partitions=partitions)
        producer = AIOKafkaProducer(bootstrap_servers=kafka, linger_ms=5)
        await producer.start()
        try:
            sent = [
                await producer.send(
                    topic,
                    e.envelope.to_json(),
                    key=e.envelope.subject.encode(),
                    headers=envelope_headers(e.envelope),
                    timestamp_ms=int(e.timestamp.timestamp() * 1000),
                )
                for e in events
            ]
            await asyncio.gather(*sent)
        finally:
            await producer.stop()

    asyncio.run(send_all())


def produce_raw(
    kafka: str, topic: str, values: Sequence[bytes], *, transactional: bool = False
) -> None:
    """Records as they are, in order, into a topic of one partition.

    Transactional, each record is a transaction of its own, whose commit
    marker takes an offset too: the offsets of the records have gaps.
    """

    async def send_all() -> None:
        await ensure_topics(kafka, [topic], partitions=1)
        producer = AIOKafkaProducer(
            bootstrap_servers=kafka,
            transactional_id=f"{topic}-producer" if transactional else None,
        )
        await producer.start()
        try:
            for value in values:
                if transactional:
                    async with producer.transaction():
                        await producer.send_and_wait(topic, value, key=b"k")
                else:
                    await producer.send_and_wait(topic, value, key=b"k")
        finally:
            await producer.stop()

    asyncio.run(send_all())


def replay(kafka: str, *args: str | Path) -> Result:
    """Run `kisalli-replay replay` in this process, as a user would."""
    return invoke("replay", *args, "--bootstrap", kafka, "--quiet")


def rows_of(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON Lines replay."""
    return [json.loads(line) for line in path.read_text().splitlines()]
