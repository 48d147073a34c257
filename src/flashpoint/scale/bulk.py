"""Bulk-load coded Documents into the store: one transaction per batch, COPY on PostgreSQL.

The Ray engine codes far from the database, then the driver loads each batch of results
here. Articles go through `writes.add_articles`, so they meet exactly the duplicate rules
of `Store.add_articles` (same id, or same normalised text, as a stored article or as an
earlier one of the batch). The coding rows are built by `store.codec`, as
`writes.replace_coding` builds them, and are written in bulk: PostgreSQL through COPY
(psycopg 3 `Cursor.copy`), SQLite through one `executemany` per table.

Loading is insert-if-absent, never replace: a `codings` row that is already there (a
re-run after a kill, another writer coding the same article) keeps its rows and the new
ones are dropped. With articles and codings committed together, a killed load leaves
either the whole batch or none of it, and a re-run never duplicates a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Connection

from flashpoint.model import Article, Document
from flashpoint.store import codec, writes
from flashpoint.store import schema as tables
from flashpoint.store.rows import AddResult


def load_batch(
    conn: Connection, dialect: str, articles: Sequence[Article],
    documents: dict[int, Document], pending: Sequence[Document], run_id: int | None,
    now: dt.datetime,
) -> tuple[list[AddResult], int]:
    """Store `articles` (in order), then the codings of those that were new.

    `documents` maps an index of `articles` to its Document; `pending` holds Documents
    of articles stored before this run. Returns the add results and how many codings
    were written. Runs inside the caller's transaction (`Database.write()`).
    """
    results = writes.add_articles(conn, dialect, list(articles), run_id, now) if articles else []
    fresh = [documents[i] for i, r in enumerate(results) if r.status == "stored" and i in documents]
    return results, save_codings(conn, dialect, [*fresh, *pending], now)


def save_codings(conn: Connection, dialect: str, docs: Sequence[Document],
                 now: dt.datetime) -> int:
    """Write the codings of `docs` whose (article, coder version) has none yet; returns
    how many were written. The articles must be stored already."""
    if not docs:
        return 0
    keys = [{"article_id": d.id, "coder_version": d.coder.version, "coder_name": d.coder.name,
             "coded_at": now} for d in docs]
    insert = writes.dialect_insert(dialect, tables.codings).on_conflict_do_nothing()
    new = {(r.article_id, r.coder_version) for r in conn.execute(
        insert.returning(tables.codings.c.article_id, tables.codings.c.coder_version), keys)}
    chosen: set[tuple[str, str]] = set()
    children: dict[str, list[dict[str, Any]]] = {"mentions": [], "statements": [], "events": []}
    for doc in docs:
        key = (doc.id, doc.coder.version)
        if key not in new or key in chosen:  # coded already, or twice in this batch
            continue
        chosen.add(key)
        base = {"article_id": doc.id, "coder_version": doc.coder.version}
        for name, built in (("mentions", [codec.mention_row(m) for m in doc.mentions]),
                            ("statements", [codec.statement_row(s) for s in doc.statements]),
                            ("events", [codec.event_row(e) for e in doc.events])):
            children[name].extend({**base, "ordinal": i, **r} for i, r in enumerate(built))
    for name, rows in children.items():
        if rows:
            _bulk_insert(conn, dialect, tables.metadata.tables[name], rows)
    return len(chosen)


def _bulk_insert(conn: Connection, dialect: str, table: sa.Table,
                 rows: list[dict[str, Any]]) -> None:
    if dialect != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    raw = conn.connection.driver_connection  # the psycopg connection, in this transaction
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(query) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
