"""The consumer runner: one consumer group per service, each event handled once.

Kafka delivers at least once, so the runner records each handled event id in
the same transaction as the handler's effect: a redelivery, also a concurrent
one, finds the id and changes nothing. Offsets are committed explicitly after
the effects are committed; a commit lost to a rebalance only causes a
redelivery, which the record absorbs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from prometheus_client import Counter, Gauge
from pydantic import ValidationError

from kisalli_shared.events import Envelope, Event, EventRegistry, UnknownEventType
from kisalli_shared.kafka import dead_letter_topic

log = structlog.get_logger(__name__)

Handler = Callable[[asyncpg.Connection, Event, Envelope], Awaitable[None]]

HANDLED = Counter(
    "kisalli_events_handled_total",
    "Events a consumer group took in, by outcome",
    ["group", "type", "outcome"],
)
DEAD_LETTERS = Counter(
    "kisalli_dead_letters_total", "Events sent to a dead-letter topic", ["group"]
)
LAG = Gauge(
    "kisalli_consumer_lag",
    "Messages behind the end of the partition",
    ["group", "topic", "partition"],
)

# Errors that say a server is away, not that the event is bad: retried until
# the server is back, never dead-lettered.
TRANSIENT = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: EventConsumer) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # No lock here: the processing loop must be free to finish its message.
        await self.runner.commit_processed(set(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info(
            "partitions_assigned",
            group=self.runner.group_id,
            partitions=[f"{tp.topic}:{tp.partition}" for tp in assigned],
        )


class EventConsumer:
    def __init__(
        self,
        *,
        group_id: str,
        topics: list[str],
        bootstrap: str,
        pool: asyncpg.Pool,
        registry: EventRegistry,
        handlers: Mapping[str, Handler],
        producer: AIOKafkaProducer,
        max_attempts: int = 5,
        first_backoff: float = 0.1,
        max_backoff: float = 5.0,
    ) -> None:
        self.group_id = group_id
        self.topics = topics
        self.bootstrap = bootstrap
        self.pool = pool
        self.registry = registry
        self.handlers = handlers
        self.producer = producer
        self.max_attempts = max_attempts
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.dead_letter_topic = dead_letter_topic(group_id)
        self._consumer: AIOKafkaConsumer | None = None
        self._processed: dict[TopicPartition, int] = {}

    async def run(self) -> None:
        """Consume forever; cancel the task to stop."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group_id,
            client_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=200,
        )
        consumer.subscribe(self.topics, listener=_CommitOnRevoke(self))
        try:
            await consumer.start()
        except BaseException:
            # Cancelled (or failed) while connecting: close what start opened,
            # or the half-started consumer leaks its client.
            await consumer.stop()
            raise
        self._consumer = consumer
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for tp, messages in batches.items():
                    for message in messages:
                        await self.handle(message)
                        self._processed[tp] = message.offset + 1
                    self._record_lag(consumer, tp)
                await self.commit_processed()
        finally:
            await self._close(consumer)

    async def _close(self, consumer: AIOKafkaConsumer) -> None:
        # Stopping must not hang on a group in the middle of a rebalance:
        # what is not committed here is delivered again and found handled.
        try:
            await asyncio.wait_for(self.commit_processed(), 5.0)
        except (TimeoutError, KafkaError) as exc:
            log.warning("final_commit_skipped", group=self.group_id, error=repr(exc))
        self._consumer = None
        try:
            await asyncio.wait_for(consumer.stop(), 15.0)
        except TimeoutError:
            log.warning("consumer_stop_timed_out", group=self.group_id)

    async def commit_processed(self, only: set[TopicPartition] | None = None) -> None:
        consumer = self._consumer
        offsets = {
            tp: offset
            for tp, offset in self._processed.items()
            if only is None or tp in only
        }
        if consumer is None or not offsets:
            return
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group moved on; whoever owns the partition now gets the
            # uncommitted messages again and the handled-event record skips them.
            log.warning("offset_commit_lost", group=self.group_id, error=str(exc))
        for tp in offsets:
            if self._processed.get(tp) == offsets[tp]:
                del self._processed[tp]

    async def handle(self, message: ConsumerRecord[Any, Any]) -> str:
        """Handle one message and return what became of it."""
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            topic=message.topic, partition=message.partition, offset=message.offset
        )
        started = time.perf_counter()
        outcome, event_type = await self._handle(message)
        HANDLED.labels(self.group_id, event_type, outcome).inc()
        log.info(
            "event_handled",
            group=self.group_id,
            outcome=outcome,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        structlog.contextvars.clear_contextvars()
        return outcome

    async def _handle(self, message: ConsumerRecord[Any, Any]) -> tuple[str, str]:
        try:
            envelope = Envelope.from_json(message.value)
        except (ValidationError, ValueError, TypeError) as exc:
            await self._dead_letter(message, None, exc, attempts=1)
            return "dead-lettered", "unreadable"

        structlog.contextvars.bind_contextvars(
            event_id=str(envelope.id),
            event_type=envelope.type,
            stream_id=envelope.subject,
            correlation_id=envelope.correlationid,
        )
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return "ignored", envelope.type

        try:
            event = self.registry.decode_envelope(envelope)
        except (ValidationError, UnknownEventType, LookupError) as exc:
            await self._dead_letter(message, envelope, exc, attempts=1)
            return "dead-lettered", envelope.type

        attempt = 0
        backoff = self.first_backoff
        while True:
            try:
                done = await self._apply(handler, event, envelope)
                return ("handled" if done else "duplicate"), envelope.type
            except TRANSIENT as exc:
                log.warning("event_retry_transient", error=repr(exc))
            except Exception as exc:
                attempt += 1
                if attempt >= self.max_attempts:
                    log.exception("event_failed")
                    await self._dead_letter(message, envelope, exc, attempt)
                    return "dead-lettered", envelope.type
                log.warning("event_retry", attempt=attempt, error=repr(exc))
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _apply(self, handler: Handler, event: Event, envelope: Envelope) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            # A concurrent delivery of the same event waits here on the
            # primary key until the first commits, then finds the row.
            first = await conn.fetchval(
                "INSERT INTO handled_events (consumer, event_id, outcome)"
                " VALUES ($1, $2, 'handled') ON CONFLICT DO NOTHING RETURNING true",
                self.group_id,
                envelope.id,
            )
            if not first:
                return False
            await handler(conn, event, envelope)
            return True

    async def _dead_letter(
        self,
        message: ConsumerRecord[Any, Any],
        envelope: Envelope | None,
        error: BaseException,
        attempts: int,
    ) -> None:
        headers = [
            *list(message.headers or []),
            ("dlt_error_type", type(error).__name__.encode()),
            ("dlt_error", str(error)[:500].encode(errors="replace")),
            ("dlt_attempts", str(attempts).encode()),
            ("dlt_topic", message.topic.encode()),
            ("dlt_partition", str(message.partition).encode()),
            ("dlt_offset", str(message.offset).encode()),
        ]
        while True:
            try:
                future = await self.producer.send(
                    self.dead_letter_topic,
                    value=message.value,
                    key=message.key,
                    headers=headers,
                )
                await future
                break
            except KafkaError as exc:
                log.warning("dead_letter_retry", error=repr(exc))
                await asyncio.sleep(self.first_backoff)
        DEAD_LETTERS.labels(self.group_id).inc()
        if envelope is not None:
            await self.pool.execute(
                "INSERT INTO handled_events (consumer, event_id, outcome)"
                " VALUES ($1, $2, 'dead-lettered') ON CONFLICT DO NOTHING",
                self.group_id,
                envelope.id,
            )

    def _record_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        highwater = consumer.highwater(tp)
        position = self._processed.get(tp)
        if highwater is not None and position is not None:
            LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(
                max(highwater - position, 0)
            )
