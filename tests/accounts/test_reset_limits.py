"""Reset requests are limited per client address and per account."""

from __future__ import annotations

import pytest

from kisalli_shared.contracts.accounts import SecretLinkKind
from tests.accounts.people import People

RESET = SecretLinkKind.PASSWORD_RESET


@pytest.fixture
def settings(settings):
    settings.resets_per_address = 4
    settings.reset_answer_seconds = 0.05
    return settings


async def test_one_address_asking_too_often_is_told_to_wait(
    people: People, client, service
):
    limit = service.settings.resets_per_address
    answers = [
        (await client.post("/password-resets", json={"login": f"x{n}"})).status_code
        for n in range(limit + 1)
    ]
    elsewhere = await client.post(
        "/password-resets",
        json={"login": "x"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )

    assert answers == [202] * limit + [429]
    assert elsewhere.status_code == 202


async def test_a_forwarded_address_from_an_untrusted_peer_is_not_believed(
    people: People, client, service
):
    service.trusted_proxies = []
    limit = service.settings.resets_per_address
    answers = [
        (
            await client.post(
                "/password-resets",
                json={"login": "x"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
        ).status_code
        for n in range(limit + 1)
    ]

    assert answers[-1] == 429


async def test_one_account_gets_no_more_than_a_few_reset_emails_at_a_time(
    people: People, client, service
):
    aino = await people.activated()
    per_account = service.settings.resets_per_account

    for n in range(per_account + 2):
        answer = await client.post(
            "/password-resets",
            json={"login": aino.username},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        )
        assert answer.status_code == 202
    links = await people.links(1 + per_account)

    assert len([k for k in links if k.kind is RESET]) == per_account
