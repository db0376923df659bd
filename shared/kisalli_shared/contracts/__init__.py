"""The published language: events one service puts on its topic for others.

Each service owns the module named after it and only appends to it: a field
is added with a default, a change that breaks readers gets a new schema
version and an upcaster. Consumers read these models and ignore what they do
not know.
"""

from kisalli_shared.contracts import accounts, feedback, notifications, payments
from kisalli_shared.events import EventRegistry

ALL_SERVICES = {
    "accounts": accounts,
    "feedback": feedback,
    "payments": payments,
    "notifications": notifications,
}


def registry_of(*services: str) -> EventRegistry:
    """A registry of the named services' published events."""
    registry = EventRegistry()
    for service in services:
        for model in ALL_SERVICES[service].registry.models():
            registry.register(model)
    return registry
