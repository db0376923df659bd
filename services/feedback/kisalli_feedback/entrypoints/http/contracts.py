"""Apprenticeship contracts: signing, tutor changes, early ends, schedules."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from kisalli_feedback.domain.contract import SignContract
from kisalli_feedback.domain.identifiers import mask_personal_id
from kisalli_feedback.entrypoints.http import views
from kisalli_feedback.entrypoints.http.dependencies import (
    CallerDep,
    IdempotencyKeyDep,
    ReadsDep,
    ServiceDep,
    TodayDep,
)
from kisalli_feedback.entrypoints.http.schemas import (
    ChangeTutorIn,
    ContractDetail,
    ContractPage,
    EmployerIn,
    EndEarlyIn,
    PeriodOut,
    ScheduleOut,
    SignContractIn,
)
from kisalli_feedback.service_layer.access import NotVisible, visible_contract
from kisalli_shared.contracts.common import Person
from kisalli_shared.contracts.feedback import (
    AgreedAmount,
    Payee,
    Qualification,
    QualificationPart,
    Student,
)
from kisalli_shared.http import (
    CausationDep,
    IfMatchDep,
    LimitDep,
    OffsetDep,
    etag,
    next_offset,
)
from kisalli_shared.problems import problem_responses

router = APIRouter(prefix="/contracts", tags=["contracts"])

ContractId = Annotated[uuid.UUID, Path(description="The contract's id.")]
SHOWN = problem_responses(401, 404)
CHANGED = problem_responses(400, 401, 403, 404, 409, 412)


def _payee(employer: EmployerIn) -> Payee:
    return Payee(
        name=employer.name,
        business_id=employer.business_id,
        iban=employer.iban,
        bic=employer.bic,
        contact_email=employer.contact_email,
        language=employer.language.value,
    )


def _command(body: SignContractIn) -> SignContract:
    student = body.student
    parts = tuple(
        QualificationPart(code=p.code, name=p.name)
        for p in body.qualification.parts or []
    )
    return SignContract(
        contract_id=str(uuid.uuid4()),
        office_id="",  # the caller's office, set by the service
        student=Student(
            name=student.name,
            email=student.email,
            language=student.language,
            personal_id_masked=mask_personal_id(student.personal_id),
        ),
        tutor=Person(**body.tutor.model_dump()),
        employer=_payee(body.employer),
        mentor_company=_payee(body.mentor_company) if body.mentor_company else None,
        qualification=Qualification(
            code=body.qualification.code,
            name=body.qualification.name,
            kind=body.qualification.kind,
            parts=parts,
        ),
        start_date=body.start_date,
        end_date=body.end_date,
        agreed_amounts=tuple(
            AgreedAmount(from_month=a.from_month, monthly_amount=a.monthly_amount)
            for a in body.agreed_amounts
        ),
    )


async def _detail(
    service: ServiceDep, caller: CallerDep, contract_id: str, response: Response
) -> ContractDetail:
    contract = await service.repository.contract(contract_id)
    if contract is None:
        raise NotVisible(contract_id)
    response.headers.update(etag(contract.version))
    refused = await service.reads.refused_members(contract_id)
    return views.contract_detail(contract, caller, refused)


@router.post("", status_code=201, responses=problem_responses(401, 403, 409))
async def sign_contract(
    body: SignContractIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    response: Response,
    idempotency_key: IdempotencyKeyDep = None,
) -> ContractDetail:
    """Sign an apprenticeship contract in your own office (office staff)."""
    idempotent = None
    if idempotency_key is not None:
        idempotent = service.idempotency.request(
            caller.account_id, idempotency_key, "sign", body.model_dump(mode="json")
        )
    contract_id = await service.sign_contract(
        caller, _command(body), body.student.personal_id, causation, idempotent
    )
    response.headers["Location"] = f"/contracts/{contract_id}"
    return await _detail(service, caller, contract_id, response)


@router.get("", responses=problem_responses(401))
async def list_contracts(
    caller: CallerDep,
    reads: ReadsDep,
    today: TodayDep,
    limit: LimitDep = 20,
    offset: OffsetDep = 0,
) -> ContractPage:
    """List the contracts you may see: your office's, or those you belong to."""
    if caller.is_office_staff:
        rows = await reads.contracts_of_office(caller.office_id or "", limit, offset)
    else:
        rows = await reads.contracts_of_member(
            caller.account_id, caller.role, today, limit, offset
        )
    return ContractPage(
        items=[views.contract_summary(r) for r in rows],
        limit=limit,
        offset=offset,
        next_offset=next_offset(len(rows), limit, offset),
    )


@router.get("/{contract_id}", responses=SHOWN)
async def show_contract(
    contract_id: ContractId,
    caller: CallerDep,
    service: ServiceDep,
    today: TodayDep,
    response: Response,
) -> ContractDetail:
    """Show one contract; its ETag is its version."""
    await visible_contract(service.reads, caller, str(contract_id), today)
    return await _detail(service, caller, str(contract_id), response)


@router.post("/{contract_id}/tutor-changes", responses=CHANGED)
async def change_tutor(
    contract_id: ContractId,
    body: ChangeTutorIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> ContractDetail:
    """Give the contract a new tutor from a date (office staff).

    The new tutor sees every earlier feedback of the contract; the old one
    loses the contract from that date.
    """
    tutor = Person(**body.tutor.model_dump())
    await service.change_tutor(
        caller,
        str(contract_id),
        tutor,
        body.effective_from,
        causation,
        if_match,
        today,
    )
    return await _detail(service, caller, str(contract_id), response)


@router.post("/{contract_id}/early-end", responses=CHANGED)
async def end_contract_early(
    contract_id: ContractId,
    body: EndEarlyIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> ContractDetail:
    """End the contract before its agreed end date (office staff)."""
    await service.end_early(
        caller, str(contract_id), body.end_date, causation, if_match, today
    )
    return await _detail(service, caller, str(contract_id), response)


@router.get("/{contract_id}/schedule", responses=SHOWN)
async def show_schedule(
    contract_id: ContractId,
    caller: CallerDep,
    service: ServiceDep,
    today: TodayDep,
) -> ScheduleOut:
    """The contract's periods and the documents due in them, with their status.

    A document is due from two weeks before its due date and late from the
    day after, until it is submitted; dates are Helsinki dates.
    """
    await visible_contract(service.reads, caller, str(contract_id), today)
    contract = await service.repository.contract(str(contract_id))
    if contract is None:
        raise NotVisible(str(contract_id))
    items = await service.reads.schedule_items([str(contract_id)])
    return ScheduleOut(
        contract_id=str(contract_id),
        today=today,
        periods=[
            PeriodOut(index=p.index, start=p.start, end=p.end)
            for p in contract.periods()
        ],
        items=[views.schedule_item(i, today) for i in items],
    )
