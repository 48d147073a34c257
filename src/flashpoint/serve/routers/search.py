"""/api/search: full-text search over articles (web-search syntax, ranked)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from flashpoint.serve.dependencies import SinceQ, StoreDep, UntilQ, day
from flashpoint.serve.routers.json_route import JsonRoute

router = APIRouter(tags=["search"], route_class=JsonRoute)
MARKS = ("\u2e22", "\u2e23")  # marks no article uses; the dashboard turns them into <mark>


@router.get("/search", summary="Full-text search over article titles and bodies")
def search(store: StoreDep,
           q: Annotated[str, Query(min_length=1, max_length=500,
                                   description='Words, "phrases", or, -excluded.')],
           limit: Annotated[int, Query(ge=1, le=100)] = 20,
           offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
           since: SinceQ = None, until: UntilQ = None) -> dict[str, Any]:
    """Best matches first. The snippet marks matches with U+2E22 and U+2E23; paged by
    offset (search results are ranked, so there is no stable key to page on)."""
    first, last = day(since, "since"), day(until, "until")
    rows = store.articles(search=q, limit=limit, offset=offset, since=first, until=last,
                          marks=MARKS)
    total = store.count_articles(search=q, since=first, until=last)
    return {"q": q, "total": total, "results": [r.to_dict() for r in rows],
            "marks": list(MARKS)}
