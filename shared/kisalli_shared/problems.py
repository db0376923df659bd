"""Problem details (RFC 9457): every error a client sees has this shape."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"


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
