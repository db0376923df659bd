import asyncio
import base64
import http.server
import json
import threading

import pytest

from kisalli_shared.auth import TokenVerifier
from kisalli_shared.contracts.common import Role
from kisalli_shared.problems import Problem
from tests.tokens import TestKeys


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def refused(verifier: TokenVerifier, token: str) -> Problem:
    with pytest.raises(Problem) as caught:
        await verifier.verify(token)
    assert caught.value.status == 401
    return caught.value


async def test_a_valid_token_names_the_account_role_and_office():
    keys = TestKeys()

    principal = await keys.verifier().verify(
        keys.token("acc-1", "office_staff", "office-9")
    )

    assert (principal.account_id, principal.role, principal.office_id) == (
        "acc-1",
        Role.OFFICE_STAFF,
        "office-9",
    )


async def test_a_token_with_algorithm_none_is_refused():
    keys = TestKeys()
    claims = json.loads(base64.urlsafe_b64decode(keys.token().split(".")[1] + "=="))
    unsigned = f"{b64({'alg': 'none', 'kid': keys.kid})}.{b64(claims)}."

    problem = await refused(keys.verifier(), unsigned)

    assert "algorithm" in (problem.detail or "")


async def test_a_token_signed_with_another_key_is_refused():
    ours, theirs = TestKeys(), TestKeys()

    await refused(ours.verifier(), theirs.token())


async def test_an_expired_token_is_refused():
    keys = TestKeys()

    problem = await refused(keys.verifier(), keys.token(lifetime=-120))

    assert "expired" in (problem.detail or "")


async def test_a_token_for_another_audience_is_refused():
    keys = TestKeys()

    await refused(keys.verifier(), keys.token(aud="someone-else"))


async def test_a_token_from_another_issuer_is_refused():
    keys = TestKeys()

    await refused(keys.verifier(), keys.token(iss="evil"))


async def test_a_token_that_is_not_a_jwt_is_refused():
    await refused(TestKeys().verifier(), "not-a-token")


class _KeysServer:
    """A JWKS endpoint on loopback that answers 503 until told to serve."""

    def __init__(self, jwks: dict[str, object]) -> None:
        self.serving = False
        self.asked = 0
        body = json.dumps(jwks).encode()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.asked += 1
                self.send_response(200 if outer.serving else 503)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body if outer.serving else b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_tokens_are_accepted_a_second_after_accounts_is_back_not_half_a_minute():
    keys = TestKeys()
    accounts = _KeysServer(keys.jwks())
    verifier = TokenVerifier(jwks_url=accounts.url)
    try:
        # Accounts restarting: many requests at once, one fetch, all told 503.
        at_once = await asyncio.gather(
            *(verifier.verify(keys.token()) for _ in range(5)),
            return_exceptions=True,
        )
        accounts.serving = True
        await asyncio.sleep(1.1)
        principal = await verifier.verify(keys.token("acc-2"))
    finally:
        accounts.close()

    assert [getattr(e, "status", None) for e in at_once] == [503] * 5
    assert accounts.asked == 2
    assert principal.account_id == "acc-2"
