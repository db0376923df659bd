from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.e2e.system import System, running_system
from tests.fuzz.people import Cast, gather_cast
from tests.servers import Servers


# As for the end-to-end tests: started for this package when none runs.
@pytest.fixture(scope="package")
def system(servers: Servers) -> Iterator[System]:
    with running_system(servers) as running:
        yield running


@pytest.fixture(scope="package")
def cast(system: System) -> Cast:
    return asyncio.run(gather_cast(system))
