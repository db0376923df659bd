"""Events on kisalli.accounts.events. No event here carries a secret."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from kisalli_shared.contracts.common import Language, Role
from kisalli_shared.events import Event, EventRegistry

registry = EventRegistry()

# Activation and reset links travel sealed on this short-lived topic, read by
# notifications alone and never replayed (see services/accounts/README.md).
SECRET_LINKS = "accounts.secret-links"  # noqa: S105 (a name)


def secret_links_topic(prefix: str = "kisalli") -> str:
    return f"{prefix}.{SECRET_LINKS}"


@registry.register
class AccountCreated(Event):
    account_id: str
    role: Role
    username: str
    email: str
    name: str
    language: Language = Language.FI
    office_id: str | None = None


@registry.register
class ContractMemberAssigned(Event):
    """An account now belongs to a contract as its tutor or its student.

    Answers the feedback service's ContractSigned and ContractTutorChanged.
    """

    contract_id: str
    role: Role
    account_id: str
    effective_from: date
    # The office of the contract: its staff may now manage this account.
    office_id: str | None = None


@registry.register
class ContractMemberRefused(Event):
    """An account was not made a contract's member, and why.

    Office staff are never a contract's tutor or student: a contract naming
    a colleague's email (of any office) must not hand that account to the
    contract's office. The office corrects the person's email.
    """

    contract_id: str
    role: Role
    account_id: str
    office_id: str | None = None
    reason: str


# Topic settings of the secret-links topic: an hour is ample for the one
# reader, and nothing older than that may exist anywhere.
SECRET_LINKS_TOPIC_CONFIG = {"retention.ms": "3600000", "cleanup.policy": "delete"}

# Where accounts keeps the sealing key when SECRET_LINK_KEY is not set,
# relative to its state directory (ACCOUNTS_STATE_DIR).
SECRET_LINK_KEY_FILE = "secret-link.key"  # noqa: S105 (a file name)


class SecretLinkKind(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind)


class SecretLink(BaseModel):
    """An email that carries a one-time link; travels sealed, never as an event.

    Sealed with kisalli_shared.sealed.seal under SECRET_LINK_KEY and sent on
    secret_links_topic(prefix); notifications alone opens it.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: SecretLinkKind
    account_id: str
    email: str
    name: str
    language: Language = Language.FI
    username: str
    link: str
    expires_at: datetime


@registry.register
class ActivationRequested(Event):
    """An activation email was queued. The link itself never leaves the email."""

    account_id: str
    request_id: str
    expires_at: datetime


@registry.register
class AccountActivated(Event):
    """The person set their first password."""

    account_id: str
    request_id: str


@registry.register
class PasswordChanged(Event):
    """The person changed their password, knowing the current one."""

    account_id: str


@registry.register
class PasswordResetRequested(Event):
    """A reset email was queued to the address on record; no link here."""

    account_id: str
    request_id: str
    expires_at: datetime


@registry.register
class PasswordResetCompleted(Event):
    """A password was set through a reset link; every session ended."""

    account_id: str
    request_id: str


@registry.register
class EmailChanged(Event):
    """The office changed a person's address; both addresses are told."""

    account_id: str
    old_email: str
    new_email: str
    changed_by: str
    name: str = ""
    language: Language = Language.FI


@registry.register
class AccountLocked(Event):
    """Too many failed logins: the account refuses logins until a time."""

    account_id: str
    locked_until: datetime
    failed_attempts: int


@registry.register
class SecretLinkSealed(Event):
    """A SecretLink sealed for notifications, as it travels on the secret-links topic.

    Put on secret_links_topic(prefix) inside an envelope (outbox.enqueue), so
    that the consumer runner records it as handled like any event; it is
    never appended to an event store. `sealed` is the Fernet token as text.
    """

    sealed: str
