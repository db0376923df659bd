"""A contract's feedback periods: a new one every four months from the start.

Each period starts on the start date's day of a month four months on,
clamped to that month's last day (31 January, 31 May, 30 September), and
the last one ends with the contract. A period's feedback is due on its last day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS_PER_PERIOD = 4


@dataclass(frozen=True)
class Period:
    index: int  # 0 for the first period, as in the feedback service's events
    start: date
    end: date  # inclusive, and the day its feedback is due

    @property
    def due(self) -> date:
        return self.end


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def periods_of(start: date, end: date) -> list[Period]:
    """Every period of a contract running from `start` to `end`, both inclusive."""
    periods: list[Period] = []
    n = 0
    # Always count from the start date itself, so clamping one month end
    # does not shift the periods after it.
    while (first := add_months(start, MONTHS_PER_PERIOD * n)) <= end:
        following = add_months(start, MONTHS_PER_PERIOD * (n + 1))
        last = min(following - timedelta(days=1), end)
        periods.append(Period(n, first, last))
        n += 1
    return periods
