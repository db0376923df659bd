"""Helpers for the notifications tests: settings, events as other services
publish them, and reading the mail catcher back."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from kisalli_notifications.bootstrap import Settings
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.contracts import accounts, feedback, payments
from kisalli_shared.contracts.common import Language, Person, Role
from kisalli_shared.events import Envelope, Event, encode
from kisalli_shared.kafka import ensure_topics, event_topic
from kisalli_shared.sealed import seal

BASE_URL = "https://kisalli.example"


def make_settings(
    database: str, kafka: str, catcher: MailCatcher, key: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database,
        "kafka_bootstrap_servers": kafka,
        "topic_prefix": f"t{uuid.uuid4().hex[:8]}",
        "smtp_host": catcher.host,
        "smtp_port": catcher.smtp_port,
        "secret_link_key": key,
        "public_base_url": BASE_URL,
        "delivery_poll_interval": 0.05,
        "retry_first_delay": 0.1,
        "retry_max_delay": 0.4,
        "reminders_enabled": False,
        "log_json": False,
    }
    values.update(overrides)
    return Settings(**values)


async def ensure_source_topics(settings: Settings) -> None:
    prefix = settings.topic_prefix
    await ensure_topics(
        settings.kafka_bootstrap_servers,
        [event_topic(s, prefix) for s in ("accounts", "feedback", "payments")],
        partitions=settings.topic_partitions,
    )
    await ensure_topics(
        settings.kafka_bootstrap_servers,
        [accounts.secret_links_topic(prefix)],
        partitions=settings.topic_partitions,
        config=accounts.SECRET_LINKS_TOPIC_CONFIG,
    )


class Publisher:
    """Puts events on topics the way the other services' relays do."""

    def __init__(self, producer: AIOKafkaProducer, prefix: str) -> None:
        self.producer = producer
        self.prefix = prefix
        self.sent: list[Envelope] = []

    async def publish(
        self,
        service: str,
        stream_id: str,
        event: Event,
        *,
        at: datetime | None = None,
    ) -> Envelope:
        envelope = Envelope(
            source=f"kisalli/{service}",
            type=event.type_name(),
            subject=stream_id,
            streamversion=1,
            correlationid=str(uuid.uuid4()),
            data=encode(event),
            **({"time": at} if at else {}),
        )
        await self.producer.send_and_wait(
            event_topic(service, self.prefix),
            envelope.to_json(),
            key=stream_id.encode(),
        )
        self.sent.append(envelope)
        return envelope

    async def publish_all(self, service: str, events: list[tuple[str, Event]]) -> None:
        """Send many at once and wait for all, as a relay's batch does."""
        pending = []
        for stream_id, event in events:
            envelope = Envelope(
                source=f"kisalli/{service}",
                type=event.type_name(),
                subject=stream_id,
                streamversion=1,
                correlationid=str(uuid.uuid4()),
                data=encode(event),
            )
            pending.append(
                await self.producer.send(
                    event_topic(service, self.prefix),
                    envelope.to_json(),
                    key=stream_id.encode(),
                )
            )
            self.sent.append(envelope)
        await asyncio.gather(*pending)

    async def publish_secret_link(
        self, link: accounts.SecretLink, key: str
    ) -> Envelope:
        sealed = seal(link, key).decode()
        envelope = Envelope(
            source="kisalli/accounts",
            type="SecretLinkSealed",
            subject=f"account-{link.account_id}",
            streamversion=0,
            correlationid=str(uuid.uuid4()),
            data={"sealed": sealed},
        )
        await self.producer.send_and_wait(
            accounts.secret_links_topic(self.prefix),
            envelope.to_json(),
            key=envelope.subject.encode(),
        )
        self.sent.append(envelope)
        return envelope

    async def publish_bare_secret_link(
        self, link: accounts.SecretLink, key: str
    ) -> None:
        """As accounts' outbox sends it: the Fernet token alone, no envelope."""
        await self.producer.send_and_wait(
            accounts.secret_links_topic(self.prefix),
            seal(link, key),
            key=link.account_id.encode(),
            headers=[("content-type", b"application/fernet")],
        )
        self.sent.append(
            Envelope(
                source="kisalli/accounts",
                type="SecretLinkSealed",
                subject=link.account_id,
                streamversion=0,
                correlationid="bare",
                data={},
            )
        )


async def messages(catcher: MailCatcher, *, full: bool = True) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=catcher.api_url) as client:
        response = await client.get("/messages", params={"full": "1"} if full else {})
        return list(response.json())


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, every: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not come true in time")
        await asyncio.sleep(every)


async def wait_for_messages(
    catcher: MailCatcher,
    count: int,
    *,
    timeout: float = 30.0,
    settle: float = 0.5,
    full: bool = True,
) -> list[dict[str, Any]]:
    """Wait until `count` messages arrived, then a little more for extra ones."""

    async def enough() -> bool:
        return len(await messages(catcher, full=False)) >= count

    await eventually(enough, timeout=timeout, every=0.1)
    await asyncio.sleep(settle)
    return await messages(catcher, full=full)


async def handled(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM handled_events"))


# Events, as the other services publish them


def person(name: str, email: str, language: Language) -> Person:
    return Person(name=name, email=email, language=language)


def contract_signed(
    contract_id: str,
    *,
    student: Person,
    tutor: Person,
    payee_email: str | None = "palkat@yritys.example",
    payee_language: str = "fi",
    start: date = date(2025, 1, 1),
    end: date = date(2027, 12, 31),
    office_id: str = "office-1",
) -> feedback.ContractSigned:
    payee = feedback.Payee(
        name="Rakennus Oy",
        business_id="1234567-8",
        contact_email=payee_email,
        language=payee_language,
    )
    return feedback.ContractSigned(
        contract_id=contract_id,
        office_id=office_id,
        student=feedback.Student(
            **student.model_dump(), personal_id_masked="010101-****"
        ),
        tutor=tutor,
        employer=payee,
        payee=payee,
        qualification=feedback.Qualification(
            name="Talonrakennusalan ammattitutkinto",
            kind=feedback.QualificationKind.FURTHER_VOCATIONAL,
        ),
        start_date=start,
        end_date=end,
    )


def feedback_facts(
    contract_id: str,
    feedback_id: str | None = None,
    *,
    period_index: int = 0,
    period_start: date = date(2025, 1, 1),
    period_end: date = date(2025, 4, 30),
    kind: feedback.FeedbackKind = feedback.FeedbackKind.INTERIM,
    office_id: str = "office-1",
) -> dict[str, Any]:
    return {
        "feedback_id": feedback_id or f"fb-{uuid.uuid4().hex[:8]}",
        "contract_id": contract_id,
        "office_id": office_id,
        "kind": kind,
        "period_index": period_index,
        "period_start": period_start,
        "period_end": period_end,
    }


def feedback_submitted(contract_id: str, **facts: Any) -> feedback.FeedbackSubmitted:
    return feedback.FeedbackSubmitted(
        **feedback_facts(contract_id, **facts), tutor_account_id="tutor-1"
    )


def account_created(
    account_id: str, who: Person, role: Role = Role.TUTOR
) -> accounts.AccountCreated:
    return accounts.AccountCreated(
        account_id=account_id,
        role=role,
        username=who.email.split("@")[0],
        email=who.email,
        name=who.name,
        language=who.language,
        office_id="office-1",
    )


def secret_link(
    kind: accounts.SecretLinkKind, who: Person, token: str, *, valid: float = 3600
) -> accounts.SecretLink:
    return accounts.SecretLink(
        kind=kind,
        account_id="acc-1",
        email=who.email,
        name=who.name,
        language=who.language,
        username="ville.virtanen",
        link=f"{BASE_URL}/set-password?token={token}",
        expires_at=datetime.now(UTC) + timedelta(seconds=valid),
    )


def compensation_calculated(contract_id: str) -> payments.CompensationCalculated:
    return payments.CompensationCalculated(
        compensation_id="comp-1",
        contract_id=contract_id,
        office_id="office-1",
        feedback_id="fb-1",
        period_index=1,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 4, 30),
        amount=Decimal("1234.50"),
        months=[],
        rate_table_version=1,
        payee_name="Rakennus Oy",
    )
