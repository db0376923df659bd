"""Domain events, the envelope that carries them, and the registry of types.

The envelope uses CloudEvents attribute names (https://cloudevents.io) so that
any tool that reads CloudEvents can read our topics. Extension attributes are
lower-case letters only, as the CloudEvents spec requires.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

JsonDict = dict[str, Any]
Upcaster = Callable[[JsonDict], JsonDict]


class Event(BaseModel):
    """A fact that happened, named in the past tense."""

    # Consumers ignore fields they do not know: a producer may be newer.
    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


class Envelope(BaseModel):
    """One event as it travels: CloudEvents attributes around the data."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    source: str
    type: str
    subject: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    schemaversion: int = 1
    streamversion: int
    correlationid: str
    causationid: str | None = None
    data: JsonDict

    @property
    def stream_id(self) -> str:
        return self.subject

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)


class UnknownEventType(LookupError):
    """The registry holds no model for an event type."""


E = TypeVar("E", bound=type[Event])


class EventRegistry:
    """Maps event type names to models, and upcasts old versions on read."""

    def __init__(self) -> None:
        self._models: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, model: E) -> E:
        name = model.type_name()
        if name in self._models and self._models[name] is not model:
            raise ValueError(f"event type {name} is registered twice")
        self._models[name] = model
        return model

    def upcaster(
        self, type_name: str, from_version: int
    ) -> Callable[[Upcaster], Upcaster]:
        """Register a function that turns version n data into version n+1."""

        def decorate(func: Upcaster) -> Upcaster:
            self._upcasters[(type_name, from_version)] = func
            return func

        return decorate

    def knows(self, type_name: str) -> bool:
        return type_name in self._models

    def model(self, type_name: str) -> type[Event]:
        try:
            return self._models[type_name]
        except KeyError:
            raise UnknownEventType(type_name) from None

    def models(self) -> list[type[Event]]:
        return sorted(self._models.values(), key=lambda m: m.type_name())

    def decode(self, type_name: str, version: int, data: JsonDict) -> Event:
        model = self.model(type_name)
        while version < model.schema_version:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise LookupError(f"no upcaster for {type_name} v{version}")
            data = step(dict(data))
            version += 1
        return model.model_validate(data)

    def decode_envelope(self, envelope: Envelope) -> Event:
        return self.decode(envelope.type, envelope.schemaversion, envelope.data)


def encode(event: Event) -> JsonDict:
    return event.model_dump(mode="json")
