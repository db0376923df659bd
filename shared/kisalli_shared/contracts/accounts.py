"""Events on kisalli.accounts.events. No event here carries a secret."""

from __future__ import annotations

from datetime import date

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
