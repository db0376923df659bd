"""Events this service takes in from others: type -> handler.

Each handler runs inside the consumer's transaction that records the event
as handled, so it writes on the connection it is given.
"""

from __future__ import annotations

import asyncpg
import structlog

from kisalli_shared.consumer import Handler
from kisalli_shared.contracts.accounts import (
    ContractMemberAssigned,
    ContractMemberRefused,
)
from kisalli_shared.contracts.common import Role
from kisalli_shared.events import Envelope, Event

log = structlog.get_logger(__name__)


async def assign_member(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    """Record which account is a contract's tutor or student from a date."""
    assert isinstance(event, ContractMemberAssigned)
    if event.role not in {Role.TUTOR, Role.STUDENT}:
        log.warning("member_role_ignored", role=event.role.value)
        return
    # The role has an account now, whatever was refused before.
    await conn.execute(
        "DELETE FROM contract_member_refusals WHERE contract_id = $1 AND role = $2",
        event.contract_id,
        event.role.value,
    )
    # A second assignment for the same day (a correction) replaces the first.
    await conn.execute(
        "INSERT INTO contract_members (contract_id, role, effective_from,"
        " account_id) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (contract_id, role, effective_from)"
        " DO UPDATE SET account_id = excluded.account_id",
        event.contract_id,
        event.role.value,
        event.effective_from,
        event.account_id,
    )
    log.debug("member_assigned", contract_id=event.contract_id, role=event.role.value)


async def refuse_member(
    conn: asyncpg.Connection, event: Event, envelope: Envelope
) -> None:
    """Record that accounts would not give the contract this member."""
    assert isinstance(event, ContractMemberRefused)
    await conn.execute(
        "INSERT INTO contract_member_refusals (contract_id, role, reason)"
        " VALUES ($1, $2, $3) ON CONFLICT (contract_id, role)"
        " DO UPDATE SET reason = excluded.reason",
        event.contract_id,
        event.role.value,
        event.reason,
    )
    log.warning("member_refused", contract_id=event.contract_id, role=event.role.value)


HANDLERS: dict[str, Handler] = {
    ContractMemberAssigned.type_name(): assign_member,
    ContractMemberRefused.type_name(): refuse_member,
}
