"""The emails table: the queue the delivery loop sends from, and its history.

Queuing writes the row and appends EmailQueued in the caller's transaction
(the one that records the triggering event as handled), so the decision to
send is taken once. Each later state change appends the email's next event
in the same transaction as the row update.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from kisalli_notifications.domain.emails import OutgoingEmail, address_key
from kisalli_shared.contracts.notifications import (
    EmailDeliveryDeferred,
    EmailDeliveryFailed,
    EmailQueued,
    EmailSent,
)
from kisalli_shared.events import Event
from kisalli_shared.eventstore import Causation, PostgresEventStore


def stream_of(email_id: str) -> str:
    return f"email-{email_id}"


@dataclass(frozen=True)
class QueuedEmail:
    email_id: str
    cause: str
    correlation_id: str
    recipient: str
    template: str
    language: str
    context: dict[str, Any]
    sealed_link: str | None
    attempts: int
    stream_version: int

    def facts(self) -> dict[str, Any]:
        return {
            "email_id": self.email_id,
            "template": self.template,
            "language": self.language,
            "recipient": self.recipient,
            "caused_by_event_id": self.cause,
        }


def _queued(row: asyncpg.Record) -> QueuedEmail:
    return QueuedEmail(
        email_id=str(row["email_id"]),
        cause=row["cause"],
        correlation_id=row["correlation_id"],
        recipient=row["recipient"],
        template=row["template"],
        language=row["language"],
        context=json.loads(row["context"]),
        sealed_link=row["sealed_link"],
        attempts=row["attempts"],
        stream_version=row["stream_version"],
    )


async def queue_email(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    email: OutgoingEmail,
    cause: str,
    causation: Causation,
) -> str | None:
    """Queue an email once per cause, person and template; None if it was."""
    email_id = str(uuid.uuid4())
    inserted = await conn.fetchval(
        "INSERT INTO emails (email_id, cause, correlation_id, recipient,"
        " recipient_key, template, language, office_id, context, sealed_link)"
        " VALUES ($1, $2, $10, $3, $4, $5, $6, $7, $8::jsonb, $9)"
        " ON CONFLICT ON CONSTRAINT emails_once DO NOTHING RETURNING true",
        email_id,
        cause,
        email.recipient.email,
        address_key(email.recipient.email),
        email.template.value,
        email.recipient.language.value,
        email.office_id,
        json.dumps(email.context),
        email.sealed_link,
        causation.correlation_id,
    )
    if not inserted:
        return None
    queued = EmailQueued(
        email_id=email_id,
        template=email.template.value,
        language=email.recipient.language.value,
        recipient=email.recipient.email,
        caused_by_event_id=cause,
        office_id=email.office_id,
    )
    await store.append(stream_of(email_id), 0, [queued], causation, conn=conn)
    return email_id


_CLAIM = """
UPDATE emails
SET state = 'sending', attempts = attempts + 1,
    lease_until = now() + make_interval(secs => $2)
WHERE email_id IN (
    SELECT email_id FROM emails
    WHERE (state = 'pending' AND next_attempt_at <= now())
       OR (state = 'sending' AND lease_until < now())
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
RETURNING email_id, cause, correlation_id, recipient, template, language,
          context::text AS context, sealed_link, attempts, stream_version
"""


async def claim_due(pool: asyncpg.Pool, limit: int, lease: float) -> list[QueuedEmail]:
    """Take emails that are due, each counted as an attempt before it is made.

    The lease hands an email to another sender only if this one dies
    without recording what became of it.
    """
    rows = await pool.fetch(_CLAIM, limit, lease)
    return [_queued(row) for row in rows]


async def _record(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    email: QueuedEmail,
    event: Event,
    update: str,
    *args: Any,
) -> bool:
    # A savepoint per email: one that cannot be recorded leaves the others
    # of its batch alone.
    async with conn.transaction():
        # Only the sender holding the attempt records it; one whose lease
        # ran out and was taken over finds the row moved on.
        changed = await conn.fetchval(
            f"UPDATE emails SET {update}, stream_version = stream_version + 1,"
            " lease_until = NULL"
            " WHERE email_id = $1 AND state = 'sending' AND attempts = $2"
            " RETURNING true",
            uuid.UUID(email.email_id),
            email.attempts,
            *args,
        )
        if not changed:
            return False
        causation = Causation(email.correlation_id)
        await store.append(
            stream_of(email.email_id), email.stream_version, [event], causation, conn
        )
        return True


async def record_sent(
    conn: asyncpg.Connection, store: PostgresEventStore, email: QueuedEmail, mid: str
) -> bool:
    event = EmailSent(**email.facts(), attempts=email.attempts, message_id=mid)
    return await _record(
        conn,
        store,
        email,
        event,
        "state = 'sent', sealed_link = NULL, finished_at = now(), last_error = NULL",
    )


async def record_deferred(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    email: QueuedEmail,
    reason: str,
    smtp_code: int | None,
    retry_at: datetime,
) -> bool:
    event = EmailDeliveryDeferred(
        email_id=email.email_id,
        attempt=email.attempts,
        reason=reason,
        smtp_code=smtp_code,
        retry_at=retry_at,
    )
    return await _record(
        conn,
        store,
        email,
        event,
        "state = 'pending', next_attempt_at = $3, last_error = $4, smtp_code = $5",
        retry_at,
        reason,
        smtp_code,
    )


async def record_failed(
    conn: asyncpg.Connection,
    store: PostgresEventStore,
    email: QueuedEmail,
    reason: str,
    smtp_code: int | None,
) -> bool:
    event = EmailDeliveryFailed(
        **email.facts(), attempts=email.attempts, reason=reason, smtp_code=smtp_code
    )
    return await _record(
        conn,
        store,
        email,
        event,
        "state = 'failed', sealed_link = NULL, finished_at = now(),"
        " last_error = $3, smtp_code = $4",
        reason,
        smtp_code,
    )


def retry_time(now: datetime, delay: float) -> datetime:
    return now + timedelta(seconds=delay)


async def list_emails(
    pool: asyncpg.Pool,
    *,
    office_id: str,
    state: str | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT email_id, cause, recipient, template, language, state, attempts,"
        " last_error, smtp_code, queued_at, finished_at FROM emails"
        " WHERE office_id = $1 AND ($2::text IS NULL OR state = $2)"
        " ORDER BY queued_at DESC, email_id LIMIT $3 OFFSET $4",
        office_id,
        state,
        limit,
        offset,
    )
    return [dict(row) for row in rows]
