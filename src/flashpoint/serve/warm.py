"""Warm a server process before it takes requests.

The first request of each kind a process answers costs two to ten times the next one of
that kind (bench: an event list 30 ms instead of 4, a dyad series 43 instead of 5): SQL
statements are compiled and cached, SQLite prepares them, code paths import and build
what they build once. A process starts with none of that, and it starts just when it
is needed most: after a restart, when every user's first requests are cache misses.

So each process, before it accepts connections, asks its own routes for the pages most
asked for (an event list with and without filters, a dyad series, statements, a search,
the dashboard's event table and an article), choosing actors, an article and a word
from what the store holds. The requests go through the whole app like a user's, so
their answers are also kept in the cache of answers. A user sees nothing but a start-up
a few hundred milliseconds longer (250 ms on the 1M-event store of bench/load.py); an
empty store, or any error, ends the warm-up early, and it never stops a start.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote

from starlette.types import ASGIApp, Message

log = logging.getLogger(__name__)

WORD = re.compile(r"[A-Za-z]{5,}")


async def get(app: Any, path: str, query: str = "") -> tuple[int, bytes]:
    """GET `path` from `app` in this process, as a request over HTTP would reach it;
    (status, body). Sent with `Cache-Control: no-cache`: always computed."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "",
             # computed here, not replayed from what another worker already computed
             "headers": [(b"host", b"127.0.0.1"), (b"cache-control", b"no-cache")],
             "client": ("127.0.0.1", 0),
             "server": ("127.0.0.1", 0)}
    status = 0
    body: list[bytes] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    asgi: ASGIApp = app
    await asgi(scope, receive, send)
    return status, b"".join(body)


async def warm_up(app: Any) -> int:
    """Ask `app` for its commonest pages once; how many were answered."""
    started = time.perf_counter()
    answered = 0
    try:
        answered = await _ask(app)
    except Exception:  # never stop a start: the pages are computed when asked for
        log.warning("warm-up stopped early", exc_info=True)
    log.info("warmed up with %d pages in %.0f ms", answered,
             (time.perf_counter() - started) * 1000)
    return answered


async def _ask(app: Any) -> int:
    status, body = await get(app, "/api/events", "limit=50")
    if status != 200:
        return 0
    events: list[dict[str, Any]] = json.loads(body)["events"]
    if not events:
        return 1
    first = events[0]
    source = first["source"]["code"]
    target = (first.get("target") or {}).get("code") or source
    article = first["article"]["id"]
    words = WORD.findall(first["article"].get("title") or "") or ["government"]
    pages = [
        ("/api/events", f"limit=50&actor={quote(source)}"),
        ("/api/events", f"limit=50&source={quote(source)}&target={quote(target)}"),
        ("/api/events", f"limit=50&type={first['type']}&since=2000-01-01&factual=true"),
        (f"/api/dyads/{quote(source)}/{quote(target)}/series", "bucket=auto"),
        ("/api/statements", "limit=50"),
        ("/api/search", f"q={quote(words[0])}"),
        ("/events", f"actor={quote(source)}"),
        (f"/articles/{quote(article)}", ""),
    ]
    answered = 1
    for path, query in pages:
        status, _ = await get(app, path, query)
        answered += status == 200
    return answered
