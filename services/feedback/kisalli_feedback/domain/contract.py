"""The apprenticeship contract: signed, its tutor changed, ended early."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from kisalli_feedback.domain.calendar import add_months
from kisalli_feedback.domain.errors import ContractStateConflict, InvalidContract
from kisalli_feedback.domain.schedule import DueItem, Period, due_items, periods
from kisalli_shared.contracts.common import Person
from kisalli_shared.contracts.feedback import (
    AgreedAmount,
    ContractEndedEarly,
    ContractSigned,
    ContractTutorChanged,
    Payee,
    Qualification,
    QualificationKind,
    Student,
)
from kisalli_shared.events import Event

# Apprenticeships last months or a few years; a bound keeps a typo from
# making a schedule of thousands of periods.
LONGEST_CONTRACT_YEARS = 6


def stream_of(contract_id: str) -> str:
    return f"contract-{contract_id}"


@dataclass(frozen=True)
class SignContract:
    contract_id: str
    office_id: str
    student: Student
    tutor: Person
    employer: Payee
    qualification: Qualification
    start_date: date
    end_date: date
    mentor_company: Payee | None = None
    agreed_amounts: tuple[AgreedAmount, ...] = ()


# Accounts are found by email: one address for both would give the
# apprentice and the tutor one account, acting as neither.
_OWN_ADDRESSES = (
    "The apprentice and the tutor need email addresses of their own:"
    " each acts on the contract with an account of their own."
)


def same_address(first: str, second: str) -> bool:
    """Whether two addresses are one, as accounts compares them."""

    def canonical(address: str) -> str:
        return unicodedata.normalize("NFKC", address.strip()).casefold()

    return canonical(first) == canonical(second)


def sign(command: SignContract) -> ContractSigned:
    if command.end_date < command.start_date:
        raise InvalidContract("The contract cannot end before it starts.")
    if command.end_date >= add_months(command.start_date, 12 * LONGEST_CONTRACT_YEARS):
        raise InvalidContract(
            f"A contract lasts at most {LONGEST_CONTRACT_YEARS} years."
        )
    entrepreneur = command.qualification.kind is QualificationKind.ENTREPRENEUR
    if command.mentor_company is not None and not entrepreneur:
        raise InvalidContract(
            "Only a qualification for entrepreneurs may pay a mentor's company."
        )
    if same_address(command.student.email, command.tutor.email):
        raise InvalidContract(_OWN_ADDRESSES)
    months = [a.from_month for a in command.agreed_amounts]
    if months != sorted(set(months)):
        raise InvalidContract("Agreed amounts must start in increasing months.")
    return ContractSigned(
        contract_id=command.contract_id,
        office_id=command.office_id,
        student=command.student,
        tutor=command.tutor,
        employer=command.employer,
        payee=command.mentor_company or command.employer,
        qualification=command.qualification,
        start_date=command.start_date,
        end_date=command.end_date,
        agreed_amounts=command.agreed_amounts,
    )


@dataclass(frozen=True)
class TutorChange:
    tutor: Person
    effective_from: date


@dataclass(frozen=True)
class Contract:
    signed: ContractSigned
    end_date: date
    ended_early: bool = False
    tutors: tuple[TutorChange, ...] = ()
    version: int = 1

    @property
    def contract_id(self) -> str:
        return self.signed.contract_id

    @property
    def office_id(self) -> str:
        return self.signed.office_id

    @property
    def start_date(self) -> date:
        return self.signed.start_date

    @property
    def tutor(self) -> Person:
        return self.tutors[-1].tutor

    @property
    def qualification(self) -> Qualification:
        return self.signed.qualification

    def periods(self) -> list[Period]:
        return periods(self.start_date, self.end_date)

    def due_items(self) -> list[DueItem]:
        return due_items(self.start_date, self.end_date)

    def change_tutor(self, tutor: Person, effective_from: date) -> ContractTutorChanged:
        if not self.start_date <= effective_from <= self.end_date:
            raise ContractStateConflict(
                "A tutor can change only on a day within the contract."
            )
        if effective_from < self.tutors[-1].effective_from:
            raise ContractStateConflict(
                "A tutor change cannot come before the previous one."
            )
        if same_address(self.signed.student.email, tutor.email):
            raise InvalidContract(_OWN_ADDRESSES)
        return ContractTutorChanged(
            contract_id=self.contract_id,
            office_id=self.office_id,
            tutor=tutor,
            effective_from=effective_from,
        )

    def end_early(self, end_date: date) -> ContractEndedEarly:
        if self.ended_early:
            raise ContractStateConflict("The contract has ended early already.")
        if not self.start_date <= end_date < self.end_date:
            raise ContractStateConflict(
                "An early end falls on or after the start and before the end."
            )
        return ContractEndedEarly(
            contract_id=self.contract_id, office_id=self.office_id, end_date=end_date
        )

    def apply(self, event: Event) -> Contract:
        match event:
            case ContractTutorChanged():
                change = TutorChange(event.tutor, event.effective_from)
                return replace(self, tutors=(*self.tutors, change))
            case ContractEndedEarly():
                return replace(self, end_date=event.end_date, ended_early=True)
        return self


def contract_from(events: Iterable[Event]) -> Contract | None:
    """Fold a contract's stream; None when the stream is empty."""
    contract: Contract | None = None
    for version, event in enumerate(events, start=1):
        if isinstance(event, ContractSigned):
            first = TutorChange(event.tutor, event.start_date)
            contract = Contract(event, event.end_date, tutors=(first,))
        elif contract is not None:
            contract = contract.apply(event)
        if contract is not None:
            contract = replace(contract, version=version)
    return contract


__all__ = ["Contract", "SignContract", "contract_from", "sign", "stream_of"]
