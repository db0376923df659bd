"""Calendar dates as people in Finland see them.

Every due date and every count of days is taken on dates in Europe/Helsinki,
never on timestamps: a day that is 23 or 25 hours long because of summer
time still counts as one day.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def helsinki_date(moment: datetime) -> date:
    """The date in Helsinki at an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a time zone has no date")
    return moment.astimezone(HELSINKI).date()


def helsinki_today() -> date:
    return helsinki_date(datetime.now(UTC))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter.

    31 January + 1 month is 28 (or 29) February; 29 February + 12 months
    is 28 February.
    """
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    last = monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def days_between(first: date, later: date) -> int:
    """Whole days from one date to another (negative when `later` is earlier)."""
    return (later - first).days
