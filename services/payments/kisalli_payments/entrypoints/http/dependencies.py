"""Dependencies every router shares, as Annotated aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from kisalli_payments.service_layer.services import Services
from kisalli_shared.auth import TokenVerifier, bearer_token, require_office_staff
from kisalli_shared.http import idempotency_key


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


async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


StaffDep = Annotated[Staff, Depends(_staff)]
ServicesDep = Annotated[Services, Depends(_services)]
IdempotencyKeyDep = Annotated[
    str | None,
    idempotency_key("Send the same key again to get the batch the first request made."),
]
