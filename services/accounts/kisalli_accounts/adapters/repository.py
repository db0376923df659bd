"""Accounts read from and written to their event streams, inside a transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from kisalli_accounts.adapters.projection import project
from kisalli_accounts.domain.account import Account, account_from, stream_id
from kisalli_shared.contracts.accounts import registry
from kisalli_shared.events import Event
from kisalli_shared.eventstore import Causation, PostgresEventStore


class AccountRepository:
    """One transaction's view of the accounts: reads and appends on `conn`."""

    def __init__(self, conn: asyncpg.Connection, store: PostgresEventStore) -> None:
        self.conn = conn
        self.store = store

    async def get(self, account_id: str) -> Account | None:
        rows = await self.conn.fetch(
            "SELECT type, schema_version, data::text AS data FROM events"
            " WHERE stream_id = $1 ORDER BY version",
            stream_id(account_id),
        )
        events = [
            registry.decode(row["type"], row["schema_version"], json.loads(row["data"]))
            for row in rows
            if registry.knows(row["type"])
        ]
        return account_from(events)

    async def account_id_for(self, canonical_name: str) -> str | None:
        found = await self.conn.fetchval(
            "SELECT account_id::text FROM claimed_names WHERE canonical = $1",
            canonical_name,
        )
        return str(found) if found else None

    async def by_name(self, canonical_name: str) -> Account | None:
        account_id = await self.account_id_for(canonical_name)
        return await self.get(account_id) if account_id else None

    async def username_taken(self, canonical_name: str) -> bool:
        return await self.account_id_for(canonical_name) is not None

    async def add(
        self, account_id: str, events: Sequence[Event], causation: Causation
    ) -> Account:
        """Start a new account's stream; raises ConcurrencyError if it exists."""
        await self._append(account_id, 0, events, causation)
        account = account_from(events)
        assert account is not None
        return account

    async def save(
        self, account: Account, events: Sequence[Event], causation: Causation
    ) -> Account:
        """Append at the version read; ConcurrencyError if someone wrote first."""
        await self._append(account.account_id, account.version, events, causation)
        for event in events:
            account = account.apply(event)
        return account

    async def _append(
        self,
        account_id: str,
        expected_version: int,
        events: Sequence[Event],
        causation: Causation,
    ) -> None:
        recorded = await self.store.append(
            stream_id(account_id), expected_version, events, causation, conn=self.conn
        )
        # The read models change in the same transaction as the append.
        for event, record in zip(events, recorded, strict=True):
            await project(self.conn, event, record.envelope.streamversion)

    async def offices_of(self, account_id: str) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT office_id FROM account_offices WHERE account_id = $1", account_id
        )
        return {row["office_id"] for row in rows}
