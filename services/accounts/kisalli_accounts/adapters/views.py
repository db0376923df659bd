"""Queries of the read models for lists."""

from __future__ import annotations

from typing import Any

import asyncpg


async def accounts_of_office(
    conn: asyncpg.Connection | asyncpg.Pool, office_id: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT a.account_id::text, a.role, a.username, a.email, a.name,"
        " a.language, a.office_id, a.activated, a.version FROM accounts a"
        " JOIN account_offices o USING (account_id) WHERE o.office_id = $1"
        " ORDER BY a.username LIMIT $2 OFFSET $3",
        office_id,
        limit,
        offset,
    )
    return [dict(row) for row in rows]
