"""Events on kisalli.feedback.events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kisalli_shared.contracts.common import Person, Value
from kisalli_shared.events import Event, EventRegistry

registry = EventRegistry()


class QualificationKind(StrEnum):
    VOCATIONAL_UPPER_SECONDARY = "vocational_upper_secondary"
    FURTHER_VOCATIONAL = "further_vocational"
    SPECIALIST_VOCATIONAL = "specialist_vocational"
    ENTREPRENEUR = "entrepreneur"


class FeedbackKind(StrEnum):
    INTERIM = "interim"
    FINAL_ASSESSMENT = "final_assessment"
    EMPLOYER_CERTIFICATE = "employer_certificate"


class QualificationPart(Value):
    """A part of a qualification (tutkinnon osa) that ratings refer to."""

    code: str | None = None
    name: str


class Qualification(Value):
    code: str | None = None
    name: str
    kind: QualificationKind
    # Taken from the reference data when the contract is signed, so that a
    # later change of the national lists does not change old contracts.
    parts: tuple[QualificationPart, ...] = ()


class Student(Person):
    # Shown masked; the full code stays in the feedback service's own table.
    personal_id_masked: str


class Payee(Value):
    """Who is paid: the employer, or a mentor's company for entrepreneurs."""

    name: str
    business_id: str
    iban: str | None = None
    bic: str | None = None
    contact_email: str | None = None
    language: str = "fi"


class AgreedAmount(Value):
    """A contract's own monthly compensation, from contract month `from_month`."""

    from_month: int
    monthly_amount: Decimal


@registry.register
class ContractSigned(Event):
    contract_id: str
    office_id: str
    student: Student
    tutor: Person
    employer: Payee
    payee: Payee
    qualification: Qualification
    start_date: date
    end_date: date
    agreed_amounts: tuple[AgreedAmount, ...] = ()


@registry.register
class ContractTutorChanged(Event):
    contract_id: str
    office_id: str
    tutor: Person
    effective_from: date


@registry.register
class ContractEndedEarly(Event):
    contract_id: str
    office_id: str
    end_date: date


class FeedbackFacts(Event):
    """What every event about one feedback document says of it.

    Periods are numbered from 0. A final assessment and an employer's
    certificate belong to the contract's last period (its index and dates),
    so a consumer that pays per period must pay for `kind` interim only.
    """

    feedback_id: str
    contract_id: str
    office_id: str
    kind: FeedbackKind
    period_index: int
    period_start: date
    period_end: date


@registry.register
class FeedbackDraftSaved(FeedbackFacts):
    """The tutor saved a draft; the first save starts the document."""

    tutor_account_id: str
    # The document's fields as the tutor wrote them (see the feedback
    # service's README for each kind's fields).
    content: dict[str, Any]


@registry.register
class FeedbackSubmitted(FeedbackFacts):
    tutor_account_id: str
    student_account_id: str | None = None


@registry.register
class FeedbackAcknowledged(FeedbackFacts):
    student_account_id: str
    # SHA-256 of the exact content the apprentice saw.
    content_hash: str


@registry.register
class FeedbackReturned(FeedbackFacts):
    returned_by: str  # "student" or "office"
    reason: str
    returned_by_account_id: str | None = None


@registry.register
class FeedbackProcessed(FeedbackFacts):
    processed_by: str
