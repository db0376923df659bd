"""/compensations and /holds: what the office's periods earn and what waits."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from kisalli_payments.adapters import compensations
from kisalli_payments.entrypoints.http.dependencies import (
    ServicesDep,
    StaffDep,
)
from kisalli_shared.http import (
    LimitDep,
    OffsetDep,
    next_offset,
)
from kisalli_shared.problems import not_found, problem_responses

# Every route is office staff's.
router = APIRouter(tags=["compensations"], responses=problem_responses(401, 403))


class Status(StrEnum):
    HELD = "held"
    PAYABLE = "payable"
    NOTHING_TO_PAY = "nothing-to-pay"
    PAID = "paid"


ContractFilter = Annotated[str | None, Query(min_length=1, max_length=100)]


def money(view: dict[str, Any]) -> dict[str, Any]:
    # Euros travel as decimal strings: a JSON number may become a float.
    amount = view["amount"]
    return {**view, "amount": None if amount is None else str(Decimal(amount))}


async def _page(
    services: ServicesDep,
    office_id: str,
    status: Status | None,
    contract_id: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    items = await compensations.page(
        services.runtime.pool,
        office_id,
        status=status.value if status else None,
        contract_id=contract_id,
        limit=limit,
        offset=offset,
    )
    return {
        "items": [money(i) for i in items],
        "next_offset": next_offset(len(items), limit, offset),
    }


@router.get("/compensations")
async def list_compensations(
    staff: StaffDep,
    services: ServicesDep,
    status: Status | None = None,
    contract_id: ContractFilter = None,
    limit: LimitDep = 50,
    offset: OffsetDep = 0,
) -> dict[str, Any]:
    """Your office's compensations with their working, by period."""
    return await _page(services, staff.office_id, status, contract_id, limit, offset)


@router.get("/holds")
async def list_holds(
    staff: StaffDep,
    services: ServicesDep,
    contract_id: ContractFilter = None,
    limit: LimitDep = 50,
    offset: OffsetDep = 0,
) -> dict[str, Any]:
    """Your office's compensations on hold, each with the reason it waits."""
    return await _page(
        services, staff.office_id, Status.HELD, contract_id, limit, offset
    )


@router.get("/compensations/{compensation_id}", responses=problem_responses(404))
async def get_compensation(
    compensation_id: Annotated[str, Path(min_length=1, max_length=200)],
    staff: StaffDep,
    services: ServicesDep,
) -> dict[str, Any]:
    """One compensation of your office: amount, months, rates used, hold, batch."""
    found = await compensations.one(
        services.runtime.pool, staff.office_id, compensation_id
    )
    if found is None:
        raise not_found("compensation")
    return money(found)
