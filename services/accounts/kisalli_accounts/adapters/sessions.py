"""Sessions and their rotating refresh tokens (stored as SHA-256 hashes).

Each refresh gives a new refresh token and retires the old one. A retired
token presented again means two parties hold the session: it ends
(https://datatracker.ietf.org/doc/html/rfc9700#section-4.14.2).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import asyncpg


class Refreshed(StrEnum):
    ROTATED = "rotated"
    UNKNOWN = "unknown"
    ENDED = "ended"
    REUSED = "reused"


@dataclass(frozen=True)
class Rotation:
    outcome: Refreshed
    session_id: str | None = None
    account_id: str | None = None
    refresh_token: str | None = None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def start_session(
    conn: asyncpg.Connection, account_id: str, now: datetime, lifetime: timedelta
) -> tuple[str, str]:
    """Start a session; return its id and its first refresh token."""
    session_id = str(uuid.uuid4())
    await conn.execute(
        "INSERT INTO sessions (session_id, account_id, started_at, expires_at)"
        " VALUES ($1, $2, $3, $4)",
        session_id,
        account_id,
        now,
        now + lifetime,
    )
    return session_id, await _new_refresh_token(conn, session_id, now)


async def _new_refresh_token(
    conn: asyncpg.Connection, session_id: str, now: datetime
) -> str:
    token = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, issued_at)"
        " VALUES ($1, $2, $3)",
        _digest(token),
        session_id,
        now,
    )
    return token


async def rotate(conn: asyncpg.Connection, token: str, now: datetime) -> Rotation:
    row = await conn.fetchrow(
        "SELECT r.session_id::text, r.replaced_at, s.account_id::text,"
        " s.ended_at, s.expires_at FROM refresh_tokens r"
        " JOIN sessions s USING (session_id)"
        " WHERE r.token_hash = $1 FOR UPDATE OF r, s",
        _digest(token),
    )
    if row is None:
        return Rotation(Refreshed.UNKNOWN)
    session_id = row["session_id"]

    # Reuse of a retired token: end the session, whoever of the two asks.
    if row["replaced_at"] is not None:
        await end_session(conn, session_id, "refresh-token-reused", now)
        return Rotation(Refreshed.REUSED, session_id)
    if row["ended_at"] is not None or row["expires_at"] <= now:
        return Rotation(Refreshed.ENDED, session_id)

    await conn.execute(
        "UPDATE refresh_tokens SET replaced_at = $2 WHERE token_hash = $1",
        _digest(token),
        now,
    )
    fresh = await _new_refresh_token(conn, session_id, now)
    return Rotation(Refreshed.ROTATED, session_id, row["account_id"], fresh)


async def end_session(
    conn: asyncpg.Connection, session_id: str, reason: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE sessions SET ended_at = $3, end_reason = $2"
        " WHERE session_id = $1 AND ended_at IS NULL",
        session_id,
        reason,
        now,
    )


async def end_sessions_of(
    conn: asyncpg.Connection,
    account_id: str,
    reason: str,
    now: datetime,
    *,
    keep: str | None = None,
) -> int:
    """End every open session of an account, except `keep`; return how many."""
    ended = await conn.fetch(
        "UPDATE sessions SET ended_at = $3, end_reason = $2"
        " WHERE account_id = $1 AND ended_at IS NULL"
        " AND session_id IS DISTINCT FROM $4::uuid RETURNING session_id",
        account_id,
        reason,
        now,
        keep,
    )
    return len(ended)


async def session_is_open(
    conn: asyncpg.Connection | asyncpg.Pool, session_id: str, now: datetime
) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM sessions WHERE session_id = $1"
        " AND ended_at IS NULL AND expires_at > $2",
        session_id,
        now,
    )
    return bool(found)
