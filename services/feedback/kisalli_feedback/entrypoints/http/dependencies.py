"""Dependencies every router shares, as Annotated aliases.

Every one is async, though most wait for nothing: FastAPI runs a plain
function dependency in its thread pool, and those hand-offs (four for a
submission) cost about a third of the service's CPU per request
(bench/load.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from kisalli_feedback.adapters.read_models import ReadModels
from kisalli_feedback.service_layer.services import FeedbackService
from kisalli_shared.auth import Principal, TokenVerifier, bearer_token
from kisalli_shared.eventstore import Causation
from kisalli_shared.problems import Problem


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


async def _causation(request: Request) -> Causation:
    return Causation(correlation_id=request.state.correlation_id)


async def _if_match(
    if_match: Annotated[str | None, Header(max_length=50)] = None,
) -> int | None:
    """The version an If-Match header names: "3", W/"3" or 3."""
    if if_match is None:
        return None
    text = if_match.removeprefix("W/").strip().strip('"')
    if not text.isdigit() or len(text) > 9:
        raise Problem(
            400, "bad-if-match", "Bad If-Match", 'If-Match takes a version: "3".'
        )
    return int(text)


async def _required_if_match(
    if_match: Annotated[int | None, Depends(_if_match)],
) -> int:
    if if_match is None:
        raise Problem(
            428,
            "precondition-required",
            "Precondition required",
            "Send If-Match with the version you edited, so that no change is lost.",
        )
    return if_match


CallerDep = Annotated[Principal, Depends(_caller)]
TodayDep = Annotated[date, Depends(_today)]
ServiceDep = Annotated[FeedbackService, Depends(_service)]
ReadsDep = Annotated[ReadModels, Depends(_reads)]
CausationDep = Annotated[Causation, Depends(_causation)]
IfMatchDep = Annotated[int | None, Depends(_if_match)]
RequiredIfMatchDep = Annotated[int, Depends(_required_if_match)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key again to get what the first request made.",
    ),
]
LimitDep = Annotated[int, Query(ge=1, le=100)]
OffsetDep = Annotated[int, Query(ge=0, le=1_000_000)]


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def next_offset(count: int, limit: int, offset: int) -> int | None:
    return offset + limit if count == limit else None
