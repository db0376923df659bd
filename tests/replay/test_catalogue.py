"""The checked-in event catalogue follows the event models."""

from __future__ import annotations

import json
from pathlib import Path

from kisalli_replay import catalogue
from kisalli_shared.contracts import ALL_SERVICES, registry_of

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "events"
REGENERATE = (
    "docs/events/ no longer matches the event models in kisalli_shared.contracts."
    " Run `make catalogue` (or `uv run kisalli-replay catalogue`) and commit"
    " docs/events/ with your change."
)


def files_under(directory: Path) -> dict[str, str]:
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_checked_in_catalogue_is_what_the_event_models_generate(tmp_path: Path) -> None:
    catalogue.write(tmp_path)

    fresh, checked_in = files_under(tmp_path), files_under(CHECKED_IN)

    stale = sorted(
        name
        for name in fresh.keys() | checked_in.keys()
        if fresh.get(name) != checked_in.get(name)
    )
    assert not stale, f"{REGENERATE} Out of date: {', '.join(stale)}"


def test_catalogue_describes_every_published_event_on_its_service_topic() -> None:
    document = catalogue.asyncapi()
    readme = catalogue.readme()

    for service, module in ALL_SERVICES.items():
        channel = document["channels"][service]
        assert channel["address"] == f"{{prefix}}.{service}.events"
        for model in module.registry.models():
            name = model.type_name()
            assert name in document["components"]["messages"]
            assert f"### {name}" in readme
    every = {m.type_name() for m in registry_of(*ALL_SERVICES).models()}
    assert every == {
        name
        for channel in document["channels"].values()
        for name in channel["messages"]
    }


def test_messages_name_the_cloudevents_headers_the_relay_sends() -> None:
    headers = catalogue.asyncapi()["components"]["schemas"]["CloudEventHeaders"]

    assert {"ce_id", "ce_type", "ce_source", "ce_specversion"} <= set(
        headers["required"]
    )


def test_each_event_schema_is_a_json_schema_of_the_event_data() -> None:
    schema = json.loads(catalogue.generate()["schemas/FeedbackProcessed.json"])

    assert schema["$schema"].endswith("2020-12/schema")
    assert {"feedback_id", "office_id", "processed_by"} <= set(schema["properties"])
    assert schema["x-service"] == "feedback"
