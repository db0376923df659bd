"""The FastAPI app factory every service uses.

It adds what ops and frontends expect of every service: /healthz, /readyz,
/metrics, problem-details errors and one JSON log line per request.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kisalli_shared.problems import (
    PROBLEM_JSON,
    PROBLEM_SCHEMA,
    Problem,
    problem_responses,
    problem_type,
)

log = structlog.get_logger("kisalli.request")

REQUEST_SECONDS = Histogram(
    "kisalli_http_request_duration_seconds",
    "Time to answer a request",
    ["method", "route", "status"],
)
CORRELATION_HEADER = "x-correlation-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
PREFIX_HEADER = b"x-forwarded-prefix"
# Up to five plain segments; never "." or "..".
_SAFE_PREFIX = re.compile(r"^(/(?!\.\.?(/|$))[A-Za-z0-9._~-]{1,40}){1,5}$")

ReadinessCheck = Callable[[], Awaitable[None]]
Lifespan = Callable[[FastAPI], Any]


def create_app(
    *,
    title: str,
    version: str = "0.1.0",
    description: str = "",
    lifespan: Lifespan | None = None,
    readiness: dict[str, ReadinessCheck] | None = None,
    root_path: str = "",
) -> FastAPI:
    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        root_path=root_path,
    )
    checks = readiness or {}
    _document_problems(app)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(ForwardedPrefixMiddleware)
    _add_problem_handlers(app)
    _add_unavailable_handlers(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Answer while the process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses=problem_responses(503))
    async def readyz() -> Response:
        """Answer 200 when the database and Kafka answer, 503 otherwise."""
        failed = {}
        for name, check in checks.items():
            try:
                await check()
            except Exception as exc:
                failed[name] = type(exc).__name__
        if failed:
            problem = Problem(
                503,
                "not-ready",
                "Not ready",
                "A dependency does not answer.",
                failed=failed,
            )
            return JSONResponse(problem.body(), 503, media_type=PROBLEM_JSON)
        return JSONResponse({"status": "ready", "checks": sorted(checks)})

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _document_problems(app: FastAPI) -> None:
    """Every error answer in the OpenAPI document is problem details, as the
    handlers below send it; FastAPI's own 422 shape is never sent."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _problems_in(generate())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


_UNREADABLE = "The body cannot be read as JSON."
_AWAY = "A server the service needs is restarting; send the request again."
_UNREADABLE_BODY = Problem(400, "unreadable-body", "Unreadable body", _UNREADABLE)


def _problems_in(document: dict[str, Any]) -> None:
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if "requestBody" in operation:
                # FastAPI's answer to a body it cannot even decode.
                operation["responses"].setdefault("400", {"description": _UNREADABLE})
            operation["responses"].setdefault("503", {"description": _AWAY})
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = problem
                if status == "429":
                    response["headers"] = {
                        "Retry-After": {
                            "description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer"},
                        }
                    }
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = PROBLEM_SCHEMA


def _problem_response(request: Request, problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def _add_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return _problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(error.get("type") == "json_invalid" for error in exc.errors()):
            return _problem_response(request, _UNREADABLE_BODY)
        # The offending input is left out: it may be a password.
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type", ""),
            }
            for error in exc.errors()
        ]
        problem = Problem(
            422,
            "validation-failed",
            "Invalid request",
            "Some fields are missing or wrong.",
            errors=errors,
        )
        return _problem_response(request, problem)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's word for a body that is not even text.
            return _problem_response(request, _UNREADABLE_BODY)
        body = {
            "type": "about:blank",
            "title": _reason(exc.status_code),
            "status": exc.status_code,
        }
        if isinstance(exc.detail, str) and exc.detail != body["title"]:
            body["detail"] = exc.detail
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return JSONResponse(
            body, exc.status_code, media_type=PROBLEM_JSON, headers=headers
        )

    # PostgreSQL stores no NUL character, in text or in jsonb: such input is
    # the client's to fix, and the transaction it was in has rolled back.
    @app.exception_handler(asyncpg.UntranslatableCharacterError)
    @app.exception_handler(asyncpg.CharacterNotInRepertoireError)
    async def on_unstorable(request: Request, _exc: Exception) -> JSONResponse:
        problem = Problem(
            422,
            "unstorable-text",
            "Text that cannot be stored",
            "Text may not contain the NUL character (U+0000).",
        )
        return _problem_response(request, problem)


# The database restarting or out of reach: the request may be sent again.
_DATABASE_AWAY = (
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    ConnectionError,
)


def _add_unavailable_handlers(app: FastAPI) -> None:
    async def on_database_away(request: Request, _exc: Exception) -> JSONResponse:
        log.warning("database_unavailable", path=request.url.path)
        problem = Problem(
            503,
            "database-unavailable",
            "Service unavailable",
            "The service's database cannot be reached right now; try again"
            " in a moment.",
        )
        problem.headers = {"Retry-After": "2"}
        return _problem_response(request, problem)

    for away in _DATABASE_AWAY:
        app.add_exception_handler(away, on_database_away)


_INTERNAL_ERROR = Problem(
    500, "internal-error", "Internal error", "Something went wrong on our side."
)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path: Starlette's own Allow
    names only those of the first route that matched the path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class RequestLogMiddleware:
    """One log line per request, with the correlation id bound for its span."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        correlation_id = _correlation_id(scope)
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = time.perf_counter()
        status, answered = 500, False

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((CORRELATION_HEADER.encode(), correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", path=scope["path"])
            if answered:
                raise
            # Answered here, not re-raised: uvicorn closes the connection of
            # a request whose app raised, and the gateway's next request on
            # that kept-alive connection would fail with a 502.
            request = Request(scope, receive)
            await _problem_response(request, _INTERNAL_ERROR)(
                scope, receive, send_with_id
            )
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(elapsed)
            if route not in {"/healthz", "/readyz", "/metrics"}:
                log.info(
                    "request",
                    method=scope["method"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("correlation_id")


class ForwardedPrefixMiddleware:
    """Serve under the path prefix a gateway strips (X-Forwarded-Prefix).

    The prefix becomes the ASGI root_path, so the OpenAPI document names the
    gateway's path as its server and the docs page loads it from there. It
    changes no route and no decision: a client that sends its own prefix
    only misleads its own docs page.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = _forwarded_prefix(scope) if scope["type"] == "http" else None
        if prefix:
            # As a server given a root path does: the path keeps the prefix.
            scope = dict(scope)
            scope["root_path"] = prefix + scope.get("root_path", "")
            scope["path"] = prefix + scope["path"]
            raw_path = scope.get("raw_path")
            if raw_path is not None:
                scope["raw_path"] = prefix.encode() + raw_path
        await self.app(scope, receive, send)


def _forwarded_prefix(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == PREFIX_HEADER:
            text: str = value.decode("latin-1").rstrip("/")
            return text if _SAFE_PREFIX.match(text) else None
    return None


def _correlation_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == CORRELATION_HEADER.encode():
            text: str = value.decode("latin-1")
            if _SAFE_ID.match(text):
                return text
    return str(uuid.uuid4())


def _route_template(scope: Scope) -> str:
    # The template, not the path: paths can carry ids, never a query string.
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


@asynccontextmanager
async def no_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield


__all__ = ["create_app", "problem_responses", "problem_type"]
