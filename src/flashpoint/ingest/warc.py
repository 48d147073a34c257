"""Web archives: the HTML pages in a WARC (or ARC) file, plain or gzipped, via warcio.

Which records become articles: `response` records whose HTTP status is 2xx and whose
`Content-Type` is HTML (`resource` records with an HTML type too). `request`, `revisit`,
`metadata`, `warcinfo`, redirects, error pages and non-HTML payloads (images, scripts,
JSON) are passed over silently: a crawl is mostly those. The URL is `WARC-Target-URI`;
the publication date is the page's own, else the capture date (`WARC-Date`), so relative
dates still resolve against a plausible day.

Bad records: a page with no article body (or over `max_bytes`) gives a Failure for that
record and the next is read. Each gzip member is checked whole (CRC included) before its
record is used, so a corrupt member is reported at its own offset. A corrupt member, or a
record whose header is not WARC, breaks the stream; the reader records a Failure at that
offset, then scans for the next gzip member (or `WARC/` header line in an uncompressed
file) and goes on from there, so one bad member loses one record, not the rest.

Origins are ``path@OFFSET``: the byte offset where the record starts.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from flashpoint.errors import FormatError, GzipError, TooLargeError
from flashpoint.ingest.dates import parse_date
from flashpoint.ingest.options import ReadOptions, megabytes
from flashpoint.ingest.page import is_html, parse_page
from flashpoint.ingest.records import Item, build, guarded, to_failure

SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"\nWARC/"
_SCAN_CHUNK = 1 << 20
_CHECK_CHUNK = 1 << 16


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def read_warc(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Yield an Article (plus its warnings) or a Failure for each HTML page record."""
    gzipped = path.name.lower().endswith(".gz")
    with path.open("rb") as stream, path.open("rb") as check:
        size = path.stat().st_size
        start = 0
        while start >= 0:
            stream.seek(start)
            records = ArchiveIterator(stream, arc2warc=True)
            at = start
            try:
                for record in records:
                    at = records.offset  # where this record starts (not yet read)
                    if gzipped:
                        _check_member(check, at, options.max_bytes)
                    page = _page(record, options)
                    if page is None:
                        continue
                    origin = f"{path}@{at}"
                    if isinstance(page, Exception):
                        if options.strict:
                            raise page
                        yield to_failure(origin, page)
                        continue
                    yield from guarded(origin, _article(*page, origin, options),
                                       strict=options.strict)
                if records.offset >= size:
                    return
                # warcio stops quietly at a member cut short: what is left was not read.
                raise EOFError(f"{size - records.offset} bytes at the end could not be read")
            except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError,
                    GzipError) as exc:
                failed_at = at if isinstance(exc, GzipError) else max(at, records.offset)
                error = exc if isinstance(exc, GzipError) else _stream_error(exc, gzipped)
                if gzipped and not isinstance(exc, GzipError):
                    # warcio stumbled on the headers: say so if the member itself is bad.
                    try:
                        _check_member(check, failed_at, options.max_bytes)
                    except GzipError as corrupt:
                        error = corrupt
                if options.strict:
                    raise error from exc
                yield to_failure(f"{path}@{failed_at}", error)
                start = _next_record(stream, failed_at + 1, gzipped)


def _page(record: Any, options: ReadOptions) -> tuple[bytes, str, str | None, str | None] | \
        Exception | None:
    """(payload, url, content type, WARC-Date) of an HTML page record; None to skip it;
    an exception (not raised) for a record that is a page but cannot be used.

    Reading the payload may raise a stream error (corrupt gzip): that one propagates to
    `read_warc`, which resynchronises.
    """
    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    if not is_html(content_type):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    length = int(record.rec_headers.get_header("Content-Length") or 0)
    if length > options.max_bytes:
        return TooLargeError(
            f"the record is {megabytes(length)}, over the limit of "
            f"{megabytes(options.max_bytes)} per item (max_bytes); not read ({url})"
        )
    data = record.content_stream().read(options.max_bytes + 1)
    if len(data) > options.max_bytes:
        return TooLargeError(
            f"the page is over the limit of {megabytes(options.max_bytes)} per item "
            f"(max_bytes); not read ({url})"
        )
    return data, url, content_type, record.rec_headers.get_header("WARC-Date")


def _article(
    data: bytes, url: str, content_type: str | None, captured: str | None, origin: str,
    options: ReadOptions,
) -> Iterator[Item]:
    parts = parse_page(data, url=url or None, content_type=content_type)
    if parts.published is None and captured:
        capture_date = parse_date(captured)
        if capture_date is not None:
            parts = dataclasses.replace(parts, published=capture_date, bad_date=None)
    if not parts.url and url:
        parts = dataclasses.replace(parts, url=url)
    yield from build(parts, origin, options)


def _stream_error(exc: BaseException, gzipped: bool) -> Exception:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    if "non-chunked gzip" in detail:
        return GzipError("the archive is gzipped as one block instead of one gzip member "
                         "per record; rewrite it with `warcio recompress IN OUT`")
    if gzipped and isinstance(exc, EOFError | zlib.error | OSError):
        return GzipError(f"truncated or corrupt gzip member in the WARC ({detail}); "
                         "skipped to the next record")
    return FormatError(f"corrupt or truncated WARC record ({detail}); "
                       "skipped to the next record")


def _check_member(check: IO[bytes], offset: int, max_bytes: int) -> None:
    """Raise GzipError unless the gzip member at `offset` decompresses whole, CRC included.

    Why by hand: warcio reports a decompression error in the middle of a member only on
    stderr and returns the record cut short; worse, a member cut short is decoded on into
    the next member's bytes, so the break may surface records later, or not at all. Reading
    the member once on its own (output discarded, memory bounded) pins the fault to the
    record it belongs to.
    """
    check.seek(offset)
    member = zlib.decompressobj(wbits=31)  # gzip framing: header, deflate, CRC32 and size
    budget = 2 * max_bytes + (1 << 20)  # compressed bytes a record within max_bytes can take
    read = 0
    while not member.eof:
        chunk = check.read(min(_CHECK_CHUNK, budget - read))
        if not chunk:
            problem = ("cut short" if read < budget else
                       f"longer than the limit of {megabytes(max_bytes)} per item allows")
            raise GzipError(f"gzip member {problem}; skipped to the next record")
        read += len(chunk)
        try:
            data = member.decompress(chunk, _CHECK_CHUNK)
            while member.unconsumed_tail and not member.eof:
                data = member.decompress(member.unconsumed_tail, _CHECK_CHUNK)
        except zlib.error as exc:
            raise GzipError(f"corrupt gzip member ({exc}); skipped to the next record") from exc
        del data


def _next_record(stream: IO[bytes], offset: int, gzipped: bool) -> int:
    """The offset of the next gzip member (or WARC header line) at or after `offset`;
    -1 when there is none. Hand-written: warcio has no resynchronisation of its own."""
    magic = _GZIP_MAGIC if gzipped else _WARC_MAGIC
    skip = 0 if gzipped else 1  # the newline before "WARC/" belongs to the previous record
    position = offset
    stream.seek(position)
    tail = b""
    while chunk := stream.read(_SCAN_CHUNK):
        window = tail + chunk
        found = window.find(magic)
        if found >= 0:
            return position - len(tail) + found + skip
        tail = window[-(len(magic) - 1):]
        position += len(chunk)
    return -1
