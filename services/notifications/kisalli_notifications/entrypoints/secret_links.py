"""Reading the secret-links topic, whichever way accounts puts a link on it.

A link arrives either as a SecretLinkSealed envelope or as the bare Fernet
token (content-type application/fernet). A bare token is wrapped into a
SecretLinkSealed envelope before the runner sees it, with an id derived from
the token itself: a relay that publishes the same token twice yields the
same id, and the handled-event record lets only one email out.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from aiokafka import ConsumerRecord

from kisalli_shared.consumer import EventConsumer
from kisalli_shared.contracts.accounts import SECRET_LINKS
from kisalli_shared.events import Envelope

_NAMESPACE = uuid.UUID("6b697361-6c6c-692d-7365-637265742d6c")


def wrap_bare_token(message: ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
    value = message.value
    if not message.topic.endswith(SECRET_LINKS) or not isinstance(value, bytes):
        return message
    if value.lstrip().startswith(b"{"):
        return message  # already an envelope
    token = value.decode("ascii", errors="replace").strip()
    key = message.key.decode(errors="replace") if message.key else "unknown"
    envelope = Envelope(
        id=uuid.uuid5(_NAMESPACE, token),
        source="kisalli/accounts",
        type="SecretLinkSealed",
        subject=f"account-{key}",
        streamversion=0,
        correlationid=str(uuid.uuid5(_NAMESPACE, token)),
        data={"sealed": token},
    )
    return dataclasses.replace(message, value=envelope.to_json())


class SecretLinkAwareConsumer(EventConsumer):
    async def handle(self, message: ConsumerRecord[Any, Any]) -> str:
        return await super().handle(wrap_bare_token(message))
