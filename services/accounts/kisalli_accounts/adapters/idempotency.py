"""Answers remembered by Idempotency-Key, so that a retried create creates once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True)
class Remembered:
    fingerprint: str
    status: int
    body: dict[str, Any]


async def recall(conn: asyncpg.Connection, scope: str, key: str) -> Remembered | None:
    row = await conn.fetchrow(
        "SELECT fingerprint, status, body::text AS body FROM idempotent_requests"
        " WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    if row is None:
        return None
    return Remembered(row["fingerprint"], row["status"], json.loads(row["body"]))


async def remember(
    conn: asyncpg.Connection,
    scope: str,
    key: str,
    answer: Remembered,
) -> None:
    await conn.execute(
        "INSERT INTO idempotent_requests (scope, key, fingerprint, status, body)"
        " VALUES ($1, $2, $3, $4, $5::jsonb)",
        scope,
        key,
        answer.fingerprint,
        answer.status,
        json.dumps(answer.body),
    )
