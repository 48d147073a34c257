"""The cache of GET answers (`flashpoint.serve.cache`) over real HTTP, on both backends,
and `flashpoint serve --workers`.

What must hold: a repeated GET is replayed byte for byte; any write to the store (through
this server's Store at once, through another process's within the recheck interval)
makes the next answers fresh; errors, POSTs, exports and oversized answers are never
kept; `--cache-mb 0` turns it off.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from flashpoint.serve import ServerSettings, create_app
from flashpoint.serve.cache import ResponseCache
from flashpoint.serve.shared_answers import SharedAnswers
from flashpoint.store import Store
from serve_data import all_docs, belarus_doc, serving

HEADER = "x-flashpoint-cache"


@pytest.fixture
def cached(store_url: str) -> Iterator[tuple[httpx.Client, Store]]:
    with Store(store_url) as store:
        store.save_documents(all_docs()[1:])
        with serving(create_app(store)) as url, httpx.Client(base_url=url, timeout=30) as c:
            yield c, store


def test_a_repeated_get_is_replayed_and_a_write_makes_it_fresh(
        cached: tuple[httpx.Client, Store]) -> None:
    client, store = cached
    first = client.get("/api/events?limit=500")
    again = client.get("/api/events?limit=500")
    assert (first.headers[HEADER], again.headers[HEADER]) == ("miss", "hit")
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "content-security-policy" in again.headers  # outer layers still apply
    other_query = client.get("/api/events?limit=499")
    assert other_query.headers[HEADER] == "miss"

    store.save_documents([belarus_doc()])  # through the server's own Store: seen at once
    fresh = client.get("/api/events?limit=500")
    assert fresh.headers[HEADER] == "miss"
    assert len(fresh.json()["events"]) == (len(first.json()["events"])
                                           + len(belarus_doc().events))
    page = client.get("/events?actor=BLR")
    assert client.get("/events?actor=BLR").headers[HEADER] == "hit"
    assert "Lukashenko" in page.text


def test_writes_by_another_process_are_seen_within_the_recheck(store_url: str) -> None:
    with Store(store_url) as store:
        store.save_documents(all_docs()[1:])
    app = create_app(store_url)  # the server's own Store; the writer below is another
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        before = client.get("/api/stats").json()["events"]
        assert client.get("/api/stats").headers[HEADER] == "hit"
        with Store(store_url) as other:
            other.save_documents([belarus_doc()])
        deadline = time.monotonic() + 10
        while client.get("/api/stats").json()["events"] == before:
            assert time.monotonic() < deadline, "the cache kept a stale answer"
            time.sleep(0.2)
        assert client.get("/api/stats").json()["events"] == before + len(belarus_doc().events)
    app.state.store.close()


def test_what_is_never_kept(cached: tuple[httpx.Client, Store]) -> None:
    client, _ = cached
    for _ in range(2):
        missing = client.get("/api/documents/nope")
        assert missing.status_code == 404 and missing.headers[HEADER] == "miss"
        bad = client.get("/api/events?type=BOMB")
        assert bad.status_code == 422 and bad.headers[HEADER] == "miss"
        export = client.get("/api/events/export?format=csv")
        assert export.status_code == 200 and HEADER not in export.headers
        posted = client.post("/api/extract", json={"text": belarus_doc().text})
        assert posted.status_code == 200 and HEADER not in posted.headers
        static = client.get("/static/app.css")
        assert HEADER not in static.headers


def test_a_request_with_no_cache_is_computed_and_kept(
        cached: tuple[httpx.Client, Store]) -> None:
    client, _ = cached
    path = "/api/events?limit=3&since=2001-01-01"
    assert client.get(path).headers[HEADER] == "miss"
    assert client.get(path).headers[HEADER] == "hit"
    fresh = client.get(path, headers={"Cache-Control": "no-cache"})
    assert fresh.headers[HEADER] == "miss"  # computed again, not replayed
    assert client.get(path).headers[HEADER] == "hit"
    assert client.get(path).content == fresh.content


def test_size_bounds_and_switching_it_off(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.save_documents(all_docs())
        small = ServerSettings(cache_bytes=3_000)  # holds /api/stats, not an event page
        with serving(create_app(store, small)) as url, \
                httpx.Client(base_url=url, timeout=30) as client:
            assert len(client.get("/api/events?limit=500").content) > 3_000
            assert client.get("/api/events?limit=500").headers[HEADER] == "miss"
            client.get("/api/stats")
            assert client.get("/api/stats").headers[HEADER] == "hit"
            for n in range(1, 40):  # many small answers: the oldest make room
                client.get(f"/api/events?limit={n}&type=ASSAULT")
            assert client.get("/api/stats").headers[HEADER] == "miss"
        with serving(create_app(store, ServerSettings(cache_bytes=0))) as url, \
                httpx.Client(base_url=url, timeout=30) as client:
            client.get("/api/stats")
            assert HEADER not in client.get("/api/stats").headers


def test_serve_with_two_workers_answers_and_stops(tmp_path: Path) -> None:
    """`flashpoint serve --workers 2`: both processes answer from the same store, a write
    by another process reaches them, and SIGTERM stops the whole group."""
    db = tmp_path / "workers.db"
    with Store(db) as store:
        store.save_documents(all_docs()[1:])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "FLASHPOINT_API_TOKEN"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flashpoint", "serve", "--db", str(db), "--port", str(port),
         "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                before = httpx.get(f"{base}/api/stats", timeout=5).json()["events"]
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "flashpoint serve --workers 2 did not start"
                time.sleep(0.3)
        # New connections are spread over the workers; each must see the write.
        with Store(db) as other:
            other.save_documents([belarus_doc()])
        expected = before + len(belarus_doc().events)
        deadline = time.monotonic() + 15
        while True:
            seen = {httpx.get(f"{base}/api/stats", timeout=5).json()["events"]
                    for _ in range(10)}
            if seen == {expected}:
                break
            assert time.monotonic() < deadline, f"stale answers: {seen}"
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert b"2 worker processes" in err


def test_workers_share_their_answers(store_url: str, tmp_path: Path) -> None:
    """Two server processes (here: two apps, each with its own Store) over one store and one
    shared answers directory, as `serve --workers 2` runs them: a page computed by one is
    replayed by the other, and a write through either is never hidden by a shared answer."""
    with Store(store_url) as store:
        store.save_documents(all_docs()[1:])
    answers = SharedAnswers(tmp_path / "answers", max_bytes=10_000_000, max_age=60)
    settings = ServerSettings(shared_answers_dir=str(tmp_path / "answers"))
    first_app, second_app = create_app(store_url, settings), create_app(store_url, settings)
    with serving(first_app) as first_url, serving(second_app) as second_url, \
            httpx.Client(base_url=first_url, timeout=30) as first, \
            httpx.Client(base_url=second_url, timeout=30) as second:
        computed = first.get("/api/events?limit=500")
        _wait_until_shared(answers, first_app, b"/api/events?limit=500")
        replayed = second.get("/api/events?limit=500")
        assert (computed.headers[HEADER], replayed.headers[HEADER]) == ("miss", "hit")
        assert replayed.content == computed.content
        assert second.get("/api/stats").headers[HEADER] == "miss"
        _wait_until_shared(answers, second_app, b"/api/stats?")
        assert first.get("/api/stats").headers[HEADER] == "hit"
        before = first.get("/api/stats").json()["events"]

        second_app.state.store.save_documents([belarus_doc()])  # a write by one worker
        expected = before + len(belarus_doc().events)
        fresh = second.get("/api/stats")  # ...which that worker sees at once
        assert (fresh.headers[HEADER], fresh.json()["events"]) == ("miss", expected)
        deadline = time.monotonic() + 10  # and the other within the recheck interval
        while first.get("/api/stats").json()["events"] != expected:
            assert time.monotonic() < deadline, "a worker kept a stale answer"
            time.sleep(0.2)
        assert len(first.get("/api/events?limit=500").json()["events"]) == (
            len(computed.json()["events"]) + len(belarus_doc().events))
    for app in (first_app, second_app):
        app.state.store.close()
    answers.close()


def _wait_until_shared(answers: SharedAnswers, app: FastAPI, key: bytes) -> None:
    """Answers are left for the other workers in the background, after they went out."""
    generation = app.state.store.generation()
    deadline = time.monotonic() + 10
    while answers.get(generation, key) is None:
        assert time.monotonic() < deadline, f"{key!r} never reached the shared answers"
        time.sleep(0.05)


def test_simultaneous_requests_for_one_page_compute_it_once() -> None:
    """Right after a start many users ask for the same popular page at once: one computes
    it, the others wait for that answer (real uvicorn, real concurrent clients)."""
    calls = 0

    async def slow_page(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.5)  # a page that takes a while to compute
        body = f"page {scope['query_string'].decode()}".encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})

    app = ResponseCache(slow_page, generation=lambda: 1, local_writes=lambda: 0)
    with serving(app) as url:
        def get(path: str) -> httpx.Response:
            return httpx.get(url + path, timeout=30)

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(get, ["/events?actor=RUS"] * 10 + ["/events?actor=USA"] * 2))
    assert calls == 2  # one computation per distinct page
    assert {a.text for a in answers[:10]} == {"page actor=RUS"}
    assert sorted(a.headers[HEADER] for a in answers[:10]) == ["hit"] * 9 + ["miss"]
    assert {a.text for a in answers[10:]} == {"page actor=USA"}


def test_page_templates_are_compiled_when_the_server_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At a cold start the first visitors of each page must not also pay Jinja's
    compilation (30-80 ms a page): the app compiles every template at start-up, and
    rendering a page afterwards reads no template source."""
    from flashpoint.serve import dashboard

    assert dashboard.env.loader is not None and dashboard.env.cache is not None
    dashboard.env.cache.clear()
    loaded: list[str] = []
    read_source = dashboard.env.loader.get_source

    def counting(environment: object, name: str) -> object:
        loaded.append(name)
        return read_source(environment, name)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard.env.loader, "get_source", counting)
    with Store(tmp_path / "t.db") as store, TestClient(create_app(store)):
        pass  # entering runs the app's start-up (in the client's own thread and loop)
    assert {"base.html", "macros.html", "events.html", "article.html", "overview.html"} <= set(
        loaded)
    loaded.clear()
    dashboard.render("events.html", page="events", params={}, rows=[], next=None,
                     error=None, types=[])
    assert loaded == []
