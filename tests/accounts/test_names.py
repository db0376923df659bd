"""No lookalike or case variant of a name can belong to a second person."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kisalli_accounts.adapters.projection import NameTaken
from kisalli_accounts.domain.names import InvalidName, canonical, canonical_username
from kisalli_shared.contracts.accounts import SecretLinkKind
from tests.accounts.people import GOOD_PASSWORD, People

RESET = SecretLinkKind.PASSWORD_RESET

FULLWIDTH_AINO = "\uff21\uff29\uff2e\uff2f"  # AINO in fullwidth letters
FI_LIGATURE = "\ufb01"  # f and i as one letter


@given(st.text(max_size=40))
def test_the_canonical_form_of_a_canonical_form_is_itself(text):
    assert canonical(canonical(text)) == canonical(text)


@pytest.mark.parametrize(
    "variant",
    ["Aino", "AINO", FULLWIDTH_AINO, " aino ", "aino"],
)
def test_case_and_width_variants_are_one_name(variant):
    assert canonical(variant) == "aino"


def test_a_ligature_is_the_letters_it_joins():
    assert canonical(f"{FI_LIGATURE}nn.virtanen") == "finn.virtanen"


def test_a_username_in_another_script_is_refused():
    with pytest.raises(InvalidName):
        canonical_username("\u0430ino.virtanen")  # Cyrillic a


VARIANTS = [
    ("AINO.virtanen", "other1@example.fi"),
    (f"{FULLWIDTH_AINO}.virtanen", "other2@example.fi"),
    ("someone.else", "AINO.VIRTANEN@EXAMPLE.FI"),
    ("someone.else", f"{FULLWIDTH_AINO}.virtanen@example.fi"),
]


async def test_a_variant_of_a_taken_name_cannot_register(people: People, client):
    boss = await people.activated("boss.person", "boss@example.fi", sent_so_far=1)
    await people.register("aino.virtanen", "aino.virtanen@example.fi")
    token = await people.access_token(boss.username, GOOD_PASSWORD)

    for username, email in VARIANTS:
        answer = await client.post(
            "/accounts",
            json={"username": username, "email": email, "name": "Impostor"},
            headers={"Authorization": f"Bearer {token}"},
        )

        assert answer.status_code == 409, (username, email)
        assert answer.json()["type"].endswith("-taken")


async def test_a_ligature_variant_of_an_email_cannot_register(people: People):
    await people.register("finn.one", "finn@example.fi")

    with pytest.raises(NameTaken):
        await people.register("finn.two", f"{FI_LIGATURE}nn@example.fi")


async def test_two_people_racing_for_one_name_leave_one_winner(people: People):
    attempts = await asyncio.gather(
        people.register("aino.virtanen", "first@example.fi"),
        people.register("AINO.VIRTANEN", "second@example.fi"),
        return_exceptions=True,
    )

    assert sorted(type(a).__name__ for a in attempts) == ["Account", "NameTaken"]


LOOKALIKES = [
    "Aino.Virtanen",
    f"{FULLWIDTH_AINO}.virtanen",
    f"{FULLWIDTH_AINO}.VIRTANEN@example.fi",
]


async def test_a_reset_asked_with_a_lookalike_reaches_only_the_owner(
    people: People, client
):
    aino = await people.activated("aino.virtanen", "aino.virtanen@example.fi")

    for login in LOOKALIKES:
        await client.post("/password-resets", json={"login": login})
    links = await people.links(1 + len(LOOKALIKES))

    resets = [(k.account_id, k.email) for k in links if k.kind is RESET]
    assert resets == [(aino.account_id, "aino.virtanen@example.fi")] * 3
