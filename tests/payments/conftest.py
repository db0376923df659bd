"""A running payments service against real PostgreSQL and Kafka, and its callers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from kisalli_payments.bootstrap import PaymentsApp, Settings, build
from kisalli_shared.events import Envelope, Event, encode
from kisalli_shared.kafka import event_topic
from tests.kafka_reading import consumer_joined
from tests.tokens import TestKeys

OFFICE_ACCOUNT = "FI49 5000 9420 0287 30"

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


def envelope_of(event: Event, stream_id: str) -> Envelope:
    return Envelope(
        source="kisalli/feedback",
        type=event.type_name(),
        subject=stream_id,
        streamversion=1,
        correlationid=str(uuid.uuid4()),
        data=encode(event),
    )


@dataclass
class Payments:
    """The payments service as the feedback service and office staff meet it."""

    app: PaymentsApp
    client: httpx.AsyncClient
    keys: TestKeys
    producer: AIOKafkaProducer
    prefix: str
    files: Path
    today: date
    tokens: dict[str, str] = field(default_factory=dict)

    def staff(self, office_id: str = "office-a") -> dict[str, str]:
        if office_id not in self.tokens:
            self.tokens[office_id] = self.keys.token(
                role="office_staff", office_id=office_id
            )
        return {"Authorization": f"Bearer {self.tokens[office_id]}"}

    async def publish(self, event: Event, stream_id: str | None = None) -> Envelope:
        """Put an event on the feedback topic, as the feedback service does."""
        contract_id = str(getattr(event, "contract_id", ""))
        feedback_id = getattr(event, "feedback_id", None)
        stream = stream_id or (
            f"feedback-{feedback_id}" if feedback_id else f"contract-{contract_id}"
        )
        envelope = envelope_of(event, stream)
        await self.send(envelope)
        return envelope

    async def send(self, envelope: Envelope) -> None:
        await self.producer.send_and_wait(
            event_topic("feedback", self.prefix),
            envelope.to_json(),
            key=envelope.subject.encode(),
        )

    async def compensations(
        self, office_id: str = "office-a", **params: Any
    ) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/compensations", params=params, headers=self.staff(office_id)
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def until_compensations(
        self, count: int, office_id: str = "office-a", **params: Any
    ) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]] | None:
            found = await self.compensations(office_id, **params)
            return found if len(found) >= count else None

        return await eventually(enough)

    async def until_handled(self, envelope: Envelope) -> None:
        """Wait until the consumer has taken in an event (handled or not)."""

        async def handled() -> bool:
            return bool(
                await self.app.runtime.pool.fetchval(
                    "SELECT count(*) FROM handled_events WHERE event_id = $1",
                    envelope.id,
                )
            )

        await eventually(handled)

    async def pay(self, office_id: str = "office-a", **headers: str) -> httpx.Response:
        return await self.client.post(
            "/batches", headers={**self.staff(office_id), **headers}
        )


def settings_for(database: str, kafka: str, files: Path, prefix: str) -> Settings:
    return Settings(
        database_url=database,
        kafka_bootstrap_servers=kafka,
        topic_prefix=prefix,
        topic_partitions=1,
        debtor_name="Oppisopimustoimisto Åbo\u2013Turku",
        debtor_iban=OFFICE_ACCOUNT,
        bank_file_dir=files,
    )


@pytest.fixture
async def payments(
    database: str, kafka: str, tmp_path: Path
) -> AsyncIterator[Payments]:
    keys = TestKeys()
    prefix = f"t{uuid.uuid4().hex[:8]}"
    files = tmp_path / "bank"
    today = date(2026, 1, 15)
    app = build(
        settings_for(database, kafka, files, prefix),
        verifier=keys.verifier(),
        today=lambda: today,
    )
    await app.runtime.start()
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    transport = httpx.ASGITransport(app=app.app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield Payments(app, c, keys, producer, prefix, files, today)
    finally:
        await producer.stop()
        # Stopped while it still joins its group, the consumer would leak a
        # connection, and its warning fail a later test.
        await consumer_joined(kafka, app.runtime.group)
        await app.runtime.stop()
