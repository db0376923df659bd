"""One email per event, whatever happens to the consumers and senders."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg

from kisalli_notifications.adapters import email_queue
from kisalli_notifications.adapters.smtp import Letter, SmtpMailer, message_id
from kisalli_notifications.bootstrap import (
    NotificationsService,
    Settings,
    build_service,
)
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.contracts.common import Language
from tests.notifications.conftest import SettingsFactory
from tests.notifications.support import (
    Publisher,
    contract_signed,
    ensure_source_topics,
    eventually,
    feedback_submitted,
    handled,
    person,
    wait_for_messages,
)

SERVICE_PROCESS = Path(__file__).with_name("service_process.py")
ROOT = Path(__file__).resolve().parents[2]
EVENTS = 200
SENDER = "noreply@kisalli.fi"


async def publish_many(publisher: Publisher, count: int) -> list[str]:
    student = person("Olli", "olli@opisto.example", Language.FI)
    tutor = person("Tuula", "tuula@yritys.example", Language.FI)
    await publisher.publish(
        "feedback", "contract-c-1", contract_signed("c-1", student=student, tutor=tutor)
    )
    ids = [f"fb-{n:04d}" for n in range(count)]
    await publisher.publish_all(
        "feedback", [(i, feedback_submitted("c-1", feedback_id=i)) for i in ids]
    )
    return ids


async def assert_one_email_per_event(
    pool: asyncpg.Pool, publisher: Publisher, received: list[dict[str, Any]]
) -> None:
    submitted = {str(e.id) for e in publisher.sent if e.type == "FeedbackSubmitted"}
    rows = await pool.fetch("SELECT email_id, cause, state FROM emails")
    # One email decided per event...
    assert Counter(row["cause"] for row in rows) == Counter(submitted)
    assert {row["state"] for row in rows} == {"sent"}
    # ...and each of them arrived once.
    sent_ids = Counter(m["message_id"] for m in received)
    assert sent_ids == Counter(message_id(str(r["email_id"]), SENDER) for r in rows)


async def test_a_service_killed_in_the_middle_of_a_batch_sends_one_email_per_event(
    settings: Settings,
    publisher: Publisher,
    catcher: MailCatcher,
    database: str,
):
    await publish_many(publisher, EVENTS)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "TOPIC_PREFIX": settings.topic_prefix,
        "SECRET_LINK_KEY": settings.secret_link_key,
        "SMTP_PORT": str(settings.smtp_port),
        "DELIVERY_ENABLED": "false",
        "REMINDERS_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SERVICE_PROCESS), env=env, cwd=ROOT
    )
    pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
    try:

        async def partly_handled() -> bool:
            try:
                return await handled(pool) >= EVENTS // 4
            except asyncpg.UndefinedTableError:
                return False  # not migrated yet

        await eventually(partly_handled, every=0.01)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        handled_before = await handled(pool)
    finally:
        await pool.close()

    restarted = build_service(settings)
    await restarted.start()
    try:
        received = await wait_for_messages(catcher, EVENTS, settle=1.0, full=False)
        await assert_one_email_per_event(restarted.runtime.pool, publisher, received)
    finally:
        await restarted.stop()

    assert 0 < handled_before < EVENTS + 1


async def test_consumers_rebalanced_in_the_middle_of_a_batch_send_one_email_per_event(
    settings: Settings,
    service: NotificationsService,
    publisher: Publisher,
    catcher: MailCatcher,
):
    await publish_many(publisher, EVENTS)

    async def partly_handled() -> bool:
        return await handled(service.runtime.pool) >= EVENTS // 4

    await eventually(partly_handled, every=0.01)
    second = build_service(settings)
    await second.start()
    try:
        received = await wait_for_messages(catcher, EVENTS, settle=1.0, full=False)
        await assert_one_email_per_event(second.runtime.pool, publisher, received)
    finally:
        await second.stop()


async def test_an_email_whose_sender_died_after_the_server_took_it_is_sent_again_with_the_same_message_id(  # noqa: E501
    settings_for: SettingsFactory,
    publisher: Publisher,
    catcher: MailCatcher,
):
    # The documented at-least-once window: the server took the email, the
    # sender died before recording it. The lease hands it to another sender.
    settings = settings_for(delivery_enabled=False, delivery_lease_seconds=0.5)
    await ensure_source_topics(settings)
    publisher.prefix = settings.topic_prefix
    service = build_service(settings)
    await service.start()
    try:
        await publish_many(publisher, 1)
        pool = service.runtime.pool

        async def queued() -> bool:
            return await pool.fetchval("SELECT count(*) FROM emails") == 1

        await eventually(queued)
        [claimed] = await email_queue.claim_due(pool, 10, lease=0.5)
        rendered = service.renderer.render(
            claimed.template, Language(claimed.language), claimed.context
        )
        mailer = SmtpMailer(
            host=catcher.host, port=catcher.smtp_port, sender=settings.mail_from
        )
        letter = Letter(claimed.email_id, claimed.recipient, claimed.language, rendered)
        [outcome] = await mailer.send([letter])
        assert outcome.accepted
        # ...and here the first sender dies without a word.

        await service.delivery().deliver_due()  # the lease still holds
        await asyncio.sleep(0.6)
        await service.delivery().deliver_due()
        received = await wait_for_messages(catcher, 2, settle=0.2)
        row = await pool.fetchrow("SELECT state, attempts FROM emails")
    finally:
        await service.stop()

    assert len(received) == 2
    assert received[0]["message_id"] == received[1]["message_id"]
    assert (row["state"], row["attempts"]) == ("sent", 2)
