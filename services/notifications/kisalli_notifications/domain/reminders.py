"""Who must be reminded of what today, one bundle per person.

Tutors hear once before a period's interim feedback is due and then
regularly while it is late; apprentices hear while a submitted feedback
waits for their acknowledgement. Everything one person must hear about on
one day goes into one email, whichever contracts it concerns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kisalli_notifications.domain.contracts import Contract
from kisalli_notifications.domain.emails import Recipient, Template, address_key
from kisalli_notifications.domain.periods import periods_of

# A period is covered once its feedback has reached the apprentice; a
# returned feedback is the tutor's again.
COVERING_STATES = frozenset({"submitted", "acknowledged", "processed"})


class FeedbackState(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"
    PROCESSED = "processed"


@dataclass(frozen=True)
class Feedback:
    feedback_id: str
    contract_id: str
    kind: str
    period_index: int
    period_end: date
    state: str
    submitted_on: date | None = None


@dataclass(frozen=True)
class Policy:
    days_before_due: int = 14
    late_every_days: int = 7
    student_after_days: int = 3
    student_every_days: int = 7


@dataclass(frozen=True)
class ReminderItem:
    key: str  # what was reminded of, remembered with the day
    contract_id: str
    student_name: str
    due: date
    late: bool = False
    feedback_id: str | None = None
    period_index: int | None = None


@dataclass
class ReminderBundle:
    template: Template
    recipient: Recipient
    office_id: str
    items: list[ReminderItem] = field(default_factory=list)


def _covered(index: int, feedback: list[Feedback]) -> bool:
    # Every period, the last too, has its interim feedback.
    return any(
        f.period_index == index and f.kind == "interim" and f.state in COVERING_STATES
        for f in feedback
    )


def _tutor_items(
    contract: Contract,
    feedback: list[Feedback],
    reminded: Mapping[str, date],
    today: date,
    policy: Policy,
) -> list[ReminderItem]:
    items = []
    periods = periods_of(contract.start, contract.end)
    for period in periods:
        if _covered(period.index, feedback):
            continue
        days_left = (period.due - today).days
        if 0 <= days_left <= policy.days_before_due:
            key = f"upcoming:{contract.contract_id}:{period.index}"
            if key not in reminded:
                items.append(
                    ReminderItem(
                        key,
                        contract.contract_id,
                        contract.student.name,
                        period.due,
                        period_index=period.index,
                    )
                )
        elif days_left < 0:
            key = f"late:{contract.contract_id}:{period.index}"
            last = reminded.get(key)
            if last is None or (today - last).days >= policy.late_every_days:
                items.append(
                    ReminderItem(
                        key,
                        contract.contract_id,
                        contract.student.name,
                        period.due,
                        late=True,
                        period_index=period.index,
                    )
                )
    return items


def _student_items(
    contract: Contract,
    feedback: list[Feedback],
    reminded: Mapping[str, date],
    today: date,
    policy: Policy,
) -> list[ReminderItem]:
    items = []
    for f in feedback:
        if f.state != FeedbackState.SUBMITTED or f.submitted_on is None:
            continue
        if (today - f.submitted_on).days < policy.student_after_days:
            continue
        key = f"waiting:{f.feedback_id}"
        last = reminded.get(key)
        if last is None or (today - last).days >= policy.student_every_days:
            items.append(
                ReminderItem(
                    key,
                    contract.contract_id,
                    contract.student.name,
                    f.period_end,
                    feedback_id=f.feedback_id,
                    period_index=f.period_index,
                )
            )
    return items


def plan_reminders(
    contracts: Iterable[Contract],
    feedback: Iterable[Feedback],
    reminded: Mapping[str, date],
    today: date,
    policy: Policy = Policy(),
) -> list[ReminderBundle]:
    """The reminder emails due today: at most one per person."""
    by_contract: dict[str, list[Feedback]] = defaultdict(list)
    for f in feedback:
        by_contract[f.contract_id].append(f)

    bundles: dict[tuple[Template, str], ReminderBundle] = {}

    def add(
        template: Template, who: Recipient, office: str, items: list[ReminderItem]
    ) -> None:
        if not items:
            return
        bundle = bundles.setdefault(
            (template, address_key(who.email)), ReminderBundle(template, who, office)
        )
        bundle.items.extend(items)

    for contract in sorted(contracts, key=lambda c: c.contract_id):
        mine = by_contract.get(contract.contract_id, [])
        add(
            Template.TUTOR_REMINDER,
            contract.tutor,
            contract.office_id,
            _tutor_items(contract, mine, reminded, today, policy),
        )
        add(
            Template.STUDENT_REMINDER,
            contract.student,
            contract.office_id,
            _student_items(contract, mine, reminded, today, policy),
        )
    for bundle in bundles.values():
        bundle.items.sort(key=lambda item: (item.due, item.student_name, item.key))
    return list(bundles.values())
