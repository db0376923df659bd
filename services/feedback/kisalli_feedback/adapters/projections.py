"""Read models projected from the feedback service's own events.

The same functions run live, in the transaction that appends the events, and
in a rebuild that replays the whole store; every value they write comes from
the event or its envelope (never the clock), so both give the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from kisalli_feedback.domain.feedback import FeedbackState, document_hash
from kisalli_feedback.domain.identifiers import mask_iban
from kisalli_feedback.domain.schedule import Period, due_items
from kisalli_shared.contracts.feedback import (
    ContractEndedEarly,
    ContractSigned,
    ContractTutorChanged,
    FeedbackAcknowledged,
    FeedbackDraftSaved,
    FeedbackFacts,
    FeedbackKind,
    FeedbackProcessed,
    FeedbackReturned,
    FeedbackSubmitted,
)
from kisalli_shared.events import Envelope, Event

Projection = Callable[[asyncpg.Connection, Event, Envelope], Awaitable[None]]

PROJECTED_TABLES = ("contract_view", "schedule_items", "feedback_view")


async def contract_signed(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    assert isinstance(event, ContractSigned)
    iban = event.employer.iban
    await conn.execute(
        "INSERT INTO contract_view (contract_id, office_id, student_name,"
        " personal_id_masked, tutor_name, employer_name, employer_iban_masked,"
        " qualification_name, qualification_kind, start_date, end_date,"
        " signed_at, version)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        event.contract_id,
        event.office_id,
        event.student.name,
        event.student.personal_id_masked,
        event.tutor.name,
        event.employer.name,
        mask_iban(iban) if iban else None,
        event.qualification.name,
        event.qualification.kind.value,
        event.start_date,
        event.end_date,
        envelope.time,
        envelope.streamversion,
    )
    await _schedule(conn, event.contract_id, event.start_date, event.end_date)


async def tutor_changed(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    assert isinstance(event, ContractTutorChanged)
    await conn.execute(
        "UPDATE contract_view SET tutor_name = $2, version = $3 WHERE contract_id = $1",
        event.contract_id,
        event.tutor.name,
        envelope.streamversion,
    )


async def ended_early(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    assert isinstance(event, ContractEndedEarly)
    start = await conn.fetchval(
        "UPDATE contract_view SET end_date = $2, ended_early = true, version = $3"
        " WHERE contract_id = $1 RETURNING start_date",
        event.contract_id,
        event.end_date,
        envelope.streamversion,
    )
    await conn.execute(
        "DELETE FROM schedule_items WHERE contract_id = $1", event.contract_id
    )
    await _schedule(conn, event.contract_id, start, event.end_date)

    # Documents begun before the early end keep their place where their
    # period still exists.
    await conn.execute(
        "UPDATE schedule_items s SET feedback_id = f.feedback_id,"
        " feedback_state = f.state FROM feedback_view f"
        " WHERE s.contract_id = $1 AND f.contract_id = s.contract_id"
        " AND f.kind = s.kind"
        " AND (s.kind <> 'interim' OR f.period_index = s.period_index)",
        event.contract_id,
    )


async def _schedule(
    conn: asyncpg.Connection, contract_id: str, start: date, end: date
) -> None:
    items = due_items(start, end)
    await conn.executemany(
        "INSERT INTO schedule_items (contract_id, kind, period_index,"
        " period_start, period_end, due_date) VALUES ($1, $2, $3, $4, $5, $6)",
        [
            (
                contract_id,
                item.kind.value,
                item.period.index,
                item.period.start,
                item.period.end,
                item.due_date,
            )
            for item in items
        ],
    )


async def draft_saved(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    assert isinstance(event, FeedbackDraftSaved)
    await conn.execute(
        "INSERT INTO feedback_view (feedback_id, contract_id, office_id, kind,"
        " period_index, period_start, period_end, state, version, content,"
        " content_hash, tutor_account_id, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9::jsonb, $10, $11,"
        " $12, $12)"
        " ON CONFLICT (feedback_id) DO UPDATE SET"
        " period_index = $5, period_start = $6, period_end = $7, version = $8,"
        " content = $9::jsonb, content_hash = $10, tutor_account_id = $11,"
        " updated_at = $12",
        event.feedback_id,
        event.contract_id,
        event.office_id,
        event.kind.value,
        event.period_index,
        event.period_start,
        event.period_end,
        envelope.streamversion,
        _json(event.content),
        _hash(event, event.content),
        event.tutor_account_id,
        envelope.time,
    )
    await _mark_schedule(conn, event, FeedbackState.DRAFT)


async def submitted(conn: asyncpg.Connection, event: Event, envelope: Envelope) -> None:
    assert isinstance(event, FeedbackSubmitted)
    content = await conn.fetchval(
        "SELECT content::text FROM feedback_view WHERE feedback_id = $1",
        event.feedback_id,
    )
    await conn.execute(
        "UPDATE feedback_view SET state = 'submitted', version = $2,"
        " period_index = $3, period_start = $4, period_end = $5,"
        " content_hash = $6, student_account_id = $7, submitted_at = $8,"
        " returned_by = NULL, returned_reason = NULL, updated_at = $8"
        " WHERE feedback_id = $1",
        event.feedback_id,
        envelope.streamversion,
        event.period_index,
        event.period_start,
        event.period_end,
        _hash(event, _loads(content)),
        event.student_account_id,
        envelope.time,
    )
    await _mark_schedule(conn, event, FeedbackState.SUBMITTED)


async def acknowledged(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    assert isinstance(event, FeedbackAcknowledged)
    await conn.execute(
        "UPDATE feedback_view SET state = 'acknowledged', version = $2,"
        " student_account_id = $3, acknowledged_at = $4, updated_at = $4"
        " WHERE feedback_id = $1",
        event.feedback_id,
        envelope.streamversion,
        event.student_account_id,
        envelope.time,
    )
    await _mark_schedule(conn, event, FeedbackState.ACKNOWLEDGED)


async def returned(conn: asyncpg.Connection, event: Event, envelope: Envelope) -> None:
    assert isinstance(event, FeedbackReturned)
    await conn.execute(
        "UPDATE feedback_view SET state = 'draft', version = $2,"
        " returned_by = $3, returned_reason = $4, acknowledged_at = NULL,"
        " updated_at = $5 WHERE feedback_id = $1",
        event.feedback_id,
        envelope.streamversion,
        event.returned_by,
        event.reason,
        envelope.time,
    )
    await _mark_schedule(conn, event, FeedbackState.DRAFT)


async def processed(conn: asyncpg.Connection, event: Event, envelope: Envelope) -> None:
    assert isinstance(event, FeedbackProcessed)
    await conn.execute(
        "UPDATE feedback_view SET state = 'processed', version = $2,"
        " processed_at = $3, updated_at = $3 WHERE feedback_id = $1",
        event.feedback_id,
        envelope.streamversion,
        envelope.time,
    )
    await _mark_schedule(conn, event, FeedbackState.PROCESSED)


async def _mark_schedule(
    conn: asyncpg.Connection, event: FeedbackFacts, state: FeedbackState
) -> None:
    await conn.execute(
        "UPDATE schedule_items SET feedback_id = $2, feedback_state = $3"
        " WHERE contract_id = $1 AND kind = $4"
        " AND (kind <> 'interim' OR period_index = $5)",
        event.contract_id,
        event.feedback_id,
        state.value,
        event.kind.value,
        event.period_index,
    )


def _hash(event: FeedbackFacts, content: dict[str, object]) -> str:
    period = Period(event.period_index, event.period_start, event.period_end)
    return document_hash(
        event.feedback_id, event.contract_id, FeedbackKind(event.kind), period, content
    )


def _json(value: object) -> str:
    return json.dumps(value)


def _loads(text: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(text)
    return loaded


PROJECTIONS: dict[str, Projection] = {
    "ContractSigned": contract_signed,
    "ContractTutorChanged": tutor_changed,
    "ContractEndedEarly": ended_early,
    "FeedbackDraftSaved": draft_saved,
    "FeedbackSubmitted": submitted,
    "FeedbackAcknowledged": acknowledged,
    "FeedbackReturned": returned,
    "FeedbackProcessed": processed,
}


async def project(conn: asyncpg.Connection, event: Event, envelope: Envelope) -> None:
    """Bring the read models up to date with one event."""
    projection = PROJECTIONS.get(envelope.type)
    if projection is not None:
        await projection(conn, event, envelope)
