"""POST /api/extract: the document JSON for posted text; computes, stores nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from flashpoint.serve.routers.documents import NLP_LOCK, TextIn
from flashpoint.serve.routers.json_route import JsonRoute

router = APIRouter(tags=["extract"], route_class=JsonRoute)


@router.post("/extract", summary="Extract statements and events from posted text")
def extract(body: TextIn) -> dict[str, Any]:
    """Returns what `flashpoint.extract()` returns, as JSON (docs/schema.md). Offsets index
    the posted `text` exactly. Nothing is written to the database."""
    # What `flashpoint.extract()` does, spelled out: the name `flashpoint.extract` is also
    # a subpackage, and the attribute has pointed at either depending on import order.
    from flashpoint import default_pipeline
    from flashpoint.pipeline import make_article

    article = make_article(body.text, published=body.published, url=body.url,
                           title=body.title)
    with NLP_LOCK:
        (doc,) = list(default_pipeline()([article]))
    result = doc.to_dict()
    if body.source is not None:
        result["source"] = body.source
    return result
