"""GET /emails: what was sent to whom, and what failed, for office staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from kisalli_notifications.adapters import email_queue
from kisalli_shared.auth import Principal, principal_dependency, require_office_staff
from kisalli_shared.problems import problem_responses


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class EmailView(BaseModel):
    email_id: str
    template: str
    language: str
    recipient: str
    state: DeliveryState
    attempts: int
    caused_by_event_id: str
    last_error: str | None
    smtp_code: int | None
    queued_at: datetime
    finished_at: datetime | None


class EmailPage(BaseModel):
    items: list[EmailView]
    limit: int
    offset: int
    next_offset: int | None


async def current_principal(request: Request) -> Principal:
    """The verified caller, checked against the verifier the app was built with."""
    verify = principal_dependency(lambda: request.app.state.token_verifier)
    return await verify(request)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
router = APIRouter(prefix="/emails", tags=["emails"])


@router.get("", response_model=EmailPage, responses=problem_responses(401, 403))
async def list_emails(
    request: Request,
    principal: PrincipalDep,
    state: DeliveryState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> EmailPage:
    """List the emails of your office, newest first; `state=failed` shows
    those that will not be delivered and why."""
    office_id = require_office_staff(principal)
    rows = await email_queue.list_emails(
        request.app.state.runtime.pool,
        office_id=office_id,
        state=state.value if state else None,
        limit=limit + 1,
        offset=offset,
    )
    items = [
        EmailView(
            email_id=str(row["email_id"]),
            template=row["template"],
            language=row["language"],
            recipient=row["recipient"],
            state=DeliveryState(row["state"]),
            attempts=row["attempts"],
            caused_by_event_id=row["cause"],
            last_error=row["last_error"],
            smtp_code=row["smtp_code"],
            queued_at=row["queued_at"],
            finished_at=row["finished_at"],
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return EmailPage(
        items=items,
        limit=limit,
        offset=offset,
        next_offset=offset + limit if more else None,
    )
