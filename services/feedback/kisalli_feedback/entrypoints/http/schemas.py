"""What the HTTP API takes and gives. Every string has a bound."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from kisalli_feedback.domain import identifiers
from kisalli_feedback.domain.documents import DocumentContent
from kisalli_shared.contracts.common import Language
from kisalli_shared.contracts.feedback import FeedbackKind, QualificationKind
from kisalli_shared.text import PersonName


def _sane(day: date) -> date:
    # Far dates are typing errors, and date arithmetic near year 9999 fails.
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValueError("the date must be between 2000 and 2100")
    return day


def _checked_hetu(value: str) -> str:
    # Only the form here; whether temporary codes are allowed is the
    # service's setting. The message never repeats the value.
    return identifiers.personal_id(value, allow_temporary=True)


Day = Annotated[date, AfterValidator(_sane)]
Name = PersonName
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
]
PersonalId = Annotated[
    str, StringConstraints(max_length=20), AfterValidator(_checked_hetu)
]
BusinessId = Annotated[
    str, StringConstraints(max_length=20), AfterValidator(identifiers.business_id)
]
Iban = Annotated[
    str, StringConstraints(max_length=50), AfterValidator(identifiers.iban)
]
Bic = Annotated[str, StringConstraints(max_length=20), AfterValidator(identifiers.bic)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonIn(Request):
    name: Name
    email: Email
    language: Language = Language.FI


class StudentIn(PersonIn):
    personal_id: PersonalId


class EmployerIn(Request):
    name: Name
    business_id: BusinessId
    iban: Iban | None = None
    bic: Bic | None = None
    contact_email: Email | None = None
    language: Language = Language.FI


class PartIn(Request):
    code: Annotated[str, StringConstraints(pattern=r"^\d{1,10}$")] | None = None
    name: Name


class QualificationIn(Request):
    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    name: Name
    kind: QualificationKind
    # The parts this apprentice studies; by default every part the
    # reference data knows for the code.
    parts: list[PartIn] | None = Field(default=None, max_length=60)


class AgreedAmountIn(Request):
    from_month: int = Field(ge=1, le=72)
    monthly_amount: Decimal = Field(ge=0, le=10000, max_digits=7, decimal_places=2)


class SignContractIn(Request):
    student: StudentIn
    tutor: PersonIn
    employer: EmployerIn
    mentor_company: EmployerIn | None = Field(
        default=None,
        description="For a qualification for entrepreneurs: the outside "
        "mentor's company that is paid instead of the employer.",
    )
    qualification: QualificationIn
    start_date: Day
    end_date: Day
    agreed_amounts: list[AgreedAmountIn] = Field(default_factory=list, max_length=72)


class ChangeTutorIn(Request):
    tutor: PersonIn
    effective_from: Day


class EndEarlyIn(Request):
    end_date: Day


class StartFeedbackIn(Request):
    period_index: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="The period of an interim feedback, from 0.",
    )
    content: DocumentContent


class SaveDraftIn(Request):
    content: DocumentContent


class AcknowledgeIn(Request):
    content_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="The content_hash of the feedback as you were shown it."
    )


class ReturnIn(Request):
    reason: Reason


# -- answers -----------------------------------------------------------------


class ContractSummary(BaseModel):
    contract_id: str
    office_id: str
    student_name: str
    personal_id_masked: str
    tutor_name: str
    employer_name: str
    employer_iban_masked: str | None
    qualification_name: str
    qualification_kind: str
    start_date: date
    end_date: date
    ended_early: bool
    version: int


class Page(BaseModel):
    limit: int
    offset: int
    next_offset: int | None


class ContractPage(Page):
    items: list[ContractSummary]


class PersonOut(BaseModel):
    name: str
    email: str
    language: str


class StudentOut(PersonOut):
    personal_id_masked: str


class PayeeOut(BaseModel):
    name: str
    business_id: str
    iban: str | None = Field(description="Masked unless office staff ask.")
    bic: str | None
    contact_email: str | None


class TutorPeriodOut(BaseModel):
    tutor: PersonOut
    effective_from: date


class MemberRefusalOut(BaseModel):
    role: str
    reason: str = Field(
        description="email-of-office-staff: the email is an office staff"
        " member's; correct it with a tutor change or a new contract."
    )


class ContractDetail(BaseModel):
    contract_id: str
    office_id: str
    version: int
    student: StudentOut
    tutor: PersonOut
    tutors: list[TutorPeriodOut]
    employer: PayeeOut
    payee: PayeeOut
    qualification: dict[str, Any]
    start_date: date
    end_date: date
    ended_early: bool
    agreed_amounts: list[dict[str, Any]]
    refused_members: list[MemberRefusalOut] = Field(
        default_factory=list,
        description="Roles with no account: nobody can act in them until the"
        " office corrects the email.",
    )


class PeriodOut(BaseModel):
    index: int
    start: date
    end: date


class ScheduleItemOut(BaseModel):
    kind: FeedbackKind
    period_index: int
    period_start: date
    period_end: date
    due_date: date
    days_until_due: int = Field(description="Negative when late.")
    status: str
    feedback_id: str | None
    feedback_state: str | None


class ScheduleOut(BaseModel):
    contract_id: str
    today: date
    periods: list[PeriodOut]
    items: list[ScheduleItemOut]


class FeedbackOut(BaseModel):
    feedback_id: str
    contract_id: str
    office_id: str
    kind: FeedbackKind
    period_index: int
    period_start: date
    period_end: date
    state: str
    version: int
    content: dict[str, Any]
    content_hash: str = Field(
        description="SHA-256 of what is shown; send it back to acknowledge."
    )
    returned_by: str | None
    returned_reason: str | None
    submitted_at: datetime | None
    acknowledged_at: datetime | None
    processed_at: datetime | None


class FeedbackPage(Page):
    items: list[FeedbackOut]


class ApprenticeOut(ContractSummary):
    due: list[ScheduleItemOut]
    late: list[ScheduleItemOut]


class ApprenticePage(Page):
    items: list[ApprenticeOut]
