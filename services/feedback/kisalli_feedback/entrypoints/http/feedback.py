"""Feedback documents: drafts, submission, acknowledgement, return, processing."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from kisalli_feedback.domain.feedback import FeedbackState
from kisalli_feedback.entrypoints.http import views
from kisalli_feedback.entrypoints.http.dependencies import (
    CallerDep,
    IdempotencyKeyDep,
    ServiceDep,
    TodayDep,
)
from kisalli_feedback.entrypoints.http.schemas import (
    AcknowledgeIn,
    FeedbackOut,
    FeedbackPage,
    ReturnIn,
    SaveDraftIn,
    StartFeedbackIn,
)
from kisalli_feedback.service_layer.access import NotVisible, visible_contract
from kisalli_feedback.service_layer.services import FeedbackService
from kisalli_shared.contracts.common import Role
from kisalli_shared.http import (
    CausationDep,
    IfMatchDep,
    LimitDep,
    OffsetDep,
    RequiredIfMatchDep,
    etag,
    next_offset,
)
from kisalli_shared.problems import problem_responses

router = APIRouter(tags=["feedback"])

ContractId = Annotated[uuid.UUID, Path(description="The contract's id.")]
FeedbackId = Annotated[uuid.UUID, Path(description="The feedback's id.")]
ALL_STATES = [s.value for s in FeedbackState]
SHOWN = problem_responses(401, 404)
CHANGED = problem_responses(400, 401, 403, 404, 409, 412)
SHOWN_TO_STUDENTS = [s.value for s in FeedbackState if s is not FeedbackState.DRAFT]


async def _current(
    service: FeedbackService, feedback_id: str, response: Response
) -> FeedbackOut:
    row = await service.reads.feedback(feedback_id)
    if row is None:
        raise NotVisible(feedback_id)
    response.headers.update(etag(row["version"]))
    return views.feedback_out(row)


@router.post("/contracts/{contract_id}/feedback", status_code=201, responses=CHANGED)
async def start_feedback(
    contract_id: ContractId,
    body: StartFeedbackIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    idempotency_key: IdempotencyKeyDep = None,
) -> FeedbackOut:
    """Start a feedback document as a draft (the contract's tutor).

    An interim feedback names its period; a contract has one of each kind
    per period, and one final assessment and one employer's certificate.
    """
    idempotent = None
    if idempotency_key is not None:
        idempotent = service.idempotency.request(
            caller.account_id,
            idempotency_key,
            f"feedback:{contract_id}",
            body.model_dump(mode="json"),
        )
    feedback_id = await service.start_feedback(
        caller,
        str(contract_id),
        body.period_index,
        body.content,
        causation,
        today,
        idempotent,
    )
    response.headers["Location"] = f"/feedback/{feedback_id}"
    return await _current(service, feedback_id, response)


@router.get("/contracts/{contract_id}/feedback", responses=SHOWN)
async def list_contract_feedback(
    contract_id: ContractId,
    caller: CallerDep,
    service: ServiceDep,
    today: TodayDep,
    limit: LimitDep = 20,
    offset: OffsetDep = 0,
) -> FeedbackPage:
    """List a contract's feedback documents, earlier tutors' ones included."""
    await visible_contract(service.reads, caller, str(contract_id), today)
    states = SHOWN_TO_STUDENTS if caller.role is Role.STUDENT else ALL_STATES
    rows = await service.reads.feedback_of_contract(
        str(contract_id), states, limit, offset
    )
    return FeedbackPage(
        items=[views.feedback_out(r) for r in rows],
        limit=limit,
        offset=offset,
        next_offset=next_offset(len(rows), limit, offset),
    )


@router.get("/feedback/{feedback_id}", responses=SHOWN)
async def show_feedback(
    feedback_id: FeedbackId,
    caller: CallerDep,
    service: ServiceDep,
    today: TodayDep,
    response: Response,
) -> FeedbackOut:
    """Show one feedback document; its ETag is its version."""
    row = await service.reads.feedback(str(feedback_id))
    if row is None:
        raise NotVisible(str(feedback_id))
    await visible_contract(service.reads, caller, row["contract_id"], today)
    hidden = row["state"] == "draft" and row["returned_by"] is None
    if caller.role is Role.STUDENT and hidden:
        raise NotVisible(str(feedback_id))
    response.headers.update(etag(row["version"]))
    return views.feedback_out(row)


@router.put(
    "/feedback/{feedback_id}/draft",
    responses={**CHANGED, **problem_responses(428)},
)
async def save_draft(
    feedback_id: FeedbackId,
    body: SaveDraftIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    if_match: RequiredIfMatchDep,
    response: Response,
) -> FeedbackOut:
    """Save the draft (the contract's tutor), with If-Match of the version edited.

    A save against an older version is refused with 412, never lost.
    """
    await service.save_draft(
        caller, str(feedback_id), body.content, causation, if_match, today
    )
    return await _current(service, str(feedback_id), response)


@router.post("/feedback/{feedback_id}/submit", responses=CHANGED)
async def submit_feedback(
    feedback_id: FeedbackId,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> FeedbackOut:
    """Submit a complete draft to the apprentice (the contract's tutor)."""
    await service.submit(caller, str(feedback_id), causation, if_match, today)
    return await _current(service, str(feedback_id), response)


@router.post("/feedback/{feedback_id}/acknowledge", responses=CHANGED)
async def acknowledge_feedback(
    feedback_id: FeedbackId,
    body: AcknowledgeIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> FeedbackOut:
    """Acknowledge a submitted feedback (the apprentice), with the hash you saw.

    A feedback that changed since you read it is refused with 409.
    """
    await service.acknowledge(
        caller, str(feedback_id), body.content_hash, causation, if_match, today
    )
    return await _current(service, str(feedback_id), response)


@router.post("/feedback/{feedback_id}/return", responses=CHANGED)
async def return_feedback(
    feedback_id: FeedbackId,
    body: ReturnIn,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> FeedbackOut:
    """Return a feedback to its tutor with a reason.

    The apprentice returns a submitted feedback; office staff return a
    submitted or acknowledged one for correction.
    """
    await service.return_feedback(
        caller, str(feedback_id), body.reason, causation, if_match, today
    )
    return await _current(service, str(feedback_id), response)


@router.post("/feedback/{feedback_id}/process", responses=CHANGED)
async def process_feedback(
    feedback_id: FeedbackId,
    caller: CallerDep,
    service: ServiceDep,
    causation: CausationDep,
    today: TodayDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> FeedbackOut:
    """Process an acknowledged feedback (office staff). Processed is final."""
    await service.process(caller, str(feedback_id), causation, if_match, today)
    return await _current(service, str(feedback_id), response)
