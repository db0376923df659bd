"""Logging in and out: /sessions."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kisalli_accounts.entrypoints.http.dependencies import (
    CallerDep,
    CausationDep,
    ContextDep,
)
from kisalli_accounts.entrypoints.http.schemas import (
    LoginRequest,
    RefreshRequest,
    TokenAnswer,
)
from kisalli_accounts.service_layer import login as use
from kisalli_accounts.service_layer.login import Tokens
from kisalli_shared.problems import problem_responses

router = APIRouter(prefix="/sessions", tags=["sessions"])


def _answer(tokens: Tokens, response: Response) -> TokenAnswer:
    response.headers["Cache-Control"] = "no-store"
    return TokenAnswer(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 429)
)
async def log_in(
    body: LoginRequest, ctx: ContextDep, causation: CausationDep, response: Response
) -> TokenAnswer:
    """Log in with a username or email address and a password.

    Answers a 15-minute access token and a refresh token. Wrong names and
    wrong passwords get one answer; repeated failures slow the answers and
    then lock logins for a while (429), which a password reset lifts.
    """
    tokens = await use.log_in(
        ctx, login=body.login, password=body.password, causation=causation
    )
    return _answer(tokens, response)


@router.post("/refresh", responses=problem_responses(401))
async def refresh(
    body: RefreshRequest, ctx: ContextDep, response: Response
) -> TokenAnswer:
    """Trade a refresh token for new tokens; each refresh token works once.

    A refresh token used a second time ends its session.
    """
    tokens = await use.refresh(ctx, refresh_token=body.refresh_token)
    return _answer(tokens, response)


@router.delete(
    "/current",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401),
)
async def log_out(caller: CallerDep, ctx: ContextDep) -> None:
    """End the caller's session: its refresh token stops working."""
    await use.log_out(ctx, session_id=caller.session_id)
