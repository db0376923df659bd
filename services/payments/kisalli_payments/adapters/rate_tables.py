"""The rate_tables read model: each office's table as its latest change left it."""

from __future__ import annotations

import json

import asyncpg

from kisalli_payments.domain.rates import RateTable
from kisalli_shared.contracts.payments import Rate, RateTableChanged
from kisalli_shared.events import Envelope


async def project_change(
    conn: asyncpg.Connection, event: RateTableChanged, envelope: Envelope
) -> None:
    await conn.execute(
        "INSERT INTO rate_tables (office_id, version, rates, changed_by, changed_at)"
        " VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (office_id) DO UPDATE"
        " SET version = excluded.version, rates = excluded.rates,"
        " changed_by = excluded.changed_by, changed_at = excluded.changed_at",
        event.office_id,
        envelope.streamversion,
        json.dumps([r.model_dump(mode="json") for r in event.rates]),
        event.changed_by,
        envelope.time,
    )


async def load(conn: asyncpg.Connection, office_id: str) -> RateTable | None:
    row = await conn.fetchrow(
        "SELECT version, rates::text AS rates FROM rate_tables WHERE office_id = $1",
        office_id,
    )
    if row is None:
        return None
    rates = tuple(Rate.model_validate(r) for r in json.loads(row["rates"]))
    return RateTable(office_id, row["version"], rates)


def stream_of(office_id: str) -> str:
    return f"rates-{office_id}"
