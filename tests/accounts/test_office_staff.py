"""Office staff create colleagues' accounts and change people's addresses."""

from __future__ import annotations

import json

import pytest

from kisalli_shared.contracts.accounts import SecretLinkKind
from kisalli_shared.contracts.common import Role
from tests.accounts.people import GOOD_PASSWORD, OTHER_PASSWORD, People, token_of

COLLEAGUE = {
    "username": "ville.virkailija",
    "email": "ville@toimisto.fi",
    "name": "Ville",
}


@pytest.fixture
async def boss(people: People) -> dict[str, str]:
    staff = await people.activated("boss.person", "boss@toimisto.fi")
    token = await people.access_token(staff.username, GOOD_PASSWORD)
    return {"Authorization": f"Bearer {token}"}


async def test_office_staff_create_a_colleague_who_gets_an_activation_email(
    people: People, client, boss
):
    answer = await client.post("/accounts", json=COLLEAGUE, headers=boss)
    links = await people.links(2)

    assert answer.status_code == 201, answer.text
    assert answer.json()["role"] == "office_staff"
    assert answer.json()["office_id"] == "office-1"
    assert [k.email for k in links if k.kind is SecretLinkKind.ACTIVATION][-1] == (
        "ville@toimisto.fi"
    )


async def test_a_retried_create_with_the_same_idempotency_key_creates_once(
    client, boss, service
):
    headers = {**boss, "Idempotency-Key": "create-ville-1"}

    first = await client.post("/accounts", json=COLLEAGUE, headers=headers)
    again = await client.post("/accounts", json=COLLEAGUE, headers=headers)
    other = await client.post(
        "/accounts", json={**COLLEAGUE, "name": "Someone"}, headers=headers
    )
    created = await service.runtime.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'AccountCreated'"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert other.status_code == 422
    assert created == 2


async def test_a_tutor_cannot_create_accounts(people: People, client):
    tutor = await people.activated(
        "teemu.tutor", "teemu@firma.fi", role=Role.TUTOR, office_id=None
    )
    token = await people.access_token(tutor.username, GOOD_PASSWORD)

    answer = await client.post(
        "/accounts", json=COLLEAGUE, headers={"Authorization": f"Bearer {token}"}
    )

    assert answer.status_code == 403


async def test_an_email_change_tells_both_addresses_and_kills_old_links(
    people: People, client, boss, service
):
    ville = await people.activated(
        "ville.virkailija", "ville@old.fi", sent_so_far=2, password=OTHER_PASSWORD
    )
    await client.post("/password-resets", json={"login": ville.username})
    old_link = await people.newest_link(
        ville.account_id, SecretLinkKind.PASSWORD_RESET, sent_so_far=3
    )
    current = await client.get(f"/accounts/{ville.account_id}", headers=boss)

    stale = await client.patch(
        f"/accounts/{ville.account_id}/email",
        json={"email": "ville@new.fi"},
        headers={**boss, "If-Match": '"1"'},
    )
    changed = await client.patch(
        f"/accounts/{ville.account_id}/email",
        json={"email": "ville@new.fi"},
        headers={**boss, "If-Match": current.headers["etag"]},
    )
    event = await service.runtime.pool.fetchval(
        "SELECT data::text FROM events WHERE type = 'EmailChanged'"
    )
    reset_with_old = await client.post(
        "/password-resets/complete",
        json={"token": token_of(old_link), "new_password": "aivan uusi salasana tässä"},
    )

    assert stale.status_code == 412
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "ville@new.fi"
    assert changed.headers["etag"] != current.headers["etag"]
    assert json.loads(event)["old_email"] == "ville@old.fi"
    assert json.loads(event)["new_email"] == "ville@new.fi"
    assert reset_with_old.status_code == 400


async def test_another_offices_account_is_not_found(people: People, client, boss):
    other = await people.register("olli.muualla", "olli@muu.fi", office_id="office-2")

    read = await client.get(f"/accounts/{other.account_id}", headers=boss)
    patched = await client.patch(
        f"/accounts/{other.account_id}/email",
        json={"email": "olli@uusi.fi"},
        headers=boss,
    )
    nonsense = await client.get("/accounts/not-an-id", headers=boss)

    assert (read.status_code, patched.status_code, nonsense.status_code) == (
        404,
        404,
        404,
    )


async def test_the_office_lists_its_accounts_a_page_at_a_time(
    people: People, client, boss
):
    for n in range(3):
        await people.register(f"staff.{n}", f"staff{n}@toimisto.fi")
    await people.register("elsewhere", "x@muu.fi", office_id="office-2")

    first = (await client.get("/accounts?limit=3", headers=boss)).json()
    rest = (
        await client.get(
            f"/accounts?limit=3&offset={first['next_offset']}", headers=boss
        )
    ).json()

    names = [a["username"] for a in first["items"] + rest["items"]]
    assert names == ["boss.person", "staff.0", "staff.1", "staff.2"]
    assert rest["next_offset"] is None
