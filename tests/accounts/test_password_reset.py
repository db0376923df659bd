"""The forgotten password, from the request to a login with the new one."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import httpx

from kisalli_accounts.bootstrap import build
from kisalli_shared.contracts.accounts import SecretLinkKind
from tests.accounts.people import GOOD_PASSWORD, OTHER_PASSWORD, People, token_of

RESET = SecretLinkKind.PASSWORD_RESET
THIRD_PASSWORD = "vihreä omena putosi puusta"


async def complete(client: httpx.AsyncClient, token: str, password: str) -> int:
    answer = await client.post(
        "/password-resets/complete", json={"token": token, "new_password": password}
    )
    if answer.status_code != 204:
        assert answer.headers["content-type"] == "application/problem+json"
    return answer.status_code


async def test_a_person_who_forgot_their_password_logs_in_with_a_new_one(
    people: People, client
):
    aino = await people.activated()

    asked = await client.post("/password-resets", json={"login": aino.username})
    link = await people.newest_link(aino.account_id, RESET, sent_so_far=2)
    done = await complete(client, token_of(link), OTHER_PASSWORD)

    assert asked.status_code == 202
    assert done == 204
    assert link.email == "aino.virtanen@example.fi"
    assert link.link.startswith("https://kisalli.example/password-reset#token=")
    assert (await people.log_in(aino.username, OTHER_PASSWORD)).status_code == 201
    assert (await people.log_in(aino.username, GOOD_PASSWORD)).status_code == 401


async def test_a_reset_link_works_only_once(people: People, client):
    aino = await people.activated()
    await client.post("/password-resets", json={"login": aino.username})
    token = token_of(await people.newest_link(aino.account_id, RESET, sent_so_far=2))

    first = await complete(client, token, OTHER_PASSWORD)
    second = await complete(client, token, THIRD_PASSWORD)

    assert (first, second) == (204, 400)
    assert (await people.log_in(aino.username, OTHER_PASSWORD)).status_code == 201


async def test_a_reset_link_stops_working_when_the_password_is_changed(
    people: People, client
):
    aino = await people.activated()
    await client.post("/password-resets", json={"login": aino.username})
    token = token_of(await people.newest_link(aino.account_id, RESET, sent_so_far=2))
    access = await people.access_token(aino.username, GOOD_PASSWORD)

    changed = await client.post(
        "/accounts/me/password",
        json={"current_password": GOOD_PASSWORD, "new_password": OTHER_PASSWORD},
        headers={"Authorization": f"Bearer {access}"},
    )

    assert changed.status_code == 204, changed.text
    assert await complete(client, token, THIRD_PASSWORD) == 400


async def test_a_newer_request_makes_the_older_link_useless(people: People, client):
    aino = await people.activated()
    await client.post("/password-resets", json={"login": aino.username})
    older = token_of(await people.newest_link(aino.account_id, RESET, sent_so_far=2))

    await client.post("/password-resets", json={"login": aino.account.email})
    newer = token_of(await people.newest_link(aino.account_id, RESET, sent_so_far=3))

    assert older != newer
    assert await complete(client, older, OTHER_PASSWORD) == 400
    assert await complete(client, newer, OTHER_PASSWORD) == 204


async def test_a_reset_link_older_than_thirty_minutes_is_refused(
    people: People, client, service
):
    aino = await people.activated()
    await client.post("/password-resets", json={"login": aino.username})
    token = token_of(await people.newest_link(aino.account_id, RESET, sent_so_far=2))
    clock = service.clock

    service.clock = lambda: clock() + timedelta(minutes=31)

    assert await complete(client, token, OTHER_PASSWORD) == 400


async def test_a_completed_reset_ends_every_session(people: People, client):
    aino = await people.activated()
    session = (await people.log_in(aino.username, GOOD_PASSWORD)).json()
    await client.post("/password-resets", json={"login": aino.username})
    token = token_of(await people.newest_link(aino.account_id, RESET, sent_so_far=2))

    await complete(client, token, OTHER_PASSWORD)

    me = await client.get(
        "/accounts/me", headers={"Authorization": f"Bearer {session['access_token']}"}
    )
    refreshed = await client.post(
        "/sessions/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert (me.status_code, refreshed.status_code) == (401, 401)


async def _timed_reset(client: httpx.AsyncClient, login: str) -> tuple[float, object]:
    started = time.perf_counter()
    answer = await client.post("/password-resets", json={"login": login})
    elapsed = time.perf_counter() - started
    return elapsed, (answer.status_code, answer.json())


async def assert_same_answers(client: httpx.AsyncClient, known: str) -> None:
    logins = [known, "nobody.here", "nobody@example.fi"] * 3
    timed = [await _timed_reset(client, login) for login in logins]

    answers = {repr(answer) for _, answer in timed}
    assert len(answers) == 1, answers
    assert next(iter(answers)).startswith("(202,")
    medians = [statistics.median(t for t, _ in timed[i::3]) for i in range(3)]
    # Every path is padded to 0.25 s; what remains is scheduling noise.
    assert max(medians) - min(medians) < 0.05, medians


async def test_unknown_username_unknown_email_and_a_known_account_get_one_answer(
    people: People, client
):
    aino = await people.activated()

    await assert_same_answers(client, aino.username)


async def test_the_answer_is_the_same_while_no_mail_can_leave(settings, kafka):
    # A service whose relay never runs: nothing it queues reaches Kafka, let
    # alone a mail server.
    stalled = build(settings)
    await stalled.runtime.start(background=False)
    transport = httpx.ASGITransport(app=stalled.app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as c:
            aino = await People(stalled, c, kafka).register(
                "aino.virtanen", "aino@example.fi"
            )
            await assert_same_answers(c, aino.username)
            queued = await stalled.runtime.pool.fetchval(
                "SELECT count(*) FROM outbox WHERE headers->>'kind' = $1", RESET.value
            )
    finally:
        await stalled.runtime.stop()
    assert queued == 3


async def test_the_link_goes_to_the_address_on_record_whatever_form_was_asked(
    people: People, client
):
    aino = await people.activated(email="Aino.Virtanen@Example.fi")

    await client.post(
        "/password-resets", json={"login": "\uff21INO.VIRTANEN@EXAMPLE.FI "}
    )
    link = await people.newest_link(aino.account_id, RESET, sent_so_far=2)

    assert link.email == "Aino.Virtanen@Example.fi"
