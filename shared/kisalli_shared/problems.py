"""Problem details (RFC 9457): every error a client sees has this shape."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"

# What an OpenAPI document says of every problem answer.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "additionalProperties": True,
}
_MEANINGS = {
    400: "The request is malformed, such as an If-Match that names no version.",
    401: "No valid access token, or a login that failed.",
    403: "The caller's role or account may not do this.",
    404: "No such thing, or not one the caller may see.",
    409: "The request conflicts with the thing's present state.",
    412: "The If-Match version is no longer current.",
    422: "Some fields are missing or wrong.",
    428: "The request must name the version it edits in If-Match.",
    429: "Too many requests; Retry-After says when to try again.",
    503: "A service this one depends on does not answer.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers of a route, for its OpenAPI document (`responses=`)."""
    return {status: {"description": _MEANINGS[status]} for status in statuses}


class Problem(Exception):
    """An error meant for the client; its text must be safe to show anyone."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] | None = None

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": problem_type(self.slug),
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def problem_type(slug: str) -> str:
    return f"https://kisalli.fi/problems/{slug}"


def not_found(what: str = "resource") -> Problem:
    # The same answer whether the thing is missing or belongs to someone else.
    return Problem(404, "not-found", "Not found", f"No such {what}.")


def conflict(detail: str) -> Problem:
    return Problem(409, "conflict", "Conflict", detail)


def version_mismatch(current: int | None = None) -> Problem:
    extra = {} if current is None else {"current_version": current}
    return Problem(
        412,
        "version-mismatch",
        "Precondition failed",
        "The resource was changed by someone else; read it again and retry.",
        **extra,
    )
