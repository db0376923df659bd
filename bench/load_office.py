"""An office ready for load: contracts with one tutor, every started
period's interim feedback as a draft ready to submit, and activated accounts
to log in with. Made through the gateway with tests/e2e/journey.py.

A contract has one interim feedback per period of four months, and a draft
can be submitted once its period has started; a contract lasts at most six
years. So each contract here began a little over 68 months ago and ends
within six years of its start: all of its 18 periods have started, and the
tutor can submit 18 feedbacks on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

import httpx

from kisalli_feedback.domain.calendar import add_months
from kisalli_feedback.domain.contract import LONGEST_CONTRACT_YEARS
from kisalli_feedback.domain.schedule import PERIOD_MONTHS, periods
from tests.e2e.clients import Mailbox, gateway_client
from tests.e2e.journey import HELSINKI, PARTS, Journey, Person
from tests.e2e.system import System

T = TypeVar("T")
# The gateway lets an address log in 20 times at once, then once a second.
LOGINS_PER_ADDRESS = 15
SETUP_CONCURRENCY = 8

INTERIM = {
    "kind": "interim",
    "ratings": [{"part": PARTS[0], "rating": 2}],
    "training_follows_plan": "yes",
    "masters": "Kassan ja asiakaspalvelun perusteet.",
    "practise_next": "Tilausten käsittely.",
    "student_self_assessment": "Opin nopeasti, tilaukset jännittävät.",
}


@dataclass
class Office:
    staff: Person
    tutor: Person
    # Drafts of the tutor's, in the order they are to be submitted.
    drafts: list[str] = field(default_factory=list)
    # Accounts with a password, to log in with.
    people: list[Person] = field(default_factory=list)


def long_contract(today: date) -> tuple[date, date]:
    """The dates of a contract whose every period has started by `today`."""
    months = 12 * LONGEST_CONTRACT_YEARS
    start = add_months(today, PERIOD_MONTHS - months) - timedelta(days=2)
    return start, add_months(start, months) - timedelta(days=1)


def started_periods(start: date, end: date, today: date) -> list[int]:
    return [p.index for p in periods(start, end) if p.start <= today]


async def bounded(awaitables: Iterable[Awaitable[T]], at_once: int) -> list[T]:
    gate = asyncio.Semaphore(at_once)

    async def one(awaitable: Awaitable[T]) -> T:
        async with gate:
            return await awaitable

    return list(await asyncio.gather(*(one(a) for a in awaitables)))


async def prepare_office(system: System, contracts: int, people: int) -> Office:
    """`contracts` contracts with drafts, and `people` apprentices activated."""
    async with (
        AsyncExitStack() as clients,
        gateway_client(system.gateway) as gateway,
        httpx.AsyncClient(base_url=system.mail_api, timeout=30.0) as mail,
    ):
        journey = Journey(gateway, Mailbox(mail))
        staff = await journey.activate(journey.create_first_office_staff(system))
        today = datetime.now(HELSINKI).date()
        start, end = long_contract(today)
        first = await journey.sign_contract(staff, 0, start, end)
        tutor = await journey.activate(first.tutor_email)
        office = Office(staff, tutor)
        signed = [first] + await bounded(
            (journey.sign_contract(staff, n, start, end) for n in range(1, contracts)),
            SETUP_CONCURRENCY,
        )
        print(f"  {len(signed)} contracts signed", flush=True)
        # One after another: the first waits for the events, the rest are
        # there by then.
        for contract in signed:
            await journey.sees_contract(tutor, contract.contract_id)
        office.drafts = await bounded(
            (
                start_draft(gateway, tutor, contract.contract_id, period)
                for period in started_periods(start, end, today)
                for contract in signed
            ),
            SETUP_CONCURRENCY,
        )
        print(f"  {len(office.drafts)} drafts started", flush=True)
        office.people = [staff, tutor]
        for contract in signed[:people]:
            # A new address before the gateway's limit of logins is reached.
            if len(office.people) % LOGINS_PER_ADDRESS == 0:
                fresh = gateway_client(system.gateway)
                journey.gateway = await clients.enter_async_context(fresh)
            office.people.append(await journey.activate(contract.student_email))
        print(f"  {len(office.people)} accounts activated", flush=True)
        return office


async def start_draft(
    gateway: httpx.AsyncClient, tutor: Person, contract_id: str, period: int
) -> str:
    answer = await gateway.post(
        f"/api/feedback/contracts/{contract_id}/feedback",
        json={"period_index": period, "content": INTERIM},
        headers=tutor.headers,
    )
    assert answer.status_code == 201, answer.text
    feedback_id: str = answer.json()["feedback_id"]
    return feedback_id


async def log_in_again(system: System, person: Person) -> None:
    """A new access token (they last 15 minutes), from an address of its own."""
    async with gateway_client(system.gateway) as gateway:
        answer = await gateway.post(
            "/api/accounts/sessions",
            json={"login": person.email, "password": person.password},
        )
    assert answer.status_code == 201, answer.text
    person.token = answer.json()["access_token"]
