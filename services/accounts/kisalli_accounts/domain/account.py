"""The account: one person's name, address, role and credential history.

Commands take what they need and return the events that follow; the
repository appends them at the version the account was read at, so two
writers that both read version n cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from kisalli_accounts.domain.names import canonical
from kisalli_shared.contracts.accounts import (
    AccountActivated,
    AccountCreated,
    AccountLocked,
    ActivationRequested,
    ContractMemberAssigned,
    ContractMemberRefused,
    EmailChanged,
    PasswordChanged,
    PasswordResetCompleted,
    PasswordResetRequested,
)
from kisalli_shared.contracts.common import Language, Role
from kisalli_shared.events import Event


class LinkRefused(Exception):
    """An activation or reset link that is used, replaced, expired or unknown."""


class AccountNotActive(Exception):
    """The person has not yet set a password."""


@dataclass(frozen=True)
class PendingLink:
    """A link sent by email and not used yet; only its request id is known."""

    request_id: str
    expires_at: datetime

    def accepts(self, request_id: str, now: datetime) -> bool:
        return self.request_id == request_id and now < self.expires_at


@dataclass(frozen=True)
class Account:
    account_id: str
    role: Role
    username: str
    email: str
    name: str
    language: Language
    office_id: str | None
    version: int = 0
    activated: bool = False
    activation: PendingLink | None = None
    reset: PendingLink | None = None
    locked_until: datetime | None = None

    @property
    def stream_id(self) -> str:
        return stream_id(self.account_id)

    @property
    def canonical_email(self) -> str:
        return canonical(self.email)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    # -- commands --------------------------------------------------------

    def activate(self, request_id: str, now: datetime) -> list[Event]:
        if self.activation is None or not self.activation.accepts(request_id, now):
            raise LinkRefused
        return [AccountActivated(account_id=self.account_id, request_id=request_id)]

    def request_activation(
        self, request_id: str, now: datetime, valid_for: timedelta
    ) -> list[Event]:
        """A fresh activation link; any earlier one stops working."""
        if self.activated:
            return []
        return [
            ActivationRequested(
                account_id=self.account_id,
                request_id=request_id,
                expires_at=now + valid_for,
            )
        ]

    def change_password(self) -> list[Event]:
        if not self.activated:
            raise AccountNotActive
        return [PasswordChanged(account_id=self.account_id)]

    def request_reset(
        self, request_id: str, now: datetime, valid_for: timedelta
    ) -> list[Event]:
        return [
            PasswordResetRequested(
                account_id=self.account_id,
                request_id=request_id,
                expires_at=now + valid_for,
            )
        ]

    def complete_reset(self, request_id: str, now: datetime) -> list[Event]:
        if self.reset is None or not self.reset.accepts(request_id, now):
            raise LinkRefused
        completed = PasswordResetCompleted(
            account_id=self.account_id, request_id=request_id
        )
        # The link proves the person reads the address on record, which is
        # all an activation proves too.
        if not self.activated:
            activated = AccountActivated(
                account_id=self.account_id, request_id=request_id
            )
            return [activated, completed]
        return [completed]

    def change_email(self, new_email: str, changed_by: str) -> list[Event]:
        if new_email == self.email:
            return []
        return [
            EmailChanged(
                account_id=self.account_id,
                old_email=self.email,
                new_email=new_email,
                changed_by=changed_by,
                name=self.name,
                language=self.language,
            )
        ]

    def lock(self, until: datetime, failed_attempts: int) -> list[Event]:
        return [
            AccountLocked(
                account_id=self.account_id,
                locked_until=until,
                failed_attempts=failed_attempts,
            )
        ]

    def assign_to_contract(
        self, contract_id: str, role: Role, effective_from: date, office_id: str
    ) -> list[Event]:
        return [
            ContractMemberAssigned(
                contract_id=contract_id,
                role=role,
                account_id=self.account_id,
                effective_from=effective_from,
                office_id=office_id,
            )
        ]

    def refuse_contract(
        self, contract_id: str, role: Role, office_id: str, reason: str
    ) -> list[Event]:
        return [
            ContractMemberRefused(
                contract_id=contract_id,
                role=role,
                account_id=self.account_id,
                office_id=office_id,
                reason=reason,
            )
        ]

    # -- state from events -------------------------------------------------

    def apply(self, event: Event) -> Account:
        after = replace(self, version=self.version + 1)
        match event:
            case ActivationRequested(request_id=rid, expires_at=until):
                return replace(after, activation=PendingLink(rid, until))
            case AccountActivated():
                return replace(after, activated=True, activation=None)
            case PasswordChanged():
                # A changed password makes every reset link useless.
                return replace(after, reset=None)
            case PasswordResetRequested(request_id=rid, expires_at=until):
                # Only the newest link counts; older ones are replaced.
                return replace(after, reset=PendingLink(rid, until))
            case PasswordResetCompleted():
                return replace(after, reset=None, locked_until=None)
            case EmailChanged(new_email=email):
                # Links sent to the old address must not work any more.
                return replace(after, email=email, reset=None, activation=None)
            case AccountLocked(locked_until=until):
                return replace(after, locked_until=until)
        return after


def stream_id(account_id: str) -> str:
    return f"account-{account_id}"


def create_account(
    *,
    account_id: str,
    role: Role,
    username: str,
    email: str,
    name: str,
    language: Language,
    office_id: str | None,
    activation_request_id: str,
    now: datetime,
    activation_valid_for: timedelta,
) -> list[Event]:
    """The events of a new account: it exists, and an activation link went out."""
    if role is Role.OFFICE_STAFF and not office_id:
        raise ValueError("office staff belong to an office")
    return [
        AccountCreated(
            account_id=account_id,
            role=role,
            username=username,
            email=email,
            name=name,
            language=language,
            office_id=office_id,
        ),
        ActivationRequested(
            account_id=account_id,
            request_id=activation_request_id,
            expires_at=now + activation_valid_for,
        ),
    ]


def account_from(events: Iterable[Event]) -> Account | None:
    account: Account | None = None
    for event in events:
        if isinstance(event, AccountCreated):
            account = Account(
                account_id=event.account_id,
                role=event.role,
                username=event.username,
                email=event.email,
                name=event.name,
                language=event.language,
                office_id=event.office_id,
                version=1,
            )
        elif account is not None:
            account = account.apply(event)
    return account
