"""Waiting for what other services learn through Kafka, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from kisalli_demo.client import DemoError

T = TypeVar("T")


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    interval: float = 0.2,
) -> T:
    """Ask `probe` until it answers something other than None."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise DemoError(
                f"gave up after {timeout:.0f} s waiting for {what};"
                " are all four services and their Kafka consumers running?"
            )
        time.sleep(interval)
