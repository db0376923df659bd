"""What routes ask for: the context, the caller, the language, the address."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request

from kisalli_accounts.adapters.signing import session_of
from kisalli_accounts.entrypoints.http.messages import language_of
from kisalli_accounts.service_layer.context import Context
from kisalli_accounts.service_layer.login import session_is_open
from kisalli_shared.auth import (
    Principal,
    bearer_token,
    require_office_staff,
    unauthorized,
)
from kisalli_shared.contracts.common import Language
from kisalli_shared.eventstore import Causation

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Wiring(Protocol):
    """What bootstrap puts in app.state.accounts."""

    @property
    def context(self) -> Context: ...

    @property
    def trusted_proxies(self) -> list[Network]: ...


def wiring(request: Request) -> Wiring:
    found: Wiring = request.app.state.accounts
    return found


def context(request: Request) -> Context:
    return wiring(request).context


ContextDep = Annotated[Context, Depends(context)]


def language(request: Request) -> Language:
    return language_of(request.headers.get("accept-language"))


LanguageDep = Annotated[Language, Depends(language)]


def causation(request: Request) -> Causation:
    correlation_id = getattr(request.state, "correlation_id", None)
    return Causation(correlation_id or str(uuid.uuid4()))


CausationDep = Annotated[Causation, Depends(causation)]


@dataclass(frozen=True)
class Caller:
    principal: Principal
    session_id: str

    @property
    def account_id(self) -> str:
        return self.principal.account_id


async def caller(request: Request, ctx: ContextDep) -> Caller:
    """The verified caller; accounts also checks that the session is open."""
    token = bearer_token(request)
    principal = await ctx.signer.verifier.verify(token)
    session_id = session_of(token)
    try:
        uuid.UUID(session_id or "")
    except ValueError:
        raise unauthorized("The access token names no session.") from None
    assert session_id is not None
    if not await session_is_open(ctx, session_id):
        raise unauthorized("The session has ended; log in again.")
    request.state.principal = principal
    return Caller(principal, session_id)


CallerDep = Annotated[Caller, Depends(caller)]


async def office_of(caller: CallerDep) -> str:
    return require_office_staff(caller.principal)


OfficeDep = Annotated[str, Depends(office_of)]


def client_address(request: Request) -> str:
    """The client's address: X-Forwarded-For only when a trusted proxy sent it.

    The header is read right to left and the first address that is not one
    of our proxies is the client; anything to its left the client wrote.
    """
    peer = request.client.host if request.client else "unknown"
    trusted = wiring(request).trusted_proxies
    if not _is_trusted(peer, trusted):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not _is_trusted(str(address), trusted):
            return str(address)
    return peer


def _is_trusted(address: str, trusted: list[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


ClientAddressDep = Annotated[str, Depends(client_address)]
