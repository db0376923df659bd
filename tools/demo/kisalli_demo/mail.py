"""Reading activation links from the mail catcher's HTTP API.

The link exists only inside the email (accounts seals it, notifications
opens it), so the demo reads it where a person would: in their inbox.
"""

from __future__ import annotations

import re

import httpx

from kisalli_demo.client import DemoError

_TOKEN = re.compile(r"/activate#token=([A-Za-z0-9_\-]+)")


class MailCatcher:
    def __init__(self, url: str, http: httpx.Client) -> None:
        self.url = url.rstrip("/")
        self.http = http

    def _get(self, path: str) -> object:
        try:
            response = self.http.get(f"{self.url}{path}")
        except httpx.TransportError:
            raise DemoError(
                f"cannot reach the mail catcher at {self.url}; is it running?"
            ) from None
        response.raise_for_status()
        return response.json()

    def count(self) -> int:
        listing = self._get("/messages")
        return len(listing) if isinstance(listing, list) else 0

    def activation_token(self, address: str) -> str | None:
        """The token of the newest activation email to an address, if any."""
        listing = self._get("/messages")
        assert isinstance(listing, list)
        wanted = address.casefold()
        for summary in reversed(listing):
            recipients = [r.casefold() for r in summary.get("envelope_to", [])]
            if wanted not in recipients:
                continue
            message = self._get(f"/messages/{summary['id']}")
            assert isinstance(message, dict)
            found = _TOKEN.search(message.get("text") or "")
            if found:
                return found.group(1)
        return None
