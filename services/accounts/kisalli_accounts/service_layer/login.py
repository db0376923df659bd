"""Logging in, refreshing a session, logging out.

A wrong password and an unknown name get the same answer after the same
work (Argon2 runs against a decoy hash), and both count towards a lock.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from kisalli_accounts.adapters import credentials, sessions, throttle
from kisalli_accounts.adapters.repository import AccountRepository
from kisalli_accounts.domain.account import Account
from kisalli_accounts.domain.names import canonical
from kisalli_accounts.service_layer.context import Context
from kisalli_shared.eventstore import Causation


class LoginRefused(Exception):
    """Wrong name or password, or no password set yet: one answer for all."""


class LoginLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__("locked")
        self.until = until


class RefreshRefused(Exception):
    """Unknown, retired or ended refresh token."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


@dataclass(frozen=True)
class _Attempt:
    account: Account | None = None
    session: tuple[str, str] | None = None
    failures: int = 0
    locked_until: datetime | None = None


async def log_in(
    ctx: Context, *, login: str, password: str, causation: Causation
) -> Tokens:
    async with ctx.transaction() as repo:
        attempt = await _attempt(repo, ctx, canonical(login), password, causation)

    # Decided inside the transaction, told after it committed: a failure
    # must be counted even though the caller hears an error.
    if attempt.locked_until is not None:
        raise LoginLocked(attempt.locked_until)
    if attempt.session is None or attempt.account is None:
        policy = ctx.policy
        delay = min(
            policy.slowdown_per_failure * attempt.failures, policy.slowdown_at_most
        )
        await asyncio.sleep(delay)
        raise LoginRefused
    session_id, refresh_token = attempt.session
    return _tokens(ctx, attempt.account, session_id, refresh_token)


async def _attempt(
    repo: AccountRepository,
    ctx: Context,
    name: str,
    password: str,
    causation: Causation,
) -> _Attempt:
    policy, now, conn = ctx.policy, ctx.clock(), repo.conn
    account = await repo.by_name(name)
    key = account.account_id if account else throttle.name_key(name)

    # An account's lock is in its events; a name no account has is locked
    # in the failure count alone.
    if account is not None and account.is_locked(now):
        return _Attempt(locked_until=account.locked_until)
    count = await throttle.failures_of(conn, key, now, policy.lock_for)
    if count.locked(now):
        return _Attempt(locked_until=count.locked_until)

    stored = (
        await credentials.password_hash(conn, account.account_id) if account else None
    )
    if (
        account is None
        or stored is None
        or not await ctx.hashing.verify(stored, password)
    ):
        if stored is None:
            # Same Argon2 work as a real check, so timing tells nothing.
            await ctx.hashing.verify(None, password)
        failures = await throttle.count_failure(conn, key, now, policy.lock_for)
        if failures < policy.lock_after_failures:
            return _Attempt(failures=failures)
        until = now + policy.lock_for
        if account is not None:
            await repo.save(account, account.lock(until, failures), causation)
            await throttle.clear_failures(conn, key)
        else:
            await throttle.lock_name(conn, key, until)
        return _Attempt(locked_until=until)

    # Parameters raised since this hash was made: make it again, now that
    # the password is at hand.
    if ctx.hashing.needs_rehash(stored):
        rehashed = await ctx.hashing.hash(password)
        await credentials.store_password_hash(conn, account.account_id, rehashed, now)
    await throttle.clear_failures(conn, key)
    session = await sessions.start_session(
        conn, account.account_id, now, policy.session_lifetime
    )
    return _Attempt(account=account, session=session)


def _tokens(
    ctx: Context, account: Account, session_id: str, refresh_token: str
) -> Tokens:
    access = ctx.signer.access_token(
        account_id=account.account_id,
        role=account.role,
        office_id=account.office_id,
        session_id=session_id,
        now=ctx.clock(),
    )
    return Tokens(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=int(ctx.signer.lifetime.total_seconds()),
        session_id=session_id,
    )


async def refresh(ctx: Context, *, refresh_token: str) -> Tokens:
    async with ctx.transaction() as repo:
        rotation = await sessions.rotate(repo.conn, refresh_token, ctx.clock())
        account = (
            await repo.get(rotation.account_id)
            if rotation.outcome is sessions.Refreshed.ROTATED and rotation.account_id
            else None
        )
    # A reused token ended its session above; that must commit before the
    # caller is refused.
    if account is None or rotation.session_id is None or not rotation.refresh_token:
        raise RefreshRefused
    return _tokens(ctx, account, rotation.session_id, rotation.refresh_token)


async def log_out(ctx: Context, *, session_id: str) -> None:
    async with ctx.pool.acquire() as conn:
        await sessions.end_session(conn, session_id, "logged-out", ctx.clock())


async def session_is_open(ctx: Context, session_id: str) -> bool:
    return await sessions.session_is_open(ctx.pool, session_id, ctx.clock())
