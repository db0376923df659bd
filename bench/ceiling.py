"""The ceiling app running for a benchmark: on a port of its own, and
behind a private nginx with the gateway's configuration
(bench/ceiling_gateway.py)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import httpx

from bench.ceiling_app import TABLE
from bench.ceiling_gateway import free_port, private_gateway
from bench.measure import Level, load_client, measure
from tests.servers import ROOT


@dataclass(frozen=True)
class Ceiling:
    direct: str
    # The same app under the path the gateway gives the feedback service.
    through_nginx: str
    dsn: str

    async def stored_rows(self) -> int:
        conn = await asyncpg.connect(self.dsn)
        try:
            rows: int = await conn.fetchval(f"SELECT count(*) FROM {TABLE}")
            return rows
        finally:
            await conn.close()


@asynccontextmanager
async def running_ceiling(dsn: str, pool_size: int) -> AsyncIterator[Ceiling]:
    """The app storing into the database `dsn`, and nginx in front of it."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.ceiling_app",
        f"--port={port}",
        f"--pool-size={pool_size}",
        cwd=ROOT,
        env={**os.environ, "CEILING_DSN": dsn},
    )
    try:
        direct = f"http://127.0.0.1:{port}"
        await _ready(direct, process)
        with private_gateway(port) as gateway:
            yield Ceiling(direct, f"{gateway}/api/feedback", dsn)
    finally:
        process.terminate()
        await process.wait()


async def _ready(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=url) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise SystemExit("the ceiling app exited")
            try:
                if (await client.get("/readyz")).is_success:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the ceiling app did not answer in 30 s")


async def measure_ceiling(
    base_url: str, concurrency: int, requests: int, seconds: float
) -> Level:
    async def send(client: httpx.AsyncClient, number: int) -> httpx.Response:
        return await client.post("/rows", json={"number": number})

    return await measure(
        lambda: load_client(base_url), send, concurrency, requests, seconds
    )
