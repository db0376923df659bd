"""Logging in, refreshing, logging out, and the lock after failed logins."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from kisalli_accounts.bootstrap import AccountsService, build
from kisalli_shared.auth import TokenVerifier
from kisalli_shared.contracts.accounts import SecretLinkKind
from kisalli_shared.contracts.common import Role
from tests.accounts.people import GOOD_PASSWORD, OTHER_PASSWORD, People, token_of
from tests.tokens import TestKeys


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_login_gives_a_token_every_service_can_verify_with_the_jwks(
    people: People, client
):
    aino = await people.activated()

    answer = await people.log_in("AINO.Virtanen@example.FI", GOOD_PASSWORD)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    token = answer.json()["access_token"]
    principal = await TokenVerifier(keys=jwks).verify(token)
    claims = jwt.decode(token, options={"verify_signature": False})

    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"
    assert (principal.account_id, principal.role, principal.office_id) == (
        aino.account_id,
        Role.OFFICE_STAFF,
        "office-1",
    )
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["iss"] == "kisalli-accounts" and claims["aud"] == "kisalli"
    assert claims["jti"]
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]


async def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    people: People,
):
    aino = await people.activated()

    wrong = await people.log_in(aino.username, OTHER_PASSWORD)
    unknown = await people.log_in("nobody.here", OTHER_PASSWORD)

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_a_person_without_a_password_yet_cannot_log_in(people: People):
    await people.register("aino.virtanen", "aino@example.fi")

    assert (await people.log_in("aino.virtanen", "")).status_code == 422
    assert (await people.log_in("aino.virtanen", GOOD_PASSWORD)).status_code == 401


async def test_a_refresh_token_works_once_and_its_reuse_ends_the_session(
    people: People, client
):
    aino = await people.activated()
    first = (await people.log_in(aino.username, GOOD_PASSWORD)).json()

    second = await client.post(
        "/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    replayed = await client.post(
        "/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    after_theft = await client.post(
        "/sessions/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert (replayed.status_code, after_theft.status_code) == (401, 401)


async def test_a_logged_out_session_cannot_be_used_or_refreshed(people: People, client):
    aino = await people.activated()
    session = (await people.log_in(aino.username, GOOD_PASSWORD)).json()
    headers = bearer(session["access_token"])

    before = await client.get("/accounts/me", headers=headers)
    out = await client.delete("/sessions/current", headers=headers)
    after = await client.get("/accounts/me", headers=headers)
    refreshed = await client.post(
        "/sessions/refresh", json={"refresh_token": session["refresh_token"]}
    )

    assert before.status_code == 200 and before.json()["username"] == aino.username
    assert out.status_code == 204
    assert (after.status_code, refreshed.status_code) == (401, 401)


async def test_a_password_change_needs_the_current_one_and_ends_other_sessions(
    people: People, client
):
    aino = await people.activated()
    here = await people.access_token(aino.username, GOOD_PASSWORD)
    elsewhere = await people.access_token(aino.username, GOOD_PASSWORD)

    wrong = await client.post(
        "/accounts/me/password",
        json={"current_password": OTHER_PASSWORD, "new_password": OTHER_PASSWORD},
        headers=bearer(here),
    )
    changed = await client.post(
        "/accounts/me/password",
        json={"current_password": GOOD_PASSWORD, "new_password": OTHER_PASSWORD},
        headers=bearer(here),
    )

    assert wrong.status_code == 403
    assert changed.status_code == 204
    assert (await client.get("/accounts/me", headers=bearer(here))).status_code == 200
    assert (
        await client.get("/accounts/me", headers=bearer(elsewhere))
    ).status_code == 401
    assert (await people.log_in(aino.username, OTHER_PASSWORD)).status_code == 201


async def test_five_failed_logins_lock_the_account_until_a_reset_lifts_it(
    people: People, client, service
):
    aino = await people.activated()

    failures = [
        (await people.log_in(aino.username, OTHER_PASSWORD)).status_code
        for _ in range(5)
    ]
    locked = await people.log_in(aino.username, GOOD_PASSWORD)
    types = await service.runtime.pool.fetch(
        "SELECT type FROM events WHERE type = 'AccountLocked'"
    )
    await client.post("/password-resets", json={"login": aino.username})
    link = await people.newest_link(
        aino.account_id, SecretLinkKind.PASSWORD_RESET, sent_so_far=2
    )
    await client.post(
        "/password-resets/complete",
        json={"token": token_of(link), "new_password": OTHER_PASSWORD},
    )

    assert failures == [401, 401, 401, 401, 429]
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert len(types) == 1
    assert (await people.log_in(aino.username, OTHER_PASSWORD)).status_code == 201


async def test_an_unknown_name_locks_like_a_real_one_so_locking_tells_nothing(
    people: People,
):
    answers = [
        (await people.log_in("nobody.here", OTHER_PASSWORD)).status_code
        for _ in range(6)
    ]

    assert answers == [401, 401, 401, 401, 429, 429]


async def test_failed_logins_are_answered_ever_more_slowly(people: People, service):
    aino = await people.activated()
    service.settings.login_slowdown_seconds = 0.1

    durations = []
    for _ in range(3):
        started = time.perf_counter()
        await people.log_in(aino.username, OTHER_PASSWORD)
        durations.append(time.perf_counter() - started)

    assert durations[0] >= 0.1
    assert durations[2] >= durations[0] + 0.15


async def test_a_hash_made_with_older_parameters_is_remade_at_login(
    people: People, settings
):
    aino = await people.activated()
    settings.argon2_memory_kib = 2048
    stronger = build(settings)
    await stronger.runtime.start(background=False)
    pool = stronger.runtime.pool
    try:
        before = await pool.fetchval("SELECT password_hash FROM credentials")
        transport = httpx.ASGITransport(app=stronger.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as c:
            answer = await People(stronger, c, people.kafka).log_in(
                aino.username, GOOD_PASSWORD
            )
        after = await pool.fetchval("SELECT password_hash FROM credentials")
    finally:
        await stronger.runtime.stop()

    assert answer.status_code == 201
    assert "m=1024" in before and "m=2048" in after


def _claims(token: str) -> dict[str, Any]:
    found: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return found


def _unsigned(token: str, service: AccountsService) -> str:
    header = json.dumps({"alg": "none", "kid": service.signer.kid}).encode()
    header_part = base64.urlsafe_b64encode(header).decode().rstrip("=")
    return f"{header_part}.{token.split('.')[1]}."


def _other_key(token: str, service: AccountsService) -> str:
    # Same key id, same claims, another private key.
    return TestKeys(kid=service.signer.kid).token(**_claims(token))


def _resigned(**changes: Any) -> Callable[[str, AccountsService], str]:
    def forge(token: str, service: AccountsService) -> str:
        # Signed with the real key: only the claim is wrong.
        claims = {**_claims(token), **changes}
        return jwt.encode(
            claims,
            service.signer._key,
            algorithm="ES256",
            headers={"kid": service.signer.kid},
        )

    return forge


FORGERIES = {
    "algorithm none": _unsigned,
    "wrong key": _other_key,
    "expired": _resigned(exp=int(time.time()) - 10),
    "wrong audience": _resigned(aud="someone-else"),
}


async def test_a_forged_or_stale_token_is_refused_by_accounts_own_routes(
    people: People, client, service
):
    aino = await people.activated()
    good = await people.access_token(aino.username, GOOD_PASSWORD)

    accepted = await client.get("/accounts/me", headers=bearer(good))
    refused = {
        name: await client.get("/accounts/me", headers=bearer(forge(good, service)))
        for name, forge in FORGERIES.items()
    }

    assert accepted.status_code == 200
    for name, answer in refused.items():
        assert answer.status_code == 401, name
        assert answer.headers["content-type"] == "application/problem+json"


async def test_the_signing_key_survives_a_restart(settings, tmp_path):
    first = build(settings).signer.kid
    again = build(settings).signer.kid
    settings.accounts_signing_key_file = tmp_path / "elsewhere" / "key.pem"
    moved = build(settings).signer.kid

    assert first == again != moved
    assert (tmp_path / "signing-key.pem").exists()
    assert (tmp_path / "elsewhere" / "key.pem").exists()
