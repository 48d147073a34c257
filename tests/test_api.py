"""The REST API over real HTTP (uvicorn on 127.0.0.1), on SQLite and PostgreSQL.

Every endpoint is called; bad parameters must give 400/422 with a message naming the
parameter (never a 500); hostile values through every filter must neither fail nor widen
the result; writes need the token in server mode (401 without it, 403 when read-only).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyarrow.parquet as pq
import pytest

from flashpoint.errors import ConfigError
from flashpoint.serve import ServerSettings, create_app, load_token
from flashpoint.store import Store
from serve_data import CODER, all_docs, belarus_doc, hostile_doc, serving

TOKEN = "correct-horse-battery-staple-42"
N_EVENTS = sum(len(d.events) for d in all_docs())


@pytest.fixture
def api(store_url: str) -> Iterator[tuple[httpx.Client, Store]]:
    """A server over a filled store, on each backend."""
    with Store(store_url) as store:
        store.save_documents(all_docs())
        with serving(create_app(store)) as url, httpx.Client(base_url=url, timeout=30) as c:
            yield c, store


@pytest.fixture(scope="module")
def sqlite_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """One SQLite-backed server for the many parameter checks."""
    path = Path(tmp_path_factory.mktemp("api")) / "api.db"
    with Store(path) as store:
        store.save_documents(all_docs())
        with serving(create_app(store)) as url, httpx.Client(base_url=url, timeout=30) as c:
            yield c


def ok(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(client: httpx.Client, **params: Any) -> list[str]:
    return [e["id"] for e in ok(client, "/api/events", limit=1000, **params)["events"]]


# -- events -----------------------------------------------------------------------------


def test_event_pages_cover_every_event_once_newest_first(
        api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = ok(client, "/api/events", **params)
        seen += body["events"]
        cursor = body["next"]
        pages += 1
        if cursor is None:
            break
    assert pages == -(-N_EVENTS // 7)
    keys = [(e["article"]["id"], e["id"]) for e in seen]
    assert len(keys) == len(set(keys)) == N_EVENTS
    dates = [e["date"] for e in seen]
    assert dates == sorted(dates, reverse=True)
    first = seen[0]
    assert first["id"] == "ev-meet" and first["quad_class"] == "verbal cooperation"
    assert first["article"]["title"].startswith("Lukashenko")
    assert first["coder_version"] == CODER.version
    text = belarus_doc().text
    assert text[first["evidence"]["start"]:first["evidence"]["end"]] == first["evidence"]["text"]


def test_event_filters(api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    blr = ids(client, actor="BLR")
    assert set(blr) == {"ev-threat", "ev-troops", "ev-meet", "ev-border", "ev-vow",
                        "ev-hostile"}
    assert len(ids(client, source="RUS", target="UKR")) == 30
    assert ids(client, source="rus", target="ukr") == ids(client, source="RUS", target="UKR")
    assert set(ids(client, actor="POL,RUS")) >= {"ev-border", "ev-vow", "ev-meet", "w0-a"}
    assert len(ids(client, type="ASSAULT")) == 30
    assert len(ids(client, type="ASSAULT", mode="artillery")) == 15
    assert ids(client, type="THREATEN,MOBILIZE", negated="only") == ["ev-troops"]
    assert "ev-troops" not in ids(client, actor="BLR", negated="hide")
    assert ids(client, conditional="only") == ["ev-threat"]
    assert set(ids(client, future="only")) == {"ev-meet", "ev-vow"}
    assert set(ids(client, actor="BLR", factual="true")) == {"ev-border", "ev-hostile"}
    assert ids(client, since="2023-02-10", until="2023-02-16", source="BLR") == [
        "ev-troops", "ev-threat"]  # same day and article: later in the text first
    assert len(ids(client, until="2023-01-05")) == 10
    assert len(ids(client, coder=CODER.version)) == N_EVENTS
    assert ids(client, coder="other.9") == []
    assert len(ids(client, coder="all")) == N_EVENTS
    assert set(ids(client, article=belarus_doc().id)) == {
        "ev-threat", "ev-troops", "ev-meet", "ev-border", "ev-vow"}
    echo = ok(client, "/api/events", actor="blr", since="2023-02-01")["filter"]
    assert echo == {"actor": ["BLR"], "since": "2023-02-01"}


def test_filtered_paging_merges_both_sides_without_repeats(
        api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    everything = ids(client, actor="UKR")
    paged: list[str] = []
    cursor = None
    while True:
        body = ok(client, "/api/events", actor="UKR", limit=4,
                  **({"cursor": cursor} if cursor else {}))
        paged += [e["id"] for e in body["events"]]
        cursor = body["next"]
        if not cursor:
            break
    assert paged == everything
    assert len(paged) == 30 + 30 + 2  # assaults on UKR, its requests, two BLR events


# -- statements, documents, actors, series, search, alerts --------------------------------


def test_statements(api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    every = ok(client, "/api/statements")["statements"]
    assert len(every) == 3
    threat = ok(client, "/api/statements", speaker="BLR", function="THREATEN")["statements"]
    assert [s["id"] for s in threat] == ["s1"]
    assert threat[0]["modality"]["condition"]["text"].startswith("only if so much")
    assert threat[0]["article"]["id"] == belarus_doc().id
    assert [s["function"] for s in ok(client, "/api/statements", negated="only")[
        "statements"]] == ["AGREE"]
    assert ok(client, "/api/statements", direct="only", speaker="BLR")["statements"][0][
        "direct"] is True
    first = ok(client, "/api/statements", limit=2)
    second = ok(client, "/api/statements", limit=2, cursor=first["next"])
    assert second["next"] is None
    assert len({(s["article"]["id"], s["id"]) for s in first["statements"]
                + second["statements"]}) == 3


def test_documents(api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    listed = ok(client, "/api/documents", limit=5)
    assert len(listed["documents"]) == 5 and listed["next"]
    rest = ok(client, "/api/documents", limit=100, cursor=listed["next"])["documents"]
    assert len(listed["documents"]) + len(rest) == len(all_docs())
    doc = belarus_doc()
    got = ok(client, f"/api/documents/{doc.id}")
    assert got.pop("coder_versions") == [CODER.version]
    assert got == doc.to_dict()
    assert ok(client, f"/api/documents/{doc.id}", coder=CODER.version)["id"] == doc.id
    missing = client.get("/api/documents/a0000000000000000000")
    assert missing.status_code == 404 and "no article" in missing.json()["error"]["message"]
    assert client.get(f"/api/documents/{doc.id}", params={"coder": "v9"}).status_code == 404


def test_uncoded_article_comes_with_empty_extractions(store_url: str) -> None:
    from flashpoint.pipeline import make_article

    with Store(store_url) as store:
        article = make_article("Nothing coded here.", published="2024-01-01")
        store.add_articles([article])
        with serving(create_app(store)) as url:
            body = httpx.get(f"{url}/api/documents/{article.id}").json()
    assert body["coder"] is None and body["events"] == [] and body["text"] == article.text


def test_actors_dyads_and_series(api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    actors = ok(client, "/api/actors")["actors"]
    assert [a["code"] for a in actors[:2]] == ["UKR", "RUS"]
    assert actors[0] == {"code": "UKR", "name": "Ukraine", "events": 62, "as_source": 30,
                         "as_target": 32}
    blr = ok(client, "/api/actors/blr")
    assert blr["as_source"]["events"] == 4 and blr["as_target"]["events"] == 2
    assert blr["as_source"]["by_type"] == {"THREATEN": 2, "CONSULT": 1, "MOBILIZE": 1}
    assert [s["id"] for s in blr["statements"]] == ["s1", "s2"]
    dyads = ok(client, "/api/dyads", limit=3)["dyads"]
    assert dyads[0] == {"source": "RUS", "target": "UKR", "events": 30}
    day = ok(client, "/api/dyads/UKR/RUS/series", bucket="day")
    assert day["total"] == 30 and len(day["points"]) == 30
    assert day["points"][0]["by_direction"] == {"b>a": 1}
    assert day["points"][0]["by_quad"]["material conflict"] == 1
    week = ok(client, "/api/dyads/RUS/UKR/series", bucket="week")
    assert sum(p["total"] for p in week["points"]) == 30
    assert all(p["date"] <= "2023-01-30" for p in week["points"]) and len(week["points"]) == 6
    assert ok(client, "/api/dyads/BLR/UKR/series", negated="hide")["total"] == 1
    overall = ok(client, "/api/series", bucket="month")
    assert overall["bucket"] == "month" and overall["total"] == N_EVENTS
    assert [p["date"] for p in overall["points"]] == ["2023-01-01", "2023-02-01"]
    assert ok(client, "/api/series", bucket="auto")["bucket"] == "day"


def test_search(api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    body = ok(client, "/api/search", q="border")
    found = {r["id"] for r in body["results"]}
    assert found == {belarus_doc().id, hostile_doc().id} and body["total"] == 2
    assert any("\u2e22" in r["snippet"] for r in body["results"])
    assert ok(client, "/api/search", q='"border crossing"')["total"] == 1
    assert ok(client, "/api/search", q="border -migrants")["total"] == 1
    assert ok(client, "/api/search", q="shelled", limit=5, offset=5)["total"] == 30
    for hostile in ('NEAR(border OR *', '"', "-", "'; DROP TABLE articles; --", "\\"):
        assert client.get("/api/search", params={"q": hostile}).status_code == 200


def test_alerts(api: tuple[httpx.Client, Store]) -> None:
    import datetime as dt

    from flashpoint.store import schema as tables

    client, store = api
    assert ok(client, "/api/alerts") == {"alerts": []}
    with store.db.write() as conn:
        conn.execute(tables.alerts.insert().values(
            key="k1", rule="rus-ukr-spike", kind="anomaly", grouping="dyad",
            subject=json.dumps({"source": "RUS", "target": "UKR"}), source_code="RUS",
            target_code="UKR", day=dt.date(2023, 1, 30), window_start=dt.date(2023, 1, 2),
            metric="events", value=9, expected=1, score=4.2,
            message="RUS→UKR: 9 events, expected 1", details="{}",
            created_at=dt.datetime.now(dt.UTC)))
    alerts = ok(client, "/api/alerts")["alerts"]
    assert [a["rule"] for a in alerts] == ["rus-ukr-spike"]
    assert alerts[0]["message"].startswith("RUS→UKR")
    assert ok(client, "/api/alerts", rule="other")["alerts"] == []
    assert ok(client, "/api/alerts", since="2023-02-01")["alerts"] == []


def test_stats_and_openapi(sqlite_api: httpx.Client) -> None:
    stats = ok(sqlite_api, "/api/stats")
    assert stats["events"] == N_EVENTS and stats["writable"] is False
    assert "url" not in stats
    paths = set(ok(sqlite_api, "/openapi.json")["paths"])
    assert paths >= {"/api/events", "/api/events/export", "/api/statements",
                     "/api/documents", "/api/documents/{article_id}", "/api/actors",
                     "/api/actors/{code}", "/api/series", "/api/dyads",
                     "/api/dyads/{a}/{b}/series", "/api/search", "/api/alerts",
                     "/api/extract", "/api/stats"}
    docs = sqlite_api.get("/docs")
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert sqlite_api.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


# -- downloads ---------------------------------------------------------------------------


def test_downloads_in_three_formats(sqlite_api: httpx.Client) -> None:
    params = {"source": "RUS", "target": "UKR"}
    jsonl = sqlite_api.get("/api/events/export", params={**params, "format": "jsonl"})
    assert jsonl.status_code == 200
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(records) == 30
    assert all(r["event"] == ["ASSAULT"] or r["event"] == "ASSAULT" for r in records)
    assert {"id", "date"} <= set(records[0])
    csv = sqlite_api.get("/api/events/export", params={**params, "format": "csv"})
    lines = csv.text.splitlines()
    assert csv.headers["content-disposition"].endswith('.csv"')
    assert lines[0].startswith("id,date,") and len(lines) == 31
    parquet = sqlite_api.get("/api/events/export", params={**params, "format": "parquet"})
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == 30 and set(table.column("source_code").to_pylist()) == {"RUS"}
    hidden = sqlite_api.get("/api/events/export",
                            params={"actor": "BLR", "negated": "hide", "format": "jsonl"})
    assert "ev-troops" not in hidden.text and hidden.text.count("\n") == 5
    big = sqlite_api.get("/api/events/export", params={"format": "csv"})
    assert len(big.text.splitlines()) == N_EVENTS + 1
    only = sqlite_api.get("/api/events/export", params={"negated": "only"})
    assert only.status_code == 422 and "negated" in only.json()["error"]["message"]


# -- bad parameters and hostile values ---------------------------------------------------

BAD = [
    ("/api/events?since=yesterday", 422, "since"),
    ("/api/events?until=2024-02-30", 422, "until"),
    ("/api/events?since=2024-03-01&until=2024-01-01", 422, "after until"),
    ("/api/events?type=BOMB", 422, "PLOVER event type"),
    ("/api/events?limit=0", 422, "limit"),
    ("/api/events?limit=5000", 422, "limit"),
    ("/api/events?limit=ten", 422, "limit"),
    ("/api/events?cursor=not-a-cursor", 400, "cursor"),
    ("/api/events?cursor=WzEsMiwzXQ", 400, "cursor"),
    ("/api/events?negated=maybe", 422, "negated"),
    ("/api/events?factual=perhaps", 422, "factual"),
    ("/api/events?coder=%3Bdrop", 422, "coder"),
    ("/api/events?article=..%2Fetc", 422, "article"),
    ("/api/events?mode=%22%3B", 422, "mode"),
    ("/api/events?actor=" + ",".join(["RUS"] * 60), 422, "at most"),
    ("/api/statements?kind=rumour", 422, "kind"),
    ("/api/statements?function=SHOUT", 422, "function"),
    ("/api/statements?cursor=abc", 400, "cursor"),
    ("/api/series?bucket=hour", 422, "bucket"),
    ("/api/dyads/RUS/%20/series", 422, "actor"),
    ("/api/dyads?limit=-1", 422, "limit"),
    ("/api/actors/%27%20OR%201=1", 422, "code"),
    ("/api/search", 422, "q"),
    ("/api/search?q=x&offset=-3", 422, "offset"),
    ("/api/documents/%27or%271", 422, "id"),
    ("/api/documents?cursor=%00", 400, "cursor"),
    ("/api/alerts?rule=%27%3B--", 422, "rule"),
    ("/api/events/export?format=xlsx", 422, "format"),
]


@pytest.mark.parametrize(("path", "status", "fragment"), BAD)
def test_bad_parameters_get_a_clear_error(sqlite_api: httpx.Client, path: str, status: int,
                                          fragment: str) -> None:
    response = sqlite_api.get(path)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"status", "message", "details"}
    assert error["status"] == status
    assert fragment.lower() in error["message"].lower()


INJECTIONS = ["RUS' OR '1'='1", "1; DROP TABLE events; --", "UKR) UNION SELECT * FROM articles--",
              "\" OR 1=1 --", "%' OR 1=1 --", "RUS\x00", "' || (SELECT sqlite_version()) || '"]
FILTERS = {
    "/api/events": ["actor", "source", "target", "type", "mode", "since", "until", "negated",
                    "future", "hypothetical", "conditional", "coder", "article", "cursor",
                    "factual", "limit"],
    "/api/statements": ["speaker", "function", "kind", "direct", "since", "until", "coder",
                        "article", "cursor", "negated"],
    "/api/series": ["actor", "type", "bucket", "since"],
    "/api/dyads": ["actor", "type", "limit"],
    "/api/actors": ["source", "target", "limit"],
    "/api/documents": ["cursor", "since", "until", "limit"],
    "/api/search": ["q", "since", "until", "offset"],
    "/api/alerts": ["rule", "since"],
    "/api/events/export": ["actor", "type", "format", "coder"],
}


@pytest.mark.parametrize("endpoint", list(FILTERS))
def test_sql_injection_through_every_filter(sqlite_api: httpx.Client, endpoint: str) -> None:
    before = ok(sqlite_api, "/api/stats")
    for param in FILTERS[endpoint]:
        for payload in INJECTIONS:
            extra = {"q": "border"} if endpoint == "/api/search" and param != "q" else {}
            response = sqlite_api.get(endpoint, params={param: payload, **extra})
            assert response.status_code in (200, 400, 422), (param, payload, response.text)
            if response.status_code == 200 and endpoint == "/api/search":
                assert response.json()["total"] <= 2  # never more than a real search finds
            elif response.status_code == 200:
                body = response.json()
                rows = next(v for k, v in body.items() if isinstance(v, list))
                assert rows == [] or param in ("limit",), (param, payload)
    for path in ("/api/actors/{}", "/api/dyads/RUS/{}/series", "/api/documents/{}"):
        for payload in INJECTIONS:
            response = sqlite_api.get(path.format(quote(payload, safe="")))
            assert response.status_code in (200, 404, 422), (path, payload, response.text)
    assert ok(sqlite_api, "/api/stats") == before


# -- writes, token, limits, CORS, headers ------------------------------------------------


def test_read_only_server_refuses_writes(sqlite_api: httpx.Client) -> None:
    response = sqlite_api.post("/api/documents", json={"text": "Some news."},
                               headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Store]]:
    path = Path(tmp_path_factory.mktemp("writable")) / "w.db"
    with Store(path) as store:
        settings = ServerSettings(token=TOKEN, max_body_bytes=50_000)
        with serving(create_app(store, settings)) as url, \
                httpx.Client(base_url=url, timeout=60) as client:
            yield client, store


def test_server_mode_needs_the_token(writable: tuple[httpx.Client, Store]) -> None:
    client, store = writable
    body = {"text": "Poland closed its border with Belarus on Monday.",
            "published": "2024-05-06", "title": "Border closed"}
    for headers in ({}, {"Authorization": "Bearer wrong-token-of-some-length"},
                    {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": "Bearer"}, {"Authorization": f"Bearer {TOKEN}x"}):
        response = client.post("/api/documents", json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["status"] == 401
    assert store.count_articles() == 0
    response = client.post("/api/documents", json=body,
                           headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["status"] == "stored"
    doc = store.get_document(stored["id"])
    assert doc is not None and doc.title == "Border closed"
    again = client.post("/api/documents", json=body,
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.json() == {"id": stored["id"], "status": "duplicate"}
    assert client.get("/api/stats").json()["writable"] is True


def test_extract_returns_the_document_and_stores_nothing(
        writable: tuple[httpx.Client, Store]) -> None:
    client, store = writable
    before = store.stats()
    text = "Russia and Ukraine met in Istanbul on Friday, officials said."
    response = client.post("/api/extract", json={"text": text, "published": "2024-05-10"})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["text"] == text and doc["published"] == "2024-05-10"
    assert doc["coder"]["name"].startswith("flashpoint")
    for mention in doc["mentions"]:
        span = mention["span"]
        assert text[span["start"]:span["end"]] == span["text"]
    assert {m["actor"]["code"] for m in doc["mentions"] if m["actor"]} >= {"RUS", "UKR"}
    after = store.stats()
    assert (after["articles"], after["events"]) == (before["articles"], before["events"])


@pytest.mark.parametrize(("body", "fragment"), [
    ({}, "text"),
    ({"text": ""}, "text"),
    ({"text": "x", "published": "last week"}, "published"),
    ({"text": "x", "html": "<b>"}, "html"),
    ({"text": 42}, "text"),
])
def test_extract_rejects_bad_bodies(writable: tuple[httpx.Client, Store], body: Any,
                                    fragment: str) -> None:
    client, _ = writable
    response = client.post("/api/extract", json=body)
    assert response.status_code == 422
    assert fragment in response.json()["error"]["message"]


def test_request_size_limit(writable: tuple[httpx.Client, Store]) -> None:
    client, store = writable
    huge = {"text": "war " * 20_000}
    response = client.post("/api/extract", json=huge)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]["message"]
    streamed = client.post("/api/documents", content=iter([b'{"text": "', b"x" * 60_000,
                                                            b'"}']),
                           headers={"Authorization": f"Bearer {TOKEN}",
                                    "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert client.post("/api/extract", content=b"{not json",
                       headers={"Content-Type": "application/json"}).status_code == 422
    assert store.count_articles() <= 1


def test_no_wildcard_cors(sqlite_api: httpx.Client, tmp_path: Path) -> None:
    response = sqlite_api.get("/api/events", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    with pytest.raises(ConfigError, match="wildcard"):
        ServerSettings(cors_origins=("*",))
    with Store(tmp_path / "c.db") as store:
        app = create_app(store, ServerSettings(cors_origins=("https://desk.example",)))
        with serving(app) as url:
            good = httpx.get(f"{url}/api/events", headers={"Origin": "https://desk.example"})
            evil = httpx.get(f"{url}/api/events", headers={"Origin": "https://evil.example"})
    assert good.headers["access-control-allow-origin"] == "https://desk.example"
    assert "access-control-allow-origin" not in evil.headers


def test_security_headers(sqlite_api: httpx.Client) -> None:
    page = sqlite_api.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in sqlite_api.get("/api/events").headers
    assert sqlite_api.get("/favicon.ico", follow_redirects=True).status_code == 200


def test_token_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASHPOINT_API_TOKEN", raising=False)
    assert load_token() is None
    monkeypatch.setenv("FLASHPOINT_API_TOKEN", " from-the-environment-1234 ")
    assert load_token() == "from-the-environment-1234"
    secret = tmp_path / "token"
    secret.write_text("from-a-file-123456789\n")
    assert load_token(secret) == "from-a-file-123456789"
    secret.write_text("  \n")
    with pytest.raises(ConfigError, match="empty"):
        load_token(secret)
    with pytest.raises(ConfigError, match="cannot read"):
        load_token(tmp_path / "missing")
    with pytest.raises(ConfigError, match="at least"):
        ServerSettings(token="short")


def test_dashboard_pages_answer(sqlite_api: httpx.Client) -> None:
    """Status codes of every page (the browser tests check what they show)."""
    for path in ("/", "/events", "/statements", "/dyads", "/dyads/RUS/UKR", "/actors",
                 "/actors/RUS", "/search?q=border", f"/articles/{belarus_doc().id}"):
        assert sqlite_api.get(path).status_code == 200, path
    assert sqlite_api.get("/articles/nope").status_code == 404
    assert sqlite_api.get("/events?type=BOMB").status_code == 422
    assert sqlite_api.get("/events?cursor=zzz").status_code == 422
    assert sqlite_api.get("/dyads?a=RUS&b=UKR", follow_redirects=True).url.path == (
        "/dyads/RUS/UKR")
    assert sqlite_api.get("/dyads/RUS/UKR?since=soon").status_code == 422


def test_flashpoint_serve_command(tmp_path: Path) -> None:
    """The real CLI: `flashpoint serve --db ... --port ...` answers, then stops on SIGTERM."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    db = tmp_path / "cli.db"
    with Store(db) as store:
        store.save_documents([belarus_doc()])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "FLASHPOINT_API_TOKEN"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flashpoint", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "flashpoint serve did not start"
                time.sleep(0.2)
        assert response.json()["events"] == len(belarus_doc().events)
        assert response.json()["writable"] is False
        assert "Lukashenko" in httpx.get(f"http://127.0.0.1:{port}/").text
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert b"127.0.0.1" in err  # the startup line names where it listens


def test_dashboard_pages_on_both_backends(api: tuple[httpx.Client, Store]) -> None:
    client, _ = api
    for path in ("/", "/events?actor=BLR&negated=hide", "/statements?speaker=BLR",
                 "/dyads/RUS/UKR?since=2023-01-03&until=2023-01-09", "/actors/UKR",
                 "/search?q=border", f"/articles/{belarus_doc().id}?event=ev-threat",
                 f"/articles/{hostile_doc().id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>window" not in response.text  # the hostile title stays escaped
    week = client.get("/dyads/RUS/UKR?since=2023-01-03&until=2023-01-09").text
    assert week.count('class="event-row') == 7
