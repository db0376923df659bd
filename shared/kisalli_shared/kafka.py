"""Kafka plumbing: topic creation, the producer, message encoding."""

from __future__ import annotations

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from kisalli_shared.events import Envelope

log = structlog.get_logger(__name__)

# Topics keep events forever so that analysts and new read models can replay
# them from the start.
FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}

Headers = list[tuple[str, bytes]]


def event_topic(service: str, prefix: str = "kisalli") -> str:
    return f"{prefix}.{service}.events"


def consumer_group(service: str, prefix: str = "kisalli") -> str:
    return f"{prefix}.{service}"


def dead_letter_topic(group: str) -> str:
    return f"{group}.dead-letter"


async def ensure_topics(
    bootstrap: str,
    topics: list[str],
    *,
    partitions: int = 3,
    replication_factor: int = 1,
    config: dict[str, str] | None = None,
) -> None:
    """Create missing topics; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=topic,
                num_partitions=partitions,
                replication_factor=replication_factor,
                topic_configs=dict(config or FOREVER),
            )
            for topic in topics
            if topic not in existing
        ]
        if not missing:
            return
        try:
            await admin.create_topics(missing)
        except TopicAlreadyExistsError:
            pass  # another replica created it first
        log.info("topics_created", topics=[t.name for t in missing])
    finally:
        await admin.close()


def new_producer(bootstrap: str, client_id: str) -> AIOKafkaProducer:
    # Idempotence keeps per-partition order and drops broker-side duplicates
    # when a send is retried; it implies acks=all.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        linger_ms=2,
        request_timeout_ms=15000,
    )


def envelope_headers(envelope: Envelope) -> Headers:
    return [
        ("ce_specversion", b"1.0"),
        ("ce_id", str(envelope.id).encode()),
        ("ce_type", envelope.type.encode()),
        ("ce_source", envelope.source.encode()),
        ("content-type", b"application/cloudevents+json"),
    ]
