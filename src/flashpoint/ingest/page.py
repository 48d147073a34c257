"""A web page fetched over HTTP (by the feed watcher, or archived in a WARC): is it HTML,
which charset does its `Content-Type` declare, and the article in it.

The HTTP header is the first word on the charset (it outranks the page's own `<meta>`,
per the HTML standard's encoding sniffing order, after a BOM); the page body then goes
through the same HTML ingester as a saved `.html` file.
"""

from __future__ import annotations

import codecs
from email.message import Message

from flashpoint.ingest.decode import declared_charset, decode_bytes
from flashpoint.ingest.html import parse_html
from flashpoint.ingest.records import Parts

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def media_type(content_type: str | None) -> str:
    """``text/html`` for ``Text/HTML; charset=utf-8``; "" when absent."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def is_html(content_type: str | None) -> bool:
    return media_type(content_type) in HTML_TYPES


def header_charset(content_type: str | None) -> str | None:
    """The codec named by a ``charset=`` parameter, or None (absent or unknown)."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    label = message.get_param("charset")
    if not isinstance(label, str):
        return None
    try:
        return codecs.lookup(label.strip().strip('"').lower()).name
    except LookupError:
        return None


def parse_page(data: bytes, *, url: str | None, content_type: str | None) -> Parts:
    """The article in a fetched HTML page (raises `NoContentError` when there is none)."""
    declared = header_charset(content_type) or declared_charset(data)
    return parse_html(decode_bytes(data, declared=declared), url=url)
