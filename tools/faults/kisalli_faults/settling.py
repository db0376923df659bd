"""Waiting for the system to settle, and the read models against a rebuild.

Settled: every outbox is empty, every consumer group has committed to the
end of what it reads, no email waits to be sent, every processed feedback
has its compensation, and nothing has changed for a few looks.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import Counter

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from kisalli_faults.checks import Check
from kisalli_faults.system import SERVICES, Stack
from kisalli_replay.rebuild import RebuildMissing, find_rebuild

STILL_LOOKS = 4
LOOK_INTERVAL = 1.0


async def _look(stack: Stack) -> tuple[object, list[str]]:
    """A fingerprint of the system's state, and what it still waits for."""
    waiting = []
    counts = []
    for service in SERVICES:
        conn = await asyncpg.connect(stack.database_url(service), timeout=10)
        try:
            outbox = await conn.fetchval("SELECT count(*) FROM outbox")
            events = await conn.fetchval("SELECT count(*) FROM events")
            counts.append((service, events))
            if outbox:
                waiting.append(f"{service}'s outbox ({outbox})")
            if service == "notifications":
                unsent = await conn.fetchval(
                    "SELECT count(*) FROM emails WHERE state IN ('pending', 'sending')"
                )
                if unsent:
                    waiting.append(f"{unsent} emails")
            if service == "feedback":
                processed = await conn.fetch(
                    "SELECT data->>'feedback_id' AS id FROM events"
                    " WHERE type = 'FeedbackProcessed'"
                )
        finally:
            await conn.close()
    conn = await asyncpg.connect(stack.database_url("payments"), timeout=10)
    try:
        compensated = await conn.fetchval(
            "SELECT count(DISTINCT data->>'feedback_id') FROM events"
            " WHERE type IN ('CompensationCalculated', 'CompensationHeld')"
            " AND data->>'feedback_id' = ANY($1::text[])",
            [row["id"] for row in processed],
        )
    finally:
        await conn.close()
    if compensated < len(processed):
        waiting.append(f"{len(processed) - compensated} compensations")
    return tuple(counts), waiting


async def _consumers_behind(stack: Stack) -> list[str]:
    """Each service's consumer group that has not committed to the end."""
    settings = stack.settings()
    kafka = settings["KAFKA_BOOTSTRAP_SERVERS"]
    prefix = settings.get("TOPIC_PREFIX", "kisalli")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    ends = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=None)
    await admin.start()
    await ends.start()
    behind = []
    try:
        for service in SERVICES:
            committed = await admin.list_consumer_group_offsets(f"{prefix}.{service}")
            if not committed:
                behind.append(f"{service}'s consumer (no offsets yet)")
                continue
            end = await ends.end_offsets(list(committed))
            lag = sum(max(0, end[tp] - at.offset) for tp, at in committed.items())
            if lag:
                behind.append(f"{service}'s consumer ({lag})")
    finally:
        await ends.stop()
        await admin.close()
    return behind


async def settle(stack: Stack, seconds: float) -> list[str]:
    """Wait until settled; what it still waited for after `seconds`."""
    deadline = time.monotonic() + seconds
    seen: Counter[object] = Counter()
    waiting = ["a first look"]
    while time.monotonic() < deadline:
        try:
            fingerprint, waiting = await _look(stack)
            waiting += await _consumers_behind(stack)
        except (OSError, asyncpg.PostgresError, KafkaError) as exc:
            waiting = [f"the databases ({type(exc).__name__})"]
            await asyncio.sleep(LOOK_INTERVAL)
            continue
        seen = Counter({fingerprint: seen[fingerprint] + 1})
        if not waiting and seen[fingerprint] >= STILL_LOOKS:
            return []
        await asyncio.sleep(LOOK_INTERVAL)
    return waiting


async def read_models_match(stack: Stack) -> Check:
    """A dry-run rebuild of each service's read models from its store,
    the one `kisalli-replay rebuild <service> --dry-run` runs."""
    check = Check("every read model equals a rebuild from its store")
    for service in SERVICES:
        try:
            rebuild = find_rebuild(service)
        except RebuildMissing:
            check.notes.append(f"{service} keeps no read models")
            continue
        outcome = rebuild(stack.database_url(service), dry_run=True)
        report = await outcome if inspect.isawaitable(outcome) else outcome
        check.checked += 1
        # Each difference line holds a row; only its table is told.
        tables = Counter(line.partition(":")[0] for line in report.differences)
        for table, rows in sorted(tables.items()):
            check.violations.append(f"{service}: {table}: {rows} rows differ")
        check.notes.append(f"{service}: {report.replayed} events replayed")
    return check
