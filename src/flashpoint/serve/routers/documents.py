"""/api/documents: stored articles with their coding; POST stores and codes new text."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from flashpoint.ingest.normalize import normalize_body
from flashpoint.pipeline import make_article
from flashpoint.serve.dependencies import (
    ARTICLE_ID,
    CursorQ,
    LimitDep,
    SinceQ,
    StoreDep,
    UntilQ,
    coder,
    day,
    require_token,
)
from flashpoint.serve.errors import ApiError
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import browse

router = APIRouter(tags=["documents"], route_class=JsonRoute)
# spaCy pipelines are not meant to be shared by threads; FastAPI runs sync routes in a
# thread pool, so NLP calls take turns.
NLP_LOCK = threading.Lock()
MAX_TEXT = 1_000_000


class TextIn(BaseModel):
    """An article given as text (the body of POST /api/extract and POST /api/documents)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    published: dt.date | None = None
    source: str | None = Field(default=None, max_length=500)


def check_id(article_id: str) -> str:
    if not ARTICLE_ID.match(article_id):
        raise ApiError(422, "id: expected an article id (letters, digits, - and _)", param="id")
    return article_id


@router.get("/documents", summary="Stored articles, most recently ingested first")
def list_documents(store: StoreDep, limit: LimitDep = 50, cursor: CursorQ = None,
                   since: SinceQ = None, until: UntilQ = None) -> dict[str, Any]:
    """Each row: id, title, published, url, source and how many events and statements
    were extracted (over all coder versions)."""
    with store.reading() as conn:
        page = browse.list_articles(conn, limit=limit, cursor=cursor,
                                    since=day(since, "since"), until=day(until, "until"))
    return {"documents": page.rows, "next": page.next}


@router.get("/documents/{article_id}", summary="One document as JSON (docs/schema.md)")
def get_document(store: StoreDep, article_id: Annotated[str, Path(max_length=128)],
                 coder_version: Annotated[str | None, Query(alias="coder", max_length=64)]
                 = None,
                 ) -> dict[str, Any]:
    """The document of the article's newest coding (or `coder=VERSION`'s). An article
    that no coder has coded yet comes with empty extractions and `coder: null`."""
    check_id(article_id)
    version = coder(coder_version)
    doc = store.get_document(article_id, None if version == "all" else version)
    if doc is not None:
        result = doc.to_dict()
        result["coder_versions"] = store.coder_versions(article_id)
        return result
    article = store.get_article(article_id)
    if article is None:
        raise ApiError(404, f"no article with id {article_id!r}")
    if version is not None and version != "all":
        raise ApiError(404, f"article {article_id!r} has no coding by coder {version!r}")
    data = article.to_dict()
    data.pop("origin", None)
    return {**data, "mentions": [], "statements": [], "events": [], "coder": None,
            "coder_versions": []}


@router.post("/documents", status_code=201, dependencies=[Depends(require_token)],
             summary="Store and code an article (server mode, needs the API token)")
def add_document(store: StoreDep, body: TextIn) -> dict[str, Any]:
    """Stores the text as an article (normalised as ingestion does), codes it with the
    current coder and stores the coding. An article already stored is not stored again
    (`status: duplicate`)."""
    from flashpoint import default_pipeline

    article = make_article(normalize_body(body.text), published=body.published, url=body.url,
                           title=body.title, source=body.source)
    if not article.text.strip():
        raise ApiError(422, "text: nothing but whitespace", param="text")
    (result,) = store.add_articles([article])
    if result.status == "duplicate":
        return {"id": result.duplicate_of or article.id, "status": "duplicate"}
    with NLP_LOCK:
        (doc,) = list(default_pipeline()([article]))
    store.save_documents([doc])
    return {"id": article.id, "status": "stored", "events": len(doc.events),
            "statements": len(doc.statements), "coder": doc.coder.to_dict()}
