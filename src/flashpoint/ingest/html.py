"""HTML pages: the article body and its metadata, via trafilatura.

trafilatura (2.x) finds the main text of a news page and reads its metadata: title, the
canonical / og:url, the publication date (htmldate, preferring the original date to the
last-modified one) and the site name, which becomes the Article's source.

We decode the bytes ourselves (`decode.py`) instead of letting trafilatura guess: its
guess ignores the page's ``<meta charset>``, and a Cyrillic page declared windows-1251 is
easy to get wrong from the bytes alone. trafilatura gets the decoded string.

trafilatura returns one block per line; we separate blocks by a blank line, the paragraph
convention every flashpoint body follows, and drop a leading block that only repeats the
title (the page's ``<h1>``), since an Article's body never includes its title.
"""

from __future__ import annotations

from typing import Any

from flashpoint.errors import NoContentError
from flashpoint.ingest.dates import parse_date
from flashpoint.ingest.decode import declared_charset, decode_bytes
from flashpoint.ingest.normalize import clean_line
from flashpoint.ingest.records import Parts


def decode_html(data: bytes) -> str:
    """The page's text: BOM, then UTF-8, then its declared charset, then a guess."""
    return decode_bytes(data, declared=declared_charset(data))


def parse_html(data: bytes | str, *, url: str | None = None) -> Parts:
    """The article in an HTML page. Raises `NoContentError` when no body text is found.

    `url` is where the page was fetched from, used when the page names no canonical URL.
    """
    from trafilatura import bare_extraction

    html = decode_html(data) if isinstance(data, bytes) else data
    # A str skips trafilatura's own decoding and its size cap (ours applies before).
    # Same settings as the benchmark's trafilatura run (eval/html_score.py "default"):
    # comments are not the article; tables stay (casualty tables are content).
    document = bare_extraction(
        html, url=url, include_comments=False, include_tables=True, with_metadata=True
    )
    text = _field(document, "text")
    if not text or not text.strip():
        raise NoContentError("no article text found in the HTML (broken or not an article page)")
    title = _field(document, "title")
    raw_date = _field(document, "date")
    published = parse_date(raw_date) if raw_date else None
    return Parts(
        body=_paragraphs(text, title),
        title=title,
        url=_field(document, "url") or url,
        published=published,
        source=_field(document, "sitename"),
        bad_date=raw_date if raw_date and published is None else None,
    )


def _field(document: Any, name: str) -> str | None:
    """A string field of trafilatura's result (a Document; a dict in older versions)."""
    if document is None:
        return None
    value = document.get(name) if isinstance(document, dict) else getattr(document, name, None)
    return value if isinstance(value, str) and value.strip() else None


def _paragraphs(text: str, title: str | None) -> str:
    """One block per paragraph, separated by a blank line, without a leading title."""
    blocks = [line.strip() for line in text.split("\n") if line.strip()]
    if len(blocks) > 1 and title and _same(blocks[0], title):
        blocks = blocks[1:]
    return "\n\n".join(blocks)


def _same(first: str, title: str) -> bool:
    return clean_line(first).casefold().rstrip(" .") == clean_line(title).casefold().rstrip(" .")
