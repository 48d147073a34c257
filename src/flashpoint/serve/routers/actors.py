"""/api/actors: who appears in the events, and one actor's profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from flashpoint.serve.dependencies import EventFilterDep, StoreDep, codes
from flashpoint.serve.errors import ApiError
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import browse
from flashpoint.store.browse import StatementFilter

router = APIRouter(tags=["actors"], route_class=JsonRoute)


@router.get("/actors", summary="Actors by number of events")
def list_actors(store: StoreDep, f: EventFilterDep,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    with store.reading() as conn:
        return {"actors": browse.list_actors(conn, f, limit=limit)}


@router.get("/actors/{code}", summary="One actor: events by role and type, partners, "
                                      "latest statements")
def actor_profile(store: StoreDep, f: EventFilterDep,
                  code: Annotated[str, Path(max_length=32)]) -> dict[str, Any]:
    (checked,) = codes(code, "code") or ("",)
    if not checked:
        raise ApiError(422, "code: give an actor code", param="code")
    with store.reading() as conn:
        profile = browse.actor_summary(conn, checked, f)
        said = browse.list_statements(conn, StatementFilter(speakers=(checked,)), limit=20)
    profile["statements"] = said.rows
    return profile
