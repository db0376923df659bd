"""Every event of this service's store -> the read model rows it writes.

The live path calls `project` in the transaction of each append; a rebuild
replays the store through the same function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from kisalli_payments.adapters import batches, compensations, contracts, rate_tables
from kisalli_shared.contracts import payments as events
from kisalli_shared.events import Envelope, Event

Projector = Callable[[asyncpg.Connection, Any, Envelope], Awaitable[None]]

# Tables a rebuild empties and refills from the store. payment_contracts is
# not among them: it comes from the feedback topic; payee corrections are
# replayed onto it.
PROJECTED_TABLES = ("rate_tables", "batch_lines", "batches", "compensations")


async def _payee_changed(
    conn: asyncpg.Connection, event: events.PayeeAccountChanged, envelope: Envelope
) -> None:
    await contracts.change_payee(conn, event, envelope.streamversion)


_PROJECTORS: dict[type[Event], Projector] = {
    events.RateTableChanged: rate_tables.project_change,
    events.CompensationCalculated: compensations.project_calculated,
    events.CompensationHeld: compensations.project_held,
    events.CompensationReleased: compensations.project_released,
    events.CompensationPaid: compensations.project_paid,
    events.PaymentBatchCreated: batches.project_created,
    events.BankFileWritten: batches.project_file_written,
    events.PayeeAccountChanged: _payee_changed,
}


async def project(conn: asyncpg.Connection, event: Event, envelope: Envelope) -> None:
    projector = _PROJECTORS.get(type(event))
    if projector is not None:
        await projector(conn, event, envelope)
