"""Read queries for browsing codings: filtered, keyset-paged events and statements,
actor profiles and per-day counts. The REST API and the dashboard are thin layers on these.

Every value a user gives travels as a bound parameter; filters are typed (`EventFilter`)
and validated by the caller before they get here. Pages are keyed on the sort columns
(keyset pagination), never on OFFSET: page 1,000 costs what page 1 costs, and rows
written between two requests neither repeat nor vanish.

Which coding counts: an article may be coded by several coder versions. With `coder=None`
each article contributes its most recent coding (when the store holds one coder version,
which is usual, no extra condition is needed); `coder="all"` keeps every version; any
other value keeps that version only.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from flashpoint.errors import ConfigError
from flashpoint.store import codec
from flashpoint.store.schema import articles, codings, events, statements

ALL_CODERS = "all"
MAX_PAGE = 1000
MAX_BRANCHES = 32
_ARTICLE_COLUMNS = (
    articles.c.title.label("article_title"),
    articles.c.published.label("article_published"),
    articles.c.url.label("article_url"),
    articles.c.source.label("article_source"),
)


@dataclass(frozen=True)
class EventFilter:
    """What a user asked to see. Tri-state modality flags: None = either, True = only
    those, False = leave them out. `conditional` means "has a condition span"."""

    actor: tuple[str, ...] = ()         # codes on either side
    source: tuple[str, ...] = ()        # who acts
    target: tuple[str, ...] = ()        # to whom
    types: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    negated: bool | None = None
    future: bool | None = None
    hypothetical: bool | None = None
    conditional: bool | None = None
    coder: str | None = None
    article: str | None = None


@dataclass(frozen=True)
class StatementFilter:
    speakers: tuple[str, ...] = ()      # speaker actor codes
    functions: tuple[str, ...] = ()     # PLOVER type performed (THREATEN, AGREE, ...)
    kinds: tuple[str, ...] = ()         # speech, belief, intention
    direct: bool | None = None
    since: dt.date | None = None        # article publication date
    until: dt.date | None = None
    negated: bool | None = None
    future: bool | None = None
    hypothetical: bool | None = None
    conditional: bool | None = None
    coder: str | None = None
    article: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of rows (JSON-ready dicts) and the cursor of the next page, if any."""

    rows: list[dict[str, Any]]
    next: str | None


# -- cursors ----------------------------------------------------------------------------


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    """The values of a cursor made by `encode_cursor`; ConfigError if it is not one."""
    problem = "cursor is not one this server issued (take it from a response's 'next')"
    if len(cursor) > 2000:
        raise ConfigError(problem)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(problem) from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise ConfigError(problem)
    out: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        if value is None and kind is dt.date:
            out.append(None)
        elif kind is dt.date and isinstance(value, str):
            try:
                out.append(dt.date.fromisoformat(value))
            except ValueError as exc:
                raise ConfigError(problem) from exc
        elif (kind is int and type(value) is int) or (kind is str and isinstance(value, str)):
            out.append(value)
        else:
            raise ConfigError(problem)
    return out


# -- shared conditions ------------------------------------------------------------------


def coder_versions(conn: Connection) -> list[str]:
    """Distinct coder versions in the store."""
    return list(conn.scalars(sa.select(codings.c.coder_version).distinct()))


def _several_coders(conn: Connection, coder: str | None) -> bool:
    """Whether the latest-coding condition is needed: no coder asked for, and the store
    holds more than one."""
    return coder is None and len(coder_versions(conn)) > 1


def _coder_condition(
    conn: Connection, table: sa.Table, coder: str | None
) -> list[ColumnElement[bool]]:
    return _coder_condition_for(_several_coders(conn, coder), table, coder)


def _coder_condition_for(
    several: bool, table: sa.Table, coder: Any
) -> list[ColumnElement[bool]]:
    """`_coder_condition` once it is known whether the store holds several coders."""
    if coder == ALL_CODERS:
        return []
    if coder is not None:
        return [table.c.coder_version == coder]
    if not several:
        return []
    # One EXISTS over both codings of the row's article, the rule of
    # `analyze.filters.newest_coding` (ties: the highest version). (A scalar subquery for
    # this coding's date nested inside the EXISTS did not correlate to the outer table:
    # it read some article's date, and hid every coding of a recoded article.)
    mine = codings.alias("mine")
    newer = codings.alias("newer")
    return [~sa.exists().where(
        mine.c.article_id == table.c.article_id,
        mine.c.coder_version == table.c.coder_version,
        newer.c.article_id == table.c.article_id,
        sa.or_(newer.c.coded_at > mine.c.coded_at,
               sa.and_(newer.c.coded_at == mine.c.coded_at,
                       newer.c.coder_version > mine.c.coder_version)))]


def _flag(column: ColumnElement[Any], wanted: bool | None) -> list[ColumnElement[bool]]:
    if wanted is None:
        return []
    return [column.is_(sa.true()) if wanted else column.is_(sa.false())]


def _modality_conditions(table: sa.Table, f: EventFilter | StatementFilter
                         ) -> list[ColumnElement[bool]]:
    where = [*_flag(table.c.negated, f.negated), *_flag(table.c.future, f.future),
             *_flag(table.c.hypothetical, f.hypothetical)]
    if f.conditional is True:
        where.append(table.c.condition_start.is_not(None))
    elif f.conditional is False:
        where.append(table.c.condition_start.is_(None))
    return where


def _in(column: ColumnElement[Any], values: tuple[str, ...]) -> list[ColumnElement[bool]]:
    if not values:
        return []
    if len(values) == 1:
        return [column == values[0]]
    return [column.in_(values)]


# -- events -----------------------------------------------------------------------------


def event_conditions(conn: Connection, f: EventFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions on `events` for a filter (the dyad series and exports use them)."""
    return _event_conditions_for(_several_coders(conn, f.coder), f)


def _event_conditions_for(several: bool, f: EventFilter) -> list[ColumnElement[bool]]:
    where = [
        *_in(events.c.source_code, f.source),
        *_in(events.c.target_code, f.target),
        *_in(events.c.type, f.types),
        *_in(events.c.mode, f.modes),
        *_modality_conditions(events, f),
        *_coder_condition_for(several, events, f.coder),
    ]
    if f.actor:
        where.append(sa.or_(*_in(events.c.source_code, f.actor),
                            *_in(events.c.target_code, f.actor)))
    if f.since is not None:
        where.append(events.c.date >= f.since)
    if f.until is not None:
        where.append(events.c.date <= f.until)
    if f.article is not None:
        where.append(events.c.article_id == f.article)
    return where


_EVENT_KEY = (events.c.date, events.c.article_id, events.c.coder_version, events.c.ordinal)
_EVENT_KEY_TYPES = (dt.date, str, str, int)


def event_query(conn: Connection, f: EventFilter) -> Select[Any]:
    """Matching events with their article's title, date and URL (unordered)."""
    return _event_query_for(_several_coders(conn, f.coder), f)


def _event_query_for(several: bool, f: EventFilter) -> Select[Any]:
    return (
        sa.select(events, *_ARTICLE_COLUMNS)
        .select_from(events.join(articles, articles.c.id == events.c.article_id))
        .where(*_event_conditions_for(several, f))
    )


def _branches(f: EventFilter) -> list[list[ColumnElement[bool]]]:
    """Split a filter into branches that each follow one index in key order.

    "RUS on either side" is "RUS as source" merged with "RUS as target": each branch
    walks its own (column, [type,] date, key) index newest first and stops after a page,
    where one OR query would have to sort every matching row before returning the first.
    Filters with many values fall back to one query (and a sort).
    """
    sides: list[list[ColumnElement[bool]]]
    if f.source:
        sides = [[events.c.source_code == v] for v in f.source]
    elif f.target:
        sides = [[events.c.target_code == v] for v in f.target]
    elif f.actor:
        sides = [[column == v] for v in f.actor
                 for column in (events.c.source_code, events.c.target_code)]
    else:
        sides = [[]]
    branches = [[*side, events.c.type == t] for side in sides for t in f.types] or sides
    return branches if len(branches) <= MAX_BRANCHES else [[]]


def _fetch(conn: Connection, query: Select[Any],
           params: dict[str, Any] | None = None) -> list[codec.Row]:
    return [row._mapping for row in conn.execute(query, params)]


_Shape = tuple[Any, ...]


def _filter_shape(f: EventFilter) -> tuple[_Shape, EventFilter, dict[str, Any]]:
    """The filter's shape, the same filter with bound parameters for values, and the values.

    Filters of one shape (the same fields set, as many values each, the same flags) give
    the same SQL with other values, so `list_events` builds each shape's statements once
    (`_page_statements`) and runs them with the values as parameters. Building a Select
    and its cache key costs SQLAlchemy about 0.5 ms a statement, and a page runs two to
    four of them: a sixth of the CPU of an uncached /api/events answer (bench/load.py).
    """
    params: dict[str, Any] = {}

    def bind(name: str, value: Any) -> Any:
        params[name] = value
        return sa.bindparam(name, value=None, type_=_PARAM_TYPES.get(name.split("_")[0]))

    def binds(name: str, values: tuple[str, ...]) -> Any:
        return tuple(bind(f"{name}_{i}", v) for i, v in enumerate(values))

    coder = f.coder if f.coder in (None, ALL_CODERS) else bind("coder", f.coder)
    template = EventFilter(
        actor=binds("actor", f.actor), source=binds("source", f.source),
        target=binds("target", f.target), types=binds("type", f.types),
        modes=binds("mode", f.modes),
        since=None if f.since is None else bind("since", f.since),
        until=None if f.until is None else bind("until", f.until),
        negated=f.negated, future=f.future, hypothetical=f.hypothetical,
        conditional=f.conditional, coder=coder,
        article=None if f.article is None else bind("article", f.article))
    # The bound names say which values are set and how many; the flags and the coder
    # choice (none, all, or one bound) change the SQL itself.
    shape = (tuple(params), f.negated, f.future, f.hypothetical, f.conditional,
             f.coder == ALL_CODERS)
    return shape, template, params


_PARAM_TYPES: dict[str, Any] = {"since": sa.Date(), "until": sa.Date(), "after0": sa.Date()}


_STATEMENTS: dict[tuple[Any, ...], list[tuple[Select[Any], Select[Any]]]] = {}
_MAX_SHAPES = 256


def _page_statements(shape: _Shape, several: bool, after: str | None,
                     template: EventFilter) -> list[tuple[Select[Any], Select[Any]]]:
    """Per branch of the filter: the statement for its dated events and for its undated
    ones, after a cursor of kind `after` (None, "dated" or "undated"), with parameters
    `after0`..`after3` for the cursor and `limit` for the page size.

    Kept per shape (built from the first `template` of that shape: its parameter names
    are the same for every filter of the shape); at most `_MAX_SHAPES` are kept.
    """
    key = (shape, several, after)
    found = _STATEMENTS.get(key)
    if found is None:
        if len(_STATEMENTS) >= _MAX_SHAPES:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = _build_page_statements(several, after, template)
    return found


def _build_page_statements(several: bool, after: str | None, template: EventFilter
                           ) -> list[tuple[Select[Any], Select[Any]]]:
    base = _event_query_for(several, template)
    cursor = [sa.bindparam(f"after{i}", type_=_PARAM_TYPES.get(f"after{i}"))
              for i in range(len(_EVENT_KEY))]
    limit = sa.bindparam("limit", type_=sa.Integer())
    out = []
    for branch in _branches(template):
        dated = base.where(*branch, events.c.date.is_not(None))
        if after == "dated":
            dated = dated.where(sa.tuple_(*_EVENT_KEY) < sa.tuple_(*cursor))
        undated = base.where(*branch, events.c.date.is_(None))
        if after == "undated":
            undated = undated.where(sa.tuple_(*_EVENT_KEY[1:]) < sa.tuple_(*cursor[1:]))
        out.append((dated.order_by(*(c.desc() for c in _EVENT_KEY)).limit(limit),
                    undated.order_by(*(c.desc() for c in _EVENT_KEY[1:])).limit(limit)))
    return out


def _key(row: codec.Row) -> tuple[Any, ...]:
    date = row["date"]
    return (date is not None, date or dt.date.min, row["article_id"], row["coder_version"],
            row["ordinal"])


def list_events(conn: Connection, f: EventFilter, *, limit: int = 50,
                cursor: str | None = None) -> Page:
    """A page of events, newest event date first (undated last); `cursor` is the previous
    page's `next`."""
    _check_limit(limit)
    after = decode_cursor(cursor, _EVENT_KEY_TYPES) if cursor else None
    shape, template, params = _filter_shape(f)
    several = _several_coders(conn, f.coder)
    kind = None if after is None else "dated" if after[0] is not None else "undated"
    if after is not None:
        params.update({f"after{i}": value for i, value in enumerate(after)})
    merged: dict[tuple[Any, ...], codec.Row] = {}
    for dated, undated in _page_statements(shape, several, kind, template):
        # Dated events newest first, then undated ones (NULL dates are never compared,
        # so they form a second range).
        rows: list[codec.Row] = []
        if kind != "undated":
            rows = _fetch(conn, dated, {**params, "limit": limit + 1})
        if len(rows) <= limit:
            rows += _fetch(conn, undated, {**params, "limit": limit + 1 - len(rows)})
        for row in rows:
            merged[_key(row)] = row
    rows = [merged[k] for k in sorted(merged, reverse=True)][: limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    following = None
    if more:
        last = rows[-1]
        following = encode_cursor([last["date"].isoformat() if last["date"] else None,
                                   last["article_id"], last["coder_version"], last["ordinal"]])
    return Page([event_dict(row) for row in rows], following)


def event_dict(row: codec.Row) -> dict[str, Any]:
    """An event row as the document JSON's event, plus where it comes from."""
    data = codec.event_json(row)
    data["article"] = _article(row)
    data["coder_version"] = row["coder_version"]
    return data


def _article(row: codec.Row) -> dict[str, Any]:
    published = row["article_published"]
    return {"id": row["article_id"], "title": row["article_title"],
            "published": published.isoformat() if published else None,
            "url": row["article_url"], "source": row["article_source"]}


BUCKETS = ("day", "week", "month")
_MONDAY_1970 = dt.date(1970, 1, 5)


def _check_bucket(bucket: str) -> None:
    if bucket not in BUCKETS:
        raise ConfigError(f"bucket must be one of {', '.join(BUCKETS)}, not {bucket!r}")


def _day(conn: Connection) -> ColumnElement[Any]:
    """The event date as 'YYYY-MM-DD' text, unparsed: aggregates return thousands of
    rows, and turning each into a `date` object costs more than the query."""
    if conn.dialect.name == "sqlite":
        return sa.type_coerce(events.c.date, sa.Text)  # stored as ISO text already
    return sa.func.to_char(events.c.date, "YYYY-MM-DD")


def _bucket(conn: Connection, bucket: str) -> ColumnElement[Any]:
    """Each event's bucket, computed in SQL with cheap per-row functions. Text ISO dates,
    except SQLite weeks: weeks since Monday 1970-01-05 (`_label` turns them into dates)."""
    _check_bucket(bucket)
    if bucket == "day":
        return _day(conn)
    date = events.c.date
    if conn.dialect.name == "sqlite":
        if bucket == "month":
            return sa.func.substr(date, 1, 7).concat("-01")
        return sa.cast((sa.func.julianday(date) - 2440591.5) / 7, sa.Integer)
    return sa.func.to_char(sa.func.date_trunc(bucket, date), "YYYY-MM-DD")


def _label(value: Any) -> str:
    if isinstance(value, int):
        return (_MONDAY_1970 + dt.timedelta(weeks=value)).isoformat()
    return str(value)


def _rebucket(rows: Iterable[Sequence[Any]], bucket: str) -> dict[tuple[str, ...], int]:
    """Sum per-day rows `(day, *key, count)` into buckets: {(bucket start, *key): count}."""
    _check_bucket(bucket)
    starts: dict[str, str] = {}
    out: dict[tuple[str, ...], int] = {}
    for day, *rest, n in rows:
        start = starts.get(day)
        if start is None:
            date = dt.date.fromisoformat(day[:10])
            if bucket == "week":
                date -= dt.timedelta(days=date.weekday())
            elif bucket == "month":
                date = date.replace(day=1)
            start = starts[day] = date.isoformat()
        key = (start, *rest)
        out[key] = out.get(key, 0) + int(n)
    return out


def _counts(conn: Connection, where: list[ColumnElement[bool]], bucket: str,
            *, stream: bool) -> list[tuple[str, str, int]]:
    """(bucket start, type, count) under `where`.

    Two plans, because the costs differ by orders of magnitude: over a whole store,
    grouping by (date, type) follows the (date, type) index, so the database streams a
    million events (0.4 s on SQLite) where grouping by a computed month would sort them
    all first (2.5 s); buckets are then summed here (`stream=True`). Under a selective
    filter (a dyad, an actor) there are far fewer events but many (date, type) pairs, so
    bucketing in SQL returns 15x fewer rows and wins (60 ms against 160 ms for the
    busiest dyad of bench/api.py).
    """
    if stream:
        day = _day(conn).label("day")
        query = (sa.select(day, events.c.type, sa.func.count())
                 .where(events.c.date.is_not(None), *where)
                 .group_by(events.c.date, events.c.type))
        counts = _rebucket(conn.execute(query), bucket)
        return [(start, event_type, n) for (start, event_type), n in counts.items()]
    key = _bucket(conn, bucket).label("bucket")
    query = (sa.select(key, events.c.type, sa.func.count())
             .where(events.c.date.is_not(None), *where).group_by(key, events.c.type))
    return [(_label(b), t, int(n)) for b, t, n in conn.execute(query)]


def date_span(conn: Connection, where: Sequence[ColumnElement[bool]]
              ) -> tuple[dt.date | None, dt.date | None]:
    """First and last event date under `where` (two index look-ups when it is simple)."""
    first = conn.scalar(sa.select(sa.func.min(events.c.date)).where(*where))
    last = conn.scalar(sa.select(sa.func.max(events.c.date)).where(*where))
    return first, last


def event_counts(conn: Connection, f: EventFilter, bucket: str = "day"
                 ) -> list[tuple[str, str, int]]:
    """(bucket start, type, count) of the matching, dated events."""
    selective = bool(f.actor or f.source or f.target or f.types or f.article)
    return _counts(conn, event_conditions(conn, f), bucket, stream=not selective)


def dyad_conditions(conn: Connection, a: str, b: str, f: EventFilter
                    ) -> list[tuple[str, list[ColumnElement[bool]]]]:
    """(direction, WHERE) for events a -> b ("a>b") and b -> a ("b>a")."""
    pairs = [(a, b, "a>b")] if a == b else [(a, b, "a>b"), (b, a, "b>a")]
    base = event_conditions(conn, f)
    return [(direction, [events.c.source_code == s, events.c.target_code == t, *base])
            for s, t, direction in pairs]


def dyad_counts(conn: Connection, a: str, b: str, f: EventFilter, bucket: str = "day"
                ) -> list[tuple[str, str, str, int]]:
    """(bucket start, direction "a>b" or "b>a", type, count) of events between two actors.

    One query per direction, each answered from the (source, target, date, type) index.
    """
    rows: list[tuple[str, str, str, int]] = []
    for direction, where in dyad_conditions(conn, a, b, f):
        rows += [(start, direction, event_type, n)
                 for start, event_type, n in _counts(conn, where, bucket, stream=False)]
    return rows


def top_dyads(conn: Connection, f: EventFilter, limit: int = 10
              ) -> list[dict[str, Any]]:
    """The (source, target) pairs with most matching events."""
    _check_limit(limit)
    n = sa.func.count().label("n")
    query = (
        sa.select(events.c.source_code, events.c.target_code, n)
        .where(events.c.target_code.is_not(None), *event_conditions(conn, f))
        .group_by(events.c.source_code, events.c.target_code)
        .order_by(n.desc(), events.c.source_code, events.c.target_code).limit(limit)
    )
    return [{"source": r.source_code, "target": r.target_code, "events": int(r.n)}
            for r in conn.execute(query)]


def actor_summary(conn: Connection, code: str, f: EventFilter) -> dict[str, Any]:
    """What one actor did and suffered: counts by role and type, partners, names used."""
    n = sa.func.count().label("n")
    out: dict[str, Any] = {"code": code}
    for role, mine, other in (("source", events.c.source_code, events.c.target_code),
                              ("target", events.c.target_code, events.c.source_code)):
        where = [mine == code, *event_conditions(conn, f)]
        by_type = conn.execute(
            sa.select(events.c.type, n).where(*where).group_by(events.c.type)
            .order_by(n.desc(), events.c.type)
        ).all()
        partners = conn.execute(
            sa.select(other.label("partner"), n).where(*where, other.is_not(None))
            .group_by(other).order_by(n.desc(), other).limit(10)
        ).all()
        out[f"as_{role}"] = {
            "events": sum(int(r.n) for r in by_type),
            "by_type": {r.type: int(r.n) for r in by_type},
            "partners": [{"code": r.partner, "events": int(r.n)} for r in partners],
        }
    names = conn.execute(
        sa.select(events.c.source_name, n).where(events.c.source_code == code)
        .group_by(events.c.source_name).order_by(n.desc()).limit(5)
    ).all()
    out["names"] = [r.source_name for r in names]
    return out


def list_actors(conn: Connection, f: EventFilter, limit: int = 100) -> list[dict[str, Any]]:
    """Actor codes by number of events they take part in (as source or target)."""
    _check_limit(limit)
    where = event_conditions(conn, f)
    sources = sa.select(events.c.source_code.label("code"), events.c.source_name.label("name"),
                        sa.literal(1).label("src"), sa.literal(0).label("tgt")).where(*where)
    targets = sa.select(events.c.target_code.label("code"), events.c.target_name.label("name"),
                        sa.literal(0).label("src"), sa.literal(1).label("tgt")).where(
        events.c.target_code.is_not(None), *where)
    both = sa.union_all(sources, targets).subquery("roles")
    total = sa.func.count().label("n")
    query = (
        sa.select(both.c.code, sa.func.max(both.c.name).label("name"),
                  sa.func.sum(both.c.src).label("as_source"),
                  sa.func.sum(both.c.tgt).label("as_target"), total)
        .group_by(both.c.code).order_by(total.desc(), both.c.code).limit(limit)
    )
    return [{"code": r.code, "name": r.name, "events": int(r.n),
             "as_source": int(r.as_source), "as_target": int(r.as_target)}
            for r in conn.execute(query)]


# -- statements -------------------------------------------------------------------------

_STATEMENT_KEY = (articles.c.seq, statements.c.ordinal)


def statement_conditions(conn: Connection, f: StatementFilter) -> list[ColumnElement[bool]]:
    where = [
        *_in(statements.c.speaker_actor_code, f.speakers),
        *_in(statements.c.function, f.functions),
        *_in(statements.c.kind, f.kinds),
        *_flag(statements.c.direct, f.direct),
        *_modality_conditions(statements, f),
        *_coder_condition(conn, statements, f.coder),
    ]
    if f.since is not None:
        where.append(articles.c.published >= f.since)
    if f.until is not None:
        where.append(articles.c.published <= f.until)
    if f.article is not None:
        where.append(statements.c.article_id == f.article)
    return where


def list_statements(conn: Connection, f: StatementFilter, *, limit: int = 50,
                    cursor: str | None = None) -> Page:
    """A page of statements, most recently ingested article first, in text order."""
    _check_limit(limit)
    query = (
        sa.select(statements, articles.c.seq, *_ARTICLE_COLUMNS)
        .select_from(statements.join(articles, articles.c.id == statements.c.article_id))
        .where(*statement_conditions(conn, f))
        .order_by(articles.c.seq.desc(), statements.c.coder_version, statements.c.ordinal)
    )
    if cursor:
        seq, version, ordinal = decode_cursor(cursor, (int, str, int))
        query = query.where(sa.or_(
            articles.c.seq < seq,
            sa.and_(articles.c.seq == seq,
                    sa.tuple_(statements.c.coder_version, statements.c.ordinal)
                    > sa.tuple_(sa.literal(version), sa.literal(ordinal))),
        ))
    rows = [row._mapping for row in conn.execute(query.limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    following = None
    if more:
        last = rows[-1]
        following = encode_cursor([last["seq"], last["coder_version"], last["ordinal"]])
    return Page([statement_dict(row) for row in rows], following)


def statement_dict(row: codec.Row) -> dict[str, Any]:
    data = codec.statement_json(row)
    data["article"] = _article(row)
    data["coder_version"] = row["coder_version"]
    return data


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ConfigError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")


# -- articles ---------------------------------------------------------------------------


def list_articles(conn: Connection, *, limit: int = 50, cursor: str | None = None,
                  since: dt.date | None = None, until: dt.date | None = None) -> Page:
    """A page of stored articles, most recently ingested first, with extraction counts."""
    _check_limit(limit)

    def count(table: sa.Table) -> sa.ScalarSelect[Any]:
        return (sa.select(sa.func.count()).where(table.c.article_id == articles.c.id)
                .scalar_subquery())

    query = sa.select(
        articles.c.seq, articles.c.id, articles.c.title, articles.c.published,
        articles.c.url, articles.c.source, count(events).label("events"),
        count(statements).label("statements"),
    ).order_by(articles.c.seq.desc())
    if since is not None:
        query = query.where(articles.c.published >= since)
    if until is not None:
        query = query.where(articles.c.published <= until)
    if cursor:
        (seq,) = decode_cursor(cursor, (int,))
        query = query.where(articles.c.seq < seq)
    rows = [dict(row._mapping) for row in conn.execute(query.limit(limit + 1))]
    following = encode_cursor([rows[limit - 1]["seq"]]) if len(rows) > limit else None
    out = []
    for row in rows[:limit]:
        row.pop("seq")
        row["published"] = row["published"].isoformat() if row["published"] else None
        out.append(row)
    return Page(out, following)
