"""The delivery loop: sends queued emails and records what became of each.

An email is claimed (its attempt counted) before it is sent and recorded
after. A crash between the server taking an email and the record leaves
it claimed; when the lease runs out it is sent again, with the same
Message-ID. That window is the one place an email can arrive twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import structlog
from jinja2 import TemplateError
from prometheus_client import Counter, Gauge

from kisalli_notifications.adapters import email_queue
from kisalli_notifications.adapters.email_queue import QueuedEmail
from kisalli_notifications.adapters.smtp import Letter, Outcome, SmtpMailer, message_id
from kisalli_notifications.adapters.templates import Renderer
from kisalli_notifications.domain.delivery import RetryPolicy, is_permanent
from kisalli_shared.contracts.accounts import SecretLink
from kisalli_shared.contracts.common import Language
from kisalli_shared.eventstore import ConcurrencyError, PostgresEventStore
from kisalli_shared.sealed import unseal

log = structlog.get_logger(__name__)

DELIVERIES = Counter(
    "kisalli_notifications_deliveries_total",
    "Delivery attempts, by outcome",
    ["template", "outcome"],
)
PENDING = Gauge("kisalli_notifications_emails_pending", "Emails not yet sent")
FAILED = Gauge("kisalli_notifications_emails_failed", "Emails given up on")


class Unsendable(Exception):
    """The email cannot be made: its link expired or its template is broken."""


@dataclass
class DeliveryConfig:
    secret_link_key: str
    batch_size: int = 50
    lease_seconds: float = 60.0
    poll_interval: float = 0.5
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class Delivery:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        store: PostgresEventStore,
        mailer: SmtpMailer,
        renderer: Renderer,
        config: DeliveryConfig,
    ) -> None:
        self.pool = pool
        self.store = store
        self.mailer = mailer
        self.renderer = renderer
        self.config = config

    async def run(self) -> None:
        """Send forever; cancel the task to stop."""
        while True:
            try:
                sent = await self.deliver_due()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("delivery_pass_failed", error=repr(exc))
                sent = 0
            if sent == 0:
                await self._update_gauges()
                await asyncio.sleep(self.config.poll_interval)

    async def deliver_due(self) -> int:
        """Make one attempt at every email that is due; return how many."""
        claimed = await email_queue.claim_due(
            self.pool, self.config.batch_size, self.config.lease_seconds
        )
        if not claimed:
            return 0
        letters: list[tuple[QueuedEmail, Letter]] = []
        results: list[tuple[QueuedEmail, Outcome, bool]] = []
        for email in claimed:
            try:
                letters.append((email, self._letter(email)))
            except Unsendable as exc:
                results.append((email, Outcome(False, str(exc)), True))
        outcomes = await self.mailer.send([letter for _, letter in letters])
        for (email, _), outcome in zip(letters, outcomes, strict=True):
            results.append((email, outcome, is_permanent(outcome.smtp_code)))

        # One commit for the batch keeps the window between the server
        # taking an email and our record of it short.
        async with self.pool.acquire() as conn, conn.transaction():
            for email, outcome, permanent in results:
                await self._record(conn, email, outcome, permanent)
        return len(claimed)

    def _letter(self, email: QueuedEmail) -> Letter:
        context = dict(email.context)
        if email.sealed_link is not None:
            context["link"] = self._open_link(email.sealed_link)
        try:
            rendered = self.renderer.render(
                email.template, Language(email.language), context
            )
        except (TemplateError, ValueError) as exc:
            log.exception("email_unrenderable", email_id=email.email_id)
            raise Unsendable(f"cannot render: {type(exc).__name__}") from None
        return Letter(email.email_id, email.recipient, email.language, rendered)

    def _open_link(self, sealed: str) -> str:
        try:
            link = unseal(
                sealed.encode(), SecretLink, self.config.secret_link_key, max_age=None
            )
        except ValueError:  # UnsealError, or no key at all
            raise Unsendable("the sealed link cannot be opened") from None
        # A link that no longer works would only confuse; better told as failed.
        if link.expires_at <= datetime.now(UTC):
            raise Unsendable("the link expired before it could be sent")
        return link.link

    async def _record(
        self,
        conn: asyncpg.Connection,
        email: QueuedEmail,
        outcome: Outcome,
        permanent: bool,
    ) -> None:
        try:
            await self._record_outcome(conn, email, outcome, permanent)
        except ConcurrencyError:
            # Another sender took the email over after our lease ran out and
            # recorded first; its record stands.
            log.warning("delivery_record_superseded", email_id=email.email_id)

    async def _record_outcome(
        self,
        conn: asyncpg.Connection,
        email: QueuedEmail,
        outcome: Outcome,
        permanent: bool,
    ) -> None:
        bind = {"email_id": email.email_id, "template": email.template}
        retry = self.config.retry
        if outcome.accepted:
            mid = message_id(email.email_id, self.mailer.sender)
            await email_queue.record_sent(conn, self.store, email, mid)
            DELIVERIES.labels(email.template, "sent").inc()
            log.info("email_sent", attempts=email.attempts, **bind)
        elif permanent or retry.gives_up_after(email.attempts):
            await email_queue.record_failed(
                conn, self.store, email, outcome.reason, outcome.smtp_code
            )
            DELIVERIES.labels(email.template, "failed").inc()
            log.warning(
                "email_failed",
                reason=outcome.reason,
                smtp_code=outcome.smtp_code,
                attempts=email.attempts,
                **bind,
            )
        else:
            delay = retry.delay_after(email.attempts)
            retry_at = email_queue.retry_time(datetime.now(UTC), delay)
            await email_queue.record_deferred(
                conn,
                self.store,
                email,
                outcome.reason,
                outcome.smtp_code,
                retry_at,
            )
            DELIVERIES.labels(email.template, "deferred").inc()
            log.info(
                "email_deferred",
                reason=outcome.reason,
                smtp_code=outcome.smtp_code,
                attempts=email.attempts,
                retry_in=delay,
                **bind,
            )

    async def _update_gauges(self) -> None:
        row = await self.pool.fetchrow(
            "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')) AS pending,"
            " count(*) FILTER (WHERE state = 'failed') AS failed FROM emails"
        )
        if row is not None:
            PENDING.set(row["pending"])
            FAILED.set(row["failed"])
