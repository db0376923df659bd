"""People of the run: their accounts, activated from the caught mail, and
their sessions. Passwords are made here and never leave the process."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kisalli_demo.mail import MailCatcher
from kisalli_demo.waiting import wait_for
from kisalli_faults.calls import Answer, Calls, FlowError

# Access tokens live 15 minutes; log in again well before that.
TOKEN_SECONDS = 600.0
LONGEST_PAUSE = 30.0


@dataclass
class Person:
    name: str
    email: str
    language: str = "fi"
    # Never in a repr, so never in a traceback either.
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    account_id: str = ""
    _token: str = field(default="", repr=False)
    _minted: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request_body(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "language": self.language}

    def token(self, calls: Calls) -> str:
        with self._lock:
            if not self._token or time.monotonic() - self._minted > TOKEN_SECONDS:
                self._token = log_in(calls, self.email, self.password)
                self._minted = time.monotonic()
            return self._token

    def forget_token(self) -> None:
        with self._lock:
            self._token = ""


def send_as(
    calls: Calls, who: Person, method: str, service: str, path: str, **kwargs: Any
) -> Answer:
    """A request with the person's token. A 401 to a good token is counted,
    and the request sent again with a fresh token for a little over 30 s:
    a service that could not fetch the signing keys (accounts was down, or
    another request was fetching them) tries again only after 30 s."""
    for pause in (1, 2, 4, 8, 16, 0):
        answer = calls.send(method, service, path, token=who.token(calls), **kwargs)
        if answer.status != 401:
            return answer
        calls.ledger.count_refused_token()
        who.forget_token()
        time.sleep(pause)
    return answer


def log_in(calls: Calls, login: str, password: str) -> str:
    while True:
        answer = calls.send(
            "POST",
            "accounts",
            "/sessions",
            body={"login": login, "password": password},
        )
        if answer.status != 429:
            break
        # The gateway paces logins per client address.
        pause = float(answer.response.headers.get("Retry-After", "1"))
        time.sleep(min(pause, LONGEST_PAUSE))
    if answer.status != 201:
        raise FlowError(f"logging in answered {answer.said()}")
    token: str = answer.json()["access_token"]
    return token


def activate(calls: Calls, mail: MailCatcher, person: Person, timeout: float) -> None:
    """Set the person's first password through their activation email.

    A retried activation refused because its token is spent is taken as
    done when the password then works.
    """
    token = wait_for(
        "the activation email",
        lambda: mail.activation_token(person.email),
        timeout,
        interval=0.5,
    )
    answer = calls.send(
        "POST",
        "accounts",
        "/accounts/activate",
        body={"token": token, "password": person.password},
    )
    if answer.status == 200:
        person.account_id = answer.json()["account_id"]
        calls.ledger.record(
            "activate account",
            "accounts",
            f"account-{person.account_id}",
            "AccountActivated",
        )
        return
    if not answer.retried:
        raise FlowError(f"activating an account answered {answer.said()}")
    me = send_as(calls, person, "GET", "accounts", "/accounts/me")
    if me.status != 200:
        raise FlowError(f"reading an activated account answered {me.said()}")
    person.account_id = me.json()["account_id"]
