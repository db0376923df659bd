"""Loading the demo into the real system: four service processes on real
PostgreSQL and Kafka, and the SMTP mail catcher."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kisalli_demo.loader import load
from kisalli_demo.office import draw_office
from tests.demo.system import System, running_system
from tests.servers import Servers


@pytest.fixture
def system(servers: Servers) -> Iterator[System]:
    with running_system(servers.database_url, servers.kafka) as running:
        yield running


@pytest.mark.slow
def test_loading_the_demo_twice_changes_nothing_the_second_time(
    system: System,
) -> None:
    office = draw_office()
    said: list[str] = []

    first = load(office, system.target, said.append)
    after_first = system.settled()
    second = load(office, system.target, said.append)
    after_second = system.settled()

    # Every person of the office can log in, and every story is there.
    people = len(office.staff) + len(office.members())
    assert first.census.accounts == first.census.activated == people
    assert first.census.contracts == len(office.contracts)
    assert (first.census.ended_early, first.census.tutor_changes) == (1, 1)
    assert set(first.census.feedback) == {
        "draft",
        "submitted",
        "acknowledged",
        "processed",
        "returned by student",
    }
    # The second run found all of it and added nothing anywhere.
    assert second.census == first.census
    assert after_second == after_first
    assert second.logins == first.logins
