"""Accounts that can log in: the first office staff member from the
accounts command line, colleagues through the API, and everyone's first
password set through the activation link in their email."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from kisalli_demo.client import Api, DemoError
from kisalli_demo.mail import MailCatcher
from kisalli_demo.people import Person
from kisalli_demo.waiting import wait_for

# Fifteen characters or more and on no blocklist, as the password rules ask;
# the same for every demo account so that anyone can try any role.
DEMO_PASSWORD = "sininen-kettu-hyppaa-aidan-yli"  # noqa: S105 (demo data)
# Access tokens live 15 minutes; log in again well before that.
_TOKEN_SECONDS = 600
_LONGEST_PAUSE = 10.0


def create_first_office_staff(
    person: Person,
    username: str,
    office_id: str,
    env: Mapping[str, str],
) -> bool:
    """Run `python -m kisalli_accounts create-office-staff`; False if it exists.

    This is the only way to the first account: there is no default one.
    """
    command = [
        sys.executable,
        "-m",
        "kisalli_accounts",
        "create-office-staff",
        "--office-id",
        office_id,
        "--username",
        username,
        "--email",
        person.email,
        "--name",
        person.name,
        "--language",
        person.language,
    ]
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        command, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return True
    if "not created" in done.stderr and (
        "email" in done.stderr or "username" in done.stderr
    ):
        return False
    raise DemoError(
        "python -m kisalli_accounts create-office-staff failed:"
        f" {done.stderr.strip()[-500:]}"
    )


@dataclass
class Sessions:
    """Logged-in tokens of the demo's people, by email."""

    api: Api
    mail: MailCatcher
    timeout: float
    password: str = DEMO_PASSWORD
    # Accounts known to have no password yet: no use trying to log in.
    inactive: set[str] = field(default_factory=set)
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def learn_inactive(self, staff: Person) -> None:
        """Note which accounts of the office wait for their activation."""
        accounts = self.api.pages("accounts", "/accounts", self.token(staff))
        self.inactive |= {a["email"].casefold() for a in accounts if not a["activated"]}

    def log_in(self, email: str) -> str | None:
        response = self.api.request(
            "POST",
            "accounts",
            "/sessions",
            body={"login": email, "password": self.password},
        )
        while response.status_code == 429:
            # The gateway paces logins per client; a locked account would
            # ask for minutes, and that is worth telling instead.
            pause = float(response.headers.get("Retry-After", "1"))
            if pause > _LONGEST_PAUSE:
                raise DemoError(f"logins as {email} are refused for {pause:.0f} s")
            time.sleep(pause)
            response = self.api.request(
                "POST",
                "accounts",
                "/sessions",
                body={"login": email, "password": self.password},
            )
        if response.status_code == 401:
            return None
        if response.status_code != 201:
            raise DemoError(f"logging in as {email} answered {response.status_code}")
        token: str = response.json()["access_token"]
        self._tokens[email.casefold()] = (token, time.monotonic())
        return token

    def token(self, person: Person) -> str:
        """A fresh access token of the person, activating the account first
        when the demo password does not work yet."""
        kept = self._tokens.get(person.email.casefold())
        if kept is not None and time.monotonic() - kept[1] < _TOKEN_SECONDS:
            return kept[0]
        token = None
        if person.email.casefold() not in self.inactive:
            token = self.log_in(person.email)
        if token is None:
            self.activate(person)
            self.inactive.discard(person.email.casefold())
            token = self.log_in(person.email)
        if token is None:
            raise DemoError(f"{person.email} cannot log in with the demo password")
        return token

    def activate(self, person: Person) -> None:
        """Set the demo password through the newest activation email."""
        link = wait_for(
            f"the activation email to {person.email} in the mail catcher",
            lambda: self.mail.activation_token(person.email),
            self.timeout,
        )
        self.api.call(
            "POST",
            "accounts",
            "/accounts/activate",
            body={"token": link, "password": self.password},
        )
