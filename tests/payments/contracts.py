"""Contracts and processed feedback as the feedback service publishes them.

The period rule is the feedback service's (its README): period k starts on
start + 4k months, clamped to the month's end, and ends the day before the
next; the last ends with the contract. Written here again on purpose:
services share only kisalli_shared.
"""

from __future__ import annotations

import uuid
from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

from kisalli_shared.contracts.common import Person
from kisalli_shared.contracts.feedback import (
    AgreedAmount,
    ContractSigned,
    FeedbackKind,
    FeedbackProcessed,
    Payee,
    Qualification,
    QualificationKind,
    Student,
)


def add_months(day: date, months: int) -> date:
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def periods(start: date, end: date) -> list[tuple[date, date]]:
    found = []
    k = 0
    while (first := add_months(start, 4 * k)) <= end:
        last = min(add_months(start, 4 * (k + 1)) - timedelta(days=1), end)
        found.append((first, last))
        k += 1
    return found


def signed(
    *,
    office_id: str = "office-a",
    start: date = date(2025, 1, 1),
    end: date = date(2025, 12, 31),
    kind: QualificationKind = QualificationKind.VOCATIONAL_UPPER_SECONDARY,
    payee_name: str = "Kahvila Oy",
    iban: str | None = "FI21 1234 5600 0007 85",
    bic: str | None = None,
    agreed: tuple[tuple[int, str], ...] = (),
    language: str = "fi",
) -> ContractSigned:
    payee = Payee(
        name=payee_name,
        business_id="0112038-9",
        iban=iban,
        bic=bic,
        contact_email="maksut@example.fi",
        language=language,
    )
    return ContractSigned(
        contract_id=str(uuid.uuid4()),
        office_id=office_id,
        student=Student(
            name="Aino Oppilas",
            email="aino@example.fi",
            personal_id_masked="010594-****",
        ),
        tutor=Person(name="Tuomas Ohjaaja", email="tuomas@example.fi"),
        employer=payee,
        payee=payee,
        qualification=Qualification(
            code="331101", name="Liiketoiminnan perustutkinto", kind=kind
        ),
        start_date=start,
        end_date=end,
        agreed_amounts=tuple(
            AgreedAmount(from_month=m, monthly_amount=Decimal(a)) for m, a in agreed
        ),
    )


def processed(
    contract: ContractSigned,
    index: int,
    kind: FeedbackKind = FeedbackKind.INTERIM,
) -> FeedbackProcessed:
    all_periods = periods(contract.start_date, contract.end_date)
    if kind is not FeedbackKind.INTERIM:
        index = len(all_periods) - 1
    first, last = all_periods[index]
    return FeedbackProcessed(
        feedback_id=str(uuid.uuid4()),
        contract_id=contract.contract_id,
        office_id=contract.office_id,
        kind=kind,
        period_index=index,
        period_start=first,
        period_end=last,
        processed_by=str(uuid.uuid4()),
    )
