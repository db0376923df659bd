"""Loading the demo office into a running system, through its HTTP APIs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from kisalli_demo.accounts import DEMO_PASSWORD, Sessions, create_first_office_staff
from kisalli_demo.census import Census, logins_table, take_census
from kisalli_demo.client import Api, DemoError, Routes
from kisalli_demo.mail import MailCatcher
from kisalli_demo.office import DemoOffice
from kisalli_demo.people import Person, ascii_words
from kisalli_demo.stories import Storyteller

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class Target:
    """Where the running system is, and how patient to be with it."""

    routes: Routes
    mail_url: str
    # The environment of `python -m kisalli_accounts create-office-staff`:
    # the accounts service's own settings.
    accounts_env: Mapping[str, str]
    timeout: float = 60.0
    password: str = DEMO_PASSWORD


def username_of(person: Person) -> str:
    return ".".join(ascii_words(person.name))


@dataclass(frozen=True)
class Loaded:
    census: Census
    logins: str


def load(
    office: DemoOffice, target: Target, say: Callable[[str], None] = print
) -> Loaded:
    """Load the office; a second load finds everything and changes nothing."""
    today = datetime.now(UTC).astimezone(HELSINKI).date()
    if today < office.demo_day:
        raise DemoError(
            f"the demo's story reaches {office.demo_day} and today is {today};"
            " give an earlier --demo-day"
        )
    with httpx.Client(timeout=30.0) as http:
        return _load(office, target, Api(target.routes, http), http, say)


def _load(
    office: DemoOffice,
    target: Target,
    api: Api,
    http: httpx.Client,
    say: Callable[[str], None],
) -> Loaded:
    mail = MailCatcher(target.mail_url, http)
    sessions = Sessions(api, mail, target.timeout, target.password)
    first, *colleagues = office.staff

    created = create_first_office_staff(
        first, username_of(first), office.office_id, target.accounts_env
    )
    say(f"office staff {first.name}: {'created' if created else 'exists'}")
    if created:
        sessions.inactive.add(first.email.casefold())
    for colleague in colleagues:
        _add_colleague(api, sessions, office, first, colleague)
    # A replayed creation answers as it did the first time (not activated),
    # so ask the office's list instead.
    sessions.learn_inactive(first)
    for colleague in colleagues:
        sessions.token(colleague)

    teller = Storyteller(api, sessions, office, first, target.timeout, say)
    contract_ids = {plan.key: teller.sign(plan) for plan in office.contracts}
    say(f"{len(contract_ids)} contracts signed")
    for plan in office.contracts:
        say(f"{plan.key}: {plan.story}")
        # Accounts made from the contracts so far need no failed login first.
        sessions.learn_inactive(first)
        teller.tell(plan, contract_ids[plan.key])
    for person in office.members():
        sessions.token(person)
    token = sessions.token(first)
    return Loaded(take_census(api, token), logins_table(api, token, target.password))


def _add_colleague(
    api: Api, sessions: Sessions, office: DemoOffice, first: Person, colleague: Person
) -> None:
    response = api.request(
        "POST",
        "accounts",
        "/accounts",
        token=sessions.token(first),
        body={
            "username": username_of(colleague),
            "email": colleague.email,
            "name": colleague.name,
            "language": colleague.language,
        },
        key=office.key(f"staff-{username_of(colleague)}"),
    )
    # 409: the colleague exists already (made under another key).
    if response.status_code not in (200, 201, 409):
        raise DemoError(
            f"creating {colleague.email} answered {response.status_code}:"
            f" {response.text[:200]}"
        )
