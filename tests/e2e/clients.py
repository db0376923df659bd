"""HTTP clients of the gateway and the mail catcher, and reading topics."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer

from kisalli_shared.events import Envelope

T = TypeVar("T")
_TOKEN = re.compile(r"#token=([A-Za-z0-9_-]+)")


def loopback_address() -> str:
    """A client address of its own, so that limits per address meet no one else."""
    parts = (random.randint(1, 254), random.randint(0, 255), random.randint(1, 254))
    return "127.{}.{}.{}".format(*parts)


def gateway_client(gateway: str, address: str | None = None) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address or loopback_address())
    return httpx.AsyncClient(base_url=gateway, transport=transport, timeout=30.0)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    timeout: float = 60.0,
    interval: float = 0.1,
) -> T:
    """Poll until `check` gives something, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"it did not happen in {timeout:.0f} s")
        await asyncio.sleep(interval)


class Mailbox:
    """The mail catcher's HTTP API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._read: dict[str, dict[str, Any]] = {}
        self._taken: set[str] = set()

    async def message_to(
        self, address: str, containing: str, timeout: float = 60.0
    ) -> dict[str, Any]:
        """The first message to `address` whose text holds `containing`,
        of those this mailbox has not given before."""

        async def find() -> dict[str, Any] | None:
            for message in await self._messages_to(address):
                if message["id"] in self._taken:
                    continue
                if containing in (message["text"] or ""):
                    self._taken.add(message["id"])
                    return message
            return None

        return await eventually(find, timeout)

    async def _messages_to(self, address: str) -> list[dict[str, Any]]:
        listing = (await self.client.get("/messages")).raise_for_status().json()
        found = []
        for summary in listing:
            if address.lower() not in map(str.lower, summary["envelope_to"]):
                continue
            if summary["id"] not in self._read:
                answer = await self.client.get(f"/messages/{summary['id']}")
                self._read[summary["id"]] = answer.raise_for_status().json()
            found.append(self._read[summary["id"]])
        return found


def secret_token(message: dict[str, Any]) -> str:
    """The token of the activation or reset link in an email."""
    match = _TOKEN.search(message["text"])
    assert match, "the email holds no link with a token"
    return match.group(1)


async def events_of_stream(
    kafka: str,
    topic: str,
    stream_id: str,
    expected: Collection[str],
    timeout: float = 60.0,
) -> list[Envelope]:
    """The events of one stream on a topic, once every expected type is there."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    found: list[Envelope] = []
    deadline = time.monotonic() + timeout
    try:
        while not set(expected) <= {e.type for e in found}:
            if time.monotonic() > deadline:
                break
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                found.extend(
                    Envelope.from_json(r.value)
                    for r in records
                    if r.key == stream_id.encode()
                )
    finally:
        await consumer.stop()
    return found
