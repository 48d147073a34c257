"""/api/alerts: the alerts `flashpoint alerts run` stored (`flashpoint.analyze.alert_store`)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query

from flashpoint.analyze.alert_store import list_alerts as stored_alerts
from flashpoint.serve.dependencies import SinceQ, StoreDep, day
from flashpoint.serve.errors import ApiError
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import Store

router = APIRouter(tags=["alerts"], route_class=JsonRoute)
RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$")


def latest_alerts(store: Store, limit: int = 20, **filters: Any) -> list[dict[str, Any]]:
    """Stored alerts, newest day first, as JSON-ready dicts."""
    return [alert.to_dict() for alert in stored_alerts(store, limit=limit, **filters)]


@router.get("/alerts", summary="Stored alerts, newest first (from the monitoring rules)")
def list_alerts(store: StoreDep,
                rule: Annotated[str | None, Query(max_length=100,
                                                  description="Only this rule's alerts.")]
                = None,
                since: SinceQ = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    if rule is not None and not RULE.match(rule):
        raise ApiError(422, "rule: expected a rule name (letters, digits, space, _ . : -)",
                       param="rule")
    return {"alerts": latest_alerts(store, limit, rule=rule, since=day(since, "since"))}
