"""A reset or activation link exists only inside the email."""

from __future__ import annotations

import json

from structlog.testing import capture_logs

from kisalli_notifications.bootstrap import NotificationsService
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.contracts import accounts
from kisalli_shared.contracts.common import Language
from kisalli_shared.kafka import event_topic
from tests.kafka_reading import read_topic
from tests.notifications.support import (
    Publisher,
    eventually,
    messages,
    person,
    secret_link,
    wait_for_messages,
)

TOKEN = "s3cr3t-token-that-must-stay-in-the-email"


async def test_a_reset_link_reaches_the_email_and_no_table_topic_or_log_line(
    service: NotificationsService,
    publisher: Publisher,
    catcher: MailCatcher,
    link_key: str,
    kafka: str,
):
    who = person("Aino", "aino@opisto.example", Language.FI)
    link = secret_link(accounts.SecretLinkKind.PASSWORD_RESET, who, TOKEN)
    pool = service.runtime.pool

    with capture_logs() as logs:
        await publisher.publish_secret_link(link, link_key)
        [email] = await wait_for_messages(catcher, 1)

        async def recorded() -> bool:
            return await pool.fetchval("SELECT state FROM emails") == "sent"

        await eventually(recorded)

    assert link.link in email["text"]
    tables = [
        await pool.fetchval(f"SELECT coalesce(json_agg(t)::text, '') FROM {table} t")
        for table in ("events", "emails", "outbox", "handled_events")
    ]
    assert not any(TOKEN in text for text in tables)
    topic = event_topic("notifications", service.settings.topic_prefix)
    records = await read_topic(kafka, topic, at_least=2)
    assert not any(TOKEN.encode() in r.value for r in records)
    assert logs and TOKEN not in json.dumps(logs, default=str)


async def test_a_link_sealed_with_another_key_sends_nothing_and_is_not_dead_lettered(
    service: NotificationsService,
    publisher: Publisher,
    catcher: MailCatcher,
):
    who = person("Aino", "aino@opisto.example", Language.FI)
    stranger_key = "hNqUoTQ6M2TLQ2cG8PqO9bTgbWTaGNVJUbN9qp5mDmU="
    await publisher.publish_secret_link(
        secret_link(accounts.SecretLinkKind.ACTIVATION, who, TOKEN), stranger_key
    )
    pool = service.runtime.pool

    async def handled() -> bool:
        return await pool.fetchval("SELECT outcome FROM handled_events") == "handled"

    await eventually(handled)

    assert await pool.fetchval("SELECT count(*) FROM emails") == 0
    assert await messages(catcher, full=False) == []
