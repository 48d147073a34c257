"""Daily event series per actor, dyad, event type or quad class: counts, intensity, quads.

What is counted is decided by `EventFilter` (negated and hypothetical events are left out
unless asked for; an event reported by several copies of one story counts once, with
`sources` keeping how many articles reported it). Aggregation runs in SQL, so a series
over millions of events returns only its points.

For each day and group a `SeriesPoint` has:

- `events`: events counted (once per story);
- `sources`: articles reporting them (>= events when stories have several copies);
- `intensity`: sum of PLOVER scores (-10 conflict .. +10 cooperation; Goldstein-like),
  `mean_score` its mean, `conflict` the sum of the negative scores as a positive number;
- `quads`: events per quad class 1..4 (verbal/material cooperation, verbal/material
  conflict).

Days without events are absent from `daily_series`; `dense()` fills them with zeros for
charts and anomaly detection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import sqlalchemy as sa

from flashpoint.analyze.filters import EventFilter, filtered_events
from flashpoint.errors import ConfigError
from flashpoint.store import Store

Grouping = Literal["total", "actor", "source", "target", "dyad", "type", "quad"]
GROUPINGS: tuple[str, ...] = get_args(Grouping)
KEY_NAMES: dict[str, tuple[str, ...]] = {
    "total": (), "actor": ("actor",), "source": ("source",), "target": ("target",),
    "dyad": ("source", "target"), "type": ("type",), "quad": ("quad",),
}
Key = tuple[str | None, ...]


@dataclass(frozen=True)
class SeriesPoint:
    """One day of one group (see the module docstring for the measures)."""

    day: dt.date
    key: Key
    events: int
    sources: int
    intensity: float
    mean_score: float | None
    conflict: float
    quads: tuple[int, int, int, int]

    def value(self, metric: str) -> float:
        """`events`, `sources`, `intensity` or `conflict` as a number."""
        if metric not in METRICS:
            raise ConfigError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
        return float(getattr(self, metric))

    def to_dict(self, by: Grouping = "dyad") -> dict[str, Any]:
        """JSON-ready, with the key spelled out (`{"source": "BLR", "target": "POL"}`)."""
        return {
            "day": self.day.isoformat(), **dict(zip(KEY_NAMES[by], self.key, strict=True)),
            "events": self.events, "sources": self.sources, "intensity": self.intensity,
            "mean_score": self.mean_score, "conflict": self.conflict,
            "quad1": self.quads[0], "quad2": self.quads[1], "quad3": self.quads[2],
            "quad4": self.quads[3],
        }


METRICS = ("events", "sources", "intensity", "conflict")


def label(key: Key, by: Grouping) -> str:
    """A short name for a group: "BLR → POL", "THREATEN", "quad 3", "all events"."""
    if by == "total":
        return "all events"
    if by == "dyad":
        return f"{key[0] or '?'} \u2192 {key[1] or '(none)'}"
    if by == "quad":
        return f"quad {key[0]}"
    return str(key[0] if key[0] is not None else "(none)")


def _measures(fe: sa.Subquery | sa.Alias, key_columns: Sequence[sa.ColumnElement[Any]]
              ) -> list[sa.ColumnElement[Any]]:
    score = fe.c.score
    return [
        fe.c.day.label("day"), *key_columns,
        sa.func.count().label("events"),
        sa.func.sum(fe.c.sources).label("sources"),
        sa.func.sum(sa.func.coalesce(score, 0.0)).label("intensity"),
        sa.func.avg(score).label("mean_score"),
        sa.func.sum(sa.case((score < 0, -score), else_=0.0)).label("conflict"),
        *[sa.func.sum(sa.case((fe.c.quad_code == q, 1), else_=0)).label(f"q{q}")
          for q in (1, 2, 3, 4)],
    ]


def series_query(flt: EventFilter, by: Grouping) -> sa.Select[Any]:
    """The SELECT of `daily_series` (exposed for the API and for tests)."""
    if by not in GROUPINGS:
        raise ConfigError(f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
    fe = filtered_events(flt)
    keys: dict[str, list[sa.ColumnElement[Any]]] = {
        "total": [], "source": [fe.c.source_code.label("k0")],
        "target": [fe.c.target_code.label("k0")],
        "dyad": [fe.c.source_code.label("k0"), fe.c.target_code.label("k1")],
        "type": [fe.c.type.label("k0")],
        "quad": [sa.cast(fe.c.quad_code, sa.Text).label("k0")],
    }
    if by != "actor":
        columns = keys[by]
        return (sa.select(*_measures(fe, columns)).group_by(fe.c.day, *columns)
                .order_by(fe.c.day, *columns))
    # An event counts for its source and for its target (once when they are the same).
    sides = sa.union_all(
        sa.select(fe.c.day, fe.c.source_code.label("actor"), fe.c.sources, fe.c.score,
                  fe.c.quad_code),
        sa.select(fe.c.day, fe.c.target_code.label("actor"), fe.c.sources, fe.c.score,
                  fe.c.quad_code).where(fe.c.target_code.is_not(None),
                                        fe.c.target_code != fe.c.source_code),
    ).subquery("sides")
    column = sides.c.actor.label("k0")
    return (sa.select(*_measures(sides, [column])).group_by(sides.c.day, sides.c.actor)
            .order_by(sides.c.day, sides.c.actor))


def daily_series(store: Store, flt: EventFilter | None = None, *, by: Grouping = "dyad"
                 ) -> list[SeriesPoint]:
    """Daily points per group, ordered by day then key; only days with events.

    `by`: "total", "actor" (source or target), "source", "target", "dyad" (source,
    target), "type" or "quad".
    """
    query = series_query(flt or EventFilter(), by)
    width = len(KEY_NAMES[by])
    with store.db.read() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        SeriesPoint(
            day=_as_date(row["day"]), key=tuple(row[f"k{i}"] for i in range(width)),
            events=int(row["events"]), sources=int(row["sources"] or 0),
            intensity=round(float(row["intensity"] or 0.0), 6),
            mean_score=None if row["mean_score"] is None else round(float(row["mean_score"]), 6),
            conflict=round(float(row["conflict"] or 0.0), 6),
            quads=(int(row["q1"]), int(row["q2"]), int(row["q3"]), int(row["q4"])),
        )
        for row in rows
    ]


def day_range(store: Store, flt: EventFilter | None = None
              ) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with events `flt` selects (None, None when there are none)."""
    fe = filtered_events(flt or EventFilter())
    with store.db.read() as conn:
        first, last = conn.execute(sa.select(sa.func.min(fe.c.day), sa.func.max(fe.c.day))).one()
    return (None if first is None else _as_date(first), None if last is None else _as_date(last))


def _as_date(value: Any) -> dt.date:
    # SQLite returns the COALESCE of two DATE columns as text on some SQLAlchemy paths.
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def by_key(points: Iterable[SeriesPoint]) -> dict[Key, dict[dt.date, SeriesPoint]]:
    """{group key: {day: point}}."""
    grouped: dict[Key, dict[dt.date, SeriesPoint]] = {}
    for point in points:
        grouped.setdefault(point.key, {})[point.day] = point
    return grouped


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day from `start` to `end`, inclusive."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def dense(points: dict[dt.date, SeriesPoint], start: dt.date, end: dt.date,
          metric: str = "events") -> list[float]:
    """One group's `metric` for every day from `start` to `end`, 0 on days without events."""
    return [points[day].value(metric) if day in points else 0.0 for day in days(start, end)]


def totals(points: Iterable[SeriesPoint]) -> dict[Key, int]:
    """Events per group over all days, largest first."""
    counts: dict[Key, int] = {}
    for point in points:
        counts[point.key] = counts.get(point.key, 0) + point.events
    return dict(sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))))
