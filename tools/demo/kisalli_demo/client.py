"""Talking to the running system over HTTP, as a frontend would.

By default every service is reached through the gateway under
`/api/<service>`; `Routes.direct` reaches each service on its own port
instead, for a system started without the gateway.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

SERVICES = ("accounts", "feedback", "payments", "notifications")
# The ports deploy/local/run.sh gives the services, moved as it moves them.
DIRECT_PORTS = {
    name: int(os.environ.get(f"KISALLI_{name.upper()}_PORT", default))
    for name, default in [
        ("accounts", 8001),
        ("feedback", 8002),
        ("payments", 8003),
        ("notifications", 8004),
    ]
}


class DemoError(Exception):
    """The demo cannot go on; the message says why, for a person."""


@dataclass(frozen=True)
class Routes:
    bases: Mapping[str, str]

    @classmethod
    def gateway(cls, base_url: str) -> Routes:
        base = base_url.rstrip("/")
        return cls({name: f"{base}/api/{name}" for name in SERVICES})

    @classmethod
    def direct(cls, host: str = "http://127.0.0.1") -> Routes:
        return cls({name: f"{host}:{port}" for name, port in DIRECT_PORTS.items()})

    def url(self, service: str, path: str) -> str:
        return f"{self.bases[service].rstrip('/')}{path}"


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        said = str(body.get("detail") or body.get("title") or body)
        # Problem details list what was wrong with the input, when it was.
        if body.get("errors"):
            said += f" {body['errors']}"
        return said
    return str(body)[:200]


class Api:
    def __init__(self, routes: Routes, http: httpx.Client) -> None:
        self.routes = routes
        self.http = http

    def request(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        key: str | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx.Response:
        headers = {"Accept-Language": "en"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        url = self.routes.url(service, path)
        try:
            return self.http.request(
                method, url, json=body, headers=headers, params=params
            )
        except httpx.TransportError as exc:
            raise DemoError(
                f"cannot reach {service} at {url} ({exc.__class__.__name__});"
                " is the system running (make run)?"
            ) from None

    def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        key: str | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """The JSON answer of a request that must succeed."""
        response = self.request(
            method, service, path, token=token, body=body, key=key, params=params
        )
        if response.status_code >= 400:
            raise DemoError(
                f"{method} {service}{path} answered {response.status_code}:"
                f" {_problem(response)}"
            )
        return response.json() if response.content else None

    def pages(
        self, service: str, path: str, token: str, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Every item of a paginated list."""
        items: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = self.call(
                "GET",
                service,
                path,
                token=token,
                params={"limit": limit, "offset": offset},
            )
            items.extend(page["items"])
            offset = page["next_offset"]
        return items
