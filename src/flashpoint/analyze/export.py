"""Exports of stored events as CSV, JSONL (PLOVER records) or Parquet, streamed.

An export may cover millions of events, so nothing here holds them all: rows are read
from the database with a streaming cursor in batches (`iter_records`), and each writer
consumes the records as they come (Parquet in row groups of `batch_size`). The JSONL
export writes the nested PLOVER record of `records.plover_record`; CSV and Parquet write
its flat form (`records.FLAT_FIELDS`: fixed columns, fixed order, typed in Parquet).

The readers (`read_jsonl`, `read_csv`, `read_parquet`) give back what the writers wrote,
with the same Python types; tests use them to check the round trip, analysts may too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from flashpoint.analyze import records
from flashpoint.analyze.filters import EventFilter, filtered_events
from flashpoint.errors import ConfigError
from flashpoint.store import Store
from flashpoint.store import schema as tables

ExportFormat = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl", "parquet")
DEFAULT_BATCH = 1000

_ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
    "date": pa.date32(),
}
PARQUET_SCHEMA = pa.schema([pa.field(name, _ARROW_TYPES[kind]) for name, kind in
                            records.FLAT_FIELDS])


def events_query(flt: EventFilter, *, with_text: bool = True) -> sa.Select[Any]:
    """The SELECT behind every export: filtered events in (day, article, position) order,
    with the article body as `article_text` when `with_text` (for the `text` field)."""
    fe = filtered_events(flt)
    columns: list[Any] = [*fe.c]
    source: sa.FromClause = fe
    if with_text:
        source = fe.join(tables.articles, tables.articles.c.id == fe.c.article_id)
        columns.append(tables.articles.c.text.label("article_text"))
    return (sa.select(*columns).select_from(source)
            .order_by(fe.c.day, fe.c.article_seq, fe.c.ordinal, fe.c.coder_version))


def iter_records(store: Store, flt: EventFilter | None = None, *, with_text: bool = True,
                 batch_size: int = DEFAULT_BATCH) -> Iterator[dict[str, Any]]:
    """PLOVER records of the events `flt` selects, streamed from the database.

    The read transaction stays open while the caller consumes the iterator; on SQLite
    (WAL) that blocks no writer, on PostgreSQL it is a server-side cursor.
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    query = events_query(flt or EventFilter(), with_text=with_text)
    with store.db.read() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(
            query)
        for row in result.mappings():
            yield records.record_of_row(row)


def write_jsonl(items: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """One PLOVER record per line; returns how many were written."""
    count = 0
    for record in items:
        stream.write(records.to_json_line(record) + "\n")
        count += 1
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(items: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """The flat form with a header row; empty cell = null, booleans as true/false."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(records.FLAT_NAMES)
    count = 0
    for record in items:
        flat = records.flatten(record)
        writer.writerow([_csv_cell(flat[name]) for name in records.FLAT_NAMES])
        count += 1
    return count


def write_parquet(items: Iterable[dict[str, Any]], path: str | os.PathLike[str], *,
                  batch_size: int = DEFAULT_BATCH) -> int:
    """The flat form as Parquet (typed columns), one row group per `batch_size` records.

    An export of no event still writes a valid file with the schema, so downstream
    readers need no special case.
    """
    count = 0
    with pq.ParquetWriter(str(path), PARQUET_SCHEMA) as writer:
        batch: list[dict[str, Any]] = []
        for record in items:
            batch.append(records.flatten(record))
            if len(batch) >= batch_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=PARQUET_SCHEMA))
            count += len(batch)
    return count


def export(store: Store, fmt: ExportFormat, output: TextIO | str | os.PathLike[str], *,
           flt: EventFilter | None = None, batch_size: int = DEFAULT_BATCH) -> int:
    """Write the events `flt` selects to `output` (a text stream, or a path) as `fmt`.

    Parquet needs a path (it is binary and written in row groups). Returns the number of
    events written.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    items = iter_records(store, flt, batch_size=batch_size)
    if fmt == "parquet":
        if not isinstance(output, str | os.PathLike):
            raise ConfigError("parquet output needs a file path (--output FILE)")
        return write_parquet(items, output, batch_size=batch_size)
    if isinstance(output, str | os.PathLike):
        with open(output, "w", encoding="utf-8", newline="") as stream:
            return _write_text(fmt, items, stream)
    return _write_text(fmt, items, output)


def _write_text(fmt: ExportFormat, items: Iterable[dict[str, Any]], stream: TextIO) -> int:
    return write_csv(items, stream) if fmt == "csv" else write_jsonl(items, stream)


# -- readers -----------------------------------------------------------------------------


def read_jsonl(source: str | os.PathLike[str] | TextIO) -> list[dict[str, Any]]:
    """The PLOVER records of a JSONL export."""
    if isinstance(source, str | os.PathLike):
        lines = Path(source).read_text(encoding="utf-8").splitlines()
    else:
        lines = source.read().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _typed(kind: str, cell: str) -> Any:
    if cell == "":
        return None
    if kind == "int":
        return int(cell)
    if kind == "float":
        return float(cell)
    if kind == "bool":
        return cell == "true"
    if kind == "date":
        return dt.date.fromisoformat(cell)
    return cell


def read_csv(source: str | os.PathLike[str] | TextIO) -> list[dict[str, Any]]:
    """The flat rows of a CSV export, with `FLAT_FIELDS` types (empty cell -> None).

    CSV cannot tell an empty string from null; flashpoint never writes empty strings
    for the text fields, so an empty cell reads back as None.
    """
    if isinstance(source, str | os.PathLike):
        text = Path(source).read_text(encoding="utf-8")
    else:
        text = source.read()
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header != list(records.FLAT_NAMES):
        raise ConfigError("not a flashpoint CSV export: unexpected header")
    kinds = [kind for _, kind in records.FLAT_FIELDS]
    return [{name: _typed(kind, cell) for name, kind, cell in
             zip(records.FLAT_NAMES, kinds, row, strict=True)} for row in reader]


def read_parquet(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The flat rows of a Parquet export."""
    rows: list[dict[str, Any]] = pq.read_table(str(path)).to_pylist()
    return rows
