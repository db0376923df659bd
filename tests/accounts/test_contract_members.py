"""Signed contracts give their tutor and apprentice accounts, reused by email."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import Any

from aiokafka import AIOKafkaProducer

from kisalli_shared.contracts.accounts import (
    ContractMemberAssigned,
    SecretLinkKind,
)
from kisalli_shared.contracts.common import Person, Role
from kisalli_shared.contracts.feedback import (
    ContractSigned,
    ContractTutorChanged,
    Payee,
    Qualification,
    QualificationKind,
    Student,
)
from kisalli_shared.events import Envelope, Event, encode
from kisalli_shared.kafka import event_topic
from tests.accounts.people import GOOD_PASSWORD, People
from tests.kafka_reading import envelopes, read_topic

TUTOR = Person(name="Teemu Työpaikkaohjaaja", email="teemu@firma.fi")


def signed(student_name: str, student_email: str, *, tutor: Person = TUTOR) -> Event:
    employer = Payee(name="Firma Oy", business_id="1234567-8")
    return ContractSigned(
        contract_id=str(uuid.uuid4()),
        office_id="office-1",
        student=Student(
            name=student_name, email=student_email, personal_id_masked="010203-****"
        ),
        tutor=tutor,
        employer=employer,
        payee=employer,
        qualification=Qualification(
            name="Sähköalan perustutkinto",
            kind=QualificationKind.VOCATIONAL_UPPER_SECONDARY,
        ),
        start_date=date(2025, 8, 1),
        end_date=date(2027, 7, 31),
    )


async def publish(kafka: str, prefix: str, *events: Event) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        for event in events:
            contract_id = event.contract_id  # type: ignore[attr-defined]
            envelope = Envelope(
                source="kisalli/feedback",
                type=event.type_name(),
                subject=f"contract-{contract_id}",
                streamversion=1,
                correlationid=str(uuid.uuid4()),
                data=encode(event),
            )
            await producer.send_and_wait(
                event_topic("feedback", prefix),
                envelope.to_json(),
                key=envelope.subject.encode(),
            )
    finally:
        await producer.stop()


async def assignments(kafka: str, prefix: str, at_least: int) -> list[Envelope]:
    records = await read_topic(
        kafka, event_topic("accounts", prefix), at_least=at_least
    )
    return [e for e in envelopes(records) if e.type == "ContractMemberAssigned"]


async def test_a_tutor_with_two_apprentices_has_one_account(
    people: People, kafka, settings
):
    first = signed("Anna Opiskelija", "anna@example.fi")
    second = signed(
        "Bertil Studerande",
        "bertil@example.fi",
        tutor=TUTOR.model_copy(update={"email": "TEEMU@Firma.fi"}),
    )

    await publish(kafka, settings.topic_prefix, first, second)
    # 3 accounts x (created, activation) + 4 assignments
    assigned = [
        ContractMemberAssigned.model_validate(e.data)
        for e in await assignments(kafka, settings.topic_prefix, at_least=10)
    ]
    links = await people.links(3)

    tutors = [a for a in assigned if a.role is Role.TUTOR]
    assert len(tutors) == 2
    assert tutors[0].account_id == tutors[1].account_id
    assert {t.contract_id for t in tutors} == {
        first.contract_id,  # type: ignore[attr-defined]
        second.contract_id,  # type: ignore[attr-defined]
    }
    assert len({a.account_id for a in assigned if a.role is Role.STUDENT}) == 2
    activations = [k for k in links if k.kind is SecretLinkKind.ACTIVATION]
    assert sorted(k.email for k in activations) == [
        "anna@example.fi",
        "bertil@example.fi",
        "teemu@firma.fi",
    ]
    assert {k.username for k in activations} >= {"teemu.tyopaikkaohjaaja"}


async def test_a_new_tutor_of_a_contract_is_assigned_from_the_change_date(
    people: People, kafka, settings
):
    contract = signed("Anna Opiskelija", "anna@example.fi")
    change = ContractTutorChanged(
        contract_id=contract.contract_id,  # type: ignore[attr-defined]
        office_id="office-1",
        tutor=Person(name="Uusi Ohjaaja", email="uusi@firma.fi"),
        effective_from=date(2026, 1, 1),
    )

    await publish(kafka, settings.topic_prefix, contract, change)
    assigned = [
        ContractMemberAssigned.model_validate(e.data)
        for e in await assignments(kafka, settings.topic_prefix, at_least=9)
    ]

    tutors = [a for a in assigned if a.role is Role.TUTOR]
    assert [t.effective_from for t in tutors] == [date(2025, 8, 1), date(2026, 1, 1)]
    assert tutors[0].account_id != tutors[1].account_id


async def stored(service, event_type: str, count: int = 1) -> list[dict[str, Any]]:
    """The data of `count` events of a type in accounts' store, once there."""
    for _ in range(300):
        rows = await service.runtime.pool.fetch(
            "SELECT data::text FROM events WHERE type = $1 ORDER BY position",
            event_type,
        )
        if len(rows) >= count:
            return [json.loads(row["data"]) for row in rows]
        await asyncio.sleep(0.1)
    raise AssertionError(f"fewer than {count} {event_type} events in 30 s")


async def staff_of(people: People, office_id: str, username: str) -> dict[str, str]:
    staff = await people.activated(
        username, f"{username}@{office_id}.fi", office_id=office_id
    )
    token = await people.access_token(staff.username, GOOD_PASSWORD)
    return {"Authorization": f"Bearer {token}"}


async def test_a_contract_naming_a_colleagues_email_does_not_hand_over_the_account(
    people: People, kafka, settings, service, client
):
    other_office = await staff_of(people, "office-2", "liisa.toinen")
    matti = await people.register("matti.meikalainen", "matti@toimisto.fi")
    contract = signed("Matti M", "MATTI@toimisto.fi").model_copy(
        update={"office_id": "office-2"}
    )

    await publish(kafka, settings.topic_prefix, contract)
    [refused] = await stored(service, "ContractMemberRefused")
    seen = await client.get(f"/accounts/{matti.account_id}", headers=other_office)
    taken = await client.patch(
        f"/accounts/{matti.account_id}/email",
        json={"email": "matti@evil.example"},
        headers=other_office,
    )
    listed = await client.get("/accounts", headers=other_office)

    assert refused["account_id"] == matti.account_id
    assert refused["role"] == "student"
    assert refused["reason"] == "email-of-office-staff"
    assert seen.status_code == 404
    assert taken.status_code == 404
    assert matti.account_id not in {a["account_id"] for a in listed.json()["items"]}


async def test_no_office_alone_changes_the_email_of_a_tutor_two_offices_use(
    people: People, kafka, settings, service, client
):
    first_office = await staff_of(people, "office-1", "aino.eka")
    second_office = await staff_of(people, "office-2", "liisa.toinen")
    first = signed("Anna Opiskelija", "anna@example.fi")
    second = signed("Bertil Studerande", "bertil@example.fi").model_copy(
        update={"office_id": "office-2"}
    )

    await publish(kafka, settings.topic_prefix, first, second)
    assigned = await stored(service, "ContractMemberAssigned", count=4)
    tutor_id = next(a["account_id"] for a in assigned if a["role"] == "tutor")
    answers = [
        await client.patch(
            f"/accounts/{tutor_id}/email",
            json={"email": "teemu@evil.example"},
            headers={**office, "Accept-Language": "en"},
        )
        for office in (first_office, second_office)
    ]
    tutor = await service.runtime.pool.fetchval(
        "SELECT email FROM accounts WHERE account_id = $1", tutor_id
    )

    assert [a.status_code for a in answers] == [409, 409]
    assert "Another apprenticeship office" in answers[1].json()["detail"]
    assert tutor == "teemu@firma.fi"
