"""Making people with accounts the way the product does, for tests.

Links are read from the secret-links topic and unsealed, as notifications
would before putting them in an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from kisalli_accounts.bootstrap import AccountsService
from kisalli_accounts.domain.account import Account
from kisalli_accounts.service_layer.registration import register
from kisalli_shared.contracts.accounts import (
    SecretLink,
    SecretLinkKind,
    SecretLinkSealed,
    secret_links_topic,
)
from kisalli_shared.contracts.common import Language, Role
from kisalli_shared.events import Envelope
from kisalli_shared.eventstore import Causation
from kisalli_shared.sealed import unseal
from tests.kafka_reading import read_topic

GOOD_PASSWORD = "kaksi kissaa kävelee sillalla"
OTHER_PASSWORD = "sininen polkupyörä seisoo pihalla"


@dataclass
class Person:
    account: Account
    password: str

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def username(self) -> str:
        return self.account.username


def token_of(link: SecretLink) -> str:
    fragment = urlsplit(link.link).fragment
    assert fragment.startswith("token=")
    return fragment.removeprefix("token=")


class People:
    def __init__(
        self, service: AccountsService, client: httpx.AsyncClient, kafka: str
    ) -> None:
        self.service = service
        self.client = client
        self.kafka = kafka
        self.seen_links = 0

    async def register(
        self,
        username: str,
        email: str,
        *,
        name: str = "Aino Virtanen",
        role: Role = Role.OFFICE_STAFF,
        office_id: str | None = "office-1",
    ) -> Account:
        ctx = self.service.context
        async with ctx.transaction() as repo:
            return await register(
                repo,
                ctx,
                role=role,
                username=username,
                email=email,
                name=name,
                language=Language.FI,
                office_id=office_id if role is Role.OFFICE_STAFF else None,
                causation=Causation.new(),
            )

    async def links(self, at_least: int) -> list[SecretLink]:
        """Every sealed link sent so far, opened with the shared key."""
        settings = self.service.settings
        records = await read_topic(
            self.kafka, secret_links_topic(settings.topic_prefix), at_least=at_least
        )
        sealed = [
            SecretLinkSealed.model_validate(Envelope.from_json(r.value).data).sealed
            for r in records
        ]
        return [
            unseal(s.encode(), SecretLink, settings.sealing_key(), max_age=3600)
            for s in sealed
        ]

    async def newest_link(
        self, account_id: str, kind: SecretLinkKind, *, sent_so_far: int
    ) -> SecretLink:
        mine = [
            link
            for link in await self.links(sent_so_far)
            if link.account_id == account_id and link.kind is kind
        ]
        assert mine, f"no {kind} link for {account_id}"
        return mine[-1]

    async def activated(
        self,
        username: str = "aino.virtanen",
        email: str = "aino.virtanen@example.fi",
        *,
        sent_so_far: int = 1,
        password: str = GOOD_PASSWORD,
        **details: object,
    ) -> Person:
        account = await self.register(username, email, **details)  # type: ignore[arg-type]
        link = await self.newest_link(
            account.account_id, SecretLinkKind.ACTIVATION, sent_so_far=sent_so_far
        )
        answer = await self.client.post(
            "/accounts/activate", json={"token": token_of(link), "password": password}
        )
        assert answer.status_code == 200, answer.text
        return Person(account, password)

    async def log_in(self, login: str, password: str) -> httpx.Response:
        return await self.client.post(
            "/sessions", json={"login": login, "password": password}
        )

    async def access_token(self, login: str, password: str) -> str:
        answer = await self.log_in(login, password)
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["access_token"]
        return token
