"""Rate tables: what an office pays per month of a contract, by qualification kind.

A rate covers contract months from_month..to_month (open-ended when to_month
is missing) and is valid on the days valid_from..valid_to (either end open).
When more than one rate covers a month on a day, the one that became valid
last wins, and among those the one starting at the later contract month: a
new rate added for a date replaces the old one from that date without
anyone having to end the old one first.

A contract's own agreed monthly amounts win over the office's table: the
agreed amount with the largest from_month at or before the contract month.
Months before the first agreed amount fall back to the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources

from kisalli_shared.contracts.feedback import AgreedAmount
from kisalli_shared.contracts.payments import Rate


@dataclass(frozen=True)
class RateTable:
    office_id: str
    version: int
    rates: tuple[Rate, ...]

    def rate_for(self, kind: str, month: int, on: date) -> Decimal | None:
        """The monthly rate for contract month `month` of `kind`, valid on `on`."""
        covering = [r for r in self.rates if _covers(r, kind, month, on)]
        if not covering:
            return None
        best = max(covering, key=lambda r: (r.valid_from or date.min, r.from_month))
        return best.monthly_amount


def _covers(rate: Rate, kind: str, month: int, on: date) -> bool:
    return (
        rate.qualification_kind == kind
        and rate.from_month <= month
        and (rate.to_month is None or month <= rate.to_month)
        and (rate.valid_from is None or rate.valid_from <= on)
        and (rate.valid_to is None or on <= rate.valid_to)
    )


def agreed_rate(agreed: tuple[AgreedAmount, ...], month: int) -> Decimal | None:
    """The contract's own monthly amount for a contract month, if it has one."""
    started = [a for a in agreed if a.from_month <= month]
    if not started:
        return None
    return max(started, key=lambda a: a.from_month).monthly_amount


def default_rates() -> tuple[Rate, ...]:
    """The rates shipped with the service (kisalli_payments/data)."""
    text = (
        resources.files("kisalli_payments")
        .joinpath("data/default_rates.json")
        .read_text(encoding="utf-8")
    )
    return tuple(Rate.model_validate(r) for r in json.loads(text)["rates"])
