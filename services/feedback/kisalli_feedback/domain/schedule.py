"""The feedback schedule that follows from a contract's dates.

Period k starts on the contract's start date plus 4k months (clamped to the
month's end: 31 January + 4 months is 31 May) and ends the day before period
k + 1 starts; the last period ends on the contract's end date. Counting every
period from the contract's start, not from the previous period, keeps a
clamped date (30 June after 29 February) from drifting into later periods.

A period's interim feedback is due on the period's last day; the final
assessment and the employer's certificate are due on the contract's end date
and belong to the last period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from kisalli_feedback.domain.calendar import add_months
from kisalli_shared.contracts.feedback import FeedbackKind

PERIOD_MONTHS = 4
# A feedback counts as due this many days before its due date: the tutor
# has to find a time for the discussion.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class Period:
    index: int
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class DueItem:
    """One document the schedule asks for."""

    kind: FeedbackKind
    period: Period

    @property
    def due_date(self) -> date:
        return self.period.end


def periods(start: date, end: date) -> list[Period]:
    """The contract's periods, contiguous, covering start..end inclusive."""
    if end < start:
        raise ValueError("a contract cannot end before it starts")
    found: list[Period] = []
    index = 0
    period_start = start
    while period_start <= end:
        next_start = add_months(start, PERIOD_MONTHS * (index + 1))
        period_end = min(next_start - timedelta(days=1), end)
        found.append(Period(index, period_start, period_end))
        index += 1
        period_start = next_start
    return found


def due_items(start: date, end: date) -> list[DueItem]:
    """Every document the contract needs, in due order."""
    all_periods = periods(start, end)
    last = all_periods[-1]
    return [
        *(DueItem(FeedbackKind.INTERIM, p) for p in all_periods),
        DueItem(FeedbackKind.FINAL_ASSESSMENT, last),
        DueItem(FeedbackKind.EMPLOYER_CERTIFICATE, last),
    ]


class ItemStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    LATE = "late"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    PROCESSED = "processed"


_DONE = {
    "submitted": ItemStatus.SUBMITTED,
    "acknowledged": ItemStatus.ACKNOWLEDGED,
    "processed": ItemStatus.PROCESSED,
}


def item_status(due_date: date, feedback_state: str | None, today: date) -> ItemStatus:
    """Where one scheduled document stands today.

    A draft (also one returned for correction) is not done: it is due or
    late like a document never started.
    """
    if feedback_state in _DONE:
        return _DONE[feedback_state]
    if today > due_date:
        return ItemStatus.LATE
    if today >= due_date - timedelta(days=DUE_SOON_DAYS):
        return ItemStatus.DUE
    return ItemStatus.UPCOMING
