"""Idempotency-Key: a retried create gets back what the first one made.

A key remembers the id of what its request created, written in the same
transaction as the events, so a crash leaves both or neither. The request is
remembered by an HMAC of its body, not the body or a plain hash of it: a body
may hold a personal identity code, whose few possible values a plain hash
would not hide.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import asyncpg

PRIMARY_KEY = "idempotency_keys_pkey"


@dataclass(frozen=True)
class IdempotentRequest:
    caller: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class KeptKey:
    fingerprint: str
    resource_id: str


class IdempotencyKeys:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def request(
        self, caller: str, key: str, route: str, body: Any
    ) -> IdempotentRequest:
        canonical = json.dumps(
            [route, body], sort_keys=True, separators=(",", ":"), default=str
        )
        fingerprint = hmac.new(
            self._secret, canonical.encode(), hashlib.sha256
        ).hexdigest()
        return IdempotentRequest(caller, key, fingerprint)

    async def find(
        self, pool: asyncpg.Pool, request: IdempotentRequest
    ) -> KeptKey | None:
        row = await pool.fetchrow(
            "SELECT fingerprint, resource_id FROM idempotency_keys"
            " WHERE caller = $1 AND key = $2",
            request.caller,
            request.key,
        )
        return None if row is None else KeptKey(row["fingerprint"], row["resource_id"])

    async def keep(
        self, conn: asyncpg.Connection, request: IdempotentRequest, resource_id: str
    ) -> None:
        # A concurrent request with the same key fails here on the primary
        # key, and its whole transaction, events included, rolls back.
        await conn.execute(
            "INSERT INTO idempotency_keys (caller, key, fingerprint, resource_id)"
            " VALUES ($1, $2, $3, $4)",
            request.caller,
            request.key,
            request.fingerprint,
            resource_id,
        )
