"""Signing test access tokens the way accounts does, with a throwaway key."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from kisalli_shared.auth import AUDIENCE, ISSUER, TokenVerifier


class TestKeys:
    __test__ = False

    def __init__(self, kid: str = "test-key") -> None:
        self.kid = kid
        self.private = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}]}

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(keys=self.jwks())

    def token(
        self,
        account_id: str | None = None,
        role: str = "tutor",
        office_id: str | None = None,
        *,
        lifetime: int = 300,
        **overrides: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": account_id or str(uuid.uuid4()),
            "role": role,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        }
        if office_id:
            claims["office_id"] = office_id
        claims.update(overrides)
        return jwt.encode(
            claims, self.private, algorithm="ES256", headers={"kid": self.kid}
        )
