"""Activation and reset links: made here, sealed, and queued for notifications.

The plain token exists in this process's memory and inside the sealed
message only. The outbox row and the Kafka record hold Fernet ciphertext in a
SecretLinkSealed envelope, the topic keeps records an hour, and only
notifications holds the key.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from kisalli_accounts.adapters.secret_tokens import issue_token
from kisalli_accounts.domain.account import Account, stream_id
from kisalli_shared.contracts.accounts import (
    SecretLink,
    SecretLinkKind,
    SecretLinkSealed,
)
from kisalli_shared.events import Envelope, encode
from kisalli_shared.outbox import enqueue
from kisalli_shared.sealed import seal

# Tokens ride in the fragment: browsers never send it to a server, so it
# cannot end up in an access log or a Referer header.
_PAGES = {
    SecretLinkKind.ACTIVATION: "activate",
    SecretLinkKind.PASSWORD_RESET: "password-reset",
}


class SecretLinkSender:
    def __init__(self, *, key: str, topic: str, public_base_url: str) -> None:
        self._key = key
        self.topic = topic
        self.base_url = public_base_url.rstrip("/")

    async def send(
        self,
        conn: asyncpg.Connection,
        account: Account,
        kind: SecretLinkKind,
        request_id: str,
        expires_at: datetime,
    ) -> None:
        """Queue the email in the caller's transaction, with its events."""
        token = await issue_token(
            conn,
            account_id=account.account_id,
            kind=kind.value,
            request_id=request_id,
            expires_at=expires_at,
        )
        message = SecretLink(
            kind=kind,
            account_id=account.account_id,
            email=account.email,
            name=account.name,
            language=account.language,
            username=account.username,
            link=f"{self.base_url}/{_PAGES[kind]}#token={token}",
            expires_at=expires_at,
        )
        # The envelope gives notifications an event id to record as handled;
        # it carries nothing but ciphertext.
        envelope = Envelope(
            source="kisalli/accounts",
            type=SecretLinkSealed.type_name(),
            subject=stream_id(account.account_id),
            streamversion=0,
            correlationid=request_id,
            data=encode(SecretLinkSealed(sealed=seal(message, self._key).decode())),
        )
        await enqueue(
            conn,
            self.topic,
            account.account_id,
            envelope.to_json(),
            {"content-type": "application/cloudevents+json", "kind": kind.value},
        )
