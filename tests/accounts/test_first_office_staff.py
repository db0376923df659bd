"""The first office staff account comes from a command, never a default."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

from kisalli_accounts.bootstrap import build
from kisalli_shared.contracts.accounts import SecretLinkKind
from tests.accounts.people import GOOD_PASSWORD, People
from tests.kafka_reading import consumer_joined


async def test_the_command_creates_office_staff_who_activate_and_log_in(
    settings, kafka
):
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "TOPIC_PREFIX": settings.topic_prefix,
        "ACCOUNTS_STATE_DIR": str(settings.accounts_state_dir),
        "PUBLIC_BASE_URL": settings.public_base_url,
    }
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kisalli_accounts",
        "create-office-staff",
        "--office-id=office-7",
        "--username=Toimisto.Paakayttaja",
        "--email=paakayttaja@toimisto.fi",
        "--name=Pää Käyttäjä",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await command.communicate()
    assert command.returncode == 0, err.decode()

    # The service starts later and sends the activation email it finds queued.
    service = build(settings)
    await service.runtime.start()
    try:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as c:
            people = People(service, c, kafka)
            created = next(
                line for line in out.decode().splitlines() if line.startswith("created")
            )
            account_id = created.split("(")[1].split(")")[0]
            link = await people.newest_link(
                account_id, SecretLinkKind.ACTIVATION, sent_so_far=1
            )
            activated = await c.post(
                "/accounts/activate",
                json={
                    "token": link.link.split("#token=")[1],
                    "password": GOOD_PASSWORD,
                },
            )
            token = await people.access_token("toimisto.paakayttaja", GOOD_PASSWORD)
            me = await c.get(
                "/accounts/me", headers={"Authorization": f"Bearer {token}"}
            )
        await consumer_joined(kafka, service.runtime.group)
    finally:
        await service.runtime.stop()

    assert activated.status_code == 200
    assert me.json()["role"] == "office_staff"
    assert me.json()["office_id"] == "office-7"
    assert me.json()["username"] == "toimisto.paakayttaja"


async def test_no_account_exists_before_someone_creates_one(service):
    count = await service.runtime.pool.fetchval("SELECT count(*) FROM accounts")

    assert count == 0


async def test_the_command_refuses_a_blank_office_or_a_bad_email_in_words(settings):
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "ACCOUNTS_STATE_DIR": str(settings.accounts_state_dir),
    }
    told = []
    for office, email in [("   ", "a@toimisto.fi"), ("office-7", "not-an-email")]:
        command = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kisalli_accounts",
            "create-office-staff",
            f"--office-id={office}",
            "--username=aino.virtanen",
            f"--email={email}",
            "--name=Aino Virtanen",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(command.communicate(), timeout=60)
        told.append((command.returncode, err.decode()))

    (blank, blank_said), (bad, bad_said) = told
    assert blank == 2
    assert "an office id is 1 to 64 letters" in blank_said
    assert bad == 1
    assert "Traceback" not in bad_said
    assert bad_said.startswith("not created: ") and "email" in bad_said.lower()
