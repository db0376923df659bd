"""Idempotency-Key for creating batches: a retry gets the batch the first made.

The key is kept in the transaction that records the batch, and the caller's
key is locked for that transaction, so a retry racing the first request
waits for it and then finds its batch. A batch request carries no personal
data, so a plain SHA-256 tells one request from another.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True)
class IdempotentRequest:
    caller: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, caller: str, key: str, route: str, body: Any) -> IdempotentRequest:
        canonical = json.dumps([route, body], sort_keys=True, default=str)
        return cls(caller, key, hashlib.sha256(canonical.encode()).hexdigest())


@dataclass(frozen=True)
class KeptKey:
    fingerprint: str
    resource_id: str


async def lock_and_find(
    conn: asyncpg.Connection, request: IdempotentRequest
) -> KeptKey | None:
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        f"idempotency:{request.caller}:{request.key}",
    )
    row = await conn.fetchrow(
        "SELECT fingerprint, resource_id FROM idempotency_keys"
        " WHERE caller = $1 AND key = $2",
        request.caller,
        request.key,
    )
    return None if row is None else KeptKey(row["fingerprint"], row["resource_id"])


async def keep(
    conn: asyncpg.Connection, request: IdempotentRequest, resource_id: str
) -> None:
    await conn.execute(
        "INSERT INTO idempotency_keys (caller, key, fingerprint, resource_id)"
        " VALUES ($1, $2, $3, $4)",
        request.caller,
        request.key,
        request.fingerprint,
        resource_id,
    )
