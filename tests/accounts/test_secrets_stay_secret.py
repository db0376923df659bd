"""Tokens, links and passwords exist only where they must."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from structlog.testing import capture_logs

from kisalli_shared.contracts.accounts import SecretLinkKind, secret_links_topic
from kisalli_shared.kafka import event_topic
from tests.accounts.people import GOOD_PASSWORD, OTHER_PASSWORD, People, token_of
from tests.kafka_reading import read_topic


async def test_no_token_link_or_password_reaches_events_topics_or_logs(
    people: People, client, service, kafka, settings
):
    with capture_logs() as logs:
        aino = await people.activated()
        activation = await people.newest_link(
            aino.account_id, SecretLinkKind.ACTIVATION, sent_so_far=1
        )
        session = (await people.log_in(aino.username, GOOD_PASSWORD)).json()
        refreshed = (
            await client.post(
                "/sessions/refresh", json={"refresh_token": session["refresh_token"]}
            )
        ).json()
        await client.post("/password-resets", json={"login": aino.username})
        reset = await people.newest_link(
            aino.account_id, SecretLinkKind.PASSWORD_RESET, sent_so_far=2
        )
        await client.post(
            "/password-resets/complete",
            json={"token": token_of(reset), "new_password": OTHER_PASSWORD},
        )
        await people.log_in(aino.username, "a wrong password for a log line")

    secrets = [
        token_of(activation),
        activation.link,
        token_of(reset),
        reset.link,
        GOOD_PASSWORD,
        OTHER_PASSWORD,
        "a wrong password for a log line",
        session["access_token"],
        session["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
    ]
    stored = await service.runtime.pool.fetch("SELECT type, data::text FROM events")
    published = await read_topic(
        kafka, event_topic("accounts", settings.topic_prefix), at_least=len(stored)
    )
    sealed = await read_topic(
        kafka, secret_links_topic(settings.topic_prefix), at_least=2
    )
    places = {
        "events table": "\n".join(row["data"] for row in stored),
        "events topic": "\n".join(r.value.decode() for r in published),
        "secret-links topic": "\n".join(repr(r.value) for r in sealed),
        "log lines": "\n".join(repr(entry) for entry in logs),
    }

    assert {row["type"] for row in stored} >= {
        "AccountCreated",
        "ActivationRequested",
        "AccountActivated",
        "PasswordResetRequested",
        "PasswordResetCompleted",
    }
    assert any(entry.get("route") == "/password-resets" for entry in logs)
    for place, text in places.items():
        for secret in secrets:
            assert secret not in text, f"a secret appears in the {place}"


async def test_sealed_links_live_on_a_topic_that_forgets_within_an_hour(
    service, kafka, settings
):
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        described = await admin.describe_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC, secret_links_topic(settings.topic_prefix)
                )
            ]
        )
    finally:
        await admin.close()
    configs = {entry[0]: entry[1] for entry in described[0].resources[0][4]}

    assert configs["retention.ms"] == "3600000"
    assert configs["cleanup.policy"] == "delete"
