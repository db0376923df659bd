"""One period's compensation as an aggregate: the events each decision gives.

Stream `compensation-<contract_id>-<period_index>` holds it; its id is the
stream id. The first decision is always appended at expected version 0, so
a second computation of the same period (a redelivery, a replay, a racing
consumer) collides on the store's version and changes nothing.

Held -> released (or held for another reason) as what blocked it goes away;
calculated once, never recalculated: a rate changed later does not change
an amount the payee has been told. Paid once, by one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kisalli_payments.domain.compensation import (
    Assessment,
    ContractTerms,
    Period,
    assess,
)
from kisalli_payments.domain.holds import HoldReason, reason_text
from kisalli_payments.domain.payees import iban_problem
from kisalli_payments.domain.rates import RateTable
from kisalli_shared.contracts.payments import (
    CompensationCalculated,
    CompensationHeld,
    CompensationPaid,
    CompensationReleased,
)
from kisalli_shared.events import Event


def compensation_id(contract_id: str, period_index: int) -> str:
    return f"compensation-{contract_id}-{period_index}"


@dataclass(frozen=True)
class ProcessedPeriod:
    """A period made payable by a processed interim feedback."""

    feedback_id: str
    contract_id: str
    office_id: str
    period: Period

    @property
    def compensation_id(self) -> str:
        return compensation_id(self.contract_id, self.period.index)


@dataclass(frozen=True)
class CompensationState:
    subject: ProcessedPeriod
    version: int
    amount: Decimal | None  # None until calculated
    hold: HoldReason | None
    paid: bool

    @property
    def payable(self) -> bool:
        return (
            not self.paid
            and self.hold is None
            and self.amount is not None
            and self.amount > 0
        )


def first_decision(
    subject: ProcessedPeriod, terms: ContractTerms | None, table: RateTable
) -> list[Event]:
    """The events that start a period's compensation stream."""
    found = assess(terms, subject.period, table)
    events: list[Event] = []
    if found.working is not None and terms is not None:
        events.append(_calculated(subject, terms, table, found))
    if found.hold is not None:
        events.append(_held(subject, terms, found.hold))
    return events


def reevaluate(
    state: CompensationState, terms: ContractTerms | None, table: RateTable
) -> list[Event]:
    """Release a held compensation, or hold it for what blocks it now."""
    if state.paid or state.hold is None:
        return []
    subject = state.subject
    events: list[Event] = []
    if state.amount is None:
        found = assess(terms, subject.period, table)
        if found.working is not None and terms is not None:
            events.append(_calculated(subject, terms, table, found))
        hold = found.hold
    else:
        hold = iban_problem(terms.iban if terms else None)
    if hold is None:
        events.append(_released(subject))
    elif hold is not None and (events or hold != state.hold):
        events.append(_held(subject, terms, hold))
    return events


def paid(
    state: CompensationState, batch_id: str, payee_name: str, execution_date: date
) -> CompensationPaid:
    if not state.payable or state.amount is None:
        raise ValueError(f"{state.subject.compensation_id} is not payable")
    subject = state.subject
    return CompensationPaid(
        compensation_id=subject.compensation_id,
        contract_id=subject.contract_id,
        office_id=subject.office_id,
        batch_id=batch_id,
        amount=state.amount,
        payee_name=payee_name,
        execution_date=execution_date,
    )


def _calculated(
    subject: ProcessedPeriod,
    terms: ContractTerms,
    table: RateTable,
    found: Assessment,
) -> CompensationCalculated:
    assert found.working is not None and found.paid_days is not None
    first, last = found.paid_days
    return CompensationCalculated(
        compensation_id=subject.compensation_id,
        contract_id=subject.contract_id,
        office_id=subject.office_id,
        feedback_id=subject.feedback_id,
        period_index=subject.period.index,
        period_start=first,
        period_end=last,
        amount=found.working.amount,
        months=list(found.working.months),
        rate_table_version=table.version,
        payee_name=terms.payee_name,
    )


def _held(
    subject: ProcessedPeriod, terms: ContractTerms | None, hold: HoldReason
) -> CompensationHeld:
    return CompensationHeld(
        compensation_id=subject.compensation_id,
        contract_id=subject.contract_id,
        office_id=subject.office_id,
        period_index=subject.period.index,
        reason=reason_text(hold, terms.language if terms else "fi"),
        reason_code=hold.value,
        feedback_id=subject.feedback_id,
        period_start=subject.period.start,
        period_end=subject.period.end,
    )


def _released(subject: ProcessedPeriod) -> CompensationReleased:
    return CompensationReleased(
        compensation_id=subject.compensation_id,
        contract_id=subject.contract_id,
        office_id=subject.office_id,
        period_index=subject.period.index,
    )
