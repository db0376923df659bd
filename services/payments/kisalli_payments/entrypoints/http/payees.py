"""/contracts/{id}/payee: where a contract's compensation is paid."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kisalli_payments.domain.payees import InvalidAccount, mask_iban
from kisalli_payments.entrypoints.http.dependencies import (
    ServicesDep,
    StaffDep,
)
from kisalli_payments.service_layer.payees import (
    PayeeCorrection,
    StalePayee,
    UnknownContract,
    correct_payee,
    payee_row,
)
from kisalli_shared.http import (
    CausationDep,
    IfMatchDep,
    etag,
)
from kisalli_shared.problems import (
    Problem,
    not_found,
    problem_responses,
    version_mismatch,
)
from kisalli_shared.text import PersonName

# Every route is office staff's.
router = APIRouter(tags=["payees"], responses=problem_responses(401, 403))

ContractId = Annotated[str, Path(min_length=1, max_length=100)]


class PayeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iban: Annotated[str, Field(min_length=5, max_length=50)]
    bic: Annotated[str | None, Field(min_length=8, max_length=20)] = None
    name: PersonName | None = None


def _view(row: asyncpg.Record) -> dict[str, Any]:
    # Bank accounts are shown masked, as everywhere.
    return {
        "contract_id": row["contract_id"],
        "payee_name": row["payee_name"],
        "business_id": row["payee_business_id"],
        "iban_masked": mask_iban(row["payee_iban"]),
        "bic": row["payee_bic"],
        "version": row["payee_version"],
    }


@router.get("/contracts/{contract_id}/payee", responses=problem_responses(404))
async def get_payee(
    contract_id: ContractId, staff: StaffDep, services: ServicesDep
) -> JSONResponse:
    """Who a contract of your office pays, with the account masked."""
    row = await payee_row(services.runtime.pool, staff.office_id, contract_id)
    if row is None:
        raise not_found("contract")
    return JSONResponse(_view(row), headers=etag(row["payee_version"]))


@router.patch(
    "/contracts/{contract_id}/payee", responses=problem_responses(400, 404, 412)
)
async def correct_payee_account(
    contract_id: ContractId,
    body: PayeeIn,
    staff: StaffDep,
    services: ServicesDep,
    causation: CausationDep,
    version: IfMatchDep,
) -> JSONResponse:
    """Correct the payee's IBAN (and BIC or name); held payments are released.

    The IBAN may be typed in lower case and with spaces. If-Match is optional.
    """
    correction = PayeeCorrection(
        contract_id=contract_id,
        office_id=staff.office_id,
        iban=body.iban,
        bic=body.bic,
        name=body.name,
        changed_by=staff.account_id,
    )
    pool = services.runtime.pool
    async with pool.acquire() as conn, conn.transaction():
        try:
            released = await correct_payee(
                conn, services.recorder, correction, version, causation
            )
        except InvalidAccount as bad:
            raise Problem(
                422, "invalid-bank-account", "Invalid bank account", str(bad)
            ) from None
        except UnknownContract:
            raise not_found("contract") from None
        except StalePayee as stale:
            raise version_mismatch(stale.current) from None
        row = await payee_row(conn, staff.office_id, contract_id)
    assert row is not None
    return JSONResponse(
        {**_view(row), "released": released}, headers=etag(row["payee_version"])
    )
