"""Events on kisalli.notifications.events. No event carries a link."""

from __future__ import annotations

from kisalli_shared.events import Event, EventRegistry

registry = EventRegistry()


@registry.register
class EmailSent(Event):
    email_id: str
    template: str
    language: str
    recipient: str
    caused_by_event_id: str
