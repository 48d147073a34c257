"""`flashpoint watch`: feeds and pages from a real HTTP server on 127.0.0.1.

Every bad case (malformed or empty feed, huge page, wrong type, redirect to a private
address, slow server, 404/500, robots.txt) must give its recorded failure while the good
pages around it are stored; conditional requests must make a second poll cost a 304.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from feedsite import Resource, Site, news_page, rss, running
from flashpoint.errors import ConfigError, TooLargeError
from flashpoint.model import Failure
from flashpoint.store import Store
from flashpoint.store import schema as tables
from flashpoint.store.stories import Stories
from flashpoint.store.watch_state import WatchState
from flashpoint.watch import Fetcher, FetchSettings, Watcher, blocked_reason, parse_config
from flashpoint.watch.errors import (
    BlockedError,
    ContentTypeError,
    FetchTimeout,
    HTTPStatusError,
    RobotsError,
)


@pytest.fixture
def site() -> Iterator[Site]:
    with running(Site()) as served:
        yield served


def config(*feeds: Any, **defaults: Any) -> Any:
    """Watch settings for the test site: 127.0.0.1 is let through by name, every other
    private address stays refused (so no test can ever send traffic to one)."""
    settings = {"host_delay": 0, "timeout": 1, "deadline": 5,
                "allow_addresses": ["127.0.0.1"], **defaults}
    return parse_config({"defaults": settings, "feeds": list(feeds)})


def failures(store: Store) -> dict[str, str]:
    """origin -> kind of every recorded error."""
    return {f.origin: f.kind for f in store.failures(limit=1000) if f.severity == "error"}


def stored_urls(store: Store) -> list[str]:
    with store._db.read() as conn:
        return sorted(conn.scalars(sa.select(tables.articles.c.url)))


# -- the address check ------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "10.0.0.1", "10.255.1.2", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1",
    "127.8.8.8", "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "2002:c0a8:0101::1", "64:ff9b::c0a8:101", "::c0a8:101",
    "ff02::1", "not an address",
])
def test_private_and_special_addresses_are_refused(address: str) -> None:
    assert blocked_reason(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111",
                                     "::ffff:8.8.8.8", "2002:0808:0808::1"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(address) is None


def test_local_server_refused_without_allow_private(site: Site) -> None:
    site.put_page("/a", 1)
    for host in ("127.0.0.1", "localhost"):
        with Fetcher(FetchSettings(robots=False)) as fetcher, pytest.raises(BlockedError):
            fetcher.get(f"http://{host}:{site.port}/a")
    assert site.log == []  # refused before connecting


def test_redirect_to_private_address_is_refused(site: Site) -> None:
    """127.0.0.1 is let through by name; a redirect to any other private address is not,
    and nothing is ever sent there."""
    targets = ["http://10.1.2.3/x", "http://192.168.0.10/x", "http://169.254.169.254/latest",
               "http://[::ffff:10.0.0.1]/x", f"http://127.0.0.2:{site.port}/a"]
    for n, target in enumerate(targets):
        site.put(f"/r{n}", Resource(b"", status=302, headers={"Location": target}))
    site.put_page("/a", 1)
    settings = FetchSettings(robots=False, allow_addresses=("127.0.0.1",))
    with Fetcher(settings) as fetcher:
        assert fetcher.get(site.url("/a")).status == 200
        for n in range(len(targets)):
            with pytest.raises(BlockedError, match="refused"):
                fetcher.get(site.url(f"/r{n}"))
    assert [r.path for r in site.log].count("/a") == 1


def test_redirects_are_followed_and_limited(site: Site) -> None:
    site.put_page("/final", 1)
    site.put("/hop", Resource(b"", status=301, headers={"Location": "/final"}))
    site.put("/loop", Resource(b"", status=302, headers={"Location": "/loop"}))
    settings = FetchSettings(robots=False, allow_addresses=("127.0.0.1",), max_redirects=3)
    with Fetcher(settings) as fetcher:
        fetched = fetcher.get(site.url("/hop"))
        assert fetched.url == site.url("/final") and b"Report 1" in fetched.content
        with pytest.raises(HTTPStatusError, match="redirects"):
            fetcher.get(site.url("/loop"))
    assert len(site.requests_for("/loop")) == 4


def test_non_http_scheme_is_refused() -> None:
    with Fetcher(FetchSettings(allow_private=True)) as fetcher, pytest.raises(BlockedError):
        fetcher.get("file:///etc/passwd")


def test_fetch_limits(site: Site) -> None:
    site.put("/huge", Resource(news_page(1, extra="<p>" + "x" * 300_000 + "</p>")))
    site.put("/huge-unannounced", Resource(b"<p>" + b"y" * 300_000, content_length=False))
    site.put("/json", Resource(b"{}", content_type="application/json"))
    site.put("/slow", Resource(news_page(2), delay=2.0))
    settings = FetchSettings(robots=False, allow_addresses=("127.0.0.1",), max_bytes=100_000,
                             timeout=0.5)
    with Fetcher(settings) as fetcher:
        with pytest.raises(TooLargeError):
            fetcher.get(site.url("/huge"))
        with pytest.raises(TooLargeError):
            fetcher.get(site.url("/huge-unannounced"))
        with pytest.raises(ContentTypeError):
            fetcher.get(site.url("/json"), accept={"text/html"})
        with pytest.raises(FetchTimeout):
            fetcher.get(site.url("/slow"))


def test_robots_txt_is_obeyed(site: Site) -> None:
    site.put("/robots.txt", Resource(b"User-agent: *\nDisallow: /private/\n",
                                     content_type="text/plain"))
    site.put_page("/private/a", 1)
    site.put_page("/public/a", 2)
    with Fetcher(FetchSettings(allow_addresses=("127.0.0.1",))) as fetcher:
        assert fetcher.get(site.url("/public/a")).status == 200
        with pytest.raises(RobotsError):
            fetcher.get(site.url("/private/a"))
        fetcher.get(site.url("/public/a"))
    assert site.requests_for("/private/a") == []
    assert len(site.requests_for("/robots.txt")) == 1  # read once per origin


def test_robots_txt_server_error_means_disallow(site: Site) -> None:
    site.put("/robots.txt", Resource(b"oops", status=503, content_type="text/plain"))
    site.put_page("/a", 1)
    settings = FetchSettings(allow_addresses=("127.0.0.1",))
    with Fetcher(settings) as fetcher, pytest.raises(RobotsError):
        fetcher.get(site.url("/a"))


def test_per_host_rate_limit() -> None:
    """Requests to one host are spaced by host_delay (fake clock: no waiting here)."""
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with running(Site()) as site:
        site.put_page("/a", 1)
        settings = FetchSettings(robots=False, allow_addresses=("127.0.0.1",), host_delay=2.0)
        with Fetcher(settings, clock=lambda: now[0], sleep=sleep) as fetcher:
            for _ in range(3):
                fetcher.get(site.url("/a"))
                now[0] += 0.5
    assert slept == [1.5, 1.5]


# -- the watcher ------------------------------------------------------------------------

def test_bad_feeds_and_pages_are_recorded_and_the_rest_is_stored(
    store: Store, site: Site
) -> None:
    good = [site.put_page(f"/news/{n}", n) for n in range(3)]
    bad = {
        site.put("/news/huge", Resource(news_page(10, extra="<p>" + "z" * 200_000 + "</p>"))):
            "too_large",
        site.put("/news/pdf", Resource(b"%PDF-1.4", content_type="application/pdf")):
            "content_type",
        site.url("/news/missing"): "http_status",
        site.put("/news/error", Resource(b"boom", status=500, content_type="text/plain")):
            "http_status",
        site.put("/news/slow", Resource(news_page(11), delay=2.0)): "timeout",
        site.put("/news/private", Resource(b"", status=302,
                                           headers={"Location": "http://10.9.9.9/"})):
            "blocked",
        site.put("/news/empty", Resource(b"<html><body></body></html>")):
            "no_content",
    }
    # Two feeds list the same page; the second also one of its own.
    main = site.put_feed("/main.xml", good[:2] + list(bad))
    other = site.put_feed("/other.xml", [good[1], good[2]])
    broken = site.put("/broken.xml", Resource(b"<rss><channel><item><title>x</tit",
                                              content_type="application/rss+xml"))
    empty = site.put_feed("/empty.xml", [])
    gone = site.url("/gone.xml")
    watcher = Watcher(
        store,
        config(*[{"url": u} for u in (main, broken, empty, gone, other)], max_page_mb=0.1),
        code=False,
    )
    report = watcher.run_once()
    watcher.close()

    assert stored_urls(store) == sorted(good)
    recorded = failures(store)
    for url, kind in bad.items():
        assert recorded[url] == kind, url
    assert recorded[broken] == "feed" and recorded[empty] == "feed"
    assert recorded[gone] == "http_status"
    assert "no items" in next(f.message for f in store.failures() if f.origin == empty)
    assert report.stored == 3 and report.failed == len(bad) + 3
    assert len(site.requests_for("/news/1")) == 1  # listed twice, fetched once
    counts = WatchState(store).counts()
    # The 500 and the timeout may heal: pending for a later poll; the rest failed for good.
    assert counts == {"stored": 3, "failed": len(bad) - 2, "pending": 2}
    run = store.get_run(report.run_id)
    assert run is not None and (run.command, run.status, run.stored) == ("watch", "done", 3)


def test_transient_failures_are_retried_then_given_up(store: Store, site: Site) -> None:
    flaky = site.put("/flaky", Resource(b"busy", status=503, content_type="text/plain"))
    feed = site.put_feed("/feed.xml", [flaky])
    watcher = Watcher(store, config({"url": feed}), code=False)
    for _ in range(4):
        watcher.run_once()
    watcher.close()
    assert len(site.requests_for("/flaky")) == 3
    assert WatchState(store).counts() == {"failed": 1}
    messages = [f.message for f in store.failures() if f.origin == flaky]
    assert len(messages) == 3 and sum("will retry" in m for m in messages) == 2


def test_second_poll_is_conditional_and_fetches_nothing(store: Store, site: Site) -> None:
    pages = [site.put_page(f"/p{n}", n) for n in range(3)]
    etag_feed = site.put("/etag.xml", Resource(rss(pages[:2]), etag='"v1"',
                                               content_type="application/rss+xml"))
    date = "Tue, 05 Mar 2024 10:00:00 GMT"
    lm_feed = site.put("/lm.xml", Resource(rss(pages[1:]), last_modified=date,
                                           content_type="application/xml"))
    watcher = Watcher(store, config({"url": etag_feed}, {"url": lm_feed}), code=False)
    first = watcher.run_once()
    assert first.stored == 3
    served = len(site.log)
    second = watcher.run_once()
    watcher.close()
    assert second.unchanged == 2
    new_requests = site.log[served:]
    assert [r.path for r in new_requests] == ["/etag.xml", "/lm.xml"]  # no page, no robots
    assert new_requests[0].headers["if-none-match"] == '"v1"'
    assert new_requests[1].headers["if-modified-since"] == date
    state = WatchState(store).feed(etag_feed)
    assert state is not None and state.etag == '"v1"' and state.last_status == 304


def test_restarted_watcher_fetches_nothing_again(store_url: str, site: Site) -> None:
    pages = [site.put_page(f"/p{n}", n) for n in range(4)]
    feed = site.put_feed("/feed.xml", pages[:2])
    with Store(store_url) as store:
        watcher = Watcher(store, config({"url": feed}), code=False)
        watcher.run_once()
        watcher.close()
    site.put_feed("/feed.xml", pages)  # the feed grows; no validators, full body again
    with Store(store_url) as store:
        watcher = Watcher(store, config({"url": feed}), code=False)
        report = watcher.run_once()
        watcher.close()
        assert report.new_items == 2 and report.stored == 2
        assert stored_urls(store) == sorted(pages)
    assert all(len(site.requests_for(f"/p{n}")) == 1 for n in range(4))


def test_watched_pages_are_coded_and_grouped_into_stories(store: Store, site: Site) -> None:
    original = site.put_page("/wire", 5)
    copy = site.put("/copy", Resource(news_page(5, extra="<p>Reporting by our desk.</p>")))
    feed = site.put_feed("/feed.xml", [original, copy])
    watcher = Watcher(store, config({"url": feed, "name": "Test Wire"}))
    report = watcher.run_once()
    watcher.close()
    assert report.stored == 2 and report.coded == 2
    stored = store.articles()
    assert {a.source for a in stored} == {f"127.0.0.1:{site.port}"}  # no site name: the host
    assert all(store.get_document(a.id) is not None for a in stored)
    stories = Stories(store)
    assert stories.count() == 1
    (row,) = stories.rows()
    assert row.n_articles == 2


def test_page_without_date_gets_a_warning(store: Store, site: Site) -> None:
    page = news_page(3).replace(b'<meta property="article:published_time" content="2024-03-04">',
                                b"")
    url = site.put("/undated", Resource(page))
    feed = site.put_feed("/feed.xml", [url])
    watcher = Watcher(store, config({"url": feed}), code=False)
    report = watcher.run_once()
    watcher.close()
    assert report.stored == 1
    assert [(w.kind, w.severity) for w in report.warnings] == [("no_date", "warning")]


@pytest.mark.parametrize(("raw", "message"), [
    ({}, "non-empty 'feeds'"),
    ({"feeds": [{"url": "ftp://x.org/feed"}]}, "http"),
    ({"feeds": [{"url": "http://x.org/a", "interval": 0}]}, "interval"),
    ({"feeds": [{"url": "http://x.org/a", "colour": "red"}]}, "unknown key"),
    ({"feeds": ["http://x.org/a", "http://x.org/a"]}, "twice"),
    ({"defaults": {"allow_addresses": ["nonsense"]}, "feeds": ["http://x.org/a"]},
     "allow_addresses"),
])
def test_config_mistakes_are_named(raw: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_config_example_in_docs_parses() -> None:
    from pathlib import Path

    import yaml

    doc = Path(__file__).parent.parent / "docs" / "monitoring.md"
    if not doc.exists():
        pytest.skip("docs/monitoring.md not written yet")
    block = doc.read_text().split("```yaml\n", 1)[1].split("```", 1)[0]
    parsed = parse_config(yaml.safe_load(block))
    assert parsed.feeds and parsed.feeds[0].url.startswith("https://")


def test_failure_record_shape(store: Store, site: Site) -> None:
    feed = site.put("/feed.xml", Resource(b"not a feed", content_type="text/plain"))
    watcher = Watcher(store, config({"url": feed}), code=False)
    watcher.run_once()
    watcher.close()
    (failure,) = [f for f in store.failures() if f.severity == "error"]
    assert isinstance(Failure(origin=failure.origin, stage=failure.stage, kind=failure.kind,
                              message=failure.message), Failure)
    assert (failure.stage, failure.kind, failure.origin) == ("watch", "feed", feed)
    assert "malformed feed" in failure.message


def test_restarted_loop_waits_out_the_interval(store: Store, site: Site) -> None:
    """`run` resumes the poll schedule from the store: a feed polled just now is not
    polled again at start; one never polled is."""
    import threading

    polled = site.put_feed("/polled.xml", [site.put_page("/p0", 0)])
    fresh = site.put_feed("/fresh.xml", [site.put_page("/p1", 1)])
    first = Watcher(store, config({"url": polled, "interval": 3600}), code=False)
    first.run_once()
    first.close()
    second = Watcher(store, config({"url": polled, "interval": 3600},
                                   {"url": fresh, "interval": 3600}), code=False)
    stop = threading.Event()
    original = second.fetch_pending

    def fetch_then_stop(stop_event: threading.Event | None = None) -> None:
        original(stop_event)
        stop.set()  # one cycle is enough

    second.fetch_pending = fetch_then_stop  # type: ignore[method-assign]
    second.run(stop)
    second.close()
    assert len(site.requests_for("/polled.xml")) == 1
    assert len(site.requests_for("/fresh.xml")) == 1


def test_bad_item_links_are_skipped_with_a_warning(store: Store, site: Site) -> None:
    good = site.put_page("/good", 1)
    feed = site.put_feed("/feed.xml", ["http://[oops/", "mailto:desk@example.org", good])
    watcher = Watcher(store, config({"url": feed}), code=False)
    report = watcher.run_once()
    watcher.close()
    assert report.stored == 1 and report.failed == 0
    assert sorted(w.kind for w in report.warnings) == ["feed_item", "feed_item"]
    assert any("not an http(s) page" in w.message for w in report.warnings)
    # feedparser already drops the unparsable URL: that item has "no link"
