"""Each person's own lists: what is due, what waits for them, what to process."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kisalli_feedback.domain.feedback import FeedbackState
from kisalli_feedback.domain.schedule import ItemStatus
from kisalli_feedback.entrypoints.http import views
from kisalli_feedback.entrypoints.http.dependencies import (
    CallerDep,
    ReadsDep,
    TodayDep,
)
from kisalli_feedback.entrypoints.http.schemas import (
    ApprenticeOut,
    ApprenticePage,
    FeedbackPage,
)
from kisalli_feedback.service_layer.access import require_role
from kisalli_shared.auth import require_office_staff
from kisalli_shared.contracts.common import Role
from kisalli_shared.http import (
    LimitDep,
    OffsetDep,
    next_offset,
)
from kisalli_shared.problems import problem_responses

router = APIRouter(tags=["queues"], responses=problem_responses(401, 403))

ShownState = Annotated[
    FeedbackState | None,
    Query(description="Only feedback in this state; all but drafts by default."),
]


@router.get("/tutors/me/apprentices")
async def my_apprentices(
    caller: CallerDep,
    reads: ReadsDep,
    today: TodayDep,
    limit: LimitDep = 20,
    offset: OffsetDep = 0,
) -> ApprenticePage:
    """Your apprentices as their tutor today, with what is due or late."""
    require_role(caller, Role.TUTOR)
    rows = await reads.contracts_of_member(
        caller.account_id, Role.TUTOR, today, limit, offset
    )
    items = await reads.schedule_items([r["contract_id"] for r in rows])
    apprentices = []
    for row in rows:
        scheduled = [
            views.schedule_item(i, today)
            for i in items
            if i["contract_id"] == row["contract_id"]
        ]
        apprentices.append(
            ApprenticeOut(
                **views.contract_summary(row).model_dump(),
                due=[s for s in scheduled if s.status == ItemStatus.DUE],
                late=[s for s in scheduled if s.status == ItemStatus.LATE],
            )
        )
    return ApprenticePage(
        items=apprentices,
        limit=limit,
        offset=offset,
        next_offset=next_offset(len(rows), limit, offset),
    )


@router.get("/students/me/feedback")
async def my_feedback(
    caller: CallerDep,
    reads: ReadsDep,
    today: TodayDep,
    state: ShownState = None,
    limit: LimitDep = 20,
    offset: OffsetDep = 0,
) -> FeedbackPage:
    """Your feedback as an apprentice; state=submitted is what waits for you."""
    require_role(caller, Role.STUDENT)
    shown = [s.value for s in FeedbackState if s is not FeedbackState.DRAFT]
    if state is not None:
        shown = [state.value] if state.value in shown else []
    rows = await reads.feedback_for_student(
        caller.account_id, shown, today, limit, offset
    )
    return FeedbackPage(
        items=[views.feedback_out(r) for r in rows],
        limit=limit,
        offset=offset,
        next_offset=next_offset(len(rows), limit, offset),
    )


@router.get("/offices/me/queue")
async def my_office_queue(
    caller: CallerDep,
    reads: ReadsDep,
    limit: LimitDep = 20,
    offset: OffsetDep = 0,
) -> FeedbackPage:
    """Acknowledged feedback of your office waiting to be processed, oldest first."""
    office_id = require_office_staff(caller)
    rows = await reads.office_queue(office_id, limit, offset)
    return FeedbackPage(
        items=[views.feedback_out(r) for r in rows],
        limit=limit,
        offset=offset,
        next_offset=next_offset(len(rows), limit, offset),
    )
