"""The directory: whom to write to, built from other services' events.

Every function takes the connection of the handler's transaction, so the
directory moves in step with the record of handled events.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import asyncpg

from kisalli_notifications.domain.contracts import Contract
from kisalli_notifications.domain.emails import Recipient, language_of
from kisalli_notifications.domain.reminders import Feedback
from kisalli_shared.contracts import accounts, feedback
from kisalli_shared.contracts.common import Person
from kisalli_shared.events import Envelope

# Accounts


async def save_account(
    conn: asyncpg.Connection, event: accounts.AccountCreated
) -> None:
    await conn.execute(
        "INSERT INTO directory_accounts"
        " (account_id, username, email, name, language, office_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (account_id) DO UPDATE SET username = $2, email = $3,"
        " name = $4, language = $5, office_id = $6",
        event.account_id,
        event.username,
        event.email,
        event.name,
        event.language.value,
        event.office_id,
    )


async def change_account_email(
    conn: asyncpg.Connection, account_id: str, email: str
) -> None:
    await conn.execute(
        "UPDATE directory_accounts SET email = $2 WHERE account_id = $1",
        account_id,
        email,
    )


async def account(
    conn: asyncpg.Connection, account_id: str
) -> tuple[Recipient, str | None] | None:
    """The account's address on record and its office, if known."""
    row = await conn.fetchrow(
        "SELECT email, name, language, office_id FROM directory_accounts"
        " WHERE account_id = $1",
        account_id,
    )
    if row is None:
        return None
    who = Recipient(row["email"], language_of(row["language"]), row["name"])
    return who, row["office_id"]


# Contracts


def _person(person: Person) -> str:
    return json.dumps(
        {"email": person.email, "name": person.name, "language": person.language}
    )


def _recipient(raw: Any) -> Recipient:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return Recipient(data["email"], language_of(data.get("language")), data["name"])


async def save_contract(
    conn: asyncpg.Connection, event: feedback.ContractSigned
) -> None:
    # The payee's contact hears of the money; the employer's when the payee
    # names none.
    payee = None
    contact = event.payee.contact_email or event.employer.contact_email
    if contact:
        language = (
            event.payee.language
            if event.payee.contact_email
            else event.employer.language
        )
        payee = json.dumps(
            {"email": contact, "name": "", "language": language_of(language).value}
        )
    await conn.execute(
        "INSERT INTO directory_contracts (contract_id, office_id, start_date,"
        " end_date, student, tutor, payee, payee_name, qualification)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9)"
        " ON CONFLICT (contract_id) DO NOTHING",
        event.contract_id,
        event.office_id,
        event.start_date,
        event.end_date,
        _person(event.student),
        _person(event.tutor),
        payee,
        event.payee.name,
        event.qualification.name,
    )


async def change_tutor(
    conn: asyncpg.Connection, contract_id: str, tutor: Person
) -> None:
    await conn.execute(
        "UPDATE directory_contracts SET tutor = $2::jsonb WHERE contract_id = $1",
        contract_id,
        _person(tutor),
    )


async def end_contract(conn: asyncpg.Connection, contract_id: str, end: date) -> None:
    await conn.execute(
        "UPDATE directory_contracts SET end_date = $2 WHERE contract_id = $1",
        contract_id,
        end,
    )


def _contract(row: asyncpg.Record) -> Contract:
    return Contract(
        contract_id=row["contract_id"],
        office_id=row["office_id"],
        start=row["start_date"],
        end=row["end_date"],
        tutor=_recipient(row["tutor"]),
        student=_recipient(row["student"]),
        payee=_recipient(row["payee"]) if row["payee"] else None,
        payee_name=row["payee_name"],
        qualification=row["qualification"],
    )


async def contract(conn: asyncpg.Connection, contract_id: str) -> Contract | None:
    row = await conn.fetchrow(
        "SELECT * FROM directory_contracts WHERE contract_id = $1", contract_id
    )
    return None if row is None else _contract(row)


async def all_contracts(conn: asyncpg.Connection) -> list[Contract]:
    rows = await conn.fetch("SELECT * FROM directory_contracts")
    return [_contract(row) for row in rows]


# Feedback


async def save_feedback(
    conn: asyncpg.Connection,
    event: feedback.FeedbackFacts,
    state: str,
    submitted_on: date | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO directory_feedback (feedback_id, contract_id, kind,"
        " period_index, period_end, state, submitted_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (feedback_id) DO UPDATE SET state = $6,"
        " submitted_on = coalesce($7, directory_feedback.submitted_on)",
        event.feedback_id,
        event.contract_id,
        event.kind.value,
        event.period_index,
        event.period_end,
        state,
        submitted_on,
    )


async def all_feedback(conn: asyncpg.Connection) -> list[Feedback]:
    rows = await conn.fetch("SELECT * FROM directory_feedback")
    return [
        Feedback(
            feedback_id=row["feedback_id"],
            contract_id=row["contract_id"],
            kind=row["kind"],
            period_index=row["period_index"],
            period_end=row["period_end"],
            state=row["state"],
            submitted_on=row["submitted_on"],
        )
        for row in rows
    ]


# Events waiting for their contract


async def await_contract(
    conn: asyncpg.Connection, contract_id: str, envelope: Envelope
) -> None:
    await conn.execute(
        "INSERT INTO awaiting_contract (event_id, contract_id, envelope)"
        " VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING",
        envelope.id,
        contract_id,
        envelope.model_dump_json(),
    )


async def take_awaiting(conn: asyncpg.Connection, contract_id: str) -> list[Envelope]:
    rows = await conn.fetch(
        "DELETE FROM awaiting_contract WHERE contract_id = $1"
        " RETURNING envelope::text AS envelope",
        contract_id,
    )
    return [Envelope.from_json(row["envelope"]) for row in rows]


# Reminders


async def reminded(conn: asyncpg.Connection) -> dict[str, date]:
    rows = await conn.fetch("SELECT item_key, reminded_on FROM reminded")
    return {row["item_key"]: row["reminded_on"] for row in rows}


async def mark_reminded(conn: asyncpg.Connection, keys: list[str], day: date) -> None:
    await conn.execute(
        "INSERT INTO reminded (item_key, reminded_on)"
        " SELECT unnest($1::text[]), $2"
        " ON CONFLICT (item_key) DO UPDATE SET reminded_on = excluded.reminded_on",
        keys,
        day,
    )


async def clear(conn: asyncpg.Connection) -> None:
    """Forget the directory, before rebuilding it from the topics."""
    await conn.execute(
        "TRUNCATE directory_accounts, directory_contracts, directory_feedback,"
        " awaiting_contract"
    )
