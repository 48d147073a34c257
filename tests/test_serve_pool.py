"""What a burst of requests meets: the endpoint thread pool (serve/routers/json_route.py,
serve/dependencies.py) over real HTTP, and the warm-up at start (serve/warm.py).

What must hold: an /api/ GET takes exactly one turn in the endpoint thread pool. Each turn
more (a plain `def` dependency, FastAPI checking the return value in the pool) sends the
request back to the end of the line, so that in a burst every answer waits for the whole
burst. The answers made in the endpoint's thread are the ones FastAPI would make. And a
process asks for its commonest pages before it takes requests, without ever failing a
start.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from flashpoint.serve import ServerSettings, create_app
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import Store
from serve_data import all_docs, serving

GETS = [
    "/api/events?limit=5",
    "/api/events?actor=BLR&limit=2",
    "/api/events?source=RUS&type=THREATEN,ACCUSE&since=2020-01-01",
    "/api/statements?limit=3",
    "/api/series?bucket=week",
    "/api/dyads",
    "/api/dyads/BLR/UKR/series",
    "/api/actors",
    "/api/actors/BLR",
    "/api/search?q=border",
    "/api/documents?limit=2",
    "/api/stats",
    "/api/alerts",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with Store(tmp_path_factory.mktemp("pool") / "t.db") as store:
        store.save_documents(all_docs())
        # no cache of answers: every request below is computed
        app = create_app(store, ServerSettings(cache_bytes=0))
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as c:
            yield c


@pytest.mark.parametrize("path", GETS)
def test_an_api_request_takes_one_turn_in_the_thread_pool(
        client: httpx.Client, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    turns: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        turns.append(getattr(func, "__qualname__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert len(turns) == 1, turns


def test_a_rejected_filter_costs_no_turn_in_the_pool(
        client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    turns: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        turns.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    answer = client.get("/api/events?actor=not a code")
    assert answer.status_code == 422
    assert "actor" in answer.text
    assert turns == []


def _pair_of_apps() -> tuple[FastAPI, FastAPI]:
    """The same endpoints on FastAPI's own route class and on JsonRoute."""
    apps = []
    for route_class in (None, JsonRoute):
        app = FastAPI()
        kwargs: dict[str, Any] = {} if route_class is None else {"route_class": route_class}
        router = APIRouter(**kwargs)

        @router.get("/plain")
        def plain(n: int = 2) -> dict[str, Any]:
            return {"n": n, "when": dt.date(2023, 2, 16), "items": [1.5, None, "é"],
                    "inf": float("inf"), "nested": {"a": (1, 2)}}

        @router.post("/made", status_code=201)
        def made() -> dict[str, Any]:
            return {"ok": True}

        @router.get("/listed")
        def listed() -> list[dict[str, int]]:
            return [{"a": 1}, {"a": 2}]

        app.include_router(router)
        apps.append(app)
    return apps[0], apps[1]


def test_json_route_answers_byte_for_byte_like_fastapi() -> None:
    fastapi_app, ours = _pair_of_apps()
    with TestClient(fastapi_app) as theirs_client, TestClient(ours) as our_client:
        for method, path in (("GET", "/plain?n=7"), ("POST", "/made"), ("GET", "/listed"),
                             ("GET", "/plain?n=x")):
            theirs = theirs_client.request(method, path)
            mine = our_client.request(method, path)
            assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content)
            assert mine.headers["content-type"] == theirs.headers["content-type"]
        # and the OpenAPI description is unchanged (signature and return type followed)
        assert json.dumps(ours.openapi(), sort_keys=True) == json.dumps(
            fastapi_app.openapi(), sort_keys=True)


def test_a_starting_server_asks_for_its_commonest_pages(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="flashpoint.serve.warm")
    with Store(tmp_path / "t.db") as store:
        store.save_documents(all_docs())
        with TestClient(create_app(store)) as c:  # entering runs the start-up
            assert "warmed up with 9 pages" in caplog.text
            # its answers went through the app: the first user's page is a replay
            assert c.get("/api/events?limit=50").headers["x-flashpoint-cache"] == "hit"
        caplog.clear()
        with TestClient(create_app(store, ServerSettings(warm_up=False))) as c:
            assert "warmed up" not in caplog.text
            assert c.get("/api/events?limit=50").headers["x-flashpoint-cache"] == "miss"


def test_the_warm_up_never_stops_a_start(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="flashpoint.serve.warm")
    with Store(tmp_path / "empty.db") as store, TestClient(create_app(store)) as c:
        assert "warmed up with 1 pages" in caplog.text  # the first page was empty
        assert c.get("/api/stats").status_code == 200
    caplog.clear()
    with Store(tmp_path / "t.db") as store:
        store.save_documents(all_docs())
        app = create_app(store)
        app.state.store = None  # every page now fails inside its endpoint
        with TestClient(app, raise_server_exceptions=False) as c:
            assert "warmed up with 0 pages" in caplog.text
            assert c.get("/api/events").status_code == 500  # started all the same
