"""`Watcher`: poll feeds, fetch the pages they list, store and code them as `ingest` does.

One cycle = poll every feed that is due (conditional GET, parse, new items saved as
pending together with the feed's validators), then fetch every pending item (those left
by a killed run first), turn each page into an Article with the HTML ingester, and store,
story-assign and code them in small batches through `ingest_run.store_batch`.

Failure policy: a feed or page that fails becomes a `Failure` (stage "watch", a kind from
`watch.errors`) in the run's failures and, for an item, its state; nothing else stops.
Transient errors (timeouts, 5xx) leave the item pending for a later cycle, 3 tries at most.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console

from flashpoint.errors import InputError, StoreError
from flashpoint.ingest.options import ReadOptions
from flashpoint.ingest.page import HTML_TYPES, parse_page
from flashpoint.ingest.records import build
from flashpoint.ingest_run import IngestReport, store_batch
from flashpoint.model import Article, Failure
from flashpoint.pipeline import ArticleCoder
from flashpoint.store import Store
from flashpoint.store.stories import Stories
from flashpoint.store.watch_state import MAX_ATTEMPTS, NewItem, PendingItem, WatchState
from flashpoint.watch.config import Feed, WatchConfig
from flashpoint.watch.errors import FetchError, UnexpectedError
from flashpoint.watch.feeds import parse_feed
from flashpoint.watch.fetch import Fetcher

STAGE = "watch"


@dataclass
class WatchReport:
    """What a watch session did so far (cumulative over cycles)."""

    run_id: int
    cycles: int = 0
    polls: int = 0
    unchanged: int = 0
    new_items: int = 0
    pages: int = 0
    stored: int = 0
    duplicates: int = 0
    coded: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)


class Watcher:
    """Feeds of one `WatchConfig` into one Store."""

    def __init__(
        self, store: Store, config: WatchConfig, *, pipeline: ArticleCoder | None = None,
        code: bool = True, console: Console | None = None, fetcher: Fetcher | None = None,
        batch_size: int = 10, inputs: list[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if pipeline is None and code:
            from flashpoint import default_pipeline

            pipeline = default_pipeline()
        self.store, self.config = store, config
        self.pipeline = pipeline if code else None
        self.console = console
        self.fetcher = fetcher or Fetcher(config.fetch)
        self.batch_size = batch_size
        self.state = WatchState(store)
        self.stories = Stories(store)
        self._clock = clock
        self._next_poll: dict[str, float] = {}
        run_id = store.start_run("watch", inputs or [f.url for f in config.feeds])
        self.report = WatchReport(run_id=run_id)
        self._ingest = IngestReport(run_id=run_id)
        self._feeds = {feed.url: feed for feed in config.feeds}

    # -- the loop ------------------------------------------------------------------------

    def run_once(self, stop: threading.Event | None = None) -> WatchReport:
        """Poll every feed now, then fetch everything pending (until `stop` is set)."""
        return self.cycle(force=True, stop=stop)

    def run(self, stop: threading.Event, *, interval: float | None = None) -> WatchReport:
        """Cycle until `stop` is set; `interval` overrides every feed's own."""
        if interval is not None:
            self._feeds = {url: dataclasses.replace(feed, interval=interval)
                           for url, feed in self._feeds.items()}
        self._resume_schedule()
        while not stop.is_set():
            self.cycle(stop=stop)
            wait = max(1.0, min(self._next_poll.values(), default=self._clock() + 60)
                       - self._clock())
            self._log(f"[dim]next poll in {wait:.0f} s[/]")
            stop.wait(wait)
        return self.report

    def _resume_schedule(self) -> None:
        """A restarted watcher waits out each feed's interval from its last poll (kept in
        the store) instead of polling every feed at once."""
        now = dt.datetime.now(dt.UTC)
        for state in self.state.feeds():
            feed = self._feeds.get(state.url)
            if feed is None or state.last_polled is None:
                continue
            remaining = feed.interval - (now - state.last_polled).total_seconds()
            self._next_poll[feed.url] = self._clock() + max(0.0, remaining)

    def cycle(self, *, force: bool = False, stop: threading.Event | None = None) -> WatchReport:
        """One pass: poll due feeds (all with `force`), fetch pending items."""
        now = self._clock()
        for feed in self._feeds.values():
            if stop is not None and stop.is_set():
                break
            if force or self._next_poll.get(feed.url, 0.0) <= now:
                self.poll(feed)
                self._next_poll[feed.url] = self._clock() + feed.interval
        self.fetch_pending(stop)
        self.report.cycles += 1
        return self.report

    def close(self, status: str = "done") -> None:
        """Record the run's end (status done or interrupted) and release the HTTP client."""
        self.fetcher.close()
        self._sync_counts()  # an interrupt may have come between storing and counting
        self.store.finish_run(
            self.report.run_id, stored=self.report.stored, duplicates=self.report.duplicates,
            failed=self.report.failed, status=status,
        )

    # -- feeds ---------------------------------------------------------------------------

    def poll(self, feed: Feed) -> int:
        """Poll one feed; returns how many new items it listed (0 on error or 304)."""
        self.report.polls += 1
        known = self.state.feed(feed.url)
        try:
            fetched = self.fetcher.get(
                feed.url, etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
            )
            parsed = None if fetched.not_modified else parse_feed(
                fetched.content, url=fetched.url, content_type=fetched.content_type)
        except StoreError:
            raise
        except Exception as exc:  # one feed's surprise never stops the others
            error = _as_input_error(exc)
            status = getattr(error, "status", None)
            self.state.record_feed_error(feed.url, feed.name, str(error), status)
            self._fail(feed.url, error)
            return 0
        if parsed is None:
            self.state.record_unchanged(feed.url, feed.name)
            self.report.unchanged += 1
            self._log(f"{feed.label}: not modified")
            return 0
        items = [NewItem(url=i.url, item_id=i.item_id, title=i.title) for i in parsed.items]
        new = self.state.record_poll(
            feed.url, feed.name, items, status=fetched.status, etag=fetched.etag,
            last_modified=fetched.last_modified,
        )
        for reason in parsed.skipped:
            self._warn(feed.url, "feed_item", reason)
        self.report.new_items += new
        tags = f" [dim]{', '.join(feed.tags)}[/]" if feed.tags else ""
        self._log(f"{feed.label}{tags}: {len(items)} item(s), {new} new")
        return new

    # -- pages ---------------------------------------------------------------------------

    def fetch_pending(self, stop: threading.Event | None = None) -> None:
        """Fetch every pending item once (oldest first), storing in small batches."""
        batch: list[tuple[PendingItem, Article]] = []
        for item in self.state.pending():
            if stop is not None and stop.is_set():
                break
            article = self._fetch_article(item)
            if article is not None:
                batch.append((item, article))
            if len(batch) >= self.batch_size:
                self._flush(batch)
                batch = []
        self._flush(batch)
        self._catch_up()

    def _catch_up(self) -> None:
        """Story-assign and code articles that an interrupted run stored but left there."""
        self.stories.assign_missing()
        if self.pipeline is not None:
            pending = self.store.iter_uncoded(self.pipeline.coder.version)
            coded = self.store.save_documents(self.pipeline(pending))
            self._ingest.coded += coded
            self.report.coded += coded

    def _fetch_article(self, item: PendingItem) -> Article | None:
        feed = self._feeds.get(item.feed_url)
        options = ReadOptions(max_bytes=self.config.fetch.max_bytes,
                              default_source=feed.name if feed else None)
        self.report.pages += 1
        try:
            fetched = self.fetcher.get(item.url, accept=HTML_TYPES)
            parts = parse_page(fetched.content, url=fetched.url,
                               content_type=fetched.content_type)
            if not parts.title and item.title:
                parts = dataclasses.replace(parts, title=item.title)
            records = build(parts, item.url, options)
        except StoreError:
            raise
        except Exception as exc:  # one page's surprise never stops the others
            error = _as_input_error(exc)
            if isinstance(error, FetchError) and error.transient:
                status = self.state.mark_retry(item.url, str(error))
                self._fail(item.url, error, "" if status == "failed" else
                           f"; will retry (tries left: {MAX_ATTEMPTS - item.attempts - 1})")
            else:
                self.state.mark(item.url, "failed", error=str(error))
                self._fail(item.url, error)
            return None
        article: Article | None = None
        for record in records:
            if isinstance(record, Article):
                article = record
            else:
                self._warn(record.origin, record.kind, record.message)
        return article

    def _flush(self, batch: list[tuple[PendingItem, Article]]) -> None:
        if not batch:
            return
        before = self._ingest.coded
        results = store_batch(self.store, [a for _, a in batch], self._ingest, self.pipeline,
                              self.stories)
        self.report.coded += self._ingest.coded - before
        self._sync_counts()
        for (item, article), result in zip(batch, results, strict=True):
            if result.status == "stored":
                self.state.mark(item.url, "stored", article_id=article.id)
                self._log(f"[green]stored[/] {article.title or item.url}")
            elif result.duplicate_of == article.id:
                # Stored by a run killed before it marked the item: the same page.
                self.state.mark(item.url, "stored", article_id=article.id)
            else:
                self.state.mark(item.url, "duplicate", article_id=result.duplicate_of)
                self._log(f"[dim]duplicate[/] {item.url}")

    def _sync_counts(self) -> None:
        self.report.stored = self._ingest.stored
        self.report.duplicates = self._ingest.duplicates

    # -- records and log -----------------------------------------------------------------

    def _fail(self, origin: str, exc: InputError, note: str = "") -> None:
        failure = Failure(origin=origin, stage=STAGE, kind=exc.kind, message=f"{exc}{note}")
        self.store.record_failures([failure], run_id=self.report.run_id)
        self.report.failures.append(failure)
        self._log(f"[red]{exc.kind}[/] {origin}: {exc}{note}")

    def _warn(self, origin: str, kind: str, message: str) -> None:
        failure = Failure(origin=origin, stage=STAGE, kind=kind, message=message,
                          severity="warning")
        self.store.record_failures([failure], run_id=self.report.run_id)
        self.report.warnings.append(failure)

    def _log(self, message: str) -> None:
        if self.console is not None:
            self.console.log(message, highlight=False)


def _as_input_error(exc: Exception) -> InputError:
    """The error to record: ours as is; anything else (a bug, a library's surprise) as
    kind "internal", with its type named so it can be reported."""
    if isinstance(exc, InputError):
        return exc
    return UnexpectedError(f"unexpected {type(exc).__name__}: {exc}")
