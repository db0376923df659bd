"""`kisalli-replay rebuild` calls the service's own rebuild through the protocol.

The service here is a test double of the protocol, not a real service.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.replay.running import Result, invoke

FAKE = """
from dataclasses import dataclass, field

calls = []


@dataclass(frozen=True)
class Report:
    replayed: int
    differences: list[str] = field(default_factory=list)


async def rebuild(dsn, *, dry_run):
    calls.append((dsn, dry_run))
    return Report(replayed=12, differences=["contracts c-1: tutor t-1 -> t-2"])
"""


@pytest.fixture
def fake_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    package = tmp_path / "kisalli_fakeservice"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "readmodels.py").write_text(textwrap.dedent(FAKE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fakeservice"
    for name in ("kisalli_fakeservice.readmodels", "kisalli_fakeservice"):
        sys.modules.pop(name, None)


def rebuild(*args: str) -> Result:
    return invoke("rebuild", *args)


def test_dry_run_prints_the_differences_the_service_reports(fake_service: str) -> None:
    result = rebuild(fake_service, "--dry-run", "--database-url", "postgresql://db/x")

    assert result.exit_code == 0, result.output
    assert result.stdout == "contracts c-1: tutor t-1 -> t-2\n"
    assert "12 events replayed; 1 read-model rows would change" in result.stderr
    calls = sys.modules["kisalli_fakeservice.readmodels"].calls
    assert calls == [("postgresql://db/x", True)]


def test_rebuild_of_a_service_that_exposes_none_says_what_it_needs() -> None:
    result = rebuild(
        "nosuchservice", "--dry-run", "--database-url", "postgresql://db/x"
    )

    assert result.exit_code == 2
    assert "nosuchservice does not expose a rebuild yet" in result.stderr
    assert "kisalli_nosuchservice.readmodels:rebuild" in result.stderr
