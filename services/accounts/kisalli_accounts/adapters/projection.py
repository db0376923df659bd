"""Read models of the account streams, written in the transaction of an append.

`rebuild` replays the whole store into empty tables, so a lost or changed
read model is never a loss.
"""

from __future__ import annotations

import asyncpg

from kisalli_accounts.domain.names import canonical
from kisalli_shared.contracts.accounts import (
    AccountActivated,
    AccountCreated,
    ContractMemberAssigned,
    EmailChanged,
    PasswordResetCompleted,
)
from kisalli_shared.contracts.accounts import registry as accounts_registry
from kisalli_shared.events import Envelope, Event
from kisalli_shared.eventstore import PostgresEventStore
from kisalli_shared.readmodels import Projection
from kisalli_shared.readmodels import rebuild as replay_into

TABLES = ("accounts", "claimed_names", "account_offices")


class NameTaken(Exception):
    """Another account holds this username or email in canonical form."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind} is taken")
        self.kind = kind


async def project(conn: asyncpg.Connection, event: Event, version: int) -> None:
    match event:
        case AccountCreated():
            await _create(conn, event, version)
            return
        case AccountActivated(account_id=account_id):
            await conn.execute(
                "UPDATE accounts SET activated = true WHERE account_id = $1",
                account_id,
            )
        case PasswordResetCompleted(account_id=account_id):
            # A link that reached the address on record proves it, as an
            # activation does.
            await conn.execute(
                "UPDATE accounts SET activated = true WHERE account_id = $1",
                account_id,
            )
        case EmailChanged(account_id=account_id, new_email=email):
            await conn.execute(
                "DELETE FROM claimed_names WHERE account_id = $1 AND kind = 'email'",
                account_id,
            )
            await _claim(conn, canonical(email), "email", account_id)
            await conn.execute(
                "UPDATE accounts SET email = $2 WHERE account_id = $1",
                account_id,
                email,
            )
        case ContractMemberAssigned(account_id=account_id, office_id=office_id):
            if office_id:
                await conn.execute(
                    "INSERT INTO account_offices VALUES ($1, $2)"
                    " ON CONFLICT DO NOTHING",
                    account_id,
                    office_id,
                )
    await conn.execute(
        "UPDATE accounts SET version = $2 WHERE account_id = $1",
        getattr(event, "account_id", None),
        version,
    )


async def _create(
    conn: asyncpg.Connection, event: AccountCreated, version: int
) -> None:
    await _claim(conn, canonical(event.username), "username", event.account_id)
    await _claim(conn, canonical(event.email), "email", event.account_id)
    await conn.execute(
        "INSERT INTO accounts (account_id, role, username, email, name, language,"
        " office_id, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.account_id,
        event.role.value,
        event.username,
        event.email,
        event.name,
        event.language.value,
        event.office_id,
        version,
    )
    if event.office_id:
        await conn.execute(
            "INSERT INTO account_offices VALUES ($1, $2) ON CONFLICT DO NOTHING",
            event.account_id,
            event.office_id,
        )


async def _claim(
    conn: asyncpg.Connection, name: str, kind: str, account_id: str
) -> None:
    # ON CONFLICT waits for a racing transaction that claimed the same name,
    # and then finds it taken; the caller's transaction rolls back.
    claimed = await conn.fetchval(
        "INSERT INTO claimed_names (canonical, kind, account_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (canonical) DO NOTHING RETURNING true",
        name,
        kind,
        account_id,
    )
    if not claimed:
        raise NameTaken(kind)


def projection() -> Projection:
    return Projection(
        source="kisalli/accounts",
        registry=accounts_registry,
        tables=TABLES,
        project=_project_recorded,
    )


async def _project_recorded(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    await project(conn, event, envelope.streamversion)


async def rebuild(store: PostgresEventStore) -> int:
    """Empty the read models and replay every event of the store into them."""
    return await replay_into(store.pool, projection())
