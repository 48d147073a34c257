"""From what a reader found to the records a batch yields: Articles and Failures.

Every reader (text, HTML, JSON) returns the same small `Parts`; `build` turns it into one
`Article` plus warning `Failure`s, so normalisation, ids, default source and date warnings
are decided in one place whatever the format. `guarded` is the item boundary of the
failure policy: an exception inside one item becomes a `Failure` record and the batch
goes on (or, in strict mode, propagates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from flashpoint.errors import (
    InputError,
    NoContentError,
    UnreadableError,
)
from flashpoint.ids import article_id
from flashpoint.ingest.normalize import clean_line, normalize_body
from flashpoint.ingest.options import ReadOptions
from flashpoint.model import Article, Failure

Item = Article | Failure
STAGE = "ingest"


class ByteStream(Protocol):
    """What readers need of a binary stream (a file, a GzipFile, stdin's buffer)."""

    def read(self, size: int = ..., /) -> bytes: ...

    def readline(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Parts:
    """What a reader found in one item, before normalisation and ids.

    `bad_date` holds a publication date that was present but could not be parsed, so
    the warning can quote it.
    """

    body: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    source: str | None = None
    bad_date: str | None = None
    id: str | None = None


def build(parts: Parts, origin: str, options: ReadOptions) -> list[Item]:
    """The Article for `parts`, followed by its warnings (missing or unparsable date)."""
    text = normalize_body(parts.body)
    if not text:
        raise NoContentError("no article body found (nothing but a title, byline or date)")
    url = parts.url.strip() if parts.url and parts.url.strip() else None
    title = clean_line(parts.title) if parts.title else None
    source = clean_line(parts.source) if parts.source else None
    article = Article(
        id=parts.id or article_id(url, text),
        url=url,
        title=title or None,
        published=parts.published,
        source=source or options.default_source,
        text=text,
        origin=origin,
    )
    items: list[Item] = [article]
    if parts.published is None:
        if parts.bad_date is not None:
            items.append(
                warning(
                    origin,
                    "bad_date",
                    f"unparsable publication date {parts.bad_date!r}; "
                    "relative dates cannot be resolved",
                )
            )
        else:
            items.append(
                warning(
                    origin,
                    "no_date",
                    "no publication date found; relative dates cannot be resolved",
                )
            )
    return items


def warning(origin: str, kind: str, message: str) -> Failure:
    """A warning record: the item was still yielded, with something missing."""
    return Failure(origin=origin, stage=STAGE, kind=kind, message=message, severity="warning")


def to_failure(origin: str, exc: BaseException) -> Failure:
    """The error record for `exc` raised while reading the item at `origin`."""
    if isinstance(exc, InputError):
        kind, message = exc.kind, str(exc)
    elif isinstance(exc, OSError):
        kind = UnreadableError.kind
        message = f"cannot read: {exc.strerror or exc}"
    else:
        kind = "internal"
        message = f"unexpected {type(exc).__name__} while reading: {exc}"
    return Failure(origin=origin, stage=STAGE, kind=kind, message=message or kind)


def guarded(origin: str, items: Iterable[Item], *, strict: bool = False) -> Iterator[Item]:
    """Yield `items`; if producing them raises, yield the matching Failure and stop.

    Items yielded before the error are kept (the lines of a JSONL file read before its
    gzip stream turned out truncated). With `strict`, errors propagate instead.
    """
    try:
        yield from items
    except Exception as exc:
        if strict:
            raise
        yield to_failure(origin, exc)
