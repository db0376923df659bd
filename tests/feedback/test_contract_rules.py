"""The contract's own rules, on plain objects."""

from __future__ import annotations

from datetime import date

import pytest

from kisalli_feedback.domain.contract import SignContract, contract_from, sign
from kisalli_feedback.domain.errors import ContractStateConflict, InvalidContract
from kisalli_feedback.domain.membership import Assignment, member_on
from kisalli_shared.contracts.common import Person, Role
from kisalli_shared.contracts.feedback import (
    Payee,
    Qualification,
    QualificationKind,
    Student,
)

EMPLOYER = Payee(name="Kahvila Oy", business_id="0112038-9")
MENTOR = Payee(name="Mentori Oy", business_id="0112038-9")


def command(kind=QualificationKind.ENTREPRENEUR, **changes) -> SignContract:
    fields = {
        "contract_id": "c-1",
        "office_id": "office-a",
        "student": Student(
            name="Aino", email="a@example.fi", personal_id_masked="010594-****"
        ),
        "tutor": Person(name="Tuomas", email="t@example.fi"),
        "employer": EMPLOYER,
        "qualification": Qualification(name="Yrittäjyys", kind=kind),
        "start_date": date(2025, 1, 1),
        "end_date": date(2025, 12, 31),
        **changes,
    }
    return SignContract(**fields)


def test_an_entrepreneurs_mentor_company_is_paid_instead_of_the_employer():
    signed = sign(command(mentor_company=MENTOR))

    assert signed.payee == MENTOR
    assert signed.employer == EMPLOYER


def test_only_an_entrepreneur_qualification_may_pay_a_mentor():
    with pytest.raises(InvalidContract):
        sign(command(QualificationKind.FURTHER_VOCATIONAL, mentor_company=MENTOR))


def test_a_tutor_change_falls_within_the_contract_and_after_the_last_one():
    contract = contract_from([sign(command())])
    assert contract is not None
    new = Person(name="Uusi", email="u@example.fi")
    changed = contract.apply(contract.change_tutor(new, date(2025, 6, 1)))

    with pytest.raises(ContractStateConflict):
        contract.change_tutor(new, date(2026, 1, 1))
    with pytest.raises(ContractStateConflict):
        changed.change_tutor(new, date(2025, 5, 31))
    assert changed.tutor == new


def test_an_early_end_shortens_the_schedule_and_happens_once():
    contract = contract_from([sign(command())])
    assert contract is not None

    ended = contract.apply(contract.end_early(date(2025, 6, 15)))

    assert [p.end for p in ended.periods()] == [date(2025, 4, 30), date(2025, 6, 15)]
    with pytest.raises(ContractStateConflict):
        ended.end_early(date(2025, 6, 1))
    with pytest.raises(ContractStateConflict):
        contract.end_early(date(2025, 12, 31))


def test_the_tutor_on_a_day_is_the_latest_begun_or_else_the_first():
    assignments = [
        Assignment(Role.TUTOR, "old", date(2025, 3, 1)),
        Assignment(Role.TUTOR, "new", date(2025, 6, 1)),
        Assignment(Role.STUDENT, "aino", date(2025, 3, 1)),
    ]

    assert member_on(assignments, Role.TUTOR, date(2025, 1, 1)) == "old"
    assert member_on(assignments, Role.TUTOR, date(2025, 5, 31)) == "old"
    assert member_on(assignments, Role.TUTOR, date(2025, 6, 1)) == "new"
    assert member_on(assignments, Role.STUDENT, date(2025, 6, 1)) == "aino"
    assert member_on([], Role.TUTOR, date(2025, 6, 1)) is None


def test_the_apprentice_and_the_tutor_cannot_share_an_email_address():
    same = Person(name="Tuomas", email=" A@Example.fi")

    with pytest.raises(InvalidContract, match="addresses of their own"):
        sign(command(tutor=same))
    contract = contract_from([sign(command())])
    assert contract is not None
    with pytest.raises(InvalidContract, match="addresses of their own"):
        contract.change_tutor(same, date(2025, 6, 1))
