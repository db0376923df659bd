"""The event catalogue, generated from the event models.

docs/events/ holds a JSON Schema per event type (schemas/<Type>.json), an
AsyncAPI 3 document of the topics (asyncapi.json) and a page listing every
event (README.md). Regenerate with `make catalogue`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import JsonSchemaMode, models_json_schema

from kisalli_replay.fields import Leaf, leaves
from kisalli_shared.contracts import ALL_SERVICES
from kisalli_shared.contracts.accounts import (
    SECRET_LINKS_TOPIC_CONFIG,
    SecretLinkSealed,
)
from kisalli_shared.events import Envelope, Event
from kisalli_shared.kafka import FOREVER, envelope_headers

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING = "0.5.0"
REF = "#/components/schemas/{model}"

# What each ce_* header carries, by the envelope attribute it copies.
HEADER_MEANING = {
    "ce_specversion": "CloudEvents spec version",
    "ce_id": "the envelope's id: the event id",
    "ce_type": "the envelope's type: the event type",
    "ce_source": "the envelope's source: the publishing service",
    "content-type": "always application/cloudevents+json",
}


def channels() -> dict[str, tuple[str, str, list[type[Event]]]]:
    """Channel name -> (topic address, description, models), per service."""
    found = {}
    for service, module in ALL_SERVICES.items():
        models = [m for m in module.registry.models() if m is not SecretLinkSealed]
        found[service] = (
            f"{{prefix}}.{service}.events",
            f"Every event of the {service} service, keyed by stream id, kept forever.",
            models,
        )
    found["accounts-secret-links"] = (
        "{prefix}.accounts.secret-links",
        "Sealed activation and reset links for notifications alone; kept an"
        " hour and never replayed.",
        [SecretLinkSealed],
    )
    return found


def event_schema(model: type[Event], service: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA,
        "$id": f"{model.type_name()}.json",
        **schema,
        "x-service": service,
        "x-schema-version": model.schema_version,
    }


def _headers_schema() -> dict[str, Any]:
    sample = Envelope(
        source="s", type="T", subject="s", streamversion=1, correlationid="c", data={}
    )
    names = [name for name, _ in envelope_headers(sample)]
    return {
        "type": "object",
        "properties": {
            name: {"type": "string", "description": HEADER_MEANING.get(name, "")}
            for name in names
        },
        "required": names,
    }


def _message(model: type[Event]) -> dict[str, Any]:
    name = model.type_name()
    message: dict[str, Any] = {
        "name": name,
        "title": name,
        "contentType": "application/json",
        "headers": {"$ref": REF.format(model="CloudEventHeaders")},
        "payload": {
            "allOf": [
                {"$ref": REF.format(model="Envelope")},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": name},
                        "schemaversion": {"const": model.schema_version},
                        "data": {"$ref": REF.format(model=name)},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "the stream id (subject)"},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
    if model.__doc__:
        message["summary"] = model.__doc__.strip().splitlines()[0]
    return message


def asyncapi() -> dict[str, Any]:
    every = channels()
    models = [m for _, _, ms in every.values() for m in ms]
    mode: JsonSchemaMode = "serialization"
    _, definitions = models_json_schema(
        [(Envelope, mode), *((m, mode) for m in models)], ref_template=REF
    )
    schemas = {"CloudEventHeaders": _headers_schema(), **definitions["$defs"]}
    document: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Kisälli events",
            "version": "1.0.0",
            "description": "The events Kisälli's services publish to Kafka,"
            " each a CloudEvents envelope (JSON) around the event's data.",
        },
        "defaultContentType": "application/json",
        "channels": {},
        "operations": {},
        "components": {
            "messages": {m.type_name(): _message(m) for m in models},
            "schemas": schemas,
        },
    }
    for name, (address, description, members) in every.items():
        config = SECRET_LINKS_TOPIC_CONFIG if name.endswith("secret-links") else FOREVER
        document["channels"][name] = {
            "address": address,
            "description": description,
            "parameters": {
                "prefix": {
                    "default": "kisalli",
                    "description": "the deployment's topic prefix",
                }
            },
            "messages": {
                m.type_name(): {"$ref": f"#/components/messages/{m.type_name()}"}
                for m in members
            },
            "bindings": {
                "kafka": {
                    "topicConfiguration": _topic_configuration(config),
                    "bindingVersion": KAFKA_BINDING,
                }
            },
        }
        document["operations"][f"publish-{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [
                {"$ref": f"#/channels/{name}/messages/{m.type_name()}"} for m in members
            ],
        }
    return document


def readme() -> str:
    lines = [
        "# Event catalogue",
        "",
        "Generated from the event models in `kisalli_shared.contracts`; do not edit.",
        "Regenerate with `make catalogue` (`uv run kisalli-replay catalogue`).",
        "",
        "Every event travels in a CloudEvents envelope (`asyncapi.json`); the",
        "fields below are its `data`. Each event's JSON Schema is",
        "`schemas/<Type>.json`. Fields marked *personal* are pseudonymised by",
        "`kisalli-replay replay --pseudonym-key`.",
    ]
    for address, description, members in channels().values():
        lines += ["", f"## `{address}`", "", description]
        for model in members:
            lines += ["", f"### {model.type_name()}", ""]
            if model.__doc__:
                lines += [" ".join(model.__doc__.split()), ""]
            lines += ["| field | kind | notes |", "| --- | --- | --- |"]
            lines += [_row(leaf) for leaf in leaves(model)]
    return "\n".join(lines) + "\n"


def _row(leaf: Leaf) -> str:
    kind = " \\| ".join(f"`{c}`" for c in leaf.choices) or leaf.kind
    notes = [
        n for n, on in (("optional", leaf.optional), ("personal", leaf.personal)) if on
    ]
    if leaf.description:
        notes.append(leaf.description)
    return f"| `{'.'.join(leaf.path)}` | {kind} | {', '.join(notes)} |"


def _topic_configuration(config: dict[str, str]) -> dict[str, Any]:
    """Topic settings as the AsyncAPI Kafka binding spells them."""
    spelled: dict[str, Any] = {}
    for name, value in config.items():
        if name == "cleanup.policy":
            spelled[name] = value.split(",")
        else:
            spelled[name] = int(value)
    return spelled


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """Every file of the catalogue: relative path -> text."""
    files = {"README.md": readme(), "asyncapi.json": _dump(asyncapi())}
    for service, (_, _, members) in channels().items():
        for model in members:
            files[f"schemas/{model.type_name()}.json"] = _dump(
                event_schema(model, service.split("-")[0])
            )
    return files


def write(directory: Path) -> list[Path]:
    """Write the catalogue; schemas of events that no longer exist go away."""
    files = generate()
    schemas = directory / "schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    for old in schemas.glob("*.json"):
        if f"schemas/{old.name}" not in files:
            old.unlink()
    written = []
    for relative, text in files.items():
        path = directory / relative
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
