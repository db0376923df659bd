"""Who may see and do what.

A tutor sees the contracts they are the tutor of today, with all their
history; an apprentice their own; office staff their own office's. Anything
else is answered as if it did not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kisalli_feedback.adapters.read_models import ReadModels
from kisalli_feedback.domain.membership import member_on
from kisalli_shared.auth import Principal
from kisalli_shared.contracts.common import Role


class NotVisible(Exception):
    """The caller may not know that the thing exists."""


class NotPermitted(Exception):
    """The caller sees the thing but their role may not do this."""


async def visible_contract(
    reads: ReadModels, caller: Principal, contract_id: str, today: date
) -> dict[str, Any]:
    row = await reads.contract(contract_id)
    if row is None or not await _sees(reads, caller, row, today):
        raise NotVisible(contract_id)
    return row


async def _sees(
    reads: ReadModels, caller: Principal, contract: dict[str, Any], today: date
) -> bool:
    if caller.is_office_staff:
        return bool(caller.office_id) and contract["office_id"] == caller.office_id
    assignments = await reads.assignments(contract["contract_id"])
    return member_on(assignments, caller.role, today) == caller.account_id


async def student_of(reads: ReadModels, contract_id: str, today: date) -> str | None:
    return member_on(await reads.assignments(contract_id), Role.STUDENT, today)


def require_role(caller: Principal, role: Role) -> None:
    if caller.role is not role:
        raise NotPermitted(role.value)
