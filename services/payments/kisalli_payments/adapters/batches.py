"""Batches and their lines; a line's compensation is unique across batches."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from kisalli_payments.domain.batch import Payable
from kisalli_shared.contracts.payments import BankFileWritten, PaymentBatchCreated
from kisalli_shared.events import Envelope


async def project_created(
    conn: asyncpg.Connection, event: PaymentBatchCreated, envelope: Envelope
) -> None:
    await conn.execute(
        "INSERT INTO batches (batch_id, office_id, message_id, execution_date,"
        " line_count, total, record, created_at, version)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)",
        event.batch_id,
        event.office_id,
        event.message_id,
        event.execution_date,
        len(event.lines),
        event.total,
        json.dumps(envelope.data),
        envelope.time,
        envelope.streamversion,
    )
    # The unique constraint on compensation_id refuses a line that another
    # batch holds already, and the whole transaction with it.
    await conn.executemany(
        "INSERT INTO batch_lines (compensation_id, batch_id, end_to_end_id, amount)"
        " VALUES ($1, $2, $3, $4)",
        [
            (line.compensation_id, event.batch_id, line.end_to_end_id, line.amount)
            for line in event.lines
        ],
    )


async def project_file_written(
    conn: asyncpg.Connection, event: BankFileWritten, envelope: Envelope
) -> None:
    await conn.execute(
        "UPDATE batches SET file_sha256 = $2, file_written_at = $3, version = $4"
        " WHERE batch_id = $1",
        event.batch_id,
        event.sha256,
        envelope.time,
        envelope.streamversion,
    )


async def claim_payables(conn: asyncpg.Connection, office_id: str) -> list[Payable]:
    """The office's payable compensations in no batch yet, locked for this batch."""
    rows = await conn.fetch(
        "SELECT c.compensation_id, c.contract_id, c.amount, c.paid_from, c.paid_to,"
        " p.payee_name, p.payee_iban, p.payee_bic"
        " FROM compensations c JOIN payment_contracts p USING (contract_id)"
        " WHERE c.office_id = $1 AND c.status = 'payable'"
        " AND NOT EXISTS (SELECT 1 FROM batch_lines b"
        "   WHERE b.compensation_id = c.compensation_id)"
        " ORDER BY c.compensation_id FOR UPDATE OF c",
        office_id,
    )
    return [
        Payable(
            compensation_id=r["compensation_id"],
            contract_id=r["contract_id"],
            amount=r["amount"],
            payee_name=r["payee_name"],
            iban=r["payee_iban"] or "",
            bic=r["payee_bic"],
            period_start=r["paid_from"],
            period_end=r["paid_to"],
        )
        for r in rows
    ]


async def record(
    conn: asyncpg.Connection | asyncpg.Pool, batch_id: str
) -> PaymentBatchCreated | None:
    text = await conn.fetchval(
        "SELECT record::text FROM batches WHERE batch_id = $1", batch_id
    )
    return None if text is None else PaymentBatchCreated.model_validate_json(text)


async def unwritten(pool: asyncpg.Pool, office_id: str | None) -> list[str]:
    rows = await pool.fetch(
        "SELECT batch_id FROM batches WHERE file_written_at IS NULL"
        " AND ($1::text IS NULL OR office_id = $1) ORDER BY created_at, batch_id",
        office_id,
    )
    return [r["batch_id"] for r in rows]


def summary(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "batch_id": row["batch_id"],
        "message_id": row["message_id"],
        "execution_date": row["execution_date"],
        "line_count": row["line_count"],
        "total": row["total"],
        "created_at": row["created_at"],
        "file_sha256": row["file_sha256"],
        "file_written_at": row["file_written_at"],
        "version": row["version"],
    }


async def page(
    pool: asyncpg.Pool, office_id: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT * FROM batches WHERE office_id = $1"
        " ORDER BY created_at DESC, batch_id LIMIT $2 OFFSET $3",
        office_id,
        limit,
        offset,
    )
    return [summary(r) for r in rows]


async def one(
    pool: asyncpg.Pool, office_id: str, batch_id: str
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT * FROM batches WHERE batch_id = $1 AND office_id = $2",
        batch_id,
        office_id,
    )
    return row
