"""Turning processed periods into compensations, and re-deciding held ones."""

from __future__ import annotations

import asyncpg
import structlog

from kisalli_payments.adapters import compensations, contracts
from kisalli_payments.domain.lifecycle import (
    ProcessedPeriod,
    first_decision,
    reevaluate,
)
from kisalli_payments.service_layer.rating import office_table
from kisalli_payments.service_layer.recording import Recorder
from kisalli_shared.eventstore import Causation

log = structlog.get_logger(__name__)


async def compensate(
    conn: asyncpg.Connection,
    recorder: Recorder,
    processed: ProcessedPeriod,
    causation: Causation,
) -> bool:
    """Decide a period's compensation once; False when it was decided before."""
    stream = processed.compensation_id

    # Cheap early answer for a redelivery; the store's version check below is
    # what makes it exactly once, also against a racing consumer.
    if await conn.fetchval(
        "SELECT 1 FROM compensations WHERE compensation_id = $1", stream
    ):
        log.info("compensation_exists", compensation_id=stream)
        return False

    terms = await contracts.terms(conn, processed.contract_id)
    table = await office_table(conn, recorder, processed.office_id, causation)
    events = first_decision(processed, terms, table)
    started = await recorder.record_once(conn, stream, events, causation)
    log.info(
        "compensation_decided" if started else "compensation_exists",
        compensation_id=stream,
        outcome=[e.type_name() for e in events],
    )
    return started


async def reconsider_held(
    conn: asyncpg.Connection,
    recorder: Recorder,
    causation: Causation,
    *,
    contract_id: str | None = None,
    office_id: str | None = None,
) -> int:
    """Re-decide held compensations of a contract or an office; return releases."""
    released = 0
    for compensation_id in await compensations.held_ids(
        conn, contract_id=contract_id, office_id=office_id
    ):
        state = await compensations.state(conn, compensation_id)
        if state is None or state.hold is None:
            continue
        subject = state.subject
        terms = await contracts.terms(conn, subject.contract_id)
        table = await office_table(conn, recorder, subject.office_id, causation)
        events = reevaluate(state, terms, table)
        await recorder.record(conn, compensation_id, state.version, events, causation)
        released += any(e.type_name() == "CompensationReleased" for e in events)
    return released
