"""Small events the core's tests append and consume."""

from __future__ import annotations

from kisalli_shared.events import Event, EventRegistry

registry = EventRegistry()


@registry.register
class CounterIncremented(Event):
    by: int = 1


@registry.register
class NoteWritten(Event):
    text: str
