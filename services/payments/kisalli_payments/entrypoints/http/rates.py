"""/rates: the office's rate table, read and replaced as a whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kisalli_payments.domain.rates import RateTable
from kisalli_payments.entrypoints.http.dependencies import (
    ServicesDep,
    StaffDep,
)
from kisalli_payments.service_layer.compensating import reconsider_held
from kisalli_payments.service_layer.rating import (
    StaleRateTable,
    change_table,
    office_table,
)
from kisalli_shared.contracts.feedback import QualificationKind
from kisalli_shared.contracts.payments import Rate
from kisalli_shared.http import (
    CausationDep,
    RequiredIfMatchDep,
    etag,
)
from kisalli_shared.problems import problem_responses, version_mismatch

# Every route is office staff's.
router = APIRouter(tags=["rates"], responses=problem_responses(401, 403))

Month = Annotated[int, Field(ge=1, le=600)]


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qualification_kind: QualificationKind
    from_month: Month
    to_month: Month | None = None
    monthly_amount: Annotated[
        Decimal, Field(ge=0, le=100_000, max_digits=8, decimal_places=2)
    ]
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RateIn:
        if self.to_month is not None and self.to_month < self.from_month:
            raise ValueError("to_month comes before from_month")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to comes before valid_from")
        return self


class RateTableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rates: Annotated[list[RateIn], Field(max_length=500)]


def _view(table: RateTable) -> dict[str, Any]:
    return {
        "office_id": table.office_id,
        "version": table.version,
        "rates": [r.model_dump(mode="json") for r in table.rates],
    }


@router.get("/rates")
async def get_rates(
    staff: StaffDep, services: ServicesDep, causation: CausationDep
) -> JSONResponse:
    """Your office's rate table (the shipped defaults until someone changes it)."""
    async with services.runtime.pool.acquire() as conn, conn.transaction():
        table = await office_table(conn, services.recorder, staff.office_id, causation)
    return JSONResponse(_view(table), headers=etag(table.version))


@router.put("/rates", responses=problem_responses(400, 412, 428))
async def replace_rates(
    body: RateTableIn,
    staff: StaffDep,
    services: ServicesDep,
    causation: CausationDep,
    version: RequiredIfMatchDep,
) -> JSONResponse:
    """Replace your office's rate table; send If-Match with the version you edited.

    Compensations held for a missing rate are decided again at once.
    """
    rates = [Rate.model_validate(r.model_dump(mode="json")) for r in body.rates]
    recorder = services.recorder
    async with services.runtime.pool.acquire() as conn, conn.transaction():
        try:
            table = await change_table(
                conn,
                recorder,
                staff.office_id,
                version,
                rates,
                staff.account_id,
                causation,
            )
        except StaleRateTable as stale:
            raise version_mismatch(stale.current) from None
        await reconsider_held(conn, recorder, causation, office_id=staff.office_id)
    return JSONResponse(_view(table), headers=etag(table.version))
