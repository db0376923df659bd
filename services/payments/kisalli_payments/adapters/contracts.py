"""Contracts as payments knows them: their terms and who is paid."""

from __future__ import annotations

import json

import asyncpg

from kisalli_payments.domain.compensation import ContractTerms
from kisalli_shared.contracts.feedback import (
    AgreedAmount,
    ContractEndedEarly,
    ContractSigned,
)
from kisalli_shared.contracts.payments import PayeeAccountChanged


async def save_signed(conn: asyncpg.Connection, event: ContractSigned) -> bool:
    """Remember a signed contract; False when it was known already."""
    payee = event.payee
    inserted = await conn.fetchval(
        "INSERT INTO payment_contracts (contract_id, office_id,"
        " qualification_kind, start_date, end_date, agreed_amounts, payee_name,"
        " payee_business_id, payee_iban, payee_bic, payee_language)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)"
        " ON CONFLICT (contract_id) DO NOTHING RETURNING true",
        event.contract_id,
        event.office_id,
        event.qualification.kind.value,
        event.start_date,
        event.end_date,
        json.dumps([a.model_dump(mode="json") for a in event.agreed_amounts]),
        payee.name,
        payee.business_id,
        payee.iban,
        payee.bic,
        payee.language,
    )
    return bool(inserted)


async def end_early(conn: asyncpg.Connection, event: ContractEndedEarly) -> None:
    await conn.execute(
        "UPDATE payment_contracts SET end_date = $2 WHERE contract_id = $1",
        event.contract_id,
        event.end_date,
    )


async def change_payee(
    conn: asyncpg.Connection, event: PayeeAccountChanged, version: int
) -> None:
    await conn.execute(
        "UPDATE payment_contracts SET payee_name = $2, payee_iban = $3,"
        " payee_bic = $4, payee_version = $5 WHERE contract_id = $1",
        event.contract_id,
        event.payee_name,
        event.iban,
        event.bic,
        version,
    )


async def find(conn: asyncpg.Connection, contract_id: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM payment_contracts WHERE contract_id = $1", contract_id
    )
    return row


async def terms(conn: asyncpg.Connection, contract_id: str) -> ContractTerms | None:
    row = await find(conn, contract_id)
    return None if row is None else terms_of(row)


def terms_of(row: asyncpg.Record) -> ContractTerms:
    return ContractTerms(
        contract_id=row["contract_id"],
        office_id=row["office_id"],
        qualification_kind=row["qualification_kind"],
        start=row["start_date"],
        end=row["end_date"],
        agreed_amounts=tuple(
            AgreedAmount.model_validate(a) for a in json.loads(row["agreed_amounts"])
        ),
        payee_name=row["payee_name"],
        iban=row["payee_iban"],
        language=row["payee_language"],
    )
