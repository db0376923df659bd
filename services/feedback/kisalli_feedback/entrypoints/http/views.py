"""Turning aggregates and read-model rows into answers."""

from __future__ import annotations

from datetime import date
from typing import Any

from kisalli_feedback.domain.calendar import days_between
from kisalli_feedback.domain.contract import Contract
from kisalli_feedback.domain.identifiers import mask_iban
from kisalli_feedback.domain.schedule import item_status
from kisalli_feedback.entrypoints.http.schemas import (
    ContractDetail,
    ContractSummary,
    FeedbackOut,
    MemberRefusalOut,
    PayeeOut,
    PersonOut,
    ScheduleItemOut,
    StudentOut,
    TutorPeriodOut,
)
from kisalli_shared.auth import Principal
from kisalli_shared.contracts.feedback import FeedbackKind, Payee

Row = dict[str, Any]


def contract_detail(
    contract: Contract,
    caller: Principal,
    refused: list[tuple[str, str]] | None = None,
) -> ContractDetail:
    signed = contract.signed
    # Office staff check the account they pay to; nobody else needs it.
    full_iban = caller.is_office_staff
    return ContractDetail(
        contract_id=contract.contract_id,
        office_id=contract.office_id,
        version=contract.version,
        student=StudentOut(
            name=signed.student.name,
            email=signed.student.email,
            language=signed.student.language.value,
            personal_id_masked=signed.student.personal_id_masked,
        ),
        tutor=_person(contract.tutor),
        tutors=[
            TutorPeriodOut(tutor=_person(t.tutor), effective_from=t.effective_from)
            for t in contract.tutors
        ],
        employer=_payee(signed.employer, full_iban),
        payee=_payee(signed.payee, full_iban),
        qualification=signed.qualification.model_dump(mode="json"),
        start_date=contract.start_date,
        end_date=contract.end_date,
        ended_early=contract.ended_early,
        agreed_amounts=[a.model_dump(mode="json") for a in signed.agreed_amounts],
        refused_members=[
            MemberRefusalOut(role=role, reason=reason) for role, reason in refused or []
        ],
    )


def _person(person: Any) -> PersonOut:
    return PersonOut(name=person.name, email=person.email, language=person.language)


def _payee(payee: Payee, full_iban: bool) -> PayeeOut:
    iban = payee.iban
    if iban and not full_iban:
        iban = mask_iban(iban)
    return PayeeOut(
        name=payee.name,
        business_id=payee.business_id,
        iban=iban,
        bic=payee.bic,
        contact_email=payee.contact_email,
    )


def contract_summary(row: Row) -> ContractSummary:
    return ContractSummary.model_validate(row)


def schedule_item(row: Row, today: date) -> ScheduleItemOut:
    return ScheduleItemOut(
        kind=FeedbackKind(row["kind"]),
        period_index=row["period_index"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        due_date=row["due_date"],
        days_until_due=days_between(today, row["due_date"]),
        status=item_status(row["due_date"], row["feedback_state"], today).value,
        feedback_id=row["feedback_id"],
        feedback_state=row["feedback_state"],
    )


def feedback_out(row: Row) -> FeedbackOut:
    return FeedbackOut.model_validate(row)
