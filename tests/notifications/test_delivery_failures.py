"""When the SMTP server is away, emails wait and go once it is back; when it
refuses an address for good, office staff see the failure."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from kisalli_notifications.bootstrap import NotificationsService, build_app
from kisalli_notifications.mailcatcher import MailCatcher, free_port
from kisalli_shared.contracts.common import Language
from kisalli_shared.kafka import event_topic
from tests.kafka_reading import envelopes, read_topic
from tests.notifications.conftest import SettingsFactory
from tests.notifications.support import (
    Publisher,
    contract_signed,
    ensure_source_topics,
    eventually,
    feedback_submitted,
    person,
    wait_for_messages,
)
from tests.tokens import TestKeys


async def publish_feedback(
    publisher: Publisher, student_email: str, count: int
) -> None:
    student = person("Olli", student_email, Language.FI)
    tutor = person("Tuula", "tuula@yritys.example", Language.FI)
    await publisher.publish(
        "feedback", "contract-c-1", contract_signed("c-1", student=student, tutor=tutor)
    )
    await publisher.publish_all(
        "feedback",
        [
            (f"fb-{n}", feedback_submitted("c-1", feedback_id=f"fb-{n}"))
            for n in range(count)
        ],
    )


async def test_emails_queued_while_the_mail_server_is_down_go_out_when_it_is_back(
    service: NotificationsService,
    publisher: Publisher,
    catcher: MailCatcher,
    kafka: str,
):
    pool = service.runtime.pool
    catcher.stop_smtp()
    await publish_feedback(publisher, "olli@opisto.example", 5)

    async def retried() -> bool:
        attempts = await pool.fetch("SELECT attempts, state FROM emails")
        return len(attempts) == 5 and all(r["attempts"] >= 2 for r in attempts)

    await eventually(retried)
    catcher.start_smtp()
    received = await wait_for_messages(catcher, 5, full=False)

    assert len(received) == 5
    rows = await pool.fetch("SELECT state, attempts FROM emails")
    assert {r["state"] for r in rows} == {"sent"}
    topic = event_topic("notifications", service.settings.topic_prefix)
    history = envelopes(await read_topic(kafka, topic, at_least=5 * 3))
    sent = [e for e in history if e.type == "EmailSent"]
    assert len(sent) == 5
    assert all(e.data["attempts"] >= 2 for e in sent)
    assert sum(e.type == "EmailDeliveryDeferred" for e in history) >= 5


class RefusingNobody:
    """A real SMTP server that has no mailbox called nobody."""

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return "250 OK"


@pytest.fixture
def refusing_server() -> Iterator[int]:
    port = free_port()
    controller = Controller(RefusingNobody(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


async def test_an_address_the_server_refuses_fails_for_good_and_office_staff_see_it(
    settings_for: SettingsFactory,
    publisher: Publisher,
    refusing_server: int,
    kafka: str,
):
    settings = settings_for(smtp_port=refusing_server)
    await ensure_source_topics(settings)
    publisher.prefix = settings.topic_prefix
    keys = TestKeys()
    app, service = build_app(settings, verifier=keys.verifier())
    await service.start()
    try:
        await publish_feedback(publisher, "nobody@opisto.example", 1)

        async def failed() -> bool:
            state = await service.runtime.pool.fetchval("SELECT state FROM emails")
            return bool(state == "failed")

        await eventually(failed)
        transport = httpx.ASGITransport(app)
        staff_token = keys.token(role="office_staff", office_id="office-1")
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t"
        ) as client:

            async def listing(token: str) -> httpx.Response:
                return await client.get(
                    "/emails",
                    params={"state": "failed"},
                    headers={"Authorization": f"Bearer {token}"},
                )

            staff = await listing(staff_token)
            other_office = await listing(
                keys.token(role="office_staff", office_id="office-2")
            )
            tutor = await listing(keys.token(role="tutor"))
            bad_state = await client.get(
                "/emails",
                params={"state": "lost"},
                headers={"Authorization": f"Bearer {staff_token}"},
            )
    finally:
        await service.stop()

    assert staff.status_code == 200, staff.text
    [email] = staff.json()["items"]
    assert (email["recipient"], email["smtp_code"], email["attempts"]) == (
        "nobody@opisto.example",
        550,
        1,
    )
    assert other_office.json()["items"] == []
    assert tutor.status_code == 403
    assert bad_state.status_code == 422
    topic = event_topic("notifications", settings.topic_prefix)
    history = envelopes(await read_topic(kafka, topic, at_least=2))
    [failure] = [e for e in history if e.type == "EmailDeliveryFailed"]
    assert failure.data["smtp_code"] == 550
