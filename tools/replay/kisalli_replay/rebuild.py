"""Rebuilding a service's read models through the service's own code.

A service takes part by exposing one function, found first as an entry
point named after the service in the group `kisalli.rebuild`, else as
`kisalli_<service>.readmodels:rebuild`:

    def rebuild(dsn: str, *, dry_run: bool) -> RebuildReport  # or async def

It replays the service's event store through the same projections the
service runs. With dry_run it builds beside the live read model, compares,
and changes nothing; otherwise it replaces the read model.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Awaitable, Callable, Sequence
from importlib.metadata import entry_points
from typing import Protocol, cast

GROUP = "kisalli.rebuild"


class RebuildReport(Protocol):
    @property
    def replayed(self) -> int:
        """How many events were replayed."""
        ...

    @property
    def differences(self) -> Sequence[str]:
        """One line per read-model row the rebuild changes (or would change)."""
        ...


Rebuild = Callable[..., RebuildReport | Awaitable[RebuildReport]]


class RebuildMissing(LookupError):
    def __init__(self, service: str) -> None:
        super().__init__(
            f"{service} does not expose a rebuild yet: it needs an entry point"
            f" '{service}' in the group '{GROUP}', or a function"
            f" kisalli_{service}.readmodels:rebuild(dsn, *, dry_run)"
        )


def find_rebuild(service: str) -> Rebuild:
    for point in entry_points(group=GROUP, name=service):
        return cast(Rebuild, point.load())
    module_name = f"kisalli_{service}.readmodels"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        # Only the module itself being absent means "not exposed"; a missing
        # import inside it is a bug to show as it is.
        if missing.name not in (module_name, f"kisalli_{service}"):
            raise
        raise RebuildMissing(service) from None
    rebuild = getattr(module, "rebuild", None)
    if not callable(rebuild):
        raise RebuildMissing(service)
    return cast(Rebuild, rebuild)


def run_rebuild(service: str, dsn: str, *, dry_run: bool) -> RebuildReport:
    outcome = find_rebuild(service)(dsn, dry_run=dry_run)
    if inspect.isawaitable(outcome):
        return asyncio.run(_wait(outcome))
    return outcome


async def _wait(outcome: Awaitable[RebuildReport]) -> RebuildReport:
    return await outcome
