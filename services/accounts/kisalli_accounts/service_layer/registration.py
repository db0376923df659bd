"""Creating accounts: by the office, from the command line, for contracts."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from kisalli_accounts.adapters.projection import NameTaken
from kisalli_accounts.adapters.repository import AccountRepository
from kisalli_accounts.adapters.secret_tokens import forget_tokens
from kisalli_accounts.domain.account import Account, create_account
from kisalli_accounts.domain.names import (
    InvalidName,
    canonical_email,
    canonical_username,
    username_base,
)
from kisalli_accounts.service_layer.context import Context
from kisalli_shared.contracts.accounts import SecretLinkKind
from kisalli_shared.contracts.common import Language, Person, Role
from kisalli_shared.eventstore import Causation

_MAX_NUMBERED_USERNAMES = 500


class NotFound(Exception):
    """No such account, or none the caller may see."""


class SharedAccount(Exception):
    """The account serves another office too; one office alone cannot change it."""


class VersionMismatch(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"the account is at version {current}")
        self.current = current


async def register(
    repo: AccountRepository,
    ctx: Context,
    *,
    role: Role,
    email: str,
    name: str,
    language: Language = Language.FI,
    username: str | None = None,
    office_id: str | None = None,
    causation: Causation,
) -> Account:
    """Create an account and queue its activation email, in one transaction.

    Raises InvalidName or NameTaken.
    """
    email = email.strip()
    if await repo.account_id_for(canonical_email(email)):
        raise NameTaken("email")
    if username is None:
        username = await _free_username(repo, name)
    else:
        username = canonical_username(username)
        if await repo.account_id_for(username):
            raise NameTaken("username")

    account_id = str(uuid.uuid4())
    events = create_account(
        account_id=account_id,
        role=role,
        username=username,
        email=email,
        name=name.strip(),
        language=language,
        office_id=office_id,
        activation_request_id=str(uuid.uuid4()),
        now=ctx.clock(),
        activation_valid_for=ctx.policy.activation_valid_for,
    )
    account = await repo.add(account_id, events, causation)
    await _send_activation(repo, ctx, account)
    return account


async def _send_activation(
    repo: AccountRepository, ctx: Context, account: Account
) -> None:
    assert account.activation is not None
    await ctx.links.send(
        repo.conn,
        account,
        SecretLinkKind.ACTIVATION,
        account.activation.request_id,
        account.activation.expires_at,
    )


async def _free_username(repo: AccountRepository, name: str) -> str:
    base = username_base(name)
    for number in range(1, _MAX_NUMBERED_USERNAMES):
        candidate = base if number == 1 else f"{base}{number}"
        try:
            candidate = canonical_username(candidate)
        except InvalidName:
            break
        if not await repo.account_id_for(candidate):
            return candidate
    return f"user.{secrets.token_hex(4)}"


async def assign_contract_member(
    repo: AccountRepository,
    ctx: Context,
    *,
    person: Person,
    role: Role,
    contract_id: str,
    office_id: str,
    effective_from: date,
    causation: Causation,
) -> Account:
    """Find the person's account by email, or create it; tie it to the contract.

    A tutor keeps one account for every apprentice: the email decides. An
    office staff account is never taken: the contract's office would then
    manage a colleague's account, perhaps of another office.
    """
    account = await repo.by_name(canonical_email(person.email))
    if account is not None and account.role is Role.OFFICE_STAFF:
        refused = account.refuse_contract(
            contract_id, role, office_id, "email-of-office-staff"
        )
        return await repo.save(account, refused, causation)
    if account is None:
        account = await register(
            repo,
            ctx,
            role=role,
            email=person.email,
            name=person.name,
            language=person.language,
            causation=causation,
        )
    events = account.assign_to_contract(contract_id, role, effective_from, office_id)
    return await repo.save(account, events, causation)


async def visible_account(
    repo: AccountRepository, account_id: str, office_id: str
) -> Account:
    """The account if the office manages it; NotFound otherwise (also for others')."""
    try:
        uuid.UUID(account_id)
    except ValueError:
        raise NotFound from None
    account = await repo.get(account_id)
    if account is None or office_id not in await repo.offices_of(account_id):
        raise NotFound
    return account


async def change_email(
    repo: AccountRepository,
    ctx: Context,
    *,
    account_id: str,
    new_email: str,
    office_id: str,
    changed_by: str,
    expected_version: int | None,
    causation: Causation,
) -> Account:
    """Change the address on record; old links die, an inactive account gets
    a new activation link at the new address."""
    account = await visible_account(repo, account_id, office_id)
    # The address decides where reset links go: an office that could change
    # the address of a tutor another office also uses could take that
    # tutor's access to the other office's contracts.
    if await repo.offices_of(account_id) != {office_id}:
        raise SharedAccount
    if expected_version is not None and expected_version != account.version:
        raise VersionMismatch(account.version)
    new_email = new_email.strip()
    holder = await repo.account_id_for(canonical_email(new_email))
    if holder is not None and holder != account_id:
        raise NameTaken("email")

    events = account.change_email(new_email, changed_by)
    if not events:
        return account
    account = await repo.save(account, events, causation)
    await forget_tokens(repo.conn, account_id, SecretLinkKind.PASSWORD_RESET.value)
    await forget_tokens(repo.conn, account_id, SecretLinkKind.ACTIVATION.value)
    if not account.activated:
        again = account.request_activation(
            str(uuid.uuid4()), ctx.clock(), ctx.policy.activation_valid_for
        )
        account = await repo.save(account, again, causation)
        await _send_activation(repo, ctx, account)
    return account
