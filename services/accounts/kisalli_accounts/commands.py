"""Commands run from a shell: the first office staff account, rebuilds.

The first office staff account comes from here, never from a default
account: whoever can run this can reach the database already. Its
activation email is queued in the outbox and leaves when the service runs.
"""

from __future__ import annotations

import asyncio
import sys

import asyncpg

from kisalli_accounts.adapters.projection import NameTaken
from kisalli_accounts.adapters.projection import rebuild as replay
from kisalli_accounts.bootstrap import MIGRATIONS, Settings, build
from kisalli_accounts.domain.names import InvalidName
from kisalli_accounts.entrypoints.http.messages import problem
from kisalli_accounts.service_layer.context import Context
from kisalli_accounts.service_layer.registration import register
from kisalli_shared.contracts.common import Language, Role
from kisalli_shared.eventstore import Causation, PostgresEventStore
from kisalli_shared.kafka import event_topic
from kisalli_shared.migrations import apply_migrations


def _store(settings: Settings, pool: asyncpg.Pool) -> PostgresEventStore:
    return PostgresEventStore(
        pool,
        source="kisalli/accounts",
        topic=event_topic("accounts", settings.topic_prefix),
    )


async def create_office_staff(
    settings: Settings,
    *,
    office_id: str,
    username: str,
    email: str,
    name: str,
    language: str = "fi",
) -> int:
    service = build(settings)
    await asyncio.to_thread(apply_migrations, settings.dsn, MIGRATIONS)
    pool = await asyncpg.create_pool(settings.dsn, min_size=1, max_size=2)
    try:
        ctx = Context(
            store=_store(settings, pool),
            hashing=service.hashing,
            signer=service.signer,
            links=service.links,
            policy=settings.policy(),
        )
        async with ctx.transaction() as repo:
            account = await register(
                repo,
                ctx,
                role=Role.OFFICE_STAFF,
                username=username,
                email=email,
                name=name,
                language=Language(language),
                office_id=office_id,
                causation=Causation.new(),
            )
    except (NameTaken, InvalidName) as refused:
        slug = (
            f"{refused.kind}-taken"
            if isinstance(refused, NameTaken)
            else refused.reason
        )
        print(f"not created: {problem(slug, Language.EN).detail}", file=sys.stderr)
        return 1
    finally:
        await pool.close()
    print(f"created {account.username} ({account.account_id}); activation email queued")
    return 0


async def rebuild(settings: Settings) -> int:
    await asyncio.to_thread(apply_migrations, settings.dsn, MIGRATIONS)
    pool = await asyncpg.create_pool(settings.dsn, min_size=1, max_size=2)
    try:
        return await replay(_store(settings, pool))
    finally:
        await pool.close()
