"""An accounts service per test, on a fresh database and its own topics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from kisalli_accounts.bootstrap import AccountsService, Settings, build
from tests.accounts.people import People
from tests.kafka_reading import consumer_joined


def accounts_settings(database: str, kafka: str, state_dir: Path) -> Settings:
    return Settings(
        database_url=database,
        kafka_bootstrap_servers=kafka,
        topic_prefix=f"t{uuid.uuid4().hex[:8]}",
        topic_partitions=1,
        accounts_state_dir=state_dir,
        public_base_url="https://kisalli.example",
        # Cheap hashes keep the suite fast; the parameters are settings.
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        login_slowdown_seconds=0.0,
        reset_answer_seconds=0.25,
        log_json=False,
    )


@pytest.fixture
def settings(database: str, kafka: str, tmp_path: Path) -> Settings:
    return accounts_settings(database, kafka, tmp_path)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[AccountsService]:
    service = build(settings)
    await service.runtime.start()
    yield service
    await consumer_joined(settings.kafka_bootstrap_servers, service.runtime.group)
    await service.runtime.stop()


@pytest.fixture
async def client(service: AccountsService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://accounts") as c:
        yield c


@pytest.fixture
def people(service: AccountsService, client: httpx.AsyncClient, kafka: str) -> People:
    return People(service, client, kafka)
