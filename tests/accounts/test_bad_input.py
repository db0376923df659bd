"""Bad input of every kind is a 4xx problem answer, never a 500."""

from __future__ import annotations

from typing import Any

from tests.accounts.people import GOOD_PASSWORD, People

HUGE = "x" * 100_000
PUBLIC_POSTS = [
    "/sessions",
    "/sessions/refresh",
    "/password-resets",
    "/password-resets/complete",
    "/accounts/activate",
]
BODIES: list[Any] = [
    b"not json at all",
    b'{"login": "unterminated',
    b"\xff\xfe\x00garbage",
    b'{"login": "\\ud800", "password": "\\udfff", "token": "\\ud800",'
    b' "new_password": "\\ud800", "refresh_token": "\\ud800"}',
    {},
    [],
    "a string",
    12,
    None,
    {"login": 5, "password": [], "token": {}, "new_password": 1.5},
    {"login": None, "password": None, "token": None, "refresh_token": None},
    {
        "login": HUGE,
        "password": HUGE,
        "token": HUGE,
        "new_password": HUGE,
        "refresh_token": HUGE,
    },
    {
        "login": "a\x00b",
        "password": "p\x00",
        "token": "t\x00",
        "new_password": "n\x00",
        "refresh_token": "r\x00",
    },
    {"login": [[[[[[[[[[["deep"]]]]]]]]]]]},
]


def _send(body: Any) -> dict[str, Any]:
    if isinstance(body, bytes):
        return {"content": body, "headers": {"content-type": "application/json"}}
    return {"json": body}


def assert_problem(answer: Any) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == answer.status_code


async def test_public_routes_answer_bad_bodies_with_problems(client):
    for path in PUBLIC_POSTS:
        for body in BODIES:
            assert_problem(await client.post(path, **_send(body)))


async def test_a_body_sent_as_plain_text_is_a_problem(client):
    answer = await client.post(
        "/sessions",
        content=b'{"login": "a", "password": "b"}',
        headers={"content-type": "text/plain"},
    )

    assert_problem(answer)


MANGLED = [
    "",
    "Bearer",
    "Bearer not.a.jwt",
    "Basic dXNlcjpwYXNz",
    "Bearer " + HUGE[:8000],
]


async def test_a_missing_or_mangled_token_is_a_401_problem(client):
    for authorization in MANGLED:
        answer = await client.get(
            "/accounts/me", headers={"Authorization": authorization}
        )

        assert answer.status_code == 401
        assert_problem(answer)


async def test_office_routes_answer_bad_input_with_problems(people: People, client):
    boss = await people.activated("boss.person", "boss@toimisto.fi")
    token = await people.access_token(boss.username, GOOD_PASSWORD)
    auth = {"Authorization": f"Bearer {token}"}
    account = f"/accounts/{boss.account_id}"

    answers = [
        await client.get("/accounts?limit=-1", headers=auth),
        await client.get("/accounts?limit=abc", headers=auth),
        await client.get("/accounts?offset=99999999999999999999", headers=auth),
        await client.get(f"/accounts/{HUGE[:500]}", headers=auth),
        await client.post(
            "/accounts",
            json={"username": "a b", "email": "x@y.fi", "name": "n"},
            headers=auth,
        ),
        await client.post(
            "/accounts",
            json={"username": "ok.name", "email": "nope", "name": "n"},
            headers=auth,
        ),
        await client.post(
            "/accounts",
            json={
                "username": "ok.name",
                "email": "x@y.fi",
                "name": "n",
                "language": "de",
            },
            headers=auth,
        ),
        await client.post(
            "/accounts",
            json={"username": "ok.name", "email": "x@y.fi", "name": "n"},
            headers={**auth, "Idempotency-Key": "bad key"},
        ),
        await client.patch(
            f"{account}/email",
            json={"email": "a@b.fi"},
            headers={**auth, "If-Match": "yesterday"},
        ),
        await client.patch(f"{account}/email", json={"email": 7}, headers=auth),
        await client.patch(f"{account}/email", content=b"{", headers=auth),
        await client.post(
            "/accounts/me/password",
            json={"current_password": HUGE, "new_password": 1},
            headers=auth,
        ),
        await client.post(
            "/accounts/me/password",
            json={"current_password": GOOD_PASSWORD, "new_password": "short"},
            headers=auth,
        ),
    ]

    for answer in answers:
        assert_problem(answer)


LANGUAGES = [
    ("fi-FI,fi;q=0.9", "vähintään 15 merkkiä"),
    ("sv-FI", "minst 15 tecken"),
    ("en-GB,en;q=0.8,fi;q=0.5", "at least 15 characters"),
    (";;q=x,,", "vähintään 15 merkkiä"),
]


async def test_a_refused_password_is_explained_in_the_persons_language(
    people: People, client
):
    aino = await people.activated()
    token = await people.access_token(aino.username, GOOD_PASSWORD)

    for language, expected in LANGUAGES:
        answer = await client.post(
            "/accounts/me/password",
            json={"current_password": GOOD_PASSWORD, "new_password": "lyhyt"},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
        )

        assert answer.status_code == 422
        assert answer.json()["type"].endswith("/password-too-short")
        assert expected in answer.json()["detail"]
