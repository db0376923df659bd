"""A whole contract's compensation, computed directly from the rule in issue 5.

Day by day over the whole contract, with no periods: each day earns its
calendar month's rate divided by the month's days, summed as exact
fractions. Written again here on purpose, from the rule rather than from
the service, so that a property can hold the service to it.

The issue says "that contract month's rate" without saying which contract
month a calendar month that straddles two of them takes. The service's
README decides it: the contract month in force on the calendar month's
first day inside the contract, with dated rates taken as valid on that same
day. The same reading is followed here, since the other ("each day its own
contract month") is not what the service promises.
"""

from __future__ import annotations

from bisect import bisect_right
from calendar import monthrange
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from kisalli_shared.contracts.feedback import AgreedAmount
from kisalli_shared.contracts.payments import Rate
from tests.payments.contracts import add_months


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every contract month, counted from the start date."""
    found = [start]
    while (following := add_months(start, len(found))) <= end:
        found.append(following)
    return found


def table_rate(
    rates: tuple[Rate, ...], kind: str, month: int, on: date
) -> Decimal | None:
    found: Decimal | None = None
    found_rank = (date.min, 0)
    for rate in rates:
        if rate.qualification_kind != kind or rate.from_month > month:
            continue
        if rate.to_month is not None and rate.to_month < month:
            continue
        if rate.valid_from is not None and on < rate.valid_from:
            continue
        if rate.valid_to is not None and rate.valid_to < on:
            continue
        # The rate that became valid last wins, then the later first month.
        rank = (rate.valid_from or date.min, rate.from_month)
        if found is None or rank > found_rank:
            found, found_rank = rate.monthly_amount, rank
    return found


def monthly_rate(
    agreed: tuple[AgreedAmount, ...],
    rates: tuple[Rate, ...],
    kind: str,
    month: int,
    on: date,
) -> Decimal | None:
    own = [a for a in agreed if a.from_month <= month]
    if own:
        return max(own, key=lambda a: a.from_month).monthly_amount
    return table_rate(rates, kind, month, on)


def whole_contract(
    *,
    start: date,
    end: date,
    kind: str,
    agreed: tuple[AgreedAmount, ...],
    rates: tuple[Rate, ...],
) -> Fraction:
    """The exact, unrounded amount of every day start..end."""
    days: Counter[tuple[int, int]] = Counter()
    day = start
    while day <= end:
        days[day.year, day.month] += 1
        day += timedelta(days=1)

    starts = month_starts(start, end)
    total = Fraction(0)
    for (year, month), count in days.items():
        rate_day = max(date(year, month, 1), start)
        contract_month = bisect_right(starts, rate_day)
        rate = monthly_rate(agreed, rates, kind, contract_month, rate_day)
        if rate is None:
            raise LookupError(f"no rate for {year}-{month:02}")
        total += Fraction(rate) * count / monthrange(year, month)[1]
    return total
