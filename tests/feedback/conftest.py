"""A running feedback service against real PostgreSQL and Kafka, and its people."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from kisalli_feedback.bootstrap import FeedbackApp, Settings, build
from kisalli_shared.contracts.accounts import (
    ContractMemberAssigned,
    ContractMemberRefused,
)
from kisalli_shared.contracts.common import Role
from kisalli_shared.events import Envelope, Event, encode
from kisalli_shared.kafka import event_topic
from kisalli_shared.sealed import new_key
from tests.kafka_reading import consumer_joined
from tests.tokens import TestKeys

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def personal_id(birth: date, individual: int = 123, sign: str = "") -> str:
    """A valid personal identity code for a birth date (not a real person's)."""
    digits = f"{birth:%d%m%y}{individual:03d}"
    century = sign or ("-" if birth.year < 2000 else "A")
    return f"{digits[:6]}{century}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


@dataclass
class Clock:
    today: date = date(2025, 1, 1)


@dataclass
class Person:
    account_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Kisalli:
    """The feedback service as its users and the accounts service meet it."""

    app: FeedbackApp
    client: httpx.AsyncClient
    keys: TestKeys
    clock: Clock
    kafka: str
    prefix: str
    producer: AIOKafkaProducer
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def topic(self) -> str:
        return self.app.runtime.topic

    def person(self, name: str, role: str, office_id: str | None = None) -> Person:
        if name not in self.people:
            account_id = str(uuid.uuid4())
            token = self.keys.token(account_id, role=role, office_id=office_id)
            self.people[name] = Person(account_id, token)
        return self.people[name]

    def office(self, name: str = "office-a") -> Person:
        return self.person(f"staff of {name}", "office_staff", office_id=name)

    def tutor(self, name: str = "tutor") -> Person:
        return self.person(name, "tutor")

    def student(self, name: str = "student") -> Person:
        return self.person(name, "student")

    async def assign(
        self, contract_id: str, role: Role, person: Person, effective_from: date
    ) -> None:
        """Say, as accounts does, who the contract's tutor or student is."""
        event = ContractMemberAssigned(
            contract_id=contract_id,
            role=role,
            account_id=person.account_id,
            effective_from=effective_from,
        )
        await self._as_accounts(event, person.account_id, contract_id)

    async def refuse(self, contract_id: str, role: Role, reason: str) -> None:
        """Say, as accounts does, that no account was given to the role."""
        account_id = str(uuid.uuid4())
        event = ContractMemberRefused(
            contract_id=contract_id, role=role, account_id=account_id, reason=reason
        )
        await self._as_accounts(event, account_id, contract_id)

    async def _as_accounts(self, event: Event, account_id: str, key: str) -> None:
        envelope = Envelope(
            source="kisalli/accounts",
            type=event.type_name(),
            subject=f"account-{account_id}",
            streamversion=1,
            correlationid=str(uuid.uuid4()),
            data=encode(event),
        )
        await self.producer.send_and_wait(
            event_topic("accounts", self.prefix),
            envelope.to_json(),
            key=key.encode(),
        )

    async def sign(
        self,
        office: Person,
        start: date = date(2025, 1, 1),
        end: date = date(2025, 12, 31),
        **changes: Any,
    ) -> dict[str, Any]:
        body = contract_body(start, end, **changes)
        response = await self.client.post(
            "/contracts", json=body, headers=office.headers
        )
        assert response.status_code == 201, response.text
        contract: dict[str, Any] = response.json()
        return contract

    async def sign_with_members(
        self,
        office: Person,
        tutor: Person,
        student: Person,
        start: date = date(2025, 1, 1),
        end: date = date(2025, 12, 31),
    ) -> str:
        contract = await self.sign(office, start, end)
        contract_id = str(contract["contract_id"])
        await self.assign(contract_id, Role.TUTOR, tutor, start)
        await self.assign(contract_id, Role.STUDENT, student, start)
        await self.until_seen(f"/contracts/{contract_id}", tutor)
        await self.until_seen(f"/contracts/{contract_id}", student)
        return contract_id

    async def until_seen(self, path: str, person: Person) -> httpx.Response:
        async def seen() -> httpx.Response | None:
            response = await self.client.get(path, headers=person.headers)
            return response if response.status_code == 200 else None

        return await eventually(seen)


T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T | None]], timeout: float = 20.0
) -> T:
    """Poll until `check` gives something, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("it did not happen in time")
        await asyncio.sleep(0.05)


PARTS_OF_BUSINESS = ["Liiketoimintaympäristössä toimiminen", "Asiakaspalvelu"]


def contract_body(start: date, end: date, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "student": {
            "name": "Aino Oppilas",
            "email": "aino@example.fi",
            "language": "fi",
            "personal_id": personal_id(date(1994, 5, 1), sign="Y"),
        },
        "tutor": {"name": "Tuomas Ohjaaja", "email": "tuomas@example.fi"},
        "employer": {
            "name": "Kahvila Oy",
            "business_id": "0112038-9",
            "iban": "fi21 1234 5600 0007 85",
            "contact_email": "kahvila@example.fi",
        },
        "qualification": {
            "code": "331101",
            "name": "Liiketoiminnan perustutkinto",
            "kind": "vocational_upper_secondary",
            "parts": [{"name": name} for name in PARTS_OF_BUSINESS],
        },
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "agreed_amounts": [{"from_month": 1, "monthly_amount": "150.00"}],
    }
    body.update(changes)
    return body


@pytest.fixture
async def kisalli(database: str, kafka: str) -> AsyncIterator[Kisalli]:
    keys = TestKeys()
    clock = Clock()
    prefix = f"t{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database,
        kafka_bootstrap_servers=kafka,
        topic_prefix=prefix,
        personal_id_key=new_key(),
        topic_partitions=1,
    )
    app = build(settings, verifier=keys.verifier(), today=lambda: clock.today)
    await app.runtime.start()
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    transport = httpx.ASGITransport(app=app.app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield Kisalli(app, c, keys, clock, kafka, prefix, producer)
    finally:
        await producer.stop()
        # Stopped while it still joins its group, the consumer would leak a
        # connection, and its warning fail a later test.
        await consumer_joined(kafka, app.runtime.group)
        await app.runtime.stop()
