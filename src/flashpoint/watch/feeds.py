"""Reading an RSS / Atom feed's bytes into the items the watcher will fetch (feedparser).

feedparser is lenient: it reads most broken feeds and sets `bozo` with the reason. We
accept what it recovers; a feed it cannot read at all (not XML, no channel) or that holds
no items raises `FeedError`, recorded against the feed, and the other feeds go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser

from flashpoint.watch.errors import FeedError


@dataclass(frozen=True)
class FeedItem:
    """One entry: the page to fetch, the feed's own id for it, and its title."""

    url: str
    item_id: str | None
    title: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem]
    skipped: list[str]  # why entries were passed over (no link, not http)


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """The items of a feed, in feed order, without repeats (by URL)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    reason = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # feedparser also flags harmless things (a text/plain content type, an encoding
    # override); only a real parse error makes an empty result "malformed".
    if isinstance(reason, feedparser.ThingsNobodyCaresAboutButMe):
        reason = None
    if not entries:
        if reason is None and version:
            raise FeedError("the feed has no items")
        raise FeedError(f"malformed feed: {reason or 'not RSS or Atom'}")
    items: list[FeedItem] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        link = _link(entry)
        if not link:
            skipped.append(f"item {number} has no link")
            continue
        try:
            absolute = urldefrag(urljoin(url, link.strip()))[0]
            scheme = urlsplit(absolute).scheme
        except ValueError as exc:  # "http://[oops/": urllib refuses it
            skipped.append(f"item {number} has an invalid link {link!r} ({exc})")
            continue
        if scheme not in ("http", "https"):
            skipped.append(f"item {number} links to {absolute!r}, not an http(s) page")
            continue
        if absolute in seen:
            continue
        seen.add(absolute)
        item_id = entry.get("id") or None
        title = entry.get("title") or None
        items.append(FeedItem(url=absolute, item_id=str(item_id) if item_id else None,
                              title=str(title) if title else None))
    if not items:
        why = f"malformed feed ({reason})" if reason else "no item links to a page"
        raise FeedError(f"{why}; " + "; ".join(skipped[:3]))
    feed_title = parsed.get("feed", {}).get("title")
    return ParsedFeed(title=str(feed_title) if feed_title else None, items=items,
                      skipped=skipped)


def _link(entry: feedparser.FeedParserDict) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links") or []:
        if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
            return str(candidate["href"])
    return None
