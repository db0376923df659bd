"""Records to rows: the envelope's attributes as columns, filtered.

A batch of records becomes one Arrow table, and DuckDB parses every
envelope of it at once (vectorised, outside the GIL): per-record Python here
would cost more than reading from Kafka does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from kisalli_replay.reading import RECORDS

if TYPE_CHECKING:
    from kisalli_replay.pseudonyms import Pseudonymiser

# The envelope (kisalli_shared.events.Envelope) as DuckDB reads it; `data`
# stays JSON text so that any event type fits one table. Read as VARCHAR it
# is taken as the text it is, a quarter faster than as JSON cast back.
ENVELOPE = json.dumps(
    {
        "id": "VARCHAR",
        "source": "VARCHAR",
        "type": "VARCHAR",
        "subject": "VARCHAR",
        "time": "TIMESTAMPTZ",
        "schemaversion": "INTEGER",
        "streamversion": "BIGINT",
        "correlationid": "VARCHAR",
        "causationid": "VARCHAR",
        "data": "VARCHAR",
    }
)

_ROWS = f"""
SELECT topic, "partition", "offset", kafka_timestamp, "key",
       e.id, e.source, e.type, e.subject, e.time, e.schemaversion,
       e.streamversion, e.correlationid, e.causationid,
       json_extract_string(e.data, '$.office_id') AS office_id,
       e.data
FROM (SELECT *, from_json("value", '{ENVELOPE}') AS e FROM records)
"""


class UndecodableRecord(ValueError):
    """A record that is not an event envelope in JSON; the replay stops at it."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__(
            f"the record at {record['topic']}:{record['partition']}"
            f":{record['offset']} is not an event envelope in JSON"
        )


def _as_text(records: pa.Table) -> pa.Table:
    # Casting checks the bytes are UTF-8, as JSON must be.
    for name in ("key", "value"):
        column = records.schema.get_field_index(name)
        records = records.set_column(column, name, records[name].cast(pa.string()))
    return records


class Decoder:
    """Turns batches of records into rows of the replay's one schema."""

    def __init__(
        self,
        *,
        types: Sequence[str] = (),
        offices: Sequence[str] = (),
        pseudonymiser: Pseudonymiser | None = None,
    ) -> None:
        self._db = duckdb.connect()
        self._db.execute("SET TimeZone = 'UTC'")
        # One thread: the batches are small, and the reader needs the other core.
        self._db.execute("SET threads = 1")
        self._pseudonymiser = pseudonymiser
        conditions, self._parameters = [], {}
        if types:
            conditions.append("list_contains($types, type)")
            self._parameters["types"] = list(types)
        if offices:
            # Events that name no office belong to none of them.
            conditions.append("list_contains($offices, office_id)")
            self._parameters["offices"] = list(offices)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        self._query = f"SELECT * FROM ({_ROWS}){where}"
        self.schema = self.decode(RECORDS.empty_table()).schema

    def decode(self, records: pa.Table) -> pa.Table:
        """Rows of a `records_table`; DuckDB's part runs without the GIL."""
        try:
            rows = self._rows(records)
        except (pa.ArrowInvalid, duckdb.Error):
            raise UndecodableRecord(self._first_undecodable(records)) from None
        if self._pseudonymiser is None or not rows.num_rows:
            return rows
        hidden = map(
            self._pseudonymiser.data,
            rows["type"].to_pylist(),
            rows["data"].to_pylist(),
        )
        column = rows.schema.get_field_index("data")
        return rows.set_column(column, "data", pa.array(hidden, pa.string()))

    def _rows(self, records: pa.Table) -> pa.Table:
        self._db.register("records", _as_text(records))
        try:
            return self._db.sql(self._query, params=self._parameters).to_arrow_table()
        finally:
            self._db.unregister("records")

    def _first_undecodable(self, records: pa.Table) -> dict[str, Any]:
        # Halve the batch until one record is left: the first that fails.
        while records.num_rows > 1:
            half = records.slice(0, records.num_rows // 2)
            try:
                self._rows(half)
            except (pa.ArrowInvalid, duckdb.Error):
                records = half
            else:
                records = records.slice(half.num_rows)
        first: dict[str, Any] = records.select(
            ["topic", "partition", "offset"]
        ).to_pylist()[0]
        return first

    def close(self) -> None:
        self._db.close()
