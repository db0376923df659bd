"""Events on kisalli.payments.events. Amounts are decimal strings in euros."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kisalli_shared.contracts.common import Value
from kisalli_shared.events import Event, EventRegistry

registry = EventRegistry()


class MonthShare(Value):
    """One calendar month's part of a period's compensation."""

    month: str  # YYYY-MM
    contract_month: int
    days_in_period: int
    days_in_month: int
    monthly_rate: Decimal
    amount: Decimal  # unrounded


@registry.register
class CompensationCalculated(Event):
    compensation_id: str
    contract_id: str
    office_id: str
    feedback_id: str
    period_index: int
    period_start: date
    period_end: date
    amount: Decimal
    months: list[MonthShare]
    rate_table_version: int
    payee_name: str


@registry.register
class CompensationHeld(Event):
    compensation_id: str
    contract_id: str
    office_id: str
    period_index: int
    reason: str


@registry.register
class CompensationPaid(Event):
    compensation_id: str
    contract_id: str
    office_id: str
    batch_id: str
    amount: Decimal
    payee_name: str
