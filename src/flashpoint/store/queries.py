"""Read queries that rebuild records or summarise the database, shared by `Store`.

Kept apart from `store.py` so the Store class stays a readable list of operations; these
functions take an open connection and never commit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flashpoint.model import Article, Coder, Document
from flashpoint.store import codec
from flashpoint.store.schema import articles, codings, events, failures, mentions, runs, statements

_ARTICLE_FIELDS = tuple(Article.model_fields)
TOP_SOURCES = 10


def article_from_row(row: codec.Row) -> Article:
    return Article(**{name: row[name] for name in _ARTICLE_FIELDS})


def document_from(conn: Connection, article_id: str, coder_version: str | None) -> Document | None:
    """Rebuild the Document of one coding; None if the article has no such coding."""
    query = sa.select(codings).where(codings.c.article_id == article_id)
    if coder_version is not None:
        query = query.where(codings.c.coder_version == coder_version)
    query = query.order_by(codings.c.coded_at.desc(), codings.c.coder_version.desc()).limit(1)
    coding = conn.execute(query).first()
    if coding is None:
        return None
    version = coding.coder_version
    article = conn.execute(sa.select(articles).where(articles.c.id == article_id)).one()

    def rows(table: sa.Table) -> list[codec.Row]:
        return [r._mapping for r in conn.execute(
            sa.select(table)
            .where(table.c.article_id == article_id, table.c.coder_version == version)
            .order_by(table.c.ordinal)
        )]

    return Document(
        id=article.id, url=article.url, title=article.title, published=article.published,
        source=article.source, text=article.text,
        mentions=[codec.read_mention(r) for r in rows(mentions)],
        statements=[codec.read_statement(r) for r in rows(statements)],
        events=[codec.read_event(r) for r in rows(events)],
        coder=Coder(name=coding.coder_name, version=version),
    )


def stats(conn: Connection) -> dict[str, Any]:
    """Counts and ranges describing the whole database, with JSON-ready values.

    Keys: articles, codings ({coder version: articles coded}), mentions, statements,
    events, failures ({"errors", "warnings"}), runs, duplicates (seen over all runs),
    published ({"first", "last"} ISO dates or None), sources ({source: articles}, top 10).
    """

    def count(table: sa.Table) -> int:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)

    per_version = conn.execute(
        sa.select(codings.c.coder_version, sa.func.count())
        .group_by(codings.c.coder_version).order_by(codings.c.coder_version)
    ).all()
    severity = {str(level): int(k) for level, k in conn.execute(
        sa.select(failures.c.severity, sa.func.count()).group_by(failures.c.severity)
    )}
    first, last = conn.execute(
        sa.select(sa.func.min(articles.c.published), sa.func.max(articles.c.published))
    ).one()
    n = sa.func.count().label("n")
    sources = conn.execute(
        sa.select(articles.c.source, n).where(articles.c.source.is_not(None))
        .group_by(articles.c.source).order_by(n.desc(), articles.c.source).limit(TOP_SOURCES)
    ).all()
    return {
        "articles": count(articles),
        "codings": {version: int(k) for version, k in per_version},
        "mentions": count(mentions),
        "statements": count(statements),
        "events": count(events),
        "failures": {"errors": severity.get("error", 0),
                     "warnings": severity.get("warning", 0)},
        "runs": count(runs),
        "duplicates": int(conn.scalar(sa.select(sa.func.sum(runs.c.duplicates))) or 0),
        "published": {"first": first.isoformat() if first else None,
                      "last": last.isoformat() if last else None},
        "sources": {source: int(k) for source, k in sources},
    }
