"""Events this service takes from the feedback topic: type -> handler.

Each handler runs in the consumer's transaction that records the event as
handled, so it writes on the connection it is given. ContractTutorChanged
and the other feedback events have no handler here and are skipped.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import structlog

from kisalli_payments.adapters import contracts
from kisalli_payments.domain.compensation import Period
from kisalli_payments.domain.lifecycle import ProcessedPeriod
from kisalli_payments.service_layer.compensating import compensate, reconsider_held
from kisalli_payments.service_layer.rating import office_table
from kisalli_payments.service_layer.recording import Recorder
from kisalli_shared.consumer import Handler
from kisalli_shared.contracts.feedback import (
    ContractEndedEarly,
    ContractSigned,
    FeedbackKind,
    FeedbackProcessed,
)
from kisalli_shared.events import Envelope, Event
from kisalli_shared.eventstore import Causation

log = structlog.get_logger(__name__)


def _causation(envelope: Envelope) -> Causation:
    return Causation(envelope.correlationid, str(envelope.id))


def handlers(recorder: Callable[[], Recorder]) -> dict[str, Handler]:
    async def remember_contract(
        conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        """Keep the contract's terms; decide what waited for it."""
        assert isinstance(event, ContractSigned)
        causation = _causation(envelope)
        await contracts.save_signed(conn, event)
        await office_table(conn, recorder(), event.office_id, causation)
        await reconsider_held(
            conn, recorder(), causation, contract_id=event.contract_id
        )

    async def end_contract(
        conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        assert isinstance(event, ContractEndedEarly)
        await contracts.end_early(conn, event)

    async def pay_period(
        conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        """A processed interim feedback makes its period payable."""
        assert isinstance(event, FeedbackProcessed)
        # The final assessment and the certificate carry the last period's
        # index and dates too; only the interim feedback pays for a period.
        if event.kind is not FeedbackKind.INTERIM:
            log.debug("feedback_not_interim", kind=event.kind.value)
            return
        processed = ProcessedPeriod(
            feedback_id=event.feedback_id,
            contract_id=event.contract_id,
            office_id=event.office_id,
            period=Period(event.period_index, event.period_start, event.period_end),
        )
        await compensate(conn, recorder(), processed, _causation(envelope))

    return {
        ContractSigned.type_name(): remember_contract,
        ContractEndedEarly.type_name(): end_contract,
        FeedbackProcessed.type_name(): pay_period,
    }
