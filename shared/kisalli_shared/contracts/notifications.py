"""Events on kisalli.notifications.events. No event carries a link.

Each email is a stream `email-<email_id>`: queued once, then deferred after
each failed attempt, and finally sent or failed. `caused_by_event_id` is the
id of the event the email answers, or `reminders:<date>` for a reminder.
"""

from __future__ import annotations

from datetime import datetime

from kisalli_shared.events import Event, EventRegistry

registry = EventRegistry()


@registry.register
class EmailQueued(Event):
    email_id: str
    template: str
    language: str
    recipient: str
    caused_by_event_id: str
    office_id: str | None = None


@registry.register
class EmailSent(Event):
    email_id: str
    template: str
    language: str
    recipient: str
    caused_by_event_id: str
    attempts: int = 1
    message_id: str = ""


@registry.register
class EmailDeliveryDeferred(Event):
    """An attempt failed for a reason that may pass; another follows."""

    email_id: str
    attempt: int
    reason: str
    smtp_code: int | None = None
    retry_at: datetime


@registry.register
class EmailDeliveryFailed(Event):
    """The email will not be sent: the server refused it for good, or we gave up."""

    email_id: str
    template: str
    language: str
    recipient: str
    caused_by_event_id: str
    attempts: int
    reason: str
    smtp_code: int | None = None
