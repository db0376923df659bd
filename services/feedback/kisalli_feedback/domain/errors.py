"""Refusals the domain gives, each with a stable name clients can rely on."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A command the model refuses; `slug` names the kind of refusal."""

    slug = "refused"
    title = "Refused"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidCommand(Refused):
    """The command itself is wrong, whatever the state (a 422 over HTTP)."""

    slug = "invalid-command"
    title = "Invalid request"


class InvalidContract(InvalidCommand):
    slug = "invalid-contract"
    title = "Invalid contract"


class InvalidFeedback(InvalidCommand):
    slug = "invalid-feedback"
    title = "Invalid feedback"


class FeedbackIncomplete(InvalidCommand):
    slug = "feedback-incomplete"
    title = "Feedback is incomplete"


class StateConflict(Refused):
    """The command is fine but the thing is not in a state that allows it."""

    slug = "conflict"
    title = "Conflict"


class ContractStateConflict(StateConflict):
    slug = "contract-state"
    title = "The contract does not allow this now"


class FeedbackStateConflict(StateConflict):
    slug = "feedback-state"
    title = "The feedback does not allow this now"


class FeedbackContentChanged(StateConflict):
    slug = "feedback-content-changed"
    title = "The feedback has changed"


class FeedbackExists(StateConflict):
    slug = "feedback-exists"
    title = "The feedback exists already"
