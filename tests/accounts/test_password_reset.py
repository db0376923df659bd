"""The forgotten password, from the request to a login with the new one."""

from __future__ import annotations

from kisalli_shared.contracts.accounts import SecretLinkKind
from tests.accounts.people import GOOD_PASSWORD, OTHER_PASSWORD, People, token_of

RESET = SecretLinkKind.PASSWORD_RESET


async def test_a_person_who_forgot_their_password_logs_in_with_a_new_one(
    people: People, client
):
    aino = await people.activated()

    asked = await client.post("/password-resets", json={"login": aino.username})
    link = await people.newest_link(aino.account_id, RESET, sent_so_far=2)
    done = await client.post(
        "/password-resets/complete",
        json={"token": token_of(link), "new_password": OTHER_PASSWORD},
    )

    assert asked.status_code == 202
    assert done.status_code == 204, done.text
    assert link.email == "aino.virtanen@example.fi"
    assert link.link.startswith("https://kisalli.example/password-reset#token=")
    assert (await people.log_in(aino.username, OTHER_PASSWORD)).status_code == 201
    assert (await people.log_in(aino.username, GOOD_PASSWORD)).status_code == 401
