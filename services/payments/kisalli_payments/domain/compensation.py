"""A period's training compensation: its working, its amount, and its holds.

The amount is the sum over the calendar months the period touches of the
month's rate times the share of the month's days inside the period
(days_in_period / days_in_month), kept exact as fractions and rounded once
per period to cents, half up.

The rate of a calendar month is the rate of the contract month in force on
the month's first day inside the contract (its 1st, or the start date in the
starting month), and a dated rate is taken as valid on that same day. Every
day of a calendar month so has one rate, whichever period it falls in: the
periods' amounts add up to the whole contract's amount up to their rounding.
A step down (month 13) therefore shows from the first calendar month that
begins in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from kisalli_payments.domain.calendar import contract_month, month_parts
from kisalli_payments.domain.holds import HoldReason
from kisalli_payments.domain.payees import iban_problem
from kisalli_payments.domain.rates import RateTable, agreed_rate
from kisalli_shared.contracts.feedback import AgreedAmount
from kisalli_shared.contracts.payments import MonthShare

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ContractTerms:
    """What payments knows of a contract, from ContractSigned and later events."""

    contract_id: str
    office_id: str
    qualification_kind: str
    start: date
    end: date
    agreed_amounts: tuple[AgreedAmount, ...]
    payee_name: str
    iban: str | None
    language: str = "fi"

    def monthly_rate(self, table: RateTable, month: int, on: date) -> Decimal | None:
        agreed = agreed_rate(self.agreed_amounts, month)
        if agreed is not None:
            # A negative amount is no rate at all: held, never paid back.
            return agreed if agreed >= 0 else None
        return table.rate_for(self.qualification_kind, month, on)


@dataclass(frozen=True)
class Period:
    index: int
    start: date
    end: date


class RateMissing(Exception):
    def __init__(self, month: str) -> None:
        super().__init__(f"no rate for {month}")
        self.month = month


@dataclass(frozen=True)
class Working:
    """How an amount was reached, month by month."""

    months: tuple[MonthShare, ...]
    exact: Fraction

    @property
    def amount(self) -> Decimal:
        return round_cents(self.exact)


def working(terms: ContractTerms, table: RateTable, first: date, last: date) -> Working:
    """The month-by-month working for the days first..last of a contract."""
    shares = []
    exact = Fraction(0)
    for part in month_parts(first, last):
        rate_day = max(part.first.replace(day=1), terms.start)
        month = contract_month(terms.start, rate_day)
        rate = terms.monthly_rate(table, month, rate_day)
        if rate is None:
            raise RateMissing(part.month)
        share = Fraction(rate) * part.days / part.days_in_month
        exact += share
        shares.append(
            MonthShare(
                month=part.month,
                contract_month=month,
                days_in_period=part.days,
                days_in_month=part.days_in_month,
                monthly_rate=rate,
                # Shown to 28 digits; the total is summed from exact fractions.
                amount=rate * part.days / part.days_in_month,
            )
        )
    return Working(tuple(shares), exact)


def round_cents(exact: Fraction) -> Decimal:
    """Round to cents, half up (away from zero for the amounts we have)."""
    if exact < 0:
        raise ValueError("a compensation is never negative")
    cents = (exact * 100 + Fraction(1, 2)).__floor__()
    return (Decimal(cents) / 100).quantize(CENT)


@dataclass(frozen=True)
class Assessment:
    """What can be said of a period now: its working, or why it is held."""

    working: Working | None
    paid_days: tuple[date, date] | None
    hold: HoldReason | None


def assess(terms: ContractTerms | None, period: Period, table: RateTable) -> Assessment:
    """Compute a period's compensation, or say what keeps it from being paid."""
    if terms is None:
        return Assessment(None, None, HoldReason.CONTRACT_UNKNOWN)
    # An early end drops later periods and shortens the one it falls in.
    last = min(period.end, terms.end)
    if period.start > last:
        return Assessment(None, None, HoldReason.CONTRACT_ENDED)
    try:
        found = working(terms, table, period.start, last)
    except RateMissing:
        return Assessment(None, None, HoldReason.RATE_MISSING)
    # Nothing to pay needs no bank account.
    hold = iban_problem(terms.iban) if found.amount > 0 else None
    return Assessment(found, (period.start, last), hold)
