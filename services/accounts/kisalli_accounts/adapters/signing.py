"""Access tokens: ES256 JWTs signed here and checked everywhere.

The key id is the key's RFC 7638 thumbprint, so the same key always has the
same id and a new key a new one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from kisalli_shared.auth import ALGORITHMS, AUDIENCE, ISSUER, TokenVerifier
from kisalli_shared.contracts.common import Role


class TokenSigner:
    def __init__(self, key: ec.EllipticCurvePrivateKey, *, lifetime: timedelta) -> None:
        self._key = key
        self.lifetime = lifetime
        self._public_jwk = json.loads(
            jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())
        )
        self.kid = _thumbprint(self._public_jwk)
        self.verifier = TokenVerifier(keys=self.jwks())

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {**self._public_jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}
            ]
        }

    def access_token(
        self,
        *,
        account_id: str,
        role: Role,
        office_id: str | None,
        session_id: str,
        now: datetime,
    ) -> str:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": account_id,
            "role": role.value,
            "iat": issued,
            "exp": issued + int(self.lifetime.total_seconds()),
            "jti": str(uuid.uuid4()),
            "sid": session_id,
        }
        if role is Role.OFFICE_STAFF and office_id:
            claims["office_id"] = office_id
        return jwt.encode(
            claims, self._key, algorithm=ALGORITHMS[0], headers={"kid": self.kid}
        )


def session_of(verified_token: str) -> str | None:
    """The session id of a token whose signature was already verified."""
    claims = jwt.decode(verified_token, options={"verify_signature": False})
    sid = claims.get("sid")
    return sid if isinstance(sid, str) else None


def _thumbprint(jwk: dict[str, Any]) -> str:
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(
        json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
