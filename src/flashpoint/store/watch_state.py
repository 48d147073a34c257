"""What `flashpoint watch` remembers between polls and across restarts.

`watch_feeds` holds each feed's validators (ETag, Last-Modified) and when it was last
polled; `watch_items` every page URL a feed ever listed, with its state:

    pending ──fetch+store──> stored | duplicate
       └──────error────────> failed          (transient errors stay pending, 3 tries)

A poll writes the feed's new items as `pending` *and* its new validators in one
transaction, and an item leaves `pending` only after its article is committed. So a
watcher killed at any point neither skips an item (a restart finds it still pending)
nor stores one twice (the store rejects a repeated id or text; the item is then marked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from flashpoint.store import schema as tables
from flashpoint.store.rows import _Row
from flashpoint.store.store import Store
from flashpoint.store.writes import dialect_insert

ItemStatus = Literal["pending", "stored", "duplicate", "failed"]
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class FeedState(_Row):
    url: str
    name: str | None
    etag: str | None
    last_modified: str | None
    last_polled: dt.datetime | None
    last_status: int | None
    last_error: str | None
    items_seen: int


@dataclass(frozen=True)
class PendingItem(_Row):
    url: str
    feed_url: str
    title: str | None
    attempts: int


@dataclass(frozen=True)
class NewItem:
    """An item a poll found: the page URL, the feed's id for it, its title."""

    url: str
    item_id: str | None
    title: str | None


class WatchState:
    """Feed and item state of one Store (all writes through the store's write path)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._db = store._db

    def feed(self, url: str) -> FeedState | None:
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(tables.watch_feeds).where(tables.watch_feeds.c.url == url)
            ).first()
        return FeedState(**row._mapping) if row else None

    def feeds(self) -> list[FeedState]:
        with self._db.read() as conn:
            rows = conn.execute(sa.select(tables.watch_feeds).order_by(tables.watch_feeds.c.url))
            return [FeedState(**row._mapping) for row in rows]

    def record_poll(
        self, feed_url: str, name: str | None, items: Iterable[NewItem], *,
        status: int, etag: str | None, last_modified: str | None,
    ) -> int:
        """Store a successful poll: new items as pending plus the feed's validators, in
        one transaction. Returns how many items were new (unseen URL and unseen id)."""
        now = _now()
        items = list(items)
        table = tables.watch_items
        with self._db.write() as conn:
            known_urls = _existing(conn, table.c.url, [i.url for i in items])
            known_ids = _existing(conn, table.c.item_id, [i.item_id for i in items if i.item_id])
            fresh = [i for i in items if i.url not in known_urls
                     and (i.item_id is None or i.item_id not in known_ids)]
            if fresh:
                stmt = dialect_insert(self.store.dialect, table).on_conflict_do_nothing()
                conn.execute(stmt, [{
                    "url": i.url, "feed_url": feed_url, "item_id": i.item_id, "title": i.title,
                    "status": "pending", "attempts": 0, "article_id": None, "error": None,
                    "first_seen": now, "updated_at": now,
                } for i in fresh])
            self._upsert_feed(conn, feed_url, name, now, status=status, error=None,
                              etag=etag, last_modified=last_modified, added=len(fresh))
        return len(fresh)

    def record_unchanged(self, feed_url: str, name: str | None) -> None:
        """A 304: only the poll time changes (the validators stay)."""
        with self._db.write() as conn:
            self._upsert_feed(conn, feed_url, name, _now(), status=304, error=None)

    def record_feed_error(self, feed_url: str, name: str | None, error: str,
                          status: int | None = None) -> None:
        with self._db.write() as conn:
            self._upsert_feed(conn, feed_url, name, _now(), status=status, error=error)

    def pending(self, limit: int = 1000) -> list[PendingItem]:
        """Items still to fetch, oldest first (those of a killed run included)."""
        table = tables.watch_items
        query = (
            sa.select(table.c.url, table.c.feed_url, table.c.title, table.c.attempts)
            .where(table.c.status == "pending")
            .order_by(table.c.first_seen, table.c.url).limit(limit)
        )
        with self._db.read() as conn:
            return [PendingItem(**row._mapping) for row in conn.execute(query)]

    def mark(self, url: str, status: ItemStatus, *, article_id: str | None = None,
             error: str | None = None) -> None:
        """Record an item's outcome; a transient failure stays pending until its last try."""
        table = tables.watch_items
        with self._db.write() as conn:
            values: dict[str, object] = {
                "status": status, "article_id": article_id, "error": error,
                "updated_at": _now(), "attempts": table.c.attempts + 1,
            }
            conn.execute(table.update().where(table.c.url == url).values(**values))

    def mark_retry(self, url: str, error: str) -> ItemStatus:
        """A transient failure: pending again, or failed after `MAX_ATTEMPTS` tries."""
        table = tables.watch_items
        with self._db.write() as conn:
            attempts = int(conn.scalar(sa.select(table.c.attempts).where(table.c.url == url))
                           or 0) + 1
            status: ItemStatus = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            conn.execute(table.update().where(table.c.url == url).values(
                status=status, error=error, attempts=attempts, updated_at=_now(),
            ))
        return status

    def counts(self) -> dict[str, int]:
        """Items per status."""
        table = tables.watch_items
        query = sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
        with self._db.read() as conn:
            return {str(status): int(n) for status, n in conn.execute(query)}

    def _upsert_feed(
        self, conn: sa.Connection, url: str, name: str | None, now: dt.datetime, *,
        status: int | None, error: str | None, etag: str | None = None,
        last_modified: str | None = None, added: int = 0,
    ) -> None:
        table = tables.watch_feeds
        values: dict[str, object] = {
            "name": name, "last_polled": now, "last_status": status, "last_error": error,
        }
        if status is not None and 200 <= status < 300:
            values.update(etag=etag, last_modified=last_modified)
        stmt = dialect_insert(self.store.dialect, table).values(
            url=url, items_seen=added, etag=values.get("etag"),
            last_modified=values.get("last_modified"), name=name, last_polled=now,
            last_status=status, last_error=error,
        )
        values["items_seen"] = table.c.items_seen + added
        conn.execute(stmt.on_conflict_do_update(index_elements=[table.c.url], set_=values))


def _existing(conn: sa.Connection, column: sa.Column[str], values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        if chunk:
            found.update(conn.scalars(sa.select(column).where(column.in_(chunk))))
    return found


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
