"""/api/stats: what the database holds (the same figures as `flashpoint stats`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from flashpoint.__about__ import __version__
from flashpoint.serve.dependencies import SettingsDep, StoreDep
from flashpoint.serve.routers.json_route import JsonRoute

router = APIRouter(tags=["meta"], route_class=JsonRoute)


@router.get("/stats", summary="Counts: articles, codings, statements, events, failures")
def stats(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    result = store.stats()
    result.pop("url", None)  # where the database lives is the operator's business
    result.pop("db_bytes", None)
    result["version"] = __version__
    result["writable"] = settings.writable
    return result
