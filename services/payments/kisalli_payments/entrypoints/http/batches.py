"""/batches: payment batches of the office and their bank files."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from kisalli_payments.adapters import batches, sepa
from kisalli_payments.adapters.idempotency import IdempotentRequest
from kisalli_payments.entrypoints.http.dependencies import (
    IdempotencyKeyDep,
    ServicesDep,
    StaffDep,
)
from kisalli_payments.service_layer.paying import (
    BatchOrder,
    KeyReused,
    NoDebtorAccount,
    NothingToPay,
)
from kisalli_shared.http import (
    CausationDep,
    LimitDep,
    OffsetDep,
    next_offset,
)
from kisalli_shared.problems import Problem, not_found, problem_responses

# Every route is office staff's.
router = APIRouter(tags=["batches"], responses=problem_responses(401, 403))

BatchId = Annotated[str, Path(min_length=1, max_length=100)]


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The day the bank is asked to pay; today when not given.
    execution_date: date | None = None


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "total": str(row["total"]),
        "file": f"/batches/{row['batch_id']}/file",
    }


async def _batch(services: ServicesDep, office_id: str, batch_id: str) -> Any:
    row = await batches.one(services.runtime.pool, office_id, batch_id)
    if row is None:
        raise not_found("batch")
    record = await batches.record(services.runtime.pool, batch_id)
    assert record is not None
    return jsonable_encoder(
        {
            **_summary(batches.summary(row)),
            "debtor_name": record.debtor_name,
            "lines": [line.model_dump(mode="json") for line in record.lines],
        }
    )


@router.post("/batches", status_code=201, responses=problem_responses(409))
async def create_batch(
    staff: StaffDep,
    services: ServicesDep,
    causation: CausationDep,
    idempotency_key: IdempotencyKeyDep = None,
    body: BatchIn | None = None,
) -> JSONResponse:
    """Pay everything your office can pay now, in one SEPA credit transfer file.

    Send an Idempotency-Key: a retry returns the batch the first request
    made. With nothing to pay the answer is 409.
    """
    today = services.today()
    execution_date = (body.execution_date if body else None) or today
    if not today <= execution_date <= today + timedelta(days=365):
        raise Problem(
            422,
            "bad-execution-date",
            "Bad execution date",
            "The execution date is today or a day in the coming year.",
        )
    request = None
    if idempotency_key is not None:
        request = IdempotentRequest.of(
            staff.account_id,
            idempotency_key,
            "POST /batches",
            {"office": staff.office_id, "execution_date": body and body.execution_date},
        )
    order = BatchOrder(staff.office_id, staff.account_id, execution_date, request)
    paying = services.paying
    try:
        batch_id, made = await paying.create_batch(order, causation)
    except NothingToPay:
        raise Problem(
            409, "nothing-to-pay", "Nothing to pay", "No compensation is payable now."
        ) from None
    except NoDebtorAccount:
        raise Problem(
            409,
            "no-debtor-account",
            "No account to pay from",
            "Your office's own bank account is not configured.",
        ) from None
    except KeyReused:
        raise Problem(
            422,
            "idempotency-key-reused",
            "Idempotency key reused",
            "This Idempotency-Key was used for a different request.",
        ) from None
    if made:
        await paying.write_bank_files(staff.office_id)
    body_out = await _batch(services, staff.office_id, batch_id)
    return JSONResponse(
        body_out,
        status_code=201 if made else 200,
        headers={"Location": f"/batches/{batch_id}"},
    )


@router.get("/batches")
async def list_batches(
    staff: StaffDep,
    services: ServicesDep,
    limit: LimitDep = 50,
    offset: OffsetDep = 0,
) -> dict[str, Any]:
    """Your office's batches, newest first."""
    items = await batches.page(services.runtime.pool, staff.office_id, limit, offset)
    return {
        "items": [_summary(i) for i in items],
        "next_offset": next_offset(len(items), limit, offset),
    }


@router.get("/batches/{batch_id}", responses=problem_responses(404))
async def get_batch(
    batch_id: BatchId, staff: StaffDep, services: ServicesDep
) -> JSONResponse:
    """One batch of your office with its lines."""
    return JSONResponse(await _batch(services, staff.office_id, batch_id))


@router.get(
    "/batches/{batch_id}/file",
    response_class=Response,
    responses={200: {"content": {sepa.MEDIA_TYPE: {}}}, **problem_responses(404)},
)
async def download_bank_file(
    batch_id: BatchId, staff: StaffDep, services: ServicesDep
) -> Response:
    """The batch's pain.001.001.09 file; the same bytes every time."""
    row = await batches.one(services.runtime.pool, staff.office_id, batch_id)
    if row is None:
        raise not_found("batch")
    content = await services.paying.bank_file(batch_id)
    assert content is not None
    return Response(
        content,
        media_type=sepa.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{row["message_id"]}.xml"'
        },
    )
