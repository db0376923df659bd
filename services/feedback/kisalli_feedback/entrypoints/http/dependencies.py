"""Dependencies every router shares, as Annotated aliases.

Every one is async, though most wait for nothing: FastAPI runs a plain
function dependency in its thread pool, and those hand-offs (four for a
submission) cost about a third of the service's CPU per request
(bench/load.py). If-Match, paging and causation come from kisalli_shared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from kisalli_feedback.adapters.read_models import ReadModels
from kisalli_feedback.service_layer.services import FeedbackService
from kisalli_shared.auth import Principal, TokenVerifier, bearer_token
from kisalli_shared.http import idempotency_key


async def _caller(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(bearer_token(request))
    request.state.principal = principal
    return principal


async def _today(request: Request) -> date:
    clock: Callable[[], date] = request.app.state.today
    return clock()


async def _service(request: Request) -> FeedbackService:
    factory: Callable[[], FeedbackService] = request.app.state.services
    return factory()


async def _reads(request: Request) -> ReadModels:
    return (await _service(request)).reads


CallerDep = Annotated[Principal, Depends(_caller)]
TodayDep = Annotated[date, Depends(_today)]
ServiceDep = Annotated[FeedbackService, Depends(_service)]
ReadsDep = Annotated[ReadModels, Depends(_reads)]
IdempotencyKeyDep = Annotated[
    str | None,
    idempotency_key("Send the same key again to get what the first request made."),
]
