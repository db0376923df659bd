"""One flat DuckDB table per event type, from the raw `events` table.

A table is named after its event type in snake case (FeedbackProcessed ->
feedback_processed) and has the envelope's event_id, stream_id,
stream_version and event_time, then a column per leaf of the event's model
(nested values joined with `_`: student_name). Every known type that can be
replayed gets its table, empty or not, so that queries do not depend on what
was replayed.
"""

from __future__ import annotations

import re

import duckdb

from kisalli_replay.fields import Leaf, leaves
from kisalli_replay.pseudonyms import REGISTRY
from kisalli_shared.contracts.accounts import SecretLinkSealed

SQL_TYPE = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "decimal": "DECIMAL(18, 6)",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "boolean": "BOOLEAN",
    "json": "JSON",
}


def table_name(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).lower()


def _column(leaf: Leaf) -> str:
    path = "$." + ".".join(leaf.path)
    if leaf.kind == "json":
        return f"data -> '{path}' AS \"{leaf.name}\""
    # TRY_CAST: data of an older schema version may not fit; it shows as NULL.
    return f"TRY_CAST(data ->> '{path}' AS {SQL_TYPE[leaf.kind]}) AS \"{leaf.name}\""


def create_event_tables(db: duckdb.DuckDBPyConnection) -> list[str]:
    created = []
    for model in REGISTRY.models():
        if model is SecretLinkSealed:
            continue  # travels on the secret-links topic, never replayed
        name = table_name(model.type_name())
        columns = ",\n  ".join(_column(leaf) for leaf in leaves(model))
        db.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT\n"
            "  id AS event_id, subject AS stream_id,"
            " streamversion AS stream_version, time AS event_time,\n"
            f"  {columns}\n"
            "FROM events WHERE type = $type ORDER BY time",
            {"type": model.type_name()},
        )
        created.append(name)
    return created
