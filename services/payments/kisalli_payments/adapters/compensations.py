"""The compensations read model, written in the transaction of each append."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from kisalli_payments.domain.compensation import Period
from kisalli_payments.domain.holds import HoldReason
from kisalli_payments.domain.lifecycle import CompensationState, ProcessedPeriod
from kisalli_shared.contracts.payments import (
    CompensationCalculated,
    CompensationHeld,
    CompensationPaid,
    CompensationReleased,
)
from kisalli_shared.events import Envelope


async def project_calculated(
    conn: asyncpg.Connection, event: CompensationCalculated, envelope: Envelope
) -> None:
    # A compensation held before it could be calculated stays held until it
    # is released; the first event of a stream creates the row.
    months = json.dumps([m.model_dump(mode="json") for m in event.months])
    status = "payable" if event.amount > 0 else "nothing-to-pay"
    await conn.execute(
        "INSERT INTO compensations (compensation_id, contract_id, office_id,"
        " feedback_id, period_index, period_start, period_end, paid_from, paid_to,"
        " amount, months, rate_table_version, payee_name, status, version,"
        " updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7, $8, $9::jsonb, $10, $11, $12,"
        " $13, $14)"
        " ON CONFLICT (compensation_id) DO UPDATE SET paid_from = excluded.paid_from,"
        " paid_to = excluded.paid_to, amount = excluded.amount,"
        " months = excluded.months, rate_table_version = excluded.rate_table_version,"
        " payee_name = excluded.payee_name, version = excluded.version,"
        " updated_at = excluded.updated_at",
        event.compensation_id,
        event.contract_id,
        event.office_id,
        event.feedback_id,
        event.period_index,
        event.period_start,
        event.period_end,
        event.amount,
        months,
        event.rate_table_version,
        event.payee_name,
        status,
        envelope.streamversion,
        envelope.time,
    )


async def project_held(
    conn: asyncpg.Connection, event: CompensationHeld, envelope: Envelope
) -> None:
    await conn.execute(
        "INSERT INTO compensations (compensation_id, contract_id, office_id,"
        " feedback_id, period_index, period_start, period_end, status,"
        " hold_reason, hold_text, version, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 'held', $8, $9, $10, $11)"
        " ON CONFLICT (compensation_id) DO UPDATE SET status = 'held',"
        " hold_reason = excluded.hold_reason, hold_text = excluded.hold_text,"
        " version = excluded.version, updated_at = excluded.updated_at",
        event.compensation_id,
        event.contract_id,
        event.office_id,
        event.feedback_id,
        event.period_index,
        event.period_start,
        event.period_end,
        event.reason_code,
        event.reason,
        envelope.streamversion,
        envelope.time,
    )


async def project_released(
    conn: asyncpg.Connection, event: CompensationReleased, envelope: Envelope
) -> None:
    await conn.execute(
        "UPDATE compensations SET status = CASE WHEN amount > 0 THEN 'payable'"
        " ELSE 'nothing-to-pay' END, hold_reason = NULL, hold_text = NULL,"
        " version = $2, updated_at = $3 WHERE compensation_id = $1",
        event.compensation_id,
        envelope.streamversion,
        envelope.time,
    )


async def project_paid(
    conn: asyncpg.Connection, event: CompensationPaid, envelope: Envelope
) -> None:
    await conn.execute(
        "UPDATE compensations SET status = 'paid', batch_id = $2, version = $3,"
        " updated_at = $4 WHERE compensation_id = $1",
        event.compensation_id,
        event.batch_id,
        envelope.streamversion,
        envelope.time,
    )


async def state(
    conn: asyncpg.Connection, compensation_id: str
) -> CompensationState | None:
    """The compensation, its row locked until the transaction ends."""
    row = await conn.fetchrow(
        "SELECT * FROM compensations WHERE compensation_id = $1 FOR UPDATE",
        compensation_id,
    )
    return None if row is None else state_of(row)


def state_of(row: asyncpg.Record) -> CompensationState:
    return CompensationState(
        subject=ProcessedPeriod(
            feedback_id=row["feedback_id"],
            contract_id=row["contract_id"],
            office_id=row["office_id"],
            period=Period(row["period_index"], row["period_start"], row["period_end"]),
        ),
        version=row["version"],
        amount=row["amount"],
        hold=HoldReason(row["hold_reason"]) if row["hold_reason"] else None,
        paid=row["status"] == "paid",
    )


async def held_ids(
    conn: asyncpg.Connection,
    *,
    contract_id: str | None = None,
    office_id: str | None = None,
) -> list[str]:
    rows = await conn.fetch(
        "SELECT compensation_id FROM compensations WHERE status = 'held'"
        " AND ($1::text IS NULL OR contract_id = $1)"
        " AND ($2::text IS NULL OR office_id = $2) ORDER BY compensation_id",
        contract_id,
        office_id,
    )
    return [r["compensation_id"] for r in rows]


def view(row: asyncpg.Record) -> dict[str, Any]:
    """A compensation as office staff see it."""
    return {
        "compensation_id": row["compensation_id"],
        "contract_id": row["contract_id"],
        "feedback_id": row["feedback_id"],
        "period_index": row["period_index"],
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "paid_from": row["paid_from"],
        "paid_to": row["paid_to"],
        "status": row["status"],
        "amount": row["amount"],
        "months": json.loads(row["months"]) if row["months"] else [],
        "rate_table_version": row["rate_table_version"],
        "payee_name": row["payee_name"],
        "hold": (
            {"reason_code": row["hold_reason"], "reason": row["hold_text"]}
            if row["hold_reason"]
            else None
        ),
        "batch_id": row["batch_id"],
        "version": row["version"],
    }


async def page(
    pool: asyncpg.Pool,
    office_id: str,
    *,
    status: str | None,
    contract_id: str | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT * FROM compensations WHERE office_id = $1"
        " AND ($2::text IS NULL OR status = $2)"
        " AND ($3::text IS NULL OR contract_id = $3)"
        " ORDER BY compensation_id LIMIT $4 OFFSET $5",
        office_id,
        status,
        contract_id,
        limit,
        offset,
    )
    return [view(r) for r in rows]


async def one(
    pool: asyncpg.Pool, office_id: str, compensation_id: str
) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT * FROM compensations WHERE compensation_id = $1 AND office_id = $2",
        compensation_id,
        office_id,
    )
    return None if row is None else view(row)
