"""Request and answer bodies. Every string is bounded, every field typed."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kisalli_accounts.domain.account import Account
from kisalli_shared.contracts.common import Language, Role
from kisalli_shared.text import PersonName


def _plain_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded:
    # both would otherwise fail deep inside, as a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


PlainText = AfterValidator(_plain_text)
Login = Annotated[str, Field(min_length=1, max_length=254), PlainText]
# Longer than the 64 a password may have, so that a person is told why.
Password = Annotated[str, Field(min_length=1, max_length=1024), PlainText]
SecretToken = Annotated[str, Field(min_length=1, max_length=128), PlainText]
Username = Annotated[str, Field(min_length=3, max_length=64), PlainText]
Email = Annotated[str, Field(min_length=3, max_length=254), PlainText]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LoginRequest(Body):
    login: Login = Field(description="Username or email address")
    password: Password


class RefreshRequest(Body):
    refresh_token: SecretToken


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (a scheme)
    expires_in: int
    refresh_token: str


class ActivateRequest(Body):
    token: SecretToken
    password: Password


class ChangePasswordRequest(Body):
    current_password: Password
    new_password: Password


class ResetRequest(Body):
    login: Login = Field(description="Username or email address, as one string")


class CompleteResetRequest(Body):
    token: SecretToken
    new_password: Password


class ResetAccepted(BaseModel):
    status: str = "accepted"
    detail: str


class NewColleague(Body):
    username: Username
    email: Email
    name: PersonName
    language: Language = Language.FI


class EmailChange(Body):
    email: Email


class AccountView(BaseModel):
    account_id: str
    role: Role
    username: str
    email: str
    name: str
    language: Language
    office_id: str | None
    activated: bool
    version: int

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            account_id=account.account_id,
            role=account.role,
            username=account.username,
            email=account.email,
            name=account.name,
            language=account.language,
            office_id=account.office_id,
            activated=account.activated,
            version=account.version,
        )


class AccountPage(BaseModel):
    items: list[AccountView]
    limit: int
    offset: int
    next_offset: int | None
