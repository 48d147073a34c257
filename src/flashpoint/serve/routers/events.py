"""/api/events: the filtered, keyset-paged event list, and its downloads."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from flashpoint.serve.dependencies import CursorQ, EventFilterDep, LimitDep, StoreDep
from flashpoint.serve.ontology import quad_label
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import browse

router = APIRouter(tags=["events"], route_class=JsonRoute)


def filter_echo(f: Any) -> dict[str, Any]:
    """The filter as JSON, so a client can see how its query was understood."""
    out: dict[str, Any] = {}
    for name, value in f.__dict__.items():
        if value in (None, ()):
            continue
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


@router.get("/events", summary="Events, newest first, filtered and keyset-paged")
def list_events(store: StoreDep, f: EventFilterDep, limit: LimitDep = 50,
                cursor: CursorQ = None) -> dict[str, Any]:
    """Events as in the document JSON, each with its `article` (id, title, published,
    url), `coder_version` and `quad_class`. Pass `next` back as `cursor` for the next page;
    `next` is null on the last page."""
    with store.reading() as conn:
        page = browse.list_events(conn, f, limit=limit, cursor=cursor)
    for row in page.rows:
        row["quad_class"] = quad_label(row["type"])
    return {"events": page.rows, "next": page.next, "filter": filter_echo(f)}
