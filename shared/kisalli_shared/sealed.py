"""Sealing secrets for the one service that may open them.

Activation and reset links must exist only inside the email. Accounts seals
each link with a key it shares with notifications alone (Fernet: AES-CBC with
an HMAC, from the cryptography package) and sends it on a short-lived topic
that replays never read; the outbox row and the Kafka record hold only
ciphertext.
"""

from __future__ import annotations

from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class UnsealError(ValueError):
    """The message was not sealed with our key, was altered, or is too old."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(message: BaseModel, key: str) -> bytes:
    return Fernet(key.encode()).encrypt(message.model_dump_json().encode())


def unseal(token: bytes, model: type[M], key: str, *, max_age: int | None) -> M:
    try:
        raw = Fernet(key.encode()).decrypt(token, ttl=max_age)
    except InvalidToken:
        raise UnsealError("the sealed message cannot be opened") from None
    return model.model_validate_json(raw)
