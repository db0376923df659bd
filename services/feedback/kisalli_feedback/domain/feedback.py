"""One feedback document and its life.

    draft --submit--> submitted --acknowledge--> acknowledged --process--> processed
      ^                   |                            |
      +-----return--------+-----------return-----------+

The apprentice acknowledges or returns a submitted document; the office
returns a submitted or acknowledged one, and processes an acknowledged one.
Processed is final. A change after an acknowledgement needs a return, a new
draft, a new submission and a new acknowledgement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from kisalli_feedback.domain.contract import Contract
from kisalli_feedback.domain.documents import (
    MODELS,
    Content,
    content_hash,
    content_problems,
    missing_for_submission,
)
from kisalli_feedback.domain.errors import (
    FeedbackContentChanged,
    FeedbackIncomplete,
    FeedbackStateConflict,
    InvalidFeedback,
)
from kisalli_feedback.domain.schedule import Period
from kisalli_shared.contracts.feedback import (
    FeedbackAcknowledged,
    FeedbackDraftSaved,
    FeedbackFacts,
    FeedbackKind,
    FeedbackProcessed,
    FeedbackReturned,
    FeedbackSubmitted,
)
from kisalli_shared.events import Event


def stream_of(feedback_id: str) -> str:
    return f"feedback-{feedback_id}"


class FeedbackState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    PROCESSED = "processed"


class ReturnedBy(StrEnum):
    STUDENT = "student"
    OFFICE = "office"


# Who may return a document from which state.
_RETURNABLE = {
    ReturnedBy.STUDENT: {FeedbackState.SUBMITTED},
    ReturnedBy.OFFICE: {FeedbackState.SUBMITTED, FeedbackState.ACKNOWLEDGED},
}


def period_for(contract: Contract, kind: FeedbackKind, index: int | None) -> Period:
    """The period a new document of this kind belongs to.

    Interim feedback names its period; the final assessment and the
    employer's certificate belong to the last one.
    """
    periods = contract.periods()
    if kind is not FeedbackKind.INTERIM:
        return periods[-1]
    if index is None:
        raise InvalidFeedback("Interim feedback names its period (period_index).")
    if not 0 <= index < len(periods):
        raise InvalidFeedback(f"The contract has periods 0 to {len(periods) - 1}.")
    return periods[index]


def _check_content(contract: Contract, content: Content) -> None:
    problems = content_problems(
        content,
        contract.qualification.parts,
        contract.start_date,
        contract.end_date,
    )
    if problems:
        raise InvalidFeedback("The feedback has errors.", errors=problems)


def start_draft(
    feedback_id: str,
    contract: Contract,
    period: Period,
    content: Content,
    tutor_account_id: str,
) -> FeedbackDraftSaved:
    _check_content(contract, content)
    return FeedbackDraftSaved(
        feedback_id=feedback_id,
        contract_id=contract.contract_id,
        office_id=contract.office_id,
        kind=FeedbackKind(content.model_dump()["kind"]),
        period_index=period.index,
        period_start=period.start,
        period_end=period.end,
        tutor_account_id=tutor_account_id,
        content=content.model_dump(mode="json"),
    )


@dataclass(frozen=True)
class Feedback:
    feedback_id: str
    contract_id: str
    office_id: str
    kind: FeedbackKind
    period: Period
    content: dict[str, Any]
    state: FeedbackState = FeedbackState.DRAFT
    tutor_account_id: str | None = None
    acknowledged_hash: str | None = None
    returned: FeedbackReturned | None = None
    version: int = 1

    def facts(self) -> dict[str, Any]:
        return {
            "feedback_id": self.feedback_id,
            "contract_id": self.contract_id,
            "office_id": self.office_id,
            "kind": self.kind,
            "period_index": self.period.index,
            "period_start": self.period.start,
            "period_end": self.period.end,
        }

    def content_hash(self) -> str:
        return document_hash(
            self.feedback_id, self.contract_id, self.kind, self.period, self.content
        )

    def parsed_content(self) -> Content:
        return MODELS[self.kind].model_validate(self.content)

    def _require(self, allowed: set[FeedbackState], doing: str) -> None:
        if self.state not in allowed:
            raise FeedbackStateConflict(
                f"A {self.state.value} feedback cannot be {doing}.",
                state=self.state.value,
            )

    def save_draft(
        self, contract: Contract, content: Content, tutor_account_id: str
    ) -> FeedbackDraftSaved:
        self._require({FeedbackState.DRAFT}, "edited")
        if content.model_dump()["kind"] != self.kind.value:
            raise InvalidFeedback("A feedback keeps its kind.")
        period = self._current_period(contract)
        _check_content(contract, content)
        return FeedbackDraftSaved(
            **{**self.facts(), **_period_facts(period)},
            tutor_account_id=tutor_account_id,
            content=content.model_dump(mode="json"),
        )

    def submit(
        self,
        contract: Contract,
        tutor_account_id: str,
        student_account_id: str | None,
        today: date,
    ) -> FeedbackSubmitted:
        self._require({FeedbackState.DRAFT}, "submitted")
        period = self._current_period(contract)
        if today < period.start:
            raise FeedbackStateConflict(
                "A feedback can be submitted once its period has started."
            )
        missing = missing_for_submission(
            self.parsed_content(), contract.qualification.parts
        )
        if missing:
            raise FeedbackIncomplete("The feedback is not complete.", missing=missing)
        return FeedbackSubmitted(
            **{**self.facts(), **_period_facts(period)},
            tutor_account_id=tutor_account_id,
            student_account_id=student_account_id,
        )

    def acknowledge(
        self, student_account_id: str, shown_hash: str
    ) -> FeedbackAcknowledged:
        self._require({FeedbackState.SUBMITTED}, "acknowledged")

        # The apprentice acknowledges what they saw, not what is there now.
        if shown_hash != self.content_hash():
            raise FeedbackContentChanged(
                "The feedback is not what you were shown; read it again."
            )
        return FeedbackAcknowledged(
            **self.facts(),
            student_account_id=student_account_id,
            content_hash=shown_hash,
        )

    def return_(self, by: ReturnedBy, account_id: str, reason: str) -> FeedbackReturned:
        self._require(_RETURNABLE[by], f"returned by the {by.value}")
        return FeedbackReturned(
            **self.facts(),
            returned_by=by.value,
            returned_by_account_id=account_id,
            reason=reason,
        )

    def process(self, office_account_id: str) -> FeedbackProcessed:
        self._require({FeedbackState.ACKNOWLEDGED}, "processed")
        return FeedbackProcessed(**self.facts(), processed_by=office_account_id)

    def _current_period(self, contract: Contract) -> Period:
        # An early end may have shortened the period or removed it.
        if self.kind is not FeedbackKind.INTERIM:
            return contract.periods()[-1]
        for period in contract.periods():
            if period.index == self.period.index:
                return period
        raise FeedbackStateConflict("The contract ended before this feedback's period.")

    def apply(self, event: Event, version: int) -> Feedback:
        changed = replace(self, version=version)
        match event:
            case FeedbackDraftSaved():
                return replace(
                    changed,
                    content=event.content,
                    period=_period_of(event),
                    tutor_account_id=event.tutor_account_id,
                )
            case FeedbackSubmitted():
                return replace(
                    changed,
                    state=FeedbackState.SUBMITTED,
                    period=_period_of(event),
                    returned=None,
                )
            case FeedbackAcknowledged():
                return replace(
                    changed,
                    state=FeedbackState.ACKNOWLEDGED,
                    acknowledged_hash=event.content_hash,
                )
            case FeedbackReturned():
                return replace(
                    changed,
                    state=FeedbackState.DRAFT,
                    acknowledged_hash=None,
                    returned=event,
                )
            case FeedbackProcessed():
                return replace(changed, state=FeedbackState.PROCESSED)
        return changed


def document_hash(
    feedback_id: str,
    contract_id: str,
    kind: FeedbackKind,
    period: Period,
    content: dict[str, Any],
) -> str:
    """The hash of what the apprentice is shown of a document."""
    shown = {
        "feedback_id": feedback_id,
        "contract_id": contract_id,
        "kind": kind.value,
        "period_index": period.index,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
    }
    return content_hash(shown, content)


def _period_of(event: FeedbackFacts) -> Period:
    return Period(event.period_index, event.period_start, event.period_end)


def _period_facts(period: Period) -> dict[str, Any]:
    return {
        "period_index": period.index,
        "period_start": period.start,
        "period_end": period.end,
    }


def feedback_from(events: Iterable[Event]) -> Feedback | None:
    """Fold a document's stream; None when the stream is empty."""
    feedback: Feedback | None = None
    for version, event in enumerate(events, start=1):
        if feedback is None and isinstance(event, FeedbackDraftSaved):
            feedback = Feedback(
                feedback_id=event.feedback_id,
                contract_id=event.contract_id,
                office_id=event.office_id,
                kind=event.kind,
                period=_period_of(event),
                content=event.content,
                tutor_account_id=event.tutor_account_id,
            )
        elif feedback is not None:
            feedback = feedback.apply(event, version)
    return feedback
