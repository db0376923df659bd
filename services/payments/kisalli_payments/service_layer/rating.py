"""Rate tables: the shipped defaults for a new office, and changes by staff."""

from __future__ import annotations

import asyncpg
import structlog

from kisalli_payments.adapters import rate_tables
from kisalli_payments.domain.rates import RateTable, default_rates
from kisalli_payments.service_layer.recording import Recorder
from kisalli_shared.contracts.payments import Rate, RateTableChanged
from kisalli_shared.eventstore import Causation, ConcurrencyError

log = structlog.get_logger(__name__)


class StaleRateTable(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"the rate table is at version {current}")
        self.current = current


async def office_table(
    conn: asyncpg.Connection, recorder: Recorder, office_id: str, causation: Causation
) -> RateTable:
    """The office's table; the shipped defaults the first time it is seen."""
    table = await rate_tables.load(conn, office_id)
    if table is not None:
        return table
    event = RateTableChanged(
        office_id=office_id,
        rates=list(default_rates()),
        changed_by="default",
        version=1,
    )
    if await recorder.record_once(
        conn, rate_tables.stream_of(office_id), [event], causation
    ):
        log.info("default_rates_applied", office_id=office_id)
    table = await rate_tables.load(conn, office_id)
    assert table is not None, "a rate table is there once its first change is"
    return table


async def change_table(
    conn: asyncpg.Connection,
    recorder: Recorder,
    office_id: str,
    expected_version: int,
    rates: list[Rate],
    changed_by: str,
    causation: Causation,
) -> RateTable:
    """Replace the office's rates, if the caller edited the current version."""
    current = await office_table(conn, recorder, office_id, causation)

    # If-Match: a change made on a stale table would undo someone's change.
    if current.version != expected_version:
        raise StaleRateTable(current.version)

    event = RateTableChanged(
        office_id=office_id,
        rates=rates,
        changed_by=changed_by,
        version=expected_version + 1,
    )
    try:
        await recorder.record(
            conn, rate_tables.stream_of(office_id), expected_version, [event], causation
        )
    except ConcurrencyError:
        raise StaleRateTable(expected_version + 1) from None
    table = await rate_tables.load(conn, office_id)
    assert table is not None
    return table
