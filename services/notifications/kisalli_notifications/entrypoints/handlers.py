"""Event handlers: keep the directory current and queue the emails events call for.

Each handler runs in the transaction that records its event as handled, so
an email is queued exactly once however often the event is delivered. The
table at the end says which handler takes which event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import asyncpg
import structlog
from prometheus_client import Counter

from kisalli_notifications.adapters import directory
from kisalli_notifications.adapters.email_queue import queue_email
from kisalli_notifications.adapters.templates import HELSINKI
from kisalli_notifications.domain import notices
from kisalli_notifications.domain.contracts import Contract
from kisalli_notifications.domain.emails import OutgoingEmail, language_of
from kisalli_shared.consumer import Handler
from kisalli_shared.contracts import accounts, feedback, payments
from kisalli_shared.events import Envelope, Event, EventRegistry
from kisalli_shared.eventstore import Causation, PostgresEventStore
from kisalli_shared.sealed import unseal

log = structlog.get_logger(__name__)

UNREADABLE_LINKS = Counter(
    "kisalli_notifications_unreadable_secret_links_total",
    "Sealed links that could not be opened and were dropped",
)

E = TypeVar("E", bound=Event)
ContractNotice = Callable[[Event, Contract, str], list[OutgoingEmail]]


def _expect(event: Event, model: type[E]) -> E:
    if not isinstance(event, model):
        raise TypeError(f"expected {model.__name__}, got {type(event).__name__}")
    return event


def _feedback_notice(
    model: type[E], notice: Callable[[E, Contract, str], list[OutgoingEmail]]
) -> ContractNotice:
    return lambda event, contract, base: notice(_expect(event, model), contract, base)


def _payments_notice(
    model: type[E], notice: Callable[[E, Contract], list[OutgoingEmail]]
) -> ContractNotice:
    return lambda event, contract, _base: notice(_expect(event, model), contract)


# Events whose emails go to people named in a contract.
CONTRACT_NOTICES: dict[str, ContractNotice] = {
    "FeedbackSubmitted": _feedback_notice(
        feedback.FeedbackSubmitted, notices.feedback_submitted
    ),
    "FeedbackReturned": _feedback_notice(
        feedback.FeedbackReturned, notices.feedback_returned
    ),
    "FeedbackProcessed": _feedback_notice(
        feedback.FeedbackProcessed, notices.feedback_processed
    ),
    "CompensationCalculated": _payments_notice(
        payments.CompensationCalculated, notices.compensation_calculated
    ),
    "CompensationHeld": _payments_notice(
        payments.CompensationHeld, notices.compensation_held
    ),
    "CompensationPaid": _payments_notice(
        payments.CompensationPaid, notices.compensation_paid
    ),
}


class EventHandlers:
    def __init__(
        self,
        *,
        store: Callable[[], PostgresEventStore],
        registry: EventRegistry,
        public_base_url: str,
        secret_link_key: str,
    ) -> None:
        self.store = store
        self.registry = registry
        self.base_url = public_base_url.rstrip("/")
        self.secret_link_key = secret_link_key

    async def _queue(
        self, conn: asyncpg.Connection, emails: list[OutgoingEmail], envelope: Envelope
    ) -> None:
        causation = Causation(envelope.correlationid, str(envelope.id))
        for email in emails:
            email_id = await queue_email(
                conn, self.store(), email, str(envelope.id), causation
            )
            log.debug("email_queued", email_id=email_id, template=email.template)

    # Accounts

    async def remember_account(
        self, conn: asyncpg.Connection, event: Event, _envelope: Envelope
    ) -> None:
        await directory.save_account(conn, _expect(event, accounts.AccountCreated))

    async def send_secret_link(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        sealed = _expect(event, accounts.SecretLinkSealed).sealed
        try:
            # Opened here only to learn whom to write to; the link itself
            # is opened again when the email is sent, and stored sealed.
            link = unseal(
                sealed.encode(), accounts.SecretLink, self.secret_link_key, max_age=None
            )
        except ValueError:  # UnsealError, or no key at all
            # Not dead-lettered: a dead-letter topic would keep the sealed
            # link for ever.
            UNREADABLE_LINKS.inc()
            log.warning("secret_link_unreadable")
            return
        await self._queue(conn, [notices.secret_link_email(link, sealed)], envelope)

    async def _tell_account(
        self,
        conn: asyncpg.Connection,
        account_id: str,
        envelope: Envelope,
        notice: Callable[..., list[OutgoingEmail]],
    ) -> None:
        found = await directory.account(conn, account_id)
        if found is None:
            # Accounts keys its events by account, so AccountCreated came
            # first on the same partition; none means it was never there.
            log.warning("account_unknown", account_id=account_id)
            return
        who, office_id = found
        emails = [
            OutgoingEmail(e.template, e.recipient, e.context, office_id=office_id)
            for e in notice(who, envelope.time)
        ]
        await self._queue(conn, emails, envelope)

    async def tell_password_changed(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        account_id = _expect(event, accounts.PasswordChanged).account_id
        await self._tell_account(conn, account_id, envelope, notices.password_changed)

    async def tell_password_reset_completed(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        account_id = _expect(event, accounts.PasswordResetCompleted).account_id
        await self._tell_account(
            conn, account_id, envelope, notices.password_reset_completed
        )

    async def tell_account_locked(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        locked = _expect(event, accounts.AccountLocked)
        await self._tell_account(
            conn,
            locked.account_id,
            envelope,
            lambda who, _at: notices.account_locked(locked, who),
        )

    async def tell_email_changed(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        changed = _expect(event, accounts.EmailChanged)
        found = await directory.account(conn, changed.account_id)
        name = changed.name or (found[0].name if found else "")
        language = found[0].language if found else language_of(changed.language)
        office_id = found[1] if found else None
        await directory.change_account_email(
            conn, changed.account_id, changed.new_email
        )
        emails = [
            OutgoingEmail(e.template, e.recipient, e.context, office_id=office_id)
            for e in notices.email_changed(changed, language, name)
        ]
        await self._queue(conn, emails, envelope)

    # Contracts

    async def remember_contract(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        signed = _expect(event, feedback.ContractSigned)
        await directory.save_contract(conn, signed)
        # Events about this contract that overtook it on another partition
        # or topic are told now.
        for waiting in await directory.take_awaiting(conn, signed.contract_id):
            await self._tell_contract(
                conn, self.registry.decode_envelope(waiting), waiting
            )

    async def change_tutor(
        self, conn: asyncpg.Connection, event: Event, _envelope: Envelope
    ) -> None:
        changed = _expect(event, feedback.ContractTutorChanged)
        await directory.change_tutor(conn, changed.contract_id, changed.tutor)

    async def end_contract(
        self, conn: asyncpg.Connection, event: Event, _envelope: Envelope
    ) -> None:
        ended = _expect(event, feedback.ContractEndedEarly)
        await directory.end_contract(conn, ended.contract_id, ended.end_date)

    async def _tell_contract(
        self, conn: asyncpg.Connection, event: Event, envelope: Envelope
    ) -> None:
        contract_id: str = getattr(event, "contract_id")  # noqa: B009 (every notice has one)
        contract = await directory.contract(conn, contract_id)
        if contract is None:
            await directory.await_contract(conn, contract_id, envelope)
            return
        emails = CONTRACT_NOTICES[envelope.type](event, contract, self.base_url)
        await self._queue(conn, emails, envelope)

    # Feedback: the directory follows each document's state for reminders.

    def _feedback_state(
        self, state: str, tell: bool
    ) -> Callable[[asyncpg.Connection, Event, Envelope], Awaitable[None]]:
        async def handle(
            conn: asyncpg.Connection, event: Event, envelope: Envelope
        ) -> None:
            facts = _expect(event, feedback.FeedbackFacts)
            submitted_on = None
            if state == "submitted":
                submitted_on = envelope.time.astimezone(HELSINKI).date()
            await directory.save_feedback(conn, facts, state, submitted_on)
            if tell:
                await self._tell_contract(conn, event, envelope)

        return handle

    def table(self) -> Mapping[str, Handler]:
        return {
            "AccountCreated": self.remember_account,
            "SecretLinkSealed": self.send_secret_link,
            "PasswordChanged": self.tell_password_changed,
            "PasswordResetCompleted": self.tell_password_reset_completed,
            "EmailChanged": self.tell_email_changed,
            "AccountLocked": self.tell_account_locked,
            "ContractSigned": self.remember_contract,
            "ContractTutorChanged": self.change_tutor,
            "ContractEndedEarly": self.end_contract,
            "FeedbackSubmitted": self._feedback_state("submitted", tell=True),
            "FeedbackAcknowledged": self._feedback_state("acknowledged", tell=False),
            "FeedbackReturned": self._feedback_state("returned", tell=True),
            "FeedbackProcessed": self._feedback_state("processed", tell=True),
            "CompensationCalculated": self._tell_contract,
            "CompensationHeld": self._tell_contract,
            "CompensationPaid": self._tell_contract,
        }


__all__ = ["EventHandlers"]
