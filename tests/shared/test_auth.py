import base64
import json

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
