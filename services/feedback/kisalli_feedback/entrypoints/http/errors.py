"""The domain's and service layer's refusals, as problem answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kisalli_feedback.domain.errors import InvalidCommand, Refused
from kisalli_feedback.service_layer.access import NotPermitted, NotVisible
from kisalli_feedback.service_layer.services import VersionMismatch
from kisalli_shared.auth import forbidden
from kisalli_shared.problems import (
    PROBLEM_JSON,
    Problem,
    not_found,
    version_mismatch,
)


def _answer(request: Request, problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def add_refusal_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def on_refused(request: Request, exc: Refused) -> JSONResponse:
        status = 422 if isinstance(exc, InvalidCommand) else 409
        return _answer(
            request, Problem(status, exc.slug, exc.title, exc.detail, **exc.extra)
        )

    @app.exception_handler(NotVisible)
    async def on_not_visible(request: Request, _exc: NotVisible) -> JSONResponse:
        return _answer(request, not_found())

    @app.exception_handler(NotPermitted)
    async def on_not_permitted(request: Request, _exc: NotPermitted) -> JSONResponse:
        return _answer(request, forbidden())

    @app.exception_handler(VersionMismatch)
    async def on_stale(request: Request, exc: VersionMismatch) -> JSONResponse:
        return _answer(request, version_mismatch(exc.current))
