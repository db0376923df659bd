"""Pure parts: periods, reminder planning, rendering. No servers."""

from __future__ import annotations

from datetime import date

import pytest

from kisalli_notifications.adapters.templates import Renderer
from kisalli_notifications.domain.contracts import Contract
from kisalli_notifications.domain.delivery import RetryPolicy, is_permanent
from kisalli_notifications.domain.emails import Recipient, Template
from kisalli_notifications.domain.periods import periods_of
from kisalli_notifications.domain.reminders import Feedback, plan_reminders
from kisalli_shared.contracts.common import Language

SAMPLE = {
    "name": "Aino <Admin>",
    "username": "aino",
    "expires_at": "2025-03-01T10:05:00+00:00",
    "changed_at": "2025-03-01T10:05:00+00:00",
    "locked_until": "2025-03-01T10:05:00+00:00",
    "new_email": "aino@uusi.example",
    "new_email_masked": "ai***@uusi.example",
    "link": "https://kisalli.example/x?a=1&b=2",
    "feedback_id": "fb-1",
    "kind": "interim",
    "period_index": 0,
    "period_start": "2025-01-01",
    "period_end": "2025-04-30",
    "tutor_name": "Tuula",
    "student_name": "Eino",
    "returned_by": "office",
    "reason": "<b>väärin</b>",
    "amount": "1234.5",
    "payee_name": "Rakennus Oy",
    "contract_id": "c-1",
    "batch_id": "b-1",
    "items": [
        {
            "student_name": "Eino",
            "period_index": 0,
            "due": "2025-04-30",
            "late": True,
            "link": "https://kisalli.example/contracts/c-1",
        }
    ],
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("template", list(Template))
def test_every_template_renders_in_every_language_without_letting_markup_in(
    template: Template, language: Language
):
    email = Renderer().render(template, language, SAMPLE)

    assert email.subject and "\n" not in email.subject
    assert "{{" not in email.text + email.html
    assert "<Admin>" in email.text
    assert "&lt;Admin&gt;" in email.html and "<Admin>" not in email.html


def test_periods_come_every_four_months_clamped_to_month_ends_last_ends_with_contract():
    periods = periods_of(date(2025, 1, 31), date(2026, 2, 15))

    assert [(p.index, p.start, p.end) for p in periods] == [
        (0, date(2025, 1, 31), date(2025, 5, 30)),
        (1, date(2025, 5, 31), date(2025, 9, 29)),
        (2, date(2025, 9, 30), date(2026, 1, 30)),
        (3, date(2026, 1, 31), date(2026, 2, 15)),
    ]


def contract(contract_id: str, tutor: str, student: str) -> Contract:
    return Contract(
        contract_id,
        "office-1",
        date(2025, 1, 1),
        date(2026, 12, 31),
        Recipient(tutor),
        Recipient(f"{student}@opisto.example", name=student),
    )


def test_a_tutors_apprentices_share_one_reminder_and_submitted_periods_are_left_out():
    contracts = [
        contract("c-1", "Tuula@Yritys.example", "aino"),
        contract("c-2", "tuula@yritys.example", "eino"),
        contract("c-3", "tuula@yritys.example", "kaisa"),
    ]
    submitted = Feedback("fb-3", "c-3", "interim", 0, date(2025, 4, 30), "acknowledged")

    [bundle] = plan_reminders(contracts, [submitted], {}, date(2025, 4, 20))

    assert bundle.template is Template.TUTOR_REMINDER
    assert [i.student_name for i in bundle.items] == ["aino", "eino"]


def test_retries_back_off_and_only_5xx_is_final():
    policy = RetryPolicy(first_delay=1, max_delay=8, max_attempts=5)

    assert [policy.delay_after(n) for n in range(1, 6)] == [1, 2, 4, 8, 8]
    assert policy.gives_up_after(5) and not policy.gives_up_after(4)
    assert (is_permanent(550), is_permanent(451), is_permanent(None)) == (
        True,
        False,
        False,
    )
