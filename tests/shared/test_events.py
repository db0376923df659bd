from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from kisalli_shared.events import Envelope, Event, EventRegistry, UnknownEventType


def make_registry() -> EventRegistry:
    registry = EventRegistry()

    @registry.register
    class TutorChanged(Event):
        schema_version = 2
        tutor_name: str
        effective_from: str

    @registry.upcaster("TutorChanged", from_version=1)
    def add_effective_date(data: dict[str, object]) -> dict[str, object]:
        return {**data, "effective_from": "1970-01-01"}

    return registry


def test_an_old_version_is_upcast_when_read():
    registry = make_registry()

    event = registry.decode("TutorChanged", 1, {"tutor_name": "Aino"})

    assert event.model_dump() == {
        "tutor_name": "Aino",
        "effective_from": "1970-01-01",
    }


def test_fields_a_consumer_does_not_know_are_ignored():
    registry = make_registry()

    event = registry.decode(
        "TutorChanged", 2, {"tutor_name": "Aino", "effective_from": "x", "new": 1}
    )

    assert not hasattr(event, "new")


def test_an_unknown_event_type_is_named_in_the_error():
    with pytest.raises(UnknownEventType, match="NoSuchThing"):
        make_registry().decode("NoSuchThing", 1, {})


def test_data_missing_a_required_field_is_refused():
    with pytest.raises(ValidationError):
        make_registry().decode("TutorChanged", 2, {"tutor_name": "Aino"})


def test_an_envelope_round_trips_through_json_with_cloudevents_names():
    envelope = Envelope(
        source="kisalli/feedback",
        type="FeedbackSubmitted",
        subject="feedback-1",
        time=datetime(2026, 12, 3, tzinfo=UTC),
        streamversion=2,
        correlationid="c-1",
        causationid="e-0",
        data={"a": 1},
    )

    raw = envelope.to_json()

    assert Envelope.from_json(raw) == envelope
    assert b'"specversion":"1.0"' in raw
    assert b'"subject":"feedback-1"' in raw


def test_registering_two_models_under_one_name_is_refused():
    registry = EventRegistry()

    class Signed(Event):
        pass

    registry.register(Signed)

    class Other(Event):
        pass

    Other.__name__ = "Signed"
    with pytest.raises(ValueError, match="twice"):
        registry.register(Other)
