"""Counting failed logins and reset requests.

Failed logins are counted per account, or per login name when no account
has it, so that a locked answer never tells whether a name exists. Locks of
real accounts are AccountLocked events, read with the account; a name no
account has is locked here. These are operational tables, not read models:
a rebuild from the events leaves them alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg


@dataclass(frozen=True)
class FailureCount:
    failures: int
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def name_key(canonical_name: str) -> str:
    """The key of a login name no account has, by its hash: people type
    passwords into the name field, and such a name must not be kept."""
    return "name:" + hashlib.sha256(canonical_name.encode()).hexdigest()


async def failures_of(
    conn: asyncpg.Connection, key: str, now: datetime, forget_after: timedelta
) -> FailureCount:
    row = await conn.fetchrow(
        "SELECT failures, last_failed_at, locked_until FROM login_failures"
        " WHERE key = $1",
        key,
    )
    if row is None:
        return FailureCount(0, None)
    stale = row["last_failed_at"] is None or row["last_failed_at"] < now - forget_after
    return FailureCount(0 if stale else row["failures"], row["locked_until"])


async def count_failure(
    conn: asyncpg.Connection, key: str, now: datetime, forget_after: timedelta
) -> int:
    """Count one more failure and return the count; old failures are forgotten."""
    count = await conn.fetchval(
        "INSERT INTO login_failures (key, failures, last_failed_at)"
        " VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET"
        " failures = CASE WHEN login_failures.last_failed_at >= $3"
        " THEN login_failures.failures + 1 ELSE 1 END,"
        " last_failed_at = $2 RETURNING failures",
        key,
        now,
        now - forget_after,
    )
    return int(count)


async def lock_name(conn: asyncpg.Connection, key: str, until: datetime) -> None:
    """Lock a login name that belongs to no account (accounts lock by event)."""
    await conn.execute(
        "UPDATE login_failures SET failures = 0, locked_until = $2 WHERE key = $1",
        key,
        until,
    )


async def clear_failures(conn: asyncpg.Connection, key: str) -> None:
    await conn.execute(
        "UPDATE login_failures SET failures = 0 WHERE key = $1 AND failures > 0",
        key,
    )


async def within_limit(
    conn: asyncpg.Connection,
    bucket: str,
    *,
    now: datetime,
    window: timedelta,
    limit: int,
) -> bool:
    """Record a hit in the bucket if fewer than `limit` fell inside the window."""
    # One lock per bucket makes the count and the insert one step.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", bucket)
    await conn.execute(
        "DELETE FROM rate_limit_hits WHERE bucket = $1 AND hit_at < $2",
        bucket,
        now - window,
    )
    hits = await conn.fetchval(
        "SELECT count(*) FROM rate_limit_hits WHERE bucket = $1", bucket
    )
    if hits >= limit:
        return False
    await conn.execute(
        "INSERT INTO rate_limit_hits (bucket, hit_at) VALUES ($1, $2)", bucket, now
    )
    return True
