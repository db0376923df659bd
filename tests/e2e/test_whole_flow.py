"""The whole system end to end, through the gateway, the caught mail and
the topics only."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import sepaxml
import xmlschema

from tests.e2e.clients import Mailbox, events_of_stream, secret_token
from tests.e2e.journey import Journey, new_password
from tests.e2e.system import System

PAIN_001_SCHEMA = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


async def test_an_interim_feedback_travels_from_the_tutor_to_the_employers_bank(
    system: System, journey: Journey, mailbox: Mailbox
) -> None:
    staff = await journey.activate(journey.create_first_office_staff(system))
    contract = await journey.sign_contract(staff)
    tutor = await journey.activate(contract.tutor_email)
    student = await journey.activate(contract.student_email)
    await journey.sees_contract(tutor, contract.contract_id)

    feedback_id = await journey.submit_interim_feedback(tutor, contract.contract_id)
    await mailbox.message_to(student.email, f"/feedback/{feedback_id}")
    await journey.acknowledge(student, feedback_id)
    await journey.process(staff, feedback_id)
    compensation = await journey.compensation(staff, contract.contract_id)

    assert compensation["status"] == "payable"
    amount = Decimal(compensation["amount"])
    assert amount > 0

    batch = await journey.gateway.post(
        "/api/payments/batches",
        headers={**staff.headers, "Idempotency-Key": f"batch-{journey.run}"},
    )
    assert batch.status_code == 201, batch.text
    assert Decimal(batch.json()["total"]) == amount
    bank_file = await journey.gateway.get(
        f"/api/payments/batches/{batch.json()['batch_id']}/file",
        headers=staff.headers,
    )
    assert bank_file.status_code == 200
    xmlschema.XMLSchema(str(PAIN_001_SCHEMA)).validate(bank_file.text)
    # Checked against the schema first; the file is the system's own.
    document = ET.fromstring(bank_file.content)  # noqa: S314
    [line] = document.iterfind(".//p:CdtTrfTxInf", NS)
    assert line.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == (
        contract.employer_iban
    )
    assert Decimal(line.findtext("p:Amt/p:InstdAmt", namespaces=NS) or "") == amount

    notice = await mailbox.message_to(contract.employer_email, "maksettu")
    assert notice["language"] == "fi"

    prefix = system.settings["TOPIC_PREFIX"]
    feedback_events = await events_of_stream(
        system.kafka,
        f"{prefix}.feedback.events",
        f"feedback-{feedback_id}",
        {"FeedbackSubmitted", "FeedbackAcknowledged", "FeedbackProcessed"},
    )
    payment_events = await events_of_stream(
        system.kafka,
        f"{prefix}.payments.events",
        f"compensation-{contract.contract_id}-0",
        {"CompensationCalculated", "CompensationPaid"},
    )
    assert [e.type for e in feedback_events][-3:] == [
        "FeedbackSubmitted",
        "FeedbackAcknowledged",
        "FeedbackProcessed",
    ]
    assert [e.type for e in payment_events] == [
        "CompensationCalculated",
        "CompensationPaid",
    ]


async def test_a_forgotten_password_is_set_again_by_username_and_by_email(
    system: System, journey: Journey, mailbox: Mailbox
) -> None:
    staff = await journey.activate(journey.create_first_office_staff(system))
    me = await journey.gateway.get("/api/accounts/accounts/me", headers=staff.headers)
    username = me.json()["username"]

    for login in (username, staff.email):
        asked = await journey.gateway.post(
            "/api/accounts/password-resets", json={"login": login}
        )
        assert asked.status_code == 202, asked.text
        message = await mailbox.message_to(staff.email, "/password-reset#token=")
        password = new_password()
        done = await journey.gateway.post(
            "/api/accounts/password-resets/complete",
            json={"token": secret_token(message), "new_password": password},
        )
        assert done.status_code == 204, done.text

        assert await journey.log_in(login, password)
