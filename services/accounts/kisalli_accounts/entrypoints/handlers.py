"""What accounts does with other services' events: a table of handlers.

Each handler runs in the consumer's transaction (`conn`) that also records
the event as handled, so a redelivered event changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import asyncpg
import structlog

from kisalli_accounts.adapters.repository import AccountRepository
from kisalli_accounts.service_layer.context import Context
from kisalli_accounts.service_layer.registration import assign_contract_member
from kisalli_shared.consumer import Handler
from kisalli_shared.contracts.common import Role
from kisalli_shared.contracts.feedback import ContractSigned, ContractTutorChanged
from kisalli_shared.events import Envelope, Event
from kisalli_shared.eventstore import Causation

log = structlog.get_logger(__name__)


async def on_contract_signed(
    ctx: Context, conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    """Give the tutor and the apprentice their accounts, new or existing."""
    assert isinstance(event, ContractSigned)
    repo = AccountRepository(conn, ctx.store)
    causation = Causation.new().caused_by(envelope)
    for person, role in ((event.tutor, Role.TUTOR), (event.student, Role.STUDENT)):
        account = await assign_contract_member(
            repo,
            ctx,
            person=person,
            role=role,
            contract_id=event.contract_id,
            office_id=event.office_id,
            effective_from=event.start_date,
            causation=causation,
        )
        if account.role is Role.OFFICE_STAFF:
            log.warning("contract_member_refused", role=role, reason="office staff")
        elif account.role is not role:
            # One person, one account: the contract says the role here.
            log.warning("contract_member_has_other_role", account_role=account.role)


async def on_contract_tutor_changed(
    ctx: Context, conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    """Give the new tutor an account, new or existing, from the change's date."""
    assert isinstance(event, ContractTutorChanged)
    await assign_contract_member(
        AccountRepository(conn, ctx.store),
        ctx,
        person=event.tutor,
        role=Role.TUTOR,
        contract_id=event.contract_id,
        office_id=event.office_id,
        effective_from=event.effective_from,
        causation=Causation.new().caused_by(envelope),
    )


HANDLERS = {
    ContractSigned.type_name(): on_contract_signed,
    ContractTutorChanged.type_name(): on_contract_tutor_changed,
}


def handlers(context: Callable[[], Context]) -> Mapping[str, Handler]:
    """The handler table, each bound to the service's context."""

    def bind(
        handle: Callable[
            [Context, asyncpg.Connection, Event, Envelope], Awaitable[None]
        ],
    ) -> Handler:
        async def handler(
            conn: asyncpg.Connection, event: Event, env: Envelope
        ) -> None:
            await handle(context(), conn, event, env)

        return handler

    return {name: bind(handle) for name, handle in HANDLERS.items()}
