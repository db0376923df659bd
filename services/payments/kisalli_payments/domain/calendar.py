"""Calendar arithmetic on dates: contract months and the months a span touches.

Every count is taken on dates, never on timestamps.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def helsinki_today() -> date:
    return datetime.now(UTC).astimezone(HELSINKI).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def contract_month(start: date, day: date) -> int:
    """The contract month a day falls in, counting from 1.

    Month n starts on start + (n - 1) months (clamped to the month's end), so
    every month boundary is counted from the start date itself and a clamped
    date (28 February) never drifts into the months after it.
    """
    if day < start:
        raise ValueError("a day before the contract has no contract month")
    # A first guess from the calendar, then step to the exact boundary.
    n = max((day.year - start.year) * 12 + day.month - start.month, 0) + 1
    while add_months(start, n - 1) > day:
        n -= 1
    while add_months(start, n) <= day:
        n += 1
    return n


@dataclass(frozen=True)
class MonthPart:
    """The days of one calendar month that fall inside a span."""

    first: date
    last: date

    @property
    def month(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def days_in_month(self) -> int:
        return monthrange(self.first.year, self.first.month)[1]


def month_parts(first: date, last: date) -> Iterator[MonthPart]:
    """The calendar months a span first..last (inclusive) touches, in order."""
    day = first
    while day <= last:
        month_end = day.replace(day=monthrange(day.year, day.month)[1])
        end = min(month_end, last)
        yield MonthPart(day, end)
        day = end + timedelta(days=1)
