"""/api/series and /api/dyads: counts over time by quad class, and the busiest dyads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from flashpoint.serve.dependencies import EventFilterDep, StoreDep, codes
from flashpoint.serve.errors import ApiError
from flashpoint.serve.ontology import QUADS, quad_label
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import browse

router = APIRouter(tags=["series"], route_class=JsonRoute)
Bucket = Literal["day", "week", "month"]
BucketQ = Annotated[Literal["day", "week", "month", "auto"], Query(
    description="Bucket size: day, week (from Monday), month, or auto (by the time span).")]
Row = tuple[str, str | None, str, int]  # bucket start (ISO), direction, type, count


def choose_bucket(asked: str, first: dt.date | None, last: dt.date | None) -> Bucket:
    """`asked`, or for "auto" the finest bucket giving at most about 120 points."""
    if asked in ("day", "week", "month"):
        return asked  # type: ignore[return-value]
    span = (last - first).days if first and last else 0
    return "day" if span <= 120 else "week" if span <= 800 else "month"


def points(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """(bucket, direction or None, type, count) rows -> one point per bucket with totals
    by quad class, type and direction."""
    found: dict[str, dict[str, Any]] = {}
    quads: dict[str, str] = {}
    for start, direction, event_type, n in rows:
        point = found.get(start)
        if point is None:
            point = found[start] = {"date": start, "total": 0,
                                    "by_quad": dict.fromkeys(QUADS, 0), "by_type": {},
                                    "by_direction": {}}
        quad = quads.get(event_type)
        if quad is None:
            quad = quads[event_type] = quad_label(event_type) or "unknown"
        point["total"] += n
        by_quad, by_type = point["by_quad"], point["by_type"]
        by_quad[quad] = by_quad.get(quad, 0) + n
        by_type[event_type] = by_type.get(event_type, 0) + n
        if direction is not None:
            point["by_direction"][direction] = point["by_direction"].get(direction, 0) + n
    return [found[key] for key in sorted(found)]


@router.get("/series", summary="Events over time by quad class (all actors, or filtered)")
def series(store: StoreDep, f: EventFilterDep, bucket: BucketQ = "day") -> dict[str, Any]:
    """Dated events only; each point starts its bucket (weeks start on Monday)."""
    with store.reading() as conn:
        chosen = choose_bucket(bucket, *browse.date_span(conn, browse.event_conditions(conn, f)))
        rows: list[Row] = [(d, None, t, n) for d, t, n in browse.event_counts(conn, f, chosen)]
    return {"bucket": chosen, "total": sum(r[3] for r in rows), "points": points(rows)}


@router.get("/dyads", summary="The actor pairs with most events")
def top_dyads(store: StoreDep, f: EventFilterDep,
              limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    with store.reading() as conn:
        return {"dyads": browse.top_dyads(conn, f, limit=limit)}


@router.get("/dyads/{a}/{b}/series",
            summary="Events between two actors over time, both directions")
def dyad_series(store: StoreDep, f: EventFilterDep,
                a: Annotated[str, Path(max_length=32)], b: Annotated[str, Path(max_length=32)],
                bucket: BucketQ = "day") -> dict[str, Any]:
    """`by_direction` splits each point into `a>b` (a acts on b) and `b>a`."""
    first, second = (codes(a, "a") or ("",))[0], (codes(b, "b") or ("",))[0]
    if not first or not second:
        raise ApiError(422, "a, b: give two actor codes", param="a")
    with store.reading() as conn:
        chosen: Bucket = "day"
        if bucket == "auto":
            spans = [browse.date_span(conn, where)
                     for _, where in browse.dyad_conditions(conn, first, second, f)]
            starts = [s for s, _ in spans if s]
            ends = [e for _, e in spans if e]
            chosen = choose_bucket(bucket, min(starts, default=None), max(ends, default=None))
        else:
            chosen = bucket
        rows: list[Row] = list(browse.dyad_counts(conn, first, second, f, chosen))
    return {"a": first, "b": second, "bucket": chosen, "total": sum(r[3] for r in rows),
            "points": points(rows)}
