"""Write helpers behind `Store`'s write methods; each runs inside `Database.write()`.

Rows are inserted with `ON CONFLICT DO NOTHING` and the outcome is read back, rather than
checked first and inserted second: that stays correct when two processes add the same
article at once (PostgreSQL's READ COMMITTED lets both pass a "does it exist?" check).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from flashpoint.errors import StoreError
from flashpoint.ids import canonical_url, text_hash
from flashpoint.model import Article, Document
from flashpoint.store import codec
from flashpoint.store import schema as tables
from flashpoint.store.rows import AddResult

_IN_CHUNK = 500  # values per IN (...) list, far below SQLite's and PostgreSQL's limits


def dialect_insert(dialect: str, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports `on_conflict_do_nothing()` on the given backend."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_if_new(conn: Connection, dialect: str, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert one row unless it violates a unique key; True when it was inserted.

    `ON CONFLICT DO NOTHING` makes concurrent writers safe on both backends. How to tell
    whether the row went in differs: PostgreSQL reports -1 as the row count of an INSERT
    with RETURNING (which SQLAlchemy adds to fetch the key), so ask for the key
    explicitly there; SQLite's row count is exact.
    """
    stmt = dialect_insert(dialect, table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return conn.execute(stmt.returning(*table.primary_key.columns), values).first() is not None
    return conn.execute(stmt, values).rowcount == 1


def add_articles(
    conn: Connection, dialect: str, batch: list[Article], run_id: int | None, now: dt.datetime
) -> list[AddResult]:
    """Store each article unless its id or normalised text is already stored.

    Known ids and hashes are looked up for the whole batch first, so re-ingesting a
    corpus costs two queries per batch instead of a failed insert per article.
    """
    digests = [text_hash(article.text) for article in batch]
    ids = _existing(conn, tables.articles.c.id, [a.id for a in batch])
    hashes = _existing(conn, tables.articles.c.text_hash, digests)
    results: list[AddResult] = []
    for article, digest in zip(batch, digests, strict=True):
        if article.id in ids:
            results.append(AddResult(article.id, "duplicate", article.id))
        elif digest in hashes:
            results.append(AddResult(article.id, "duplicate", hashes[digest]))
        elif insert_if_new(conn, dialect, tables.articles, {
            **article.model_dump(), "canonical_url": canonical(article.url),
            "text_hash": digest, "run_id": run_id, "ingested_at": now,
        }):
            results.append(AddResult(article.id, "stored"))
            ids[article.id] = article.id
            hashes[digest] = article.id
        else:  # another process stored it between our look-up and our insert
            results.append(AddResult(article.id, "duplicate", holder(conn, article.id, digest)))
    return results


def _existing(conn: Connection, column: sa.Column[str], values: list[str]) -> dict[str, str]:
    """{value: article id} for the values of `column` already stored."""
    found: dict[str, str] = {}
    unique = sorted(set(values))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        query = sa.select(column, tables.articles.c.id).where(column.in_(chunk))
        found.update((str(value), str(id_)) for value, id_ in conn.execute(query))
    return found


def ensure_article(conn: Connection, dialect: str, doc: Document, now: dt.datetime) -> None:
    """Make sure `doc`'s article is stored, with exactly `doc.text`."""
    digest = text_hash(doc.text)
    insert_if_new(conn, dialect, tables.articles, {
        "id": doc.id, "url": doc.url, "canonical_url": canonical(doc.url),
        "title": doc.title, "published": doc.published, "source": doc.source,
        "text": doc.text, "text_hash": digest, "ingested_at": now,
    })
    stored = conn.scalar(sa.select(tables.articles.c.text).where(tables.articles.c.id == doc.id))
    if stored is None:
        other = holder(conn, doc.id, digest)
        raise StoreError(f"cannot save coding of {doc.id}: its text is stored as article {other}")
    if stored != doc.text:
        raise StoreError(
            f"cannot save coding of {doc.id}: its text differs from the stored article, "
            "so its spans would not index it"
        )


def replace_coding(conn: Connection, doc: Document, now: dt.datetime) -> None:
    key = {"article_id": doc.id, "coder_version": doc.coder.version}
    for table in (tables.mentions, tables.statements, tables.events, tables.codings):
        conn.execute(table.delete().where(
            table.c.article_id == doc.id, table.c.coder_version == doc.coder.version
        ))
    conn.execute(tables.codings.insert().values(**key, coder_name=doc.coder.name, coded_at=now))
    for table, rows in (
        (tables.mentions, [codec.mention_row(m) for m in doc.mentions]),
        (tables.statements, [codec.statement_row(s) for s in doc.statements]),
        (tables.events, [codec.event_row(e) for e in doc.events]),
    ):
        if rows:
            conn.execute(table.insert(), [
                {**key, "ordinal": ordinal, **row} for ordinal, row in enumerate(rows)
            ])


def holder(conn: Connection, article_id: str, digest: str) -> str | None:
    """Id of the stored article that has `article_id` or, failing that, `digest`."""
    column = tables.articles.c.id
    found = conn.scalar(sa.select(column).where(column == article_id))
    if found is None:
        found = conn.scalar(sa.select(column).where(tables.articles.c.text_hash == digest))
    return found


def canonical(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return canonical_url(url)
    except ValueError:  # e.g. a non-numeric port: keep the article, skip the canonical form
        return None
