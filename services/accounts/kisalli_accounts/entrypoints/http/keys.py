"""The public keys every service checks access tokens against."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from kisalli_accounts.entrypoints.http.dependencies import ContextDep

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json")
async def jwks(ctx: ContextDep, response: Response) -> dict[str, Any]:
    """The JSON Web Key Set of the keys that sign access tokens (ES256)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return ctx.signer.jwks()
