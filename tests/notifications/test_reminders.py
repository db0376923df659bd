"""Reminders: one email per tutor per day for all their apprentices, none for
feedback already submitted, and the apprentice reminded while one waits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kisalli_notifications.bootstrap import NotificationsService
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.contracts.common import Language
from tests.notifications.support import (
    Publisher,
    contract_signed,
    eventually,
    feedback_submitted,
    handled,
    person,
    wait_for_messages,
)

TUULA = person("Tuula", "tuula@yritys.example", Language.FI)
TOMAS = person("Tomas", "tomas@firma.example", Language.SV)


async def sign_contracts(publisher: Publisher, service: NotificationsService) -> None:
    students = {
        "c-aino": (person("Aino", "aino@opisto.example", Language.FI), TUULA),
        "c-eino": (person("Eino", "eino@opisto.example", Language.FI), TUULA),
        "c-kaisa": (person("Kaisa", "kaisa@opisto.example", Language.FI), TUULA),
        "c-sara": (person("Sara", "sara@opisto.example", Language.SV), TOMAS),
    }
    for contract_id, (student, tutor) in students.items():
        await publisher.publish(
            "feedback",
            contract_id,
            contract_signed(contract_id, student=student, tutor=tutor),
        )
    # Kaisa's first feedback is already with her, since 15 April.
    await publisher.publish(
        "feedback",
        "fb-kaisa",
        feedback_submitted("c-kaisa", feedback_id="fb-kaisa"),
        at=datetime(2025, 4, 15, 9, tzinfo=UTC),
    )

    async def all_handled() -> bool:
        return await handled(service.runtime.pool) == len(publisher.sent)

    await eventually(all_handled)


async def test_a_tutor_gets_one_reminder_a_day_for_all_apprentices_none_for_submitted(
    service: NotificationsService, publisher: Publisher, catcher: MailCatcher
):
    await sign_contracts(publisher, service)
    # The awaiting-acknowledgement email for Kaisa's feedback.
    await wait_for_messages(catcher, 1, settle=0)

    # The first period ends on 30 April: ten days to go.
    queued = await service.send_reminders(date(2025, 4, 20))
    again = await service.send_reminders(date(2025, 4, 20))
    next_day = await service.send_reminders(date(2025, 4, 21))
    received = await wait_for_messages(catcher, 1 + 3)

    assert (queued, again, next_day) == (3, 0, 0)
    assert len(received) == 4
    reminders = {
        m["envelope_to"][0]: m
        for m in received
        if m["subject"].startswith(("Muist", "Påmin"))
    }
    assert sorted(reminders) == [
        "kaisa@opisto.example",
        "tomas@firma.example",
        "tuula@yritys.example",
    ]
    tuula = reminders["tuula@yritys.example"]["text"]
    assert "Aino: jakso 1" in tuula and "Eino: jakso 1" in tuula
    assert "Kaisa" not in tuula
    assert (
        "Sara: period 1, ska lämnas senast 30.4.2025"
        in (reminders["tomas@firma.example"]["text"])
    )
    assert "fb-kaisa" in reminders["kaisa@opisto.example"]["text"]


async def test_a_late_feedback_is_reminded_again_a_week_later(
    service: NotificationsService, publisher: Publisher, catcher: MailCatcher
):
    await sign_contracts(publisher, service)

    late = await service.send_reminders(date(2025, 5, 2))
    days_later = await service.send_reminders(date(2025, 5, 5))
    week_later = await service.send_reminders(date(2025, 5, 9))
    received = await wait_for_messages(catcher, 1 + 3 + 3)

    # Tuula, Tomas and Kaisa (still to acknowledge); a week on, all again.
    assert (late, days_later, week_later) == (3, 0, 3)
    assert len(received) == 7
    tuula = [m for m in received if m["envelope_to"] == ["tuula@yritys.example"]]
    assert all("myöhässä, määräpäivä oli 30.4.2025" in m["text"] for m in tuula)
