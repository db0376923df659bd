"""Verifying access tokens locally, in every service.

Accounts signs short-lived JWTs with an asymmetric key and publishes the
public keys as a JWKS; every other service checks each token itself against
those keys: the algorithm allow-list, issuer, audience and expiry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from fastapi import Request

from kisalli_shared.contracts.common import Role
from kisalli_shared.problems import Problem

# Only the algorithm accounts signs with; "none" and HMAC can never pass.
ALGORITHMS = ["ES256"]
ISSUER = "kisalli-accounts"
AUDIENCE = "kisalli"
_REFRESH_AT_MOST_EVERY = 30.0
_RETRY_AFTER_FAILURE = 1.0


@dataclass(frozen=True)
class Principal:
    """Who is asking: an account, its role, and for office staff the office."""

    account_id: str
    role: Role
    office_id: str | None = None

    @property
    def is_office_staff(self) -> bool:
        return self.role is Role.OFFICE_STAFF


def unauthorized(detail: str) -> Problem:
    problem = Problem(401, "unauthorized", "Unauthorized", detail)
    problem.headers = {"WWW-Authenticate": 'Bearer realm="kisalli"'}
    return problem


def forbidden(detail: str = "Your role may not do this.") -> Problem:
    return Problem(403, "forbidden", "Forbidden", detail)


class TokenVerifier:
    def __init__(
        self,
        *,
        jwks_url: str | None = None,
        keys: dict[str, Any] | None = None,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
    ) -> None:
        if jwks_url is None and keys is None:
            raise ValueError("a verifier needs a JWKS URL or keys")
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.audience = audience
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -_REFRESH_AT_MOST_EVERY
        self._failed_at = -_RETRY_AFTER_FAILURE
        self._fetching = asyncio.Lock()
        if keys is not None:
            self._load(keys)

    def _load(self, jwks: dict[str, Any]) -> None:
        keyset = jwt.PyJWKSet.from_dict(jwks)
        self._keys = {key.key_id: key for key in keyset.keys if key.key_id}

    async def _refresh(self) -> None:
        """Fetch the keys, unless a fetch succeeded lately.

        Requests that meet an unknown key at once wait for one fetch. Only a
        fetch that succeeded counts as lately: after a failed one (accounts
        restarting) the next request a second later tries again, rather than
        every token being refused until the pause is over.
        """
        if self.jwks_url is None:
            return
        async with self._fetching:
            now = time.monotonic()
            if now - self._fetched_at < _REFRESH_AT_MOST_EVERY:
                return
            if now - self._failed_at < _RETRY_AFTER_FAILURE:
                raise httpx.TransportError("the last fetch of the keys failed")
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    response = await client.get(self.jwks_url)
                    response.raise_for_status()
                    self._load(response.json())
            except httpx.HTTPError:
                self._failed_at = time.monotonic()
                raise
            self._fetched_at = time.monotonic()

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthorized("The access token is malformed.") from None
        if header.get("alg") not in ALGORITHMS:
            raise unauthorized("The access token's algorithm is not accepted.")
        kid = header.get("kid")
        if kid not in self._keys:
            try:
                await self._refresh()
            except httpx.HTTPError:
                raise Problem(
                    503,
                    "keys-unavailable",
                    "Service unavailable",
                    "The signing keys cannot be fetched right now.",
                ) from None
        key = self._keys.get(kid or "")
        if key is None:
            raise unauthorized("The access token was signed by an unknown key.")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return Principal(
                account_id=str(claims["sub"]),
                role=Role(claims["role"]),
                office_id=claims.get("office_id"),
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("The access token has expired.") from None
        except (jwt.PyJWTError, KeyError, ValueError):
            raise unauthorized("The access token is not valid.") from None


def bearer_token(request: Request) -> str:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Log in and send the access token as a Bearer token.")
    return token.strip()


def principal_dependency(
    verifier: Callable[[], TokenVerifier],
) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency that gives the verified caller of a request."""

    async def current_principal(request: Request) -> Principal:
        principal = await verifier().verify(bearer_token(request))
        request.state.principal = principal
        return principal

    return current_principal


def require_office_staff(principal: Principal) -> str:
    """The caller's office, or 403 when the caller is not office staff."""
    if not principal.is_office_staff or not principal.office_id:
        raise forbidden("Only office staff may do this.")
    return principal.office_id


__all__ = [
    "ALGORITHMS",
    "AUDIENCE",
    "ISSUER",
    "Principal",
    "TokenVerifier",
    "principal_dependency",
    "require_office_staff",
]
