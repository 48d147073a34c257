"""Full-text search over articles: FTS5 on SQLite, a tsvector column on PostgreSQL.

Users type search strings the way they type them into a web search box: words, "quoted
phrases", `or`, `-excluded`. PostgreSQL parses exactly that with `websearch_to_tsquery`,
which never raises on odd input. FTS5 has its own query language in which `"`, `*`, `OR`,
`NEAR(` or a stray `-` are syntax, so `to_fts5()` translates the same web-search syntax
into an FTS5 expression in which every term is a quoted string: nothing the user types
can be read as an operator, and the result is passed as a bound parameter like any value.

Both backends rank by relevance (BM25 on SQLite, `ts_rank_cd` on PostgreSQL; a title
match counts more than a body match) and return a snippet with the matches marked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select

from flashpoint.store.schema import articles

DEFAULT_MARKS = ("[", "]")
SNIPPET_TOKENS = 24  # SQLite snippet length, in tokens
PG_HEADLINE_CHARS = 100_000  # as much of the body as the PostgreSQL index covers

_TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_FTS = sa.table("articles_fts", sa.column("rowid", sa.Integer), sa.column("rank", sa.Float))
_FTS_NAME: ColumnElement[Any] = sa.literal_column("articles_fts")
_PG_CONFIG: ColumnElement[Any] = sa.literal_column("'english'::regconfig")
_PG_VECTOR: ColumnElement[Any] = sa.literal_column("articles.search")


def to_fts5(query: str) -> str | None:
    """Translate web-search syntax into a safe FTS5 expression; None if nothing to find.

    >>> to_fts5('putin "nuclear weapons" or nukes -exercise')
    '("putin" AND ("nuclear weapons" OR "nukes")) NOT ("exercise")'
    >>> to_fts5('NEAR(border OR *')  # operators and wildcards are just text
    '"NEAR(border"'
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(query.replace("\x00", " ")):
        phrase, word = match.group("phrase"), match.group("word")
        negated = bool(match.group("neg"))
        if word is not None:
            if word.lower() == "or":
                pending_or = bool(groups)
                continue
            if word.startswith("-") and len(word) > 1:
                negated, word = True, word[1:]
        term = phrase if phrase is not None else word
        if term is None or not any(ch.isalnum() for ch in term):
            continue
        quoted = '"' + term.replace('"', '""') + '"'
        if negated:
            excluded.append(quoted)
        elif pending_or:
            groups[-1].append(quoted)
        else:
            groups.append([quoted])
        pending_or = False
    if not groups:
        return None
    clauses = [g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups]
    positive = " AND ".join(clauses)
    if not excluded:
        return positive
    return f"({positive}) NOT ({' OR '.join(excluded)})"


def search_rows(
    dialect: str,
    query: str,
    columns: Sequence[ColumnElement[Any]],
    where: Sequence[ColumnElement[bool]],
    *,
    limit: int,
    offset: int,
    marks: tuple[str, str] = DEFAULT_MARKS,
) -> Select[Any] | None:
    """Matching articles, best first, with `snippet` and `rank` (higher is better) columns.

    None when the query has no searchable term (the caller returns no rows).
    """
    if dialect == "sqlite":
        expression = to_fts5(query)
        if expression is None:
            return None
        # Rank and page first, then build snippets for that page only (one rowid look-up
        # each): a snippet in the ranked query is computed for every match before the
        # sort, 10x the cost for a common word over 50k articles (bench/api.py).
        ranked = sa.select(_FTS.c.rowid.label("seq"), (-_FTS.c.rank).label("rank"))
        if where:
            ranked = ranked.select_from(_FTS.join(articles, articles.c.seq == _FTS.c.rowid))
        page = (
            ranked.where(_FTS_NAME.op("MATCH")(expression), *where)
            .order_by(_FTS.c.rank, _FTS.c.rowid.desc())
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        snippet = (
            sa.select(sa.func.snippet(_FTS_NAME, 1, marks[0], marks[1], "…", SNIPPET_TOKENS))
            .select_from(_FTS)
            .where(_FTS_NAME.op("MATCH")(expression), _FTS.c.rowid == page.c.seq)
            .scalar_subquery()
        )
        return (
            sa.select(*columns, snippet.label("snippet"), page.c.rank)
            .select_from(page.join(articles, articles.c.seq == page.c.seq))
            .order_by(page.c.rank.desc(), articles.c.seq.desc())
        )
    tsquery = _pg_tsquery(query)
    rank = sa.func.ts_rank_cd(_PG_VECTOR, tsquery, 1)
    # Rank and page first, then build headlines for that page only: ts_headline re-parses
    # the whole body, so running it on every match would make broad searches slow.
    page = (
        sa.select(articles.c.seq, rank.label("rank"))
        .where(_PG_VECTOR.op("@@")(tsquery), *where)
        .order_by(sa.desc("rank"), articles.c.seq.desc())
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    options = (
        f'StartSel="{_option(marks[0])}", StopSel="{_option(marks[1])}", '
        'MaxFragments=1, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'
    )
    headline = sa.func.ts_headline(
        _PG_CONFIG, sa.func.left(articles.c.text, PG_HEADLINE_CHARS), tsquery, options
    )
    return (
        sa.select(*columns, headline.label("snippet"), page.c.rank)
        .select_from(page.join(articles, articles.c.seq == page.c.seq))
        .order_by(page.c.rank.desc(), articles.c.seq.desc())
    )


def search_count(
    dialect: str, query: str, where: Sequence[ColumnElement[bool]]
) -> Select[Any] | None:
    """`SELECT count(*)` of the articles `query` matches; None when it cannot match."""
    if dialect == "sqlite":
        expression = to_fts5(query)
        if expression is None:
            return None
        source = _FTS.join(articles, articles.c.seq == _FTS.c.rowid) if where else _FTS
        return (  # the join only when filtering on article columns: it costs 10x
            sa.select(sa.func.count())
            .select_from(source)
            .where(_FTS_NAME.op("MATCH")(expression), *where)
        )
    return (
        sa.select(sa.func.count())
        .select_from(articles)
        .where(_PG_VECTOR.op("@@")(_pg_tsquery(query)), *where)
    )


def _pg_tsquery(query: str) -> ColumnElement[Any]:
    return sa.func.websearch_to_tsquery(_PG_CONFIG, query.replace("\x00", " "))


def _option(mark: str) -> str:
    if '"' in mark or "," in mark:
        raise ValueError(f"highlight marks cannot contain '\"' or ',': {mark!r}")
    return mark
