"""The credentials table: one Argon2id hash per account, never in an event."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def password_hash(conn: asyncpg.Connection, account_id: str) -> str | None:
    found = await conn.fetchval(
        "SELECT password_hash FROM credentials WHERE account_id = $1", account_id
    )
    return str(found) if found else None


async def store_password_hash(
    conn: asyncpg.Connection, account_id: str, hashed: str, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO credentials (account_id, password_hash, changed_at)"
        " VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE"
        " SET password_hash = excluded.password_hash,"
        " changed_at = excluded.changed_at",
        account_id,
        hashed,
        now,
    )
