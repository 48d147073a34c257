"""The dashboard: server-rendered pages over the same queries as the API.

Pages render with Jinja2 and autoescaping on for every template, so article titles and
bodies are always text, never markup; the page scripts (static/app.js, no third-party
code) draw the charts from the JSON API and show codings on hover or click, building
elements with `textContent` only. Filters come from the query string through the same
parsers as the API; a malformed value shows its message above an empty table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from flashpoint.__about__ import __version__
from flashpoint.errors import ConfigError
from flashpoint.extract.ontology import ontology
from flashpoint.model import Coder, Document
from flashpoint.serve import dependencies as deps
from flashpoint.serve.errors import ApiError
from flashpoint.serve.highlight import annotate, modality_names, segments
from flashpoint.serve.ontology import QUADS, quad_label, quad_slug
from flashpoint.serve.routers.alerts import latest_alerts
from flashpoint.serve.routers.search import MARKS
from flashpoint.store import Store, browse
from flashpoint.store.browse import EventFilter, StatementFilter

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "templates"
EVENT_PARAMS = ("actor", "source", "target", "type", "mode", "since", "until", "negated",
                "future", "hypothetical", "conditional", "coder")
STATEMENT_PARAMS = ("speaker", "function", "kind", "since", "until", "coder")
PAGE = 50

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its extension
    trim_blocks=True, lstrip_blocks=True,
)


def _modality(row: dict[str, Any]) -> list[str]:
    flags = row.get("modality") or {}
    names = [name for name in ("negated", "future", "hypothetical") if flags.get(name)]
    if flags.get("condition"):
        names.append("conditional")
    return names


def _marked(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, is_match) pieces, so matches render as <mark> safely."""
    pieces: list[tuple[str, bool]] = []
    rest = snippet
    while MARKS[0] in rest:
        before, _, after = rest.partition(MARKS[0])
        match, _, rest = after.partition(MARKS[1])
        pieces += [(before, False), (match, True)]
    pieces.append((rest, False))
    return [p for p in pieces if p[0]]


env.globals.update(version=__version__, quad_label=quad_label, quad_slug=quad_slug,
                   QUADS=QUADS, modality=_modality, marked=_marked, urlencode=urlencode)


def compile_templates() -> int:
    """Compile every page template now (run at server start); returns how many.

    Jinja compiles a template the first time it renders, about 30-80 ms for a page with
    its macros: without this, the first visitors of each page in each worker process
    pay it, and at a cold start they queue behind one another."""
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _params(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {n: request.query_params[n][:200] for n in names if request.query_params.get(n)}


def _parse(build: Callable[..., Any], params: dict[str, str]) -> tuple[Any, str | None]:
    try:
        return build(**{("coder_version" if k == "coder" else k): v
                        for k, v in params.items()}), None
    except ApiError as exc:
        return None, exc.message


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=308)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    store = _store(request)
    with store.reading() as conn:
        dyads = browse.top_dyads(conn, EventFilter(), limit=10)
        said = browse.list_statements(conn, StatementFilter(), limit=8).rows
        latest = browse.list_events(conn, EventFilter(), limit=8).rows
    return render("overview.html", page="overview", stats=store.stats(), dyads=dyads,
                  statements=said, events=latest, alerts=latest_alerts(store, 8))


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request) -> HTMLResponse:
    params = _params(request, EVENT_PARAMS)
    f, error = _parse(deps.event_filter, params)
    cursor = request.query_params.get("cursor")
    page = browse.Page([], None)
    if f is not None:
        try:
            with _store(request).reading() as conn:
                page = browse.list_events(conn, f, limit=PAGE, cursor=cursor)
        except ConfigError as exc:  # a bad cursor: say so on the page
            error = str(exc)
    return render("events.html", page="events", params=params, rows=page.rows,
                  next=page.next, error=error, status=422 if error else 200,
                  types=ontology().types)


@router.get("/statements", response_class=HTMLResponse)
def statements_page(request: Request) -> HTMLResponse:
    params = _params(request, STATEMENT_PARAMS)
    f, error = _parse(deps.statement_filter, params)
    cursor = request.query_params.get("cursor")
    page = browse.Page([], None)
    if f is not None:
        try:
            with _store(request).reading() as conn:
                page = browse.list_statements(conn, f, limit=PAGE, cursor=cursor)
        except ConfigError as exc:
            error = str(exc)
    return render("statements.html", page="statements", params=params, rows=page.rows,
                  next=page.next, error=error, types=ontology().types)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "") -> HTMLResponse:
    q = q[:500]
    store = _store(request)
    rows, total = [], 0
    if q.strip():
        rows = [r.to_dict() for r in store.articles(search=q, limit=50, marks=MARKS)]
        total = store.count_articles(search=q)
    return render("search.html", page="search", q=q, rows=rows, total=total)


@router.get("/dyads", response_class=HTMLResponse)
def dyads_page(request: Request, a: str = "", b: str = "") -> Response:
    if a.strip() and b.strip():
        try:
            first, second = deps.codes(a, "a")[:1], deps.codes(b, "b")[:1]
        except ApiError as exc:
            return render("dyad.html", page="dyads", a=a, b=b, error=exc.message, rows=[],
                          dyads=[], status=422)
        return RedirectResponse(f"/dyads/{first[0]}/{second[0]}", status_code=303)
    with _store(request).reading() as conn:
        dyads = browse.top_dyads(conn, EventFilter(), limit=30)
    return render("dyad.html", page="dyads", a="", b="", error=None, rows=[], dyads=dyads)


@router.get("/dyads/{a}/{b}", response_class=HTMLResponse)
def dyad_page(request: Request, a: str, b: str) -> HTMLResponse:
    try:
        first, second = deps.codes(a, "a")[0], deps.codes(b, "b")[0]
    except (ApiError, IndexError):
        return render("dyad.html", page="dyads", a=a, b=b, rows=[], dyads=[],
                      error="give two actor codes, like /dyads/RUS/UKR", status=422)
    try:
        since = deps.day(request.query_params.get("since"), "since")
        until = deps.day(request.query_params.get("until"), "until")
    except ApiError as exc:
        return render("dyad.html", page="dyads", a=first, b=second, rows=[], dyads=[],
                      error=exc.message, status=422)
    rows: list[dict[str, Any]] = []
    with _store(request).reading() as conn:
        for source, target in ((first, second), (second, first)):
            f = EventFilter(source=(source,), target=(target,), since=since, until=until)
            rows += browse.list_events(conn, f, limit=PAGE).rows
    rows.sort(key=lambda r: r["date"] or "", reverse=True)
    period = None
    if since or until:
        period = f"{since or '…'} to {until or '…'}"
    return render("dyad.html", page="dyads", a=first, b=second, rows=rows[:PAGE], dyads=[],
                  error=None, period=period)


@router.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request) -> HTMLResponse:
    with _store(request).reading() as conn:
        actors = browse.list_actors(conn, EventFilter(), limit=200)
    return render("actors.html", page="actors", actors=actors)


@router.get("/actors/{code}", response_class=HTMLResponse)
def actor_page(request: Request, code: str) -> HTMLResponse:
    try:
        checked = deps.codes(code, "code")[0]
    except (ApiError, IndexError):
        return render("actor.html", page="actors", code=code, profile=None, rows=[],
                      statements=[], error="not an actor code", status=422)
    with _store(request).reading() as conn:
        profile = browse.actor_summary(conn, checked, EventFilter())
        rows = browse.list_events(conn, EventFilter(actor=(checked,)), limit=PAGE).rows
        said = browse.list_statements(conn, StatementFilter(speakers=(checked,)),
                                      limit=20).rows
    return render("actor.html", page="actors", code=checked, profile=profile, rows=rows,
                  statements=said, error=None)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    store = _store(request)
    if not deps.ARTICLE_ID.match(article_id):
        return render("missing.html", page="", what="article", status=404)
    doc = store.get_document(article_id)
    if doc is None:
        article = store.get_article(article_id)
        if article is None:
            return render("missing.html", page="", what="article", status=404)
        doc = Document(**article.model_dump(exclude={"origin"}),
                       coder=Coder(name="(not coded)", version="-"))
    marks, notes = annotate(doc)
    wanted = [("event", request.query_params.get("event")),
              ("statement", request.query_params.get("statement"))]
    focus_key = next((key for kind, value in wanted if value
                      for key, note in notes.items()
                      if note["kind"] == kind and note["id"] == value), None)
    events = [(f"e{i}", e, modality_names(e.modality)) for i, e in enumerate(doc.events)]
    said = [(f"s{i}", s, modality_names(s.modality)) for i, s in enumerate(doc.statements)]
    return render("article.html", page="", doc=doc, segments=segments(doc.text, marks, notes),
                  notes=notes, events=events, statements=said, focus=focus_key)
