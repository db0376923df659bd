"""What an email is before it is rendered: a template, a person, the facts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kisalli_shared.contracts.common import Language


class Template(StrEnum):
    ACCOUNT_ACTIVATION = "account_activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a template name)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET_COMPLETED = "password_reset_completed"  # noqa: S105
    EMAIL_CHANGED_OLD_ADDRESS = "email_changed_old_address"
    EMAIL_CHANGED_NEW_ADDRESS = "email_changed_new_address"
    ACCOUNT_LOCKED = "account_locked"
    FEEDBACK_AWAITING_ACKNOWLEDGEMENT = "feedback_awaiting_acknowledgement"
    FEEDBACK_RETURNED = "feedback_returned"
    FEEDBACK_PROCESSED = "feedback_processed"
    COMPENSATION_CALCULATED = "compensation_calculated"
    COMPENSATION_HELD = "compensation_held"
    COMPENSATION_PAID = "compensation_paid"
    TUTOR_REMINDER = "tutor_reminder"
    STUDENT_REMINDER = "student_reminder"


# The templates whose link is a secret: it travels sealed and is opened only
# when the email is sent.
SECRET_LINK_TEMPLATES = frozenset(
    {Template.ACCOUNT_ACTIVATION, Template.PASSWORD_RESET}
)


def language_of(value: str | None) -> Language:
    """The language to write in: the person's own, else Finnish."""
    try:
        return Language((value or "").strip().lower())
    except ValueError:
        return Language.FI


def address_key(email: str) -> str:
    """An address compared the way accounts compares them."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


@dataclass(frozen=True)
class Recipient:
    email: str
    language: Language = Language.FI
    name: str = ""


@dataclass(frozen=True)
class OutgoingEmail:
    """One email decided on: sent once per cause, recipient and template."""

    template: Template
    recipient: Recipient
    # Facts the template shows; JSON-serialisable and never a secret.
    context: dict[str, Any] = field(default_factory=dict)
    # The sealed SecretLink whose link the email carries, if any.
    sealed_link: str | None = None
    office_id: str | None = None
