"""The forgotten password: /password-resets."""

from __future__ import annotations

import asyncio
import time

import structlog
from fastapi import APIRouter, status

from kisalli_accounts.entrypoints.http.dependencies import (
    CausationDep,
    ClientAddressDep,
    ContextDep,
    LanguageDep,
)
from kisalli_accounts.entrypoints.http.messages import RESET_ACCEPTED
from kisalli_accounts.entrypoints.http.schemas import (
    CompleteResetRequest,
    ResetAccepted,
    ResetRequest,
)
from kisalli_accounts.service_layer import passwords as use
from kisalli_shared.problems import problem_responses

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/password-resets", tags=["password resets"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=problem_responses(429))
async def request_reset(
    body: ResetRequest,
    ctx: ContextDep,
    causation: CausationDep,
    client: ClientAddressDep,
    language: LanguageDep,
) -> ResetAccepted:
    """Ask for a link to set a new password, by username or email address.

    The answer is the same, and comes after about the same time, whether an
    account matches or not. The link goes to the address on record only.
    """
    started = time.monotonic()
    try:
        await use.request_reset(
            ctx, login=body.login, client_address=client, causation=causation
        )
    finally:
        await _pad(started, ctx.policy.reset_answer_seconds)
    return ResetAccepted(detail=RESET_ACCEPTED[language])


async def _pad(started: float, answer_after: float) -> None:
    # Matching an account writes more than not matching; waiting up to a
    # fixed time hides the difference.
    elapsed = time.monotonic() - started
    if elapsed > answer_after:
        log.warning("reset_answer_slower_than_padding", elapsed_s=round(elapsed, 3))
        return
    await asyncio.sleep(answer_after - elapsed)


@router.post(
    "/complete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400),
)
async def complete_reset(
    body: CompleteResetRequest, ctx: ContextDep, causation: CausationDep
) -> None:
    """Set a new password with the token from the link; every session ends.

    A used link, one replaced by a newer request or a password change, and
    one older than 30 minutes are refused.
    """
    await use.complete_reset(
        ctx, token=body.token, new_password=body.new_password, causation=causation
    )
