from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from kisalli_notifications.bootstrap import (
    NotificationsService,
    Settings,
    build_service,
)
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.kafka import new_producer
from kisalli_shared.sealed import new_key
from tests.notifications.support import (
    Publisher,
    ensure_source_topics,
    make_settings,
)


@pytest.fixture
def catcher(tmp_path: Path) -> AsyncIterator[MailCatcher]:
    catcher = MailCatcher(tmp_path / "mail", smtp_port=0, http_port=0)
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture
def link_key() -> str:
    return new_key()


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def settings_for(
    database: str, kafka: str, catcher: MailCatcher, link_key: str
) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        return make_settings(database, kafka, catcher, link_key, **overrides)

    return make


@pytest.fixture
async def settings(settings_for: SettingsFactory) -> Settings:
    made = settings_for()
    await ensure_source_topics(made)
    return made


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[NotificationsService]:
    service = build_service(settings)
    await service.start()
    yield service
    await service.stop()


@pytest.fixture
async def publisher(kafka: str, settings: Settings) -> AsyncIterator[Publisher]:
    producer: AIOKafkaProducer = new_producer(kafka, "other-services")
    await producer.start()
    yield Publisher(producer, settings.topic_prefix)
    await producer.stop()
