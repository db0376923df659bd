"""A closed-loop load client: `concurrency` tasks, each sending its next
request as soon as the previous one is answered, until a count or a time
is reached. Only 2xx answers count as done; everything else is an error,
counted by status code or exception.

Each task has a client and a connection of its own: one httpx client
sharing a pool of 32 connections spent most of its time choosing among
them (200 requests a second where 32 clients of one connection made 680).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import httpx

from bench.common import percentile
from tests.e2e.clients import loopback_address

Connect = Callable[[], httpx.AsyncClient]
Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass
class Level:
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    # Of one core: the client shares the machine with what it measures.
    client_cpu: float = 0.0
    # Of all cores, whoever used them.
    machine_cpu: float = 0.0

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        """The q-quantile of the successes' latencies, in milliseconds."""
        return percentile(self.latencies, q) * 1000 if self.latencies else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def error_text(self) -> str:
        return ", ".join(f"{what}: {n}" for what, n in sorted(self.errors.items()))


def load_client(base_url: str, address: str | None = None) -> httpx.AsyncClient:
    """A client of one connection, from a 127.x address of its own."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    transport = httpx.AsyncHTTPTransport(
        local_address=address or loopback_address(), limits=limits
    )
    return httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30.0)


async def measure(
    connect: Connect, send: Send, concurrency: int, requests: int, seconds: float
) -> Level:
    """Send requests 0..requests-1 (or as many as fit in `seconds`), each
    task on a client `connect` gives it."""
    level = Level(concurrency)
    numbers = itertools.count()
    deadline = time.monotonic() + seconds

    async def loop(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            number = next(numbers)
            if number >= requests:
                return
            started = time.perf_counter()
            try:
                answer = await send(client, number)
            except httpx.HTTPError as exc:
                level.errors[type(exc).__name__] += 1
                continue
            if answer.is_success:
                level.latencies.append(time.perf_counter() - started)
            else:
                level.errors[str(answer.status_code)] += 1

    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(connect()) for _ in range(concurrency)
        ]
        cpu, machine = _cpu_seconds(), _machine_ticks()
        started = time.perf_counter()
        await asyncio.gather(*(loop(client) for client in clients))
        level.seconds = time.perf_counter() - started
        level.client_cpu = (_cpu_seconds() - cpu) / level.seconds
        (busy, total), (busy_before, total_before) = _machine_ticks(), machine
    level.machine_cpu = (busy - busy_before) / max(1, total - total_before)
    return level


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _machine_ticks() -> tuple[int, int]:
    """Busy and all ticks of every core since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        # user nice system idle iowait irq softirq steal; guest time is
        # counted in user already.
        values = [int(v) for v in stat.readline().split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)
