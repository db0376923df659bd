"""Domain refusals turned into problem answers, in the caller's language."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kisalli_accounts.adapters.projection import NameTaken
from kisalli_accounts.domain.account import AccountNotActive, LinkRefused
from kisalli_accounts.domain.names import InvalidName
from kisalli_accounts.domain.passwords import PasswordRejected
from kisalli_accounts.entrypoints.http.messages import language_of, problem
from kisalli_accounts.service_layer.login import (
    LoginLocked,
    LoginRefused,
    RefreshRefused,
)
from kisalli_accounts.service_layer.passwords import TooManyRequests, WrongPassword
from kisalli_accounts.service_layer.registration import (
    NotFound,
    SharedAccount,
    VersionMismatch,
)
from kisalli_shared.eventstore import ConcurrencyError
from kisalli_shared.problems import PROBLEM_JSON, Problem, conflict, not_found
from kisalli_shared.problems import version_mismatch as stale_version


def _slug_of(exc: Exception) -> Problem | str:
    match exc:
        case PasswordRejected(fault=fault):
            return f"password-{fault.value}"
        case InvalidName(reason=reason):
            return reason
        case NameTaken(kind=kind):
            return f"{kind}-taken"
        case LinkRefused():
            return "link-refused"
        case LoginRefused():
            return "login-failed"
        case RefreshRefused():
            return "refresh-refused"
        case WrongPassword() | AccountNotActive():
            return "current-password-wrong"
        case NotFound():
            return not_found("account")
        case SharedAccount():
            return "account-shared"
        case VersionMismatch(current=current):
            return stale_version(current)
        case ConcurrencyError():
            return conflict("The account changed at the same moment; try again.")
    raise TypeError(type(exc).__name__)


def _retry_after(exc: Exception) -> int | None:
    if isinstance(exc, LoginLocked):
        return max(1, math.ceil((exc.until - datetime.now(UTC)).total_seconds()))
    if isinstance(exc, TooManyRequests):
        return exc.retry_after
    return None


async def _answer(request: Request, exc: Exception) -> JSONResponse:
    language = language_of(request.headers.get("accept-language"))
    if isinstance(exc, LoginLocked):
        found: Problem | str = "login-locked"
    elif isinstance(exc, TooManyRequests):
        found = "too-many-requests"
    else:
        found = _slug_of(exc)
    answer = problem(found, language) if isinstance(found, str) else found
    headers = dict(answer.headers or {})
    retry = _retry_after(exc)
    if retry is not None:
        headers["Retry-After"] = str(retry)
    if answer.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="kisalli"'
    return JSONResponse(
        answer.body(instance=request.url.path),
        status_code=answer.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


REFUSALS: tuple[type[Exception], ...] = (
    PasswordRejected,
    InvalidName,
    NameTaken,
    LinkRefused,
    LoginRefused,
    LoginLocked,
    RefreshRefused,
    WrongPassword,
    AccountNotActive,
    TooManyRequests,
    NotFound,
    SharedAccount,
    VersionMismatch,
    ConcurrencyError,
)


def install(app: FastAPI) -> None:
    handler: Callable[[Request, Exception], object] = _answer
    for refusal in REFUSALS:
        app.add_exception_handler(refusal, handler)  # type: ignore[arg-type]
