"""A whole contract's life, through real PostgreSQL and Kafka."""

from __future__ import annotations

from datetime import date
from typing import Any

from kisalli_shared.contracts.common import Role
from kisalli_shared.events import Envelope
from tests.feedback import documents
from tests.feedback.conftest import Kisalli, Person, contract_body, eventually
from tests.kafka_reading import envelopes, read_topic


async def run_through(
    kisalli: Kisalli,
    contract_id: str,
    content: dict[str, Any],
    tutor: Person,
    student: Person,
    office: Person,
    period_index: int | None = None,
) -> dict[str, Any]:
    """Write, submit, acknowledge and process one document."""
    client = kisalli.client
    body: dict[str, Any] = {"content": content}
    if period_index is not None:
        body["period_index"] = period_index
    started = await client.post(
        f"/contracts/{contract_id}/feedback", json=body, headers=tutor.headers
    )
    assert started.status_code == 201, started.text
    feedback_id = started.json()["feedback_id"]

    submitted = await client.post(
        f"/feedback/{feedback_id}/submit", headers=tutor.headers
    )
    assert submitted.status_code == 200, submitted.text

    shown = await client.get(f"/feedback/{feedback_id}", headers=student.headers)
    assert shown.status_code == 200
    acknowledged = await client.post(
        f"/feedback/{feedback_id}/acknowledge",
        json={"content_hash": shown.json()["content_hash"]},
        headers=student.headers,
    )
    assert acknowledged.status_code == 200, acknowledged.text

    processed = await client.post(
        f"/feedback/{feedback_id}/process", headers=office.headers
    )
    assert processed.status_code == 200, processed.text
    result: dict[str, Any] = processed.json()
    return result


async def test_a_contract_lives_from_signing_to_its_final_documents(kisalli: Kisalli):
    office, tutor, student = kisalli.office(), kisalli.tutor(), kisalli.student()
    contract_id = await kisalli.sign_with_members(office, tutor, student)

    period_ends = [date(2025, 4, 30), date(2025, 8, 31), date(2025, 12, 31)]
    for index, end in enumerate(period_ends):
        kisalli.clock.today = end
        done = await run_through(
            kisalli,
            contract_id,
            documents.interim(),
            tutor,
            student,
            office,
            period_index=index,
        )
        assert (done["state"], done["period_index"]) == ("processed", index)
    final = await run_through(
        kisalli, contract_id, documents.final_assessment(), tutor, student, office
    )
    certificate = await run_through(
        kisalli,
        contract_id,
        documents.employer_certificate("2025-01-01", "2025-12-31"),
        tutor,
        student,
        office,
    )

    schedule = await kisalli.client.get(
        f"/contracts/{contract_id}/schedule", headers=tutor.headers
    )
    assert [i["status"] for i in schedule.json()["items"]] == ["processed"] * 5
    assert final["period_end"] == certificate["period_end"] == "2025-12-31"

    # Every event reached the topic, each document's in its own order.
    records = await read_topic(kisalli.kafka, kisalli.topic, at_least=21)
    published = envelopes(records)
    assert [e.type for e in published[:1]] == ["ContractSigned"]
    assert len(published) == 21
    life = [
        "FeedbackDraftSaved",
        "FeedbackSubmitted",
        "FeedbackAcknowledged",
        "FeedbackProcessed",
    ]
    by_stream: dict[str, list[Envelope]] = {}
    for envelope in published[1:]:
        by_stream.setdefault(envelope.subject, []).append(envelope)
    assert len(by_stream) == 5
    for stream in by_stream.values():
        assert [e.type for e in stream] == life
        assert [e.streamversion for e in stream] == [1, 2, 3, 4]
    processed = [e for e in published if e.type == "FeedbackProcessed"]
    assert [(e.data["kind"], e.data["period_index"]) for e in processed] == [
        ("interim", 0),
        ("interim", 1),
        ("interim", 2),
        ("final_assessment", 2),
        ("employer_certificate", 2),
    ]
    assert all(
        r.key == e.subject.encode() for r, e in zip(records, published, strict=True)
    )
    # The personal identity code stays in the service's own table.
    code = contract_body(date(2025, 1, 1), date(2025, 12, 31))["student"]
    assert not any(code["personal_id"].encode() in r.value for r in records)
    assert published[0].data["student"]["personal_id_masked"] == "010594-****"


async def test_the_office_sees_a_role_accounts_refused_until_an_account_is_given(
    kisalli: Kisalli,
):
    office, student = kisalli.office(), kisalli.student()
    contract = await kisalli.sign(office)
    path = f"/contracts/{contract['contract_id']}"

    await kisalli.refuse(contract["contract_id"], Role.STUDENT, "email-of-office-staff")

    async def refused() -> list[dict[str, str]] | None:
        shown = await kisalli.client.get(path, headers=office.headers)
        return shown.json()["refused_members"] or None

    told = await eventually(refused)
    await kisalli.assign(
        contract["contract_id"], Role.STUDENT, student, date(2025, 1, 1)
    )
    await kisalli.until_seen(path, student)
    after = (await kisalli.client.get(path, headers=office.headers)).json()

    assert contract["refused_members"] == []
    assert told == [{"role": "student", "reason": "email-of-office-staff"}]
    assert after["refused_members"] == []
