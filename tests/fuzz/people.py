"""Who the fuzzing acts as, and the ids it may aim at.

Office staff, a tutor and an apprentice of a new office, with one contract
whose interim feedback went all the way to a payment batch, so that paths
with a real id reach the code behind the 404.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.clients import Mailbox, gateway_client, loopback_address
from tests.e2e.journey import Journey, Person
from tests.e2e.system import System

# Access tokens live 15 minutes; a longer run logs in again before that.
TOKEN_LIFETIME = 10 * 60.0


@dataclass
class Caller:
    """One role's credentials; `None` login means no Authorization at all."""

    role: str
    gateway: str
    login: str | None = None
    account_id: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    since: float = field(default_factory=time.monotonic)

    @property
    def headers(self) -> dict[str, str]:
        if self.login is None:
            return {}
        if time.monotonic() - self.since > TOKEN_LIFETIME:
            self._log_in_again()
        return {"Authorization": f"Bearer {self.token}"}

    def _log_in_again(self) -> None:
        transport = httpx.HTTPTransport(local_address=loopback_address())
        with httpx.Client(base_url=self.gateway, transport=transport) as client:
            answer = client.post(
                "/api/accounts/sessions",
                json={"login": self.login, "password": self.password},
            )
        assert answer.status_code == 201, answer.text
        self.token = answer.json()["access_token"]
        self.since = time.monotonic()


@dataclass
class Cast:
    """The callers by role and the ids of the things they share."""

    callers: dict[str, Caller]
    ids: dict[str, str]


async def _caller(journey: Journey, role: str, person: Person) -> Caller:
    """The person as a caller who logs in again by username: the fuzzing of
    PATCH /accounts/{account_id}/email may give them another address."""
    answer = await journey.gateway.get(
        "/api/accounts/accounts/me", headers=person.headers
    )
    assert answer.status_code == 200, answer.text
    me = answer.json()
    return Caller(
        role,
        str(journey.gateway.base_url),
        login=me["username"],
        account_id=me["account_id"],
        password=person.password,
        token=person.token,
    )


async def _paid_batch(journey: Journey, staff: Person) -> str:
    answer = await journey.gateway.post(
        "/api/payments/batches",
        headers={**staff.headers, "Idempotency-Key": f"fuzz-batch-{journey.run}"},
    )
    assert answer.status_code == 201, answer.text
    batch_id: str = answer.json()["batch_id"]
    return batch_id


async def gather_cast(system: System) -> Cast:
    """People of a new office, and a contract of theirs that has been paid."""
    async with (
        gateway_client(system.gateway) as gateway,
        httpx.AsyncClient(base_url=system.mail_api, timeout=30.0) as mail,
    ):
        journey = Journey(gateway, Mailbox(mail))
        staff = await journey.activate(journey.create_first_office_staff(system))
        contract = await journey.sign_contract(staff)
        tutor = await journey.activate(contract.tutor_email)
        student = await journey.activate(contract.student_email)
        await journey.sees_contract(tutor, contract.contract_id)
        feedback_id = await journey.submit_interim_feedback(tutor, contract.contract_id)
        await journey.acknowledge(student, feedback_id)
        await journey.process(staff, feedback_id)
        compensation: dict[str, Any] = await journey.compensation(
            staff, contract.contract_id
        )
        batch_id = await _paid_batch(journey, staff)
        callers = [
            await _caller(journey, "office staff", staff),
            await _caller(journey, "tutor", tutor),
            await _caller(journey, "apprentice", student),
        ]

    return Cast(
        callers={
            "anonymous": Caller("anonymous", system.gateway),
            **{caller.role: caller for caller in callers},
        },
        ids={
            "account_id": callers[-1].account_id,
            "contract_id": contract.contract_id,
            "feedback_id": feedback_id,
            "compensation_id": str(compensation["compensation_id"]),
            "batch_id": batch_id,
        },
    )
