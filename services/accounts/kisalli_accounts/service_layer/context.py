"""What the use cases need, built once by bootstrap."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from kisalli_accounts.adapters.hashing import PasswordHashing
from kisalli_accounts.adapters.repository import AccountRepository
from kisalli_accounts.adapters.secret_links import SecretLinkSender
from kisalli_accounts.adapters.signing import TokenSigner
from kisalli_shared.eventstore import PostgresEventStore


@dataclass(frozen=True)
class Policy:
    """Lifetimes and limits; the numbers come from settings."""

    session_lifetime: timedelta = timedelta(days=30)
    activation_valid_for: timedelta = timedelta(days=14)
    reset_valid_for: timedelta = timedelta(minutes=30)
    lock_after_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)
    # Each earlier failure adds this much to a failed login's answer.
    slowdown_per_failure: float = 0.25
    slowdown_at_most: float = 2.0
    resets_per_account: int = 3
    resets_per_address: int = 20
    reset_window: timedelta = timedelta(minutes=15)
    # Every reset request is answered after about this long, whatever happened.
    reset_answer_seconds: float = 0.5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    store: PostgresEventStore
    hashing: PasswordHashing
    signer: TokenSigner
    links: SecretLinkSender
    policy: Policy
    clock: Callable[[], datetime] = utc_now

    @property
    def pool(self) -> asyncpg.Pool:
        return self.store.pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AccountRepository]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield AccountRepository(conn, self.store)
