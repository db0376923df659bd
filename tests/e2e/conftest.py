from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.clients import Mailbox, gateway_client
from tests.e2e.journey import Journey
from tests.e2e.system import System, running_system
from tests.servers import Servers


# Started for these tests only: the rest of a test run need not share the
# machine's two cores with an idle system.
@pytest.fixture(scope="package")
def system(servers: Servers) -> Iterator[System]:
    with running_system(servers) as running:
        yield running


@pytest.fixture
async def gateway(system: System) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(system.gateway) as client:
        yield client


@pytest.fixture
async def mailbox(system: System) -> AsyncIterator[Mailbox]:
    async with httpx.AsyncClient(base_url=system.mail_api, timeout=30.0) as client:
        yield Mailbox(client)


@pytest.fixture
def journey(gateway: httpx.AsyncClient, mailbox: Mailbox) -> Journey:
    return Journey(gateway, mailbox)
