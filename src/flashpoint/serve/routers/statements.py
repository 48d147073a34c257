"""/api/statements: who said what, with the PLOVER function each statement performs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from flashpoint.serve.dependencies import CursorQ, LimitDep, StatementFilterDep, StoreDep
from flashpoint.serve.routers.events import filter_echo
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import browse

router = APIRouter(tags=["statements"], route_class=JsonRoute)


@router.get("/statements", summary="Statements, most recent articles first")
def list_statements(store: StoreDep, f: StatementFilterDep, limit: LimitDep = 50,
                    cursor: CursorQ = None) -> dict[str, Any]:
    """Statements as in the document JSON, each with its `article` and `coder_version`."""
    with store.reading() as conn:
        page = browse.list_statements(conn, f, limit=limit, cursor=cursor)
    return {"statements": page.rows, "next": page.next, "filter": filter_echo(f)}
