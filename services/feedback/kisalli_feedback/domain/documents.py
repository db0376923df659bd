"""What each kind of feedback document says, and when it is complete.

Drafts may be incomplete: a tutor saves as they go. Everything a draft holds
is checked when it is saved (lengths, ratings, parts of the qualification);
completeness is checked when it is submitted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kisalli_shared.contracts.feedback import FeedbackKind, QualificationPart

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
PartRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]

NOT_ASSESSED_YET = "not_assessed_yet"
Rating = Literal[1, 2, 3]


class Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartRating(Content):
    """A part of the qualification (its code, or its name when it has none)."""

    part: PartRef
    rating: Rating | Literal["not_assessed_yet"]


class FinalPartRating(Content):
    part: PartRef
    rating: Rating


class InterimFeedback(Content):
    """Välipalaute: how the apprentice did during one period."""

    kind: Literal["interim"] = "interim"
    # Only the parts worked on in this period; the rest wait for later ones.
    ratings: list[PartRating] = Field(default_factory=list, max_length=60)
    training_follows_plan: Literal["yes", "partly", "no"] | None = None
    masters: LongText = ""
    practise_next: LongText = ""
    # What the apprentice said of their own learning in the discussion.
    student_self_assessment: LongText = ""
    free_text: LongText = ""


class FinalAssessment(Content):
    """Päättöarviointi: every part of the qualification rated 1 to 3."""

    kind: Literal["final_assessment"] = "final_assessment"
    ratings: list[FinalPartRating] = Field(default_factory=list, max_length=60)
    summary: LongText = ""


class EmployerCertificate(Content):
    """Työnantajan todistus."""

    kind: Literal["employer_certificate"] = "employer_certificate"
    employed_from: date | None = None
    employed_until: date | None = None
    main_tasks: LongText = ""
    learning_assessment: LongText = ""
    issued_by: ShortText = ""
    issuer_title: ShortText = ""


DocumentContent = Annotated[
    InterimFeedback | FinalAssessment | EmployerCertificate,
    Field(discriminator="kind"),
]

MODELS: dict[FeedbackKind, type[Content]] = {
    FeedbackKind.INTERIM: InterimFeedback,
    FeedbackKind.FINAL_ASSESSMENT: FinalAssessment,
    FeedbackKind.EMPLOYER_CERTIFICATE: EmployerCertificate,
}


def part_key(part: QualificationPart) -> str:
    """How ratings name a part: its national code, else its name."""
    return part.code or part.name


def content_problems(
    content: Content,
    parts: tuple[QualificationPart, ...],
    contract_start: date,
    contract_end: date,
) -> list[str]:
    """What is wrong in a draft, whether or not it is complete."""
    problems: list[str] = []
    ratings: list[PartRating] | list[FinalPartRating] = []
    if isinstance(content, InterimFeedback | FinalAssessment):
        ratings = content.ratings
    named = [r.part for r in ratings]
    if len(set(named)) != len(named):
        problems.append("ratings: a part is rated twice")
    known = {part_key(p) for p in parts}
    # A qualification whose parts are not known takes parts by name.
    if known and set(named) - known:
        problems.append("ratings: a part that is not in the qualification")
    if isinstance(content, EmployerCertificate):
        problems.extend(_certificate_dates(content, contract_start, contract_end))
    return problems


def _certificate_dates(
    content: EmployerCertificate, contract_start: date, contract_end: date
) -> list[str]:
    problems = []
    start, until = content.employed_from, content.employed_until
    if start and until and until < start:
        problems.append("employed_until: before employed_from")
    for name, day in (("employed_from", start), ("employed_until", until)):
        if day and not contract_start <= day <= contract_end:
            problems.append(f"{name}: outside the contract")
    return problems


def missing_for_submission(
    content: Content, parts: tuple[QualificationPart, ...]
) -> list[str]:
    """The fields a complete document needs and this one lacks."""
    match content:
        case InterimFeedback():
            return _missing_interim(content)
        case FinalAssessment():
            return _missing_final(content, parts)
        case EmployerCertificate():
            return _missing_certificate(content)
    raise TypeError(type(content).__name__)


def _missing_interim(content: InterimFeedback) -> list[str]:
    missing = [] if content.ratings else ["ratings"]
    if content.training_follows_plan is None:
        missing.append("training_follows_plan")
    for name in ("masters", "practise_next", "student_self_assessment"):
        if not getattr(content, name):
            missing.append(name)
    return missing


def _missing_final(
    content: FinalAssessment, parts: tuple[QualificationPart, ...]
) -> list[str]:
    rated = {r.part for r in content.ratings}
    missing = [f"ratings: {part_key(p)}" for p in parts if part_key(p) not in rated]
    if not content.ratings:
        missing.append("ratings")
    if not content.summary:
        missing.append("summary")
    return missing


def _missing_certificate(content: EmployerCertificate) -> list[str]:
    names = (
        "employed_from",
        "employed_until",
        "main_tasks",
        "learning_assessment",
        "issued_by",
    )
    return [name for name in names if not getattr(content, name)]


def content_hash(facts: dict[str, Any], content: dict[str, Any]) -> str:
    """SHA-256 of what the apprentice is shown, in canonical JSON.

    The apprentice acknowledges with this hash; a document that changed
    after they read it has another one.
    """
    shown = {**facts, "content": content}
    canonical = json.dumps(
        shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
