"""One-time tokens of activation and reset links, kept only as SHA-256 hashes.

A token carries 256 random bits (secrets.token_urlsafe(32)), so a plain hash
suffices: there is nothing to guess that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128


@dataclass(frozen=True)
class TokenHolder:
    account_id: str
    request_id: str


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def issue_token(
    conn: asyncpg.Connection,
    *,
    account_id: str,
    kind: str,
    request_id: str,
    expires_at: datetime,
) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await conn.execute(
        "INSERT INTO secret_tokens (token_hash, account_id, kind, request_id,"
        " expires_at) VALUES ($1, $2, $3, $4, $5)",
        _digest(token),
        account_id,
        kind,
        request_id,
        expires_at,
    )
    return token


async def redeem_token(
    conn: asyncpg.Connection, token: str, kind: str, now: datetime
) -> TokenHolder | None:
    """Mark an unused, unexpired token used and say whose it was; else None.

    The account's events decide whether the request is still the newest;
    this only makes sure that no token works twice.
    """
    row = await conn.fetchrow(
        "UPDATE secret_tokens SET used_at = $3"
        " WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL"
        " AND expires_at > $3 RETURNING account_id::text, request_id",
        _digest(token),
        kind,
        now,
    )
    if row is None:
        return None
    return TokenHolder(row["account_id"], row["request_id"])


async def forget_tokens(conn: asyncpg.Connection, account_id: str, kind: str) -> None:
    """Make every outstanding token of a kind useless (also by its row)."""
    await conn.execute(
        "DELETE FROM secret_tokens WHERE account_id = $1 AND kind = $2",
        account_id,
        kind,
    )
