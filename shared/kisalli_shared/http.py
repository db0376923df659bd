"""Request parts every service's API reads the same way, as Annotated aliases.

Versioned updates take If-Match, creating requests an Idempotency-Key, and
lists a limit and an offset. The dependencies are async on purpose: FastAPI
runs a plain function dependency in its thread pool, a hand-off that costs
more than the work itself here.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from kisalli_shared.eventstore import Causation
from kisalli_shared.problems import Problem

# An entity tag as the ETag header gave it, weak or strong, or a bare number.
_VERSION = re.compile(r'(?:W/)?"([0-9]{1,9})"|([0-9]{1,9})')


async def _causation(request: Request) -> Causation:
    return Causation(correlation_id=request.state.correlation_id)


async def _if_match(
    if_match: Annotated[str | None, Header(max_length=50)] = None,
) -> int | None:
    """The version an If-Match header names: "3", W/"3" or 3."""
    if if_match is None:
        return None
    found = _VERSION.fullmatch(if_match.strip())
    if found is None:
        raise Problem(
            400, "bad-if-match", "Bad If-Match", 'If-Match takes a version: "3".'
        )
    return int(found.group(1) or found.group(2))


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


def idempotency_key(description: str) -> object:
    """The Idempotency-Key header, with what a repeat gives in `description`."""
    return Header(
        alias="Idempotency-Key", min_length=1, max_length=200, description=description
    )


CausationDep = Annotated[Causation, Depends(_causation)]
IfMatchDep = Annotated[int | None, Depends(_if_match)]
RequiredIfMatchDep = Annotated[int, Depends(_required_if_match)]
LimitDep = Annotated[int, Query(ge=1, le=100)]
OffsetDep = Annotated[int, Query(ge=0, le=1_000_000)]


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def next_offset(count: int, limit: int, offset: int) -> int | None:
    """The offset of the next page, or None when this page was the last."""
    return offset + limit if count == limit else None
