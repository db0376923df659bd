"""HTTP clients of one worker: the gateway's, from a client address of its
own, and the mail catcher's."""

from __future__ import annotations

import random

import httpx

from kisalli_demo.client import Api, Routes
from kisalli_demo.mail import MailCatcher
from kisalli_faults.calls import Calls, Ledger
from kisalli_faults.system import Stack


class Session:
    """One client address's HTTP clients: the gateway's and the mail catcher's."""

    def __init__(self, stack: Stack, ledger: Ledger, timeout: float) -> None:
        # An address of its own, so the gateway's login pace is per worker.
        octets = random.randint(1, 254), random.randint(1, 254)  # noqa: S311
        transport = httpx.HTTPTransport(local_address=f"127.0.{octets[0]}.{octets[1]}")
        self.http = httpx.Client(transport=transport, timeout=30.0)
        self.mail_http = httpx.Client(timeout=30.0)
        api = Api(Routes.gateway(stack.gateway), self.http)
        self.calls = Calls(api, ledger, patience=max(timeout, 60.0))
        self.mail = MailCatcher(stack.mail_api, self.mail_http)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()
        self.mail_http.close()
