"""The real `flashpoint watch` command in a subprocess: SIGKILL and restart lose nothing
and store nothing twice; Ctrl-C stops cleanly; private addresses need --allow-private."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedsite import Resource, Site, running
from flashpoint.store import Store
from flashpoint.store import schema as tables
from flashpoint.store.watch_state import WatchState

N_PAGES = 40


@pytest.fixture
def site() -> Iterator[Site]:
    with running(Site()) as served:
        yield served


def feeds_yaml(tmp_path: Path, *urls: str, interval: float = 900) -> str:
    lines = ["defaults:", "  host_delay: 0", "  timeout: 5", f"  interval: {interval}",
             "feeds:"] + [f"  - url: {url}\n    name: Feed {n}\n    tags: [test]"
                         for n, url in enumerate(urls)]
    path = tmp_path / "feeds.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def watch(config: str, db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "flashpoint", "watch", config, "--db", db, "--no-code", *args]


def env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def article_urls(db: str) -> list[str]:
    with Store(db) as store, store._db.read() as conn:
        return list(conn.scalars(sa.select(tables.articles.c.url)))


def slow_pages(site: Site) -> list[str]:
    from feedsite import news_page

    return [site.put(f"/news/{n}", Resource(news_page(n), delay=0.05)) for n in range(N_PAGES)]


def test_sigkill_then_restart_loses_nothing_and_stores_nothing_twice(
    store_url: str, site: Site, tmp_path: Path
) -> None:
    pages = slow_pages(site)
    config = feeds_yaml(tmp_path, site.put_feed("/feed.xml", pages))
    Store(store_url).close()  # migrate first, so the polling below only reads
    process = subprocess.Popen(watch(config, store_url, "--once", "--allow-private"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env())
    deadline = time.monotonic() + 120
    while len(article_urls(store_url)) < 12:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the watcher stored nothing in time"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    if process.stderr:
        process.stderr.close()
    killed_at = len(article_urls(store_url))
    assert killed_at < N_PAGES, "killed too late to test anything"

    done = subprocess.run(watch(config, store_url, "--once", "--allow-private"),
                          capture_output=True, text=True, env=env(), timeout=300)
    assert done.returncode == 0, done.stderr
    urls = article_urls(store_url)
    assert sorted(urls) == sorted(pages)  # every item, each once
    with Store(store_url) as store:
        assert WatchState(store).counts() == {"stored": N_PAGES}
    # Pages stored before the kill are not fetched again (bar the batch in flight).
    fetched_twice = [n for n in range(N_PAGES) if len(site.requests_for(f"/news/{n}")) > 1]
    assert len(fetched_twice) <= 10
    assert all(len(site.requests_for(f"/news/{n}")) <= 2 for n in range(N_PAGES))


def test_interrupt_stops_cleanly_and_records_the_run(tmp_path: Path, site: Site) -> None:
    pages = slow_pages(site)
    config = feeds_yaml(tmp_path, site.put_feed("/feed.xml", pages), interval=3600)
    db = str(tmp_path / "watch.db")
    Store(db).close()
    process = subprocess.Popen(watch(config, db, "--allow-private"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env())
    deadline = time.monotonic() + 120
    while len(article_urls(db)) < 3:
        assert process.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Watch run" in stdout and "interrupted" in stderr
    with Store(db) as store:
        (run,) = store.runs()
        assert (run.command, run.status) == ("watch", "interrupted")
        assert run.stored == len(article_urls(db))
        counts = WatchState(store).counts()
    # Items are marked after their batch is stored: an interrupt in between leaves them
    # pending, and the next run marks them without storing anything twice.
    assert counts.get("stored", 0) <= run.stored and counts["pending"] > 0
    again = subprocess.run(watch(config, db, "--once", "--allow-private"),
                           capture_output=True, text=True, env=env(), timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(article_urls(db)) == sorted(pages)
    with Store(db) as store:
        assert WatchState(store).counts() == {"stored": N_PAGES}
        assert store.runs()[0].stored == N_PAGES - run.stored


def test_local_feed_is_refused_without_allow_private(tmp_path: Path, site: Site) -> None:
    feed = site.put_feed("/feed.xml", [site.url("/news/0")])
    config = feeds_yaml(tmp_path, feed)
    db = str(tmp_path / "watch.db")
    done = subprocess.run(watch(config, db, "--once"), capture_output=True, text=True,
                          env=env(), timeout=120)
    assert done.returncode == 1
    assert site.log == []
    with Store(db) as store:
        (failure,) = store.failures()
    assert (failure.kind, failure.origin) == ("blocked", feed)
    assert "127.0.0.1 is a loopback address" in failure.message


def test_stories_command_lists_groups(tmp_path: Path, site: Site) -> None:
    from feedsite import news_page

    urls = [site.put("/a", Resource(news_page(1))),
            site.put("/b", Resource(news_page(1, extra="<p>Reporting by our desk.</p>"))),
            site.put("/c", Resource(news_page(2)))]
    config = feeds_yaml(tmp_path, site.put_feed("/feed.xml", urls))
    db = str(tmp_path / "watch.db")
    subprocess.run(watch(config, db, "--once", "--allow-private"), check=True,
                   capture_output=True, env=env(), timeout=120)
    listed = subprocess.run(
        [sys.executable, "-m", "flashpoint", "stories", "--db", db, "--min-articles", "2"],
        capture_output=True, text=True, env=env(), timeout=60, check=True,
    ).stdout
    assert "1 story(ies)" in listed and "Report 1" in listed and "Report 2" not in listed
