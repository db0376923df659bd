"""Where replayed rows go: JSON Lines, CSV, Parquet or a DuckDB database.

Each sink writes as rows arrive and holds at most one row group, so memory
stays the same however long the topic is.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"
    DUCKDB = "duckdb"

    @classmethod
    def of(cls, path: Path) -> Format:
        suffix = path.suffix.lower().lstrip(".")
        aliases = {"ndjson": "jsonl", "db": "duckdb", "pq": "parquet"}
        try:
            return cls(aliases.get(suffix, suffix))
        except ValueError:
            raise ValueError(
                f"cannot tell the format of {path.name}; give --format"
            ) from None


class Sink(Protocol):
    def write(self, rows: pa.Table) -> None: ...

    def close(self) -> None: ...


class ParquetSink:
    # Row groups of this many rows: big enough for good compression and
    # fast scans, small enough to keep memory low.
    ROW_GROUP = 50_000
    REPEATING = ("topic", "source", "type", "office_id")

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        # Dictionaries only where values repeat: for ids and data they cost
        # time and are dropped anyway.
        repeating = [n for n in self.REPEATING if n in schema.names]
        self._writer = pq.ParquetWriter(
            path, schema, compression="zstd", use_dictionary=repeating
        )
        self._held: list[pa.Table] = []
        self._rows = 0

    def write(self, rows: pa.Table) -> None:
        self._held.append(rows)
        self._rows += rows.num_rows
        if self._rows >= self.ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.concat_tables(self._held))
        self._held, self._rows = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


class CsvSink:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._writer = pa_csv.CSVWriter(path, schema)

    def write(self, rows: pa.Table) -> None:
        self._writer.write_table(rows)

    def close(self) -> None:
        self._writer.close()


class JsonLinesSink:
    """One JSON object per line; `data` is the event's data as an object."""

    # Times as ISO 8601 in UTC, as the envelope writes them.
    _LINES = """
    SELECT CAST(to_json(r) AS VARCHAR) AS line FROM (
      SELECT * REPLACE (
        strftime(kafka_timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS kafka_timestamp,
        strftime(time, '%Y-%m-%dT%H:%M:%S.%fZ') AS time,
        CAST(data AS JSON) AS data)
      FROM batch) r
    """

    def __init__(self, path: Path) -> None:
        self._file = path.open("w", encoding="utf-8")
        self._db = duckdb.connect()
        self._db.execute("SET TimeZone = 'UTC'")

    def write(self, rows: pa.Table) -> None:
        self._db.register("batch", rows)
        try:
            lines = self._db.sql(self._LINES).to_arrow_table()
        finally:
            self._db.unregister("batch")
        for line in lines["line"].to_pylist():
            self._file.write(line)
            self._file.write("\n")

    def close(self) -> None:
        self._file.close()
        self._db.close()


class DuckDBSink:
    """A table `events` of every row, then one flattened table per event type."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._db = duckdb.connect(str(path))
        self._db.execute("SET TimeZone = 'UTC'")
        self._db.register("batch", schema.empty_table())
        self._db.execute(
            "CREATE OR REPLACE TABLE events AS"
            " SELECT * REPLACE (CAST(data AS JSON) AS data) FROM batch"
        )
        self._db.unregister("batch")

    def write(self, rows: pa.Table) -> None:
        self._db.register("batch", rows)
        try:
            self._db.execute(
                "INSERT INTO events"
                " SELECT * REPLACE (CAST(data AS JSON) AS data) FROM batch"
            )
        finally:
            self._db.unregister("batch")

    def close(self) -> None:
        # Imported here: the event models it reads are slow to import.
        from kisalli_replay.flattening import create_event_tables

        try:
            create_event_tables(self._db)
        finally:
            self._db.close()


def open_sink(format: Format, path: Path, schema: pa.Schema) -> Sink:
    if format is Format.JSONL:
        return JsonLinesSink(path)
    if format is Format.CSV:
        return CsvSink(path, schema)
    if format is Format.PARQUET:
        return ParquetSink(path, schema)
    return DuckDBSink(path, schema)
