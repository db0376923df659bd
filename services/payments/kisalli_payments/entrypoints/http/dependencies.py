"""Dependencies every router shares, as Annotated aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from kisalli_payments.service_layer.services import Services
from kisalli_shared.auth import TokenVerifier, bearer_token, require_office_staff
from kisalli_shared.eventstore import Causation
from kisalli_shared.problems import Problem


@dataclass(frozen=True)
class Staff:
    """Office staff calling: their account and their office."""

    account_id: str
    office_id: str


async def _staff(request: Request) -> Staff:
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(bearer_token(request))
    request.state.principal = principal
    return Staff(principal.account_id, require_office_staff(principal))


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _causation(request: Request) -> Causation:
    return Causation(correlation_id=request.state.correlation_id)


def _if_match(
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


def _required_if_match(if_match: Annotated[int | None, Depends(_if_match)]) -> int:
    if if_match is None:
        raise Problem(
            428,
            "precondition-required",
            "Precondition required",
            "Send If-Match with the version you edited, so that no change is lost.",
        )
    return if_match


StaffDep = Annotated[Staff, Depends(_staff)]
ServicesDep = Annotated[Services, Depends(_services)]
CausationDep = Annotated[Causation, Depends(_causation)]
IfMatchDep = Annotated[int | None, Depends(_if_match)]
RequiredIfMatchDep = Annotated[int, Depends(_required_if_match)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key again to get the batch the first request made.",
    ),
]
LimitDep = Annotated[int, Query(ge=1, le=100)]
OffsetDep = Annotated[int, Query(ge=0, le=1_000_000)]


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def next_offset(count: int, limit: int, offset: int) -> int | None:
    return offset + limit if count == limit else None
