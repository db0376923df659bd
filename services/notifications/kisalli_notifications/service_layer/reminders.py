"""The daily reminder job: one bundled email per person per day.

`send_reminders(today)` may run as often as anyone likes: each person's
email for a day is queued under the cause `reminders:<day>`, which the
emails table takes once, and the items it covers are remembered in the
same transaction.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

import asyncpg
import structlog

from kisalli_notifications.adapters import directory
from kisalli_notifications.adapters.email_queue import queue_email
from kisalli_notifications.adapters.templates import HELSINKI
from kisalli_notifications.domain.emails import OutgoingEmail
from kisalli_notifications.domain.reminders import (
    Policy,
    ReminderBundle,
    ReminderItem,
    plan_reminders,
)
from kisalli_shared.eventstore import Causation, PostgresEventStore

log = structlog.get_logger(__name__)

DEFAULT_POLICY = Policy()


def _item_facts(item: ReminderItem, base_url: str) -> dict[str, Any]:
    link = (
        f"{base_url}/feedback/{item.feedback_id}"
        if item.feedback_id
        else f"{base_url}/contracts/{item.contract_id}"
    )
    return {
        "contract_id": item.contract_id,
        "student_name": item.student_name,
        "period_index": item.period_index,
        "due": item.due.isoformat(),
        "late": item.late,
        "link": link,
    }


def reminder_email(bundle: ReminderBundle, base_url: str) -> OutgoingEmail:
    return OutgoingEmail(
        bundle.template,
        bundle.recipient,
        {
            "name": bundle.recipient.name,
            "items": [_item_facts(item, base_url) for item in bundle.items],
        },
        office_id=bundle.office_id,
    )


async def send_reminders(
    pool: asyncpg.Pool,
    store: PostgresEventStore,
    today: date,
    *,
    public_base_url: str,
    policy: Policy = DEFAULT_POLICY,
) -> int:
    """Queue today's reminders; return how many emails were queued now."""
    base_url = public_base_url.rstrip("/")
    async with pool.acquire() as conn:
        contracts = await directory.all_contracts(conn)
        feedback = await directory.all_feedback(conn)
        reminded = await directory.reminded(conn)
    bundles = plan_reminders(contracts, feedback, reminded, today, policy)

    cause = f"reminders:{today.isoformat()}"
    causation = Causation(correlation_id=str(uuid.uuid4()))
    queued = 0
    for bundle in bundles:
        async with pool.acquire() as conn, conn.transaction():
            email_id = await queue_email(
                conn, store, reminder_email(bundle, base_url), cause, causation
            )
            # Already queued today (another run got here first): its run
            # remembered the items.
            if email_id is None:
                continue
            await directory.mark_reminded(
                conn, [item.key for item in bundle.items], today
            )
            queued += 1
    log.info("reminders_queued", day=today.isoformat(), emails=queued)
    return queued


async def remind_daily(
    pool: asyncpg.Pool,
    store: PostgresEventStore,
    *,
    public_base_url: str,
    policy: Policy,
    every: float,
) -> None:
    """Run the reminder job now and then, on the office's calendar day."""
    while True:
        today = datetime.now(HELSINKI).date()
        try:
            await send_reminders(
                pool, store, today, public_base_url=public_base_url, policy=policy
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("reminders_failed", error=repr(exc))
        await asyncio.sleep(every)
