"""Which topics a replay reads, and where in them it starts and stops."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

# The sealed activation and reset links travel on topics named so; an
# analyst's replay must never hold them, sealed or not (DESIGN.md, "Accounts
# and secrets"). A test holds it to the contract's SECRET_LINKS, which is
# not imported here: the contracts take longer to import than a small
# replay takes to run.
SECRET_MARK = "secret-links"  # noqa: S105 (a topic name)


class SecretTopicRefused(ValueError):
    def __init__(self, topic: str) -> None:
        super().__init__(
            f"refusing to read {topic}: it carries secret links, which are never"
            " replayed"
        )


def topics_named(names: Iterable[str], prefix: str = "kisalli") -> list[str]:
    """Turn service names into their event topics; other names are topics."""
    topics = []
    for name in names:
        topic = _service_topic(name, prefix) or name
        if SECRET_MARK in topic:
            raise SecretTopicRefused(topic)
        if topic not in topics:
            topics.append(topic)
    return topics


def _service_topic(name: str, prefix: str) -> str | None:
    # Topic names have dots and service names none, so only a name without
    # one needs the (slow) contracts.
    if "." in name:
        return None
    from kisalli_shared.contracts import ALL_SERVICES
    from kisalli_shared.kafka import event_topic

    return event_topic(name, prefix) if name in ALL_SERVICES else None


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# (topic, partition) -> first offset; topic None means every topic read.
StartOffsets = Mapping[tuple[str | None, int], int]


def parse_offset(text: str) -> tuple[tuple[str | None, int], int]:
    """`[TOPIC:]PARTITION:OFFSET`, e.g. `2:1500` or `kisalli.feedback.events:0:7`."""
    parts = text.rsplit(":", 2)
    if len(parts) < 2 or not all(p.isdigit() for p in parts[-2:]):
        raise ValueError(f"{text!r} is not [TOPIC:]PARTITION:OFFSET")
    topic = parts[0] if len(parts) == 3 else None
    return (topic, int(parts[-2])), int(parts[-1])


@dataclass(frozen=True)
class Window:
    """What to read of each partition.

    Records from `since` (inclusive) to `until` (exclusive) by record
    timestamp; an explicit start offset wins over `since` for its partition.
    Without `until`, reading stops at the end offsets taken when it starts.
    """

    since: datetime | None = None
    until: datetime | None = None
    offsets: StartOffsets = field(default_factory=dict)

    def start_offset(self, topic: str, partition: int) -> int | None:
        given = self.offsets.get((topic, partition))
        return given if given is not None else self.offsets.get((None, partition))
