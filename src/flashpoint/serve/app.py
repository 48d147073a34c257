"""`create_app()`: the FastAPI application serving the REST API and the dashboard.

    from flashpoint.serve import create_app
    app = create_app("flashpoint.db")            # read-only
    app = create_app("flashpoint.db", ServerSettings(token="..."))  # writes need the token

Layers, outermost first: a request-size limit (413 before a large body is read), security
headers (a strict Content-Security-Policy on dashboard pages: scripts and styles from this
server only, so even text that slipped through as HTML could not run), CORS only for
origins listed explicitly, the cache of GET answers (`serve/cache.py`, dropped whenever
the store changes), the gate that lets a few pages be computed at once
(`serve/admission.py`), then the routers. API docs (Swagger UI, served from the
`swagger-ui-bundle-v2` package, no CDN) are at /docs, the schema at /openapi.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flashpoint.__about__ import __version__
from flashpoint.serve import dashboard, errors, warm
from flashpoint.serve.admission import Admission, Slots
from flashpoint.serve.cache import MAX_AGE, ResponseCache
from flashpoint.serve.routers import (
    actors,
    alerts,
    documents,
    downloads,
    events,
    extract,
    meta,
    search,
    series,
    statements,
)
from flashpoint.serve.settings import ServerSettings, load_token
from flashpoint.serve.shared_answers import SharedAnswers
from flashpoint.store import Store

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


class LimitBody:
    """Answer 413 to request bodies over `limit` bytes, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Answer now and tell the app the client went away, so it stops
                    # reading; whatever it tries to send afterwards is dropped.
                    refused = True
                    if not started:
                        await _too_large(send, self.limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


async def _too_large(send: Send, limit: int) -> None:
    body = errors.error_response(413, f"request body over the limit of {limit} bytes").body
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """nosniff and no-referrer everywhere; the strict CSP on everything but /docs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not str(scope.get("path", "")).startswith("/docs")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"),
                            (b"x-frame-options", b"DENY")]
                if strict:
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(store: Store | str | os.PathLike[str] | None = None,
               settings: ServerSettings | None = None) -> FastAPI:
    """The app over `store` (a Store, or a URL/path opened here and closed at shutdown)."""
    settings = settings or ServerSettings()
    owned = not isinstance(store, Store)
    opened = store if isinstance(store, Store) else Store(store)
    app = FastAPI(
        title="flashpoint",
        version=__version__,
        summary="Traceable political event data: documents, PLOVER events, statements.",
        docs_url=None, redoc_url=None,
    )
    app.state.store = opened
    app.state.settings = settings
    if owned:
        app.router.on_shutdown.append(opened.close)
    app.router.on_startup.append(_limit_threads)
    app.router.on_startup.append(_compile_templates)
    if settings.warm_up:
        async def _warm_up() -> None:
            await warm.warm_up(app)

        app.router.on_startup.append(_warm_up)
    errors.install(app)
    for module in (documents, downloads, events, statements, actors, series, search, alerts,
                   extract, meta):
        app.include_router(module.router, prefix="/api")
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _mount_docs(app)
    if settings.compute_slots:  # inside the cache: replayed answers never wait
        app.add_middleware(Admission, slots=Slots(settings.compute_slots))
    if settings.cache_bytes:  # innermost: CORS and security headers apply to replays too
        shared = None
        if settings.shared_answers_dir is not None:
            shared = SharedAnswers(settings.shared_answers_dir, max_bytes=settings.cache_bytes,
                                   max_age=MAX_AGE)
            app.router.on_shutdown.append(shared.close)
        app.add_middleware(ResponseCache, generation=opened.generation,
                           local_writes=lambda: opened.db.writes,
                           max_bytes=settings.cache_bytes, max_age=MAX_AGE, shared=shared)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LimitBody, limit=settings.max_body_bytes)
    return app


WORKER_ENV = "FLASHPOINT_SERVE_WORKER"


def worker_environment(db: str | None, token_file: str | None, settings: ServerSettings) -> str:
    """What `app_for_worker` needs, as the JSON `flashpoint serve --workers` puts in the
    environment its worker processes inherit.

    uvicorn starts each worker as a fresh process that imports the app by name, so the
    options travel as data. The token itself is not written there: a worker reads it
    again from the token file or from `$FLASHPOINT_API_TOKEN`, where it already was."""
    return json.dumps({"db": db, "token_file": token_file,
                       "max_body_bytes": settings.max_body_bytes,
                       "max_page": settings.max_page,
                       "cors_origins": list(settings.cors_origins),
                       "cache_bytes": settings.cache_bytes,
                       "compute_slots": settings.compute_slots,
                       "shared_answers_dir": settings.shared_answers_dir})


def app_for_worker() -> FastAPI:
    """The app of one `flashpoint serve --workers N` process (a uvicorn app factory)."""
    raw = os.environ.get(WORKER_ENV)
    if raw is None:
        raise RuntimeError(f"{WORKER_ENV} is not set: this factory is for `flashpoint serve`")
    options = json.loads(raw)
    settings = ServerSettings(token=load_token(options["token_file"]),
                              max_body_bytes=int(options["max_body_bytes"]),
                              max_page=int(options["max_page"]),
                              cors_origins=tuple(options["cors_origins"]),
                              cache_bytes=int(options["cache_bytes"]),
                              compute_slots=int(options["compute_slots"]),
                              shared_answers_dir=options.get("shared_answers_dir"))
    return create_app(options["db"], settings)


ENDPOINT_THREADS = int(os.environ.get("FLASHPOINT_SERVE_THREADS", "8"))


async def _limit_threads() -> None:
    """Run at most ENDPOINT_THREADS endpoints at once per process (AnyIO's default: 40).

    Endpoints are synchronous and mostly CPU (queries, JSON, templates); forty of them
    take turns at the GIL with the event loop, which then answers even a cached page only
    when it gets the lock back: under 200 clients a replayed answer waited up to 650 ms.
    With a few threads the rest wait in line without holding the GIL, and cached answers
    go out at once. SQLite and PostgreSQL calls release the GIL, so a few threads still
    overlap their I/O."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = ENDPOINT_THREADS


async def _compile_templates() -> None:
    dashboard.compile_templates()


def _mount_docs(app: FastAPI) -> None:
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency; docs fall back to the schema
        return
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="flashpoint API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

