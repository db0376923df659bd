"""Requests through the gateway that outlast a fault, and the writes they made.

A request that meets a fault (no connection, or the gateway's 502-504
while a service restarts) is sent again with backoff. Creating requests
carry an Idempotency-Key, so sending one again is safe; a move of a
document sent again may be refused as a conflict when the first attempt
did it, which the caller decides by reading the document.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from kisalli_demo.client import Api, DemoError

RETRYABLE = frozenset({502, 503, 504})
# A service that answers 500 while its database restarts is sent the
# request again too, but counted: it should have said 503.
SERVER_ERROR = 500


class FlowError(Exception):
    """A flow cannot go on; the message says why, without secrets."""


@dataclass(frozen=True)
class Write:
    """A write that got a success answer, and the event it must have stored."""

    what: str
    service: str
    stream_id: str
    event_type: str


@dataclass
class Ledger:
    writes: list[Write] = field(default_factory=list)
    retried: int = 0
    # 401s to tokens that were just issued and unexpired.
    refused_tokens: int = 0
    server_errors: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, service: str, stream_id: str, event_type: str) -> None:
        with self._lock:
            self.writes.append(Write(what, service, stream_id, event_type))

    def count_retry(self) -> None:
        with self._lock:
            self.retried += 1

    def count_server_error(self) -> None:
        with self._lock:
            self.server_errors += 1

    def count_refused_token(self) -> None:
        with self._lock:
            self.refused_tokens += 1


@dataclass(frozen=True)
class Answer:
    response: httpx.Response
    # Whether an earlier attempt may have reached the service.
    retried: bool

    @property
    def status(self) -> int:
        return self.response.status_code

    def said(self) -> str:
        """The status and the problem's detail: words for a person, no data."""
        try:
            problem = self.response.json()
        except ValueError:
            return str(self.status)
        if not isinstance(problem, dict):
            return str(self.status)
        return f"{self.status} ({problem.get('detail') or problem.get('title')})"

    def json(self) -> Any:
        return self.response.json()


@dataclass
class Calls:
    api: Api
    ledger: Ledger
    # How long one request keeps trying through faults.
    patience: float = 180.0

    def send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        key: str | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Answer:
        deadline = time.monotonic() + self.patience
        pause = 0.2
        retried = False
        while True:
            try:
                response = self.api.request(
                    method,
                    service,
                    path,
                    token=token,
                    body=body,
                    key=key,
                    params=params,
                )
            except DemoError:
                response = None
            status = None if response is None else response.status_code
            if response is not None and status not in RETRYABLE:
                if status != SERVER_ERROR:
                    return Answer(response, retried)
                self.ledger.count_server_error()
            if time.monotonic() > deadline:
                said = "no answer" if response is None else str(response.status_code)
                raise FlowError(f"{method} {service}{path}: {said} for too long")
            retried = True
            self.ledger.count_retry()
            # Jitter keeps the workers from knocking all at once.
            time.sleep(pause * (0.5 + random.random()))  # noqa: S311
            pause = min(pause * 2, 5.0)
