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
    # Stable words for programs: contract-unknown, iban-missing, iban-invalid,
    # contract-ended, rate-missing.
    reason_code: str = ""
    # The period as the processed feedback gave it, for a compensation held
    # before it could be calculated.
    feedback_id: str = ""
    period_start: date | None = None
    period_end: date | None = None


@registry.register
class CompensationPaid(Event):
    compensation_id: str
    contract_id: str
    office_id: str
    batch_id: str
    amount: Decimal
    payee_name: str
    # The day the bank is asked to pay (the batch's requested execution date).
    execution_date: date | None = None


class Rate(Value):
    """A monthly rate for contract months from_month..to_month of one kind."""

    qualification_kind: str
    from_month: int
    to_month: int | None = None  # None: to the end of the contract
    monthly_amount: Decimal
    valid_from: date | None = None
    valid_to: date | None = None


@registry.register
class RateTableChanged(Event):
    """An office's whole rate table as it is from now on."""

    office_id: str
    rates: list[Rate]
    changed_by: str  # an account id, or "default" when shipped rates applied
    version: int = 0  # the table's version after this change


@registry.register
class PayeeAccountChanged(Event):
    """Office staff corrected where a contract's compensation is paid."""

    contract_id: str
    office_id: str
    payee_name: str
    iban: str  # normalised: upper case, no spaces
    bic: str | None = None
    changed_by: str


@registry.register
class CompensationReleased(Event):
    """What held a compensation is gone; it can be paid."""

    compensation_id: str
    contract_id: str
    office_id: str
    period_index: int


class PaymentLine(Value):
    compensation_id: str
    contract_id: str
    end_to_end_id: str
    payee_name: str  # as written into the bank file
    iban: str
    bic: str | None = None
    amount: Decimal
    remittance: str


@registry.register
class PaymentBatchCreated(Event):
    """The lines of one bank file, recorded before the file is produced."""

    batch_id: str
    office_id: str
    message_id: str
    created_at: str  # the file's CreDtTm, local time in Helsinki
    execution_date: date
    debtor_name: str
    debtor_iban: str
    debtor_bic: str | None = None
    lines: list[PaymentLine]
    total: Decimal
    created_by: str


@registry.register
class BankFileWritten(Event):
    """The batch's file was handed over (written where the bank fetches it)."""

    batch_id: str
    office_id: str
    message_id: str
    sha256: str
