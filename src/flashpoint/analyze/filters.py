"""`EventFilter`: which stored events an export, a series, an alert or a report looks at.

One filter object, shared by `export`, `series`, `alerts`, `report` and the REST API, so
"events by BLR against POL since Monday, no hypotheticals" means the same rows everywhere.
It compiles to SQLAlchemy Core clauses whose values are all bound parameters: a filter
value typed by a user (`--actor "x' OR 1=1"`) is data, never SQL.

Which coding counts: one article can be coded by several coder versions (old codings are
kept for comparison). With `coder_version=None` each article's newest coding is used;
otherwise only that version's rows.

Stories: `story_articles(article_id, story_id)` (see `flashpoint.store.stories`) maps
syndicated copies of a wire story to one story; with it, `dedup_stories=True` (the
default) keeps one event per (story, type, mode, source, target, day, modality) and
counts the articles that reported it in `sources`. An article in no story is its own
story, so the same event told twice in one article is also counted once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa

from flashpoint.analyze import scores
from flashpoint.errors import ConfigError
from flashpoint.store import schema as tables

events = tables.events
articles = tables.articles
codings = tables.codings

story_articles = tables.story_articles

_RELATIVE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_day(value: str | dt.date | None, *, today: dt.date | None = None,
              name: str = "date") -> dt.date | None:
    """An ISO date ("2024-03-05") or a span back from `today` ("7d", "2w", "3m", "1y").

    "7d" means the 7 days ending today, i.e. since today - 6 days, so `--since 1d` is
    today alone.
    """
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match[1]), match[2].lower()
        if amount < 1:
            raise ConfigError(f"{name} must be at least 1 day, got {value!r}")
        anchor = today or dt.datetime.now(dt.UTC).date()
        return anchor - dt.timedelta(days=amount * _UNIT_DAYS[unit] - 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{name} must be an ISO date (2024-03-05) or a span like 7d, 2w, 3m, 1y; "
            f"got {value!r}"
        ) from None


def _codes(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Normalise one value, a comma list or many values to a tuple of stripped strings."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return tuple(out)


@dataclass(frozen=True)
class EventFilter:
    """Which events to look at. Every field is optional; the default is "all real events".

    - `actor`: codes that may be source *or* target; `source` / `target`: who acts, to whom
      (codes are matched case-insensitively: they are stored upper-case).
    - `types`, `modes`: PLOVER event types and modes.
    - `since`, `until`: inclusive, on the event's date (the article's date when the event
      has none).
    - negated and hypothetical events are left out unless asked for; future (planned)
      and conditional ones are kept unless refused.
    - `coder_version`: one coder's rows; None = each article's newest coding.
    - `dedup_stories`: count an event once per story (see the module docstring).
    """

    actor: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    include_negated: bool = False
    include_hypothetical: bool = False
    include_future: bool = True
    include_conditional: bool = True
    min_confidence: float = 0.0
    coder_version: str | None = None
    article_ids: tuple[str, ...] = field(default=())
    dedup_stories: bool = True

    def __post_init__(self) -> None:
        upper = {"actor", "source", "target", "types"}
        for name in ("actor", "source", "target", "types", "modes", "article_ids"):
            values = _codes(getattr(self, name))
            object.__setattr__(self, name, tuple(v.upper() for v in values)
                               if name in upper else values)
        for name in ("since", "until"):
            object.__setattr__(self, name, parse_day(getattr(self, name), name=name))
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"since ({self.since}) is after until ({self.until})")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError(f"min_confidence must be within 0..1, got {self.min_confidence}")

    def replace(self, **changes: Any) -> EventFilter:
        """A copy with some fields changed (validated again)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return EventFilter(**values)

    def describe(self) -> str:
        """A short human summary, for report headers and CLI messages."""
        parts: list[str] = []
        for name in ("actor", "source", "target", "types", "modes"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={','.join(value)}")
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        for name in ("include_negated", "include_hypothetical"):
            if getattr(self, name):
                parts.append(name.replace("_", " "))
        for name in ("include_future", "include_conditional"):
            if not getattr(self, name):
                parts.append(name.replace("include_", "no "))
        if self.coder_version:
            parts.append(f"coder {self.coder_version}")
        return "; ".join(parts) or "all events"

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses over `events`, `articles` and `codings` (joined as in
        `filtered_events`); every value is a bound parameter."""
        where: list[sa.ColumnElement[bool]] = []
        c = events.c
        if self.actor:
            where.append(sa.or_(c.source_code.in_(self.actor), c.target_code.in_(self.actor)))
        if self.source:
            where.append(c.source_code.in_(self.source))
        if self.target:
            where.append(c.target_code.in_(self.target))
        if self.types:
            where.append(c.type.in_(self.types))
        if self.modes:
            where.append(c.mode.in_(self.modes))
        if self.since is not None:
            where.append(event_day() >= self.since)
        if self.until is not None:
            where.append(event_day() <= self.until)
        if not self.include_negated:
            where.append(c.negated.is_(False))
        if not self.include_hypothetical:
            where.append(c.hypothetical.is_(False))
        if not self.include_future:
            where.append(c.future.is_(False))
        if not self.include_conditional:
            where.append(c.condition_start.is_(None))
        if self.min_confidence > 0:
            where.append(c.confidence >= self.min_confidence)
        if self.article_ids:
            where.append(c.article_id.in_(self.article_ids))
        if self.coder_version is not None:
            where.append(c.coder_version == self.coder_version)
        else:
            where.append(newest_coding())
        return where


def event_day() -> sa.ColumnElement[dt.date]:
    """The day an event counts on: its own date, else its article's publication date."""
    return sa.func.coalesce(events.c.date, articles.c.published)


def newest_coding() -> sa.ColumnElement[bool]:
    """True for rows of each article's most recent coding (ties: highest version)."""
    newer = codings.alias("newer_coding")
    return ~sa.exists().where(
        newer.c.article_id == codings.c.article_id,
        sa.or_(
            newer.c.coded_at > codings.c.coded_at,
            sa.and_(newer.c.coded_at == codings.c.coded_at,
                    newer.c.coder_version > codings.c.coder_version),
        ),
    )


def filtered_events(flt: EventFilter) -> sa.Subquery:
    """The events `flt` selects, one row per counted event, as a subquery.

    Columns: every `events` column, `published`, `url`, `title`, `publication` (the
    article's source), `article_seq`, `coder_name`, `coded_at`, `day`, `story_id` (NULL
    for an article in no story), `quad_code`, `score`, and `sources` (articles reporting
    it; 1 without story dedup). With `flt.dedup_stories` only the first report (earliest
    published, then ingestion order) of each story event is kept.
    """
    joined = events.join(
        codings, sa.and_(codings.c.article_id == events.c.article_id,
                         codings.c.coder_version == events.c.coder_version),
    ).join(articles, articles.c.id == events.c.article_id)
    joined = joined.outerjoin(story_articles,
                              story_articles.c.article_id == events.c.article_id)
    story_id = story_articles.c.story_id
    day = event_day()
    columns: list[sa.ColumnElement[Any]] = [
        *events.c,
        articles.c.published, articles.c.url, articles.c.title,
        articles.c.source.label("publication"), articles.c.seq.label("article_seq"),
        codings.c.coder_name, codings.c.coded_at,
        day.label("day"), story_id.label("story_id"),
        scores.quad_sql(events.c.type).label("quad_code"),
        scores.score_sql(events.c.type, events.c.mode).label("score"),
    ]
    if not flt.dedup_stories:
        query = sa.select(*columns, sa.literal(1).label("sources"))
        return query.select_from(joined).where(*flt.clauses()).subquery("fe")
    # One text key per counted event: windows partitioned by one column sort faster than
    # by nine, and NULLs (no mode, no target) are spelled out so they group together.
    parts: list[sa.ColumnElement[Any]] = [
        sa.func.coalesce(sa.cast(story_id, sa.Text), "a:" + events.c.article_id),
        events.c.type, sa.func.coalesce(events.c.mode, ""), events.c.source_code,
        sa.func.coalesce(events.c.target_code, ""), sa.cast(day, sa.Text),
        sa.cast(events.c.negated, sa.Integer), sa.cast(events.c.hypothetical, sa.Integer),
        sa.cast(events.c.future, sa.Integer),
    ]
    key: sa.ColumnElement[str] = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + sa.cast(part, sa.Text)
    base = (sa.select(*columns, key.label("dedup_key")).select_from(joined)
            .where(*flt.clauses()).subquery("base"))
    first = sa.func.row_number().over(
        partition_by=base.c.dedup_key,
        order_by=[base.c.published.asc().nulls_last(), base.c.article_seq, base.c.ordinal],
    )
    # COUNT(DISTINCT ...) is not allowed as a window function on PostgreSQL; the number of
    # distinct article ids is dense_rank ascending + dense_rank descending - 1.
    up = sa.func.dense_rank().over(partition_by=base.c.dedup_key,
                                   order_by=base.c.article_id.asc())
    down = sa.func.dense_rank().over(partition_by=base.c.dedup_key,
                                     order_by=base.c.article_id.desc())
    kept = [col for col in base.c if col.name != "dedup_key"]
    ranked = sa.select(*kept, first.label("rn"), (up + down - 1).label("sources")
                       ).subquery("ranked")
    keep = [col for col in ranked.c if col.name != "rn"]
    return sa.select(*keep).where(ranked.c.rn == 1).subquery("fe")
