"""Where articles come from: paths, directories, globs, gzip files and stdin.

`read_sources` is the one entry point the CLI and the store use. It is a generator, in
input order: it holds one item at a time (never a list of the corpus), and every item is
an `Article` or a `Failure`. Each file (and each JSONL line) is read under `guarded`, so a
bad item becomes a Failure record and the next one is read; nothing stops the batch.

The format comes from the suffix (``x.html.gz`` is gzipped HTML); an unknown suffix, and
stdin, are sniffed from the first bytes. Size is checked before reading (``stat`` for a
file, a bounded read for a gzip member or stdin), so a 50 MB page costs nothing. Web
archives (``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``) are read record by record by
`warc.py`.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from flashpoint.errors import EmptyInputError, GzipError, NotFoundError, TooLargeError
from flashpoint.ingest.decode import SNIFF_BYTES, check_text, decode_bytes
from flashpoint.ingest.html import parse_html
from flashpoint.ingest.jsonl import iter_json, iter_jsonl
from flashpoint.ingest.options import ReadOptions, megabytes
from flashpoint.ingest.records import (
    ByteStream,
    Item,
    build,
    guarded,
)
from flashpoint.ingest.text import parse_text
from flashpoint.ingest.warc import is_warc, read_warc

Format = Literal["text", "markdown", "html", "jsonl", "json"]
STDIN = "-"
STDIN_ORIGIN = "<stdin>"
SUFFIXES: dict[str, Format] = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
}
# Files a directory walk passes over silently: not articles, even when they are text.
_NOT_ARTICLES = (
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".pdf",
    ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".mp3", ".mp4", ".m4a", ".wav", ".ogg",
    ".avi", ".mov", ".webm", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".pyc", ".so", ".dll",
    ".exe", ".bin", ".db", ".sqlite", ".parquet", ".pkl", ".npy", ".css", ".js", ".map", ".csv",
    ".tsv", ".xml", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".py", ".log", ".lock",
)
# A corpus directory's own documentation, not one of its articles.
_NOT_ARTICLE_STEMS = frozenset({"readme", "license", "licence", "copying", "notice", "changelog"})
_GLOB_CHARS = frozenset("*?[")


def read_sources(
    sources: Iterable[str | os.PathLike[str]],
    options: ReadOptions | None = None,
    stdin: ByteStream | None = None,
) -> Iterator[Item]:
    """Yield an Article or a Failure for every item of every source, lazily, in order.

    A source is a file, a directory (read recursively in sorted order, hidden entries
    and non-article files skipped), a glob pattern (when no such path exists; ``**``
    recurses), or ``-`` for `stdin` (``sys.stdin.buffer`` when not given).
    """
    options = options or ReadOptions()
    for source in sources:
        name = os.fspath(source)
        if name == STDIN:
            yield from guarded(STDIN_ORIGIN, _read_stdin(stdin, options), strict=options.strict)
        else:
            yield from guarded(name, _read_path(name, options), strict=options.strict)


def _read_path(name: str, options: ReadOptions) -> Iterator[Item]:
    path = Path(name)
    if path.is_dir():
        yield from _read_dir(path, options)
    elif path.exists():
        yield from guarded(name, read_file(path, options), strict=options.strict)
    elif _GLOB_CHARS & set(name):
        matches = sorted(glob.iglob(name, recursive=True))
        if not matches:
            raise NotFoundError(f"no file matches the pattern {name!r}")
        for match in matches:
            yield from guarded(match, _read_path(match, options), strict=options.strict)
    else:
        raise NotFoundError(f"no such file or directory: {name!r}")


def _read_dir(root: Path, options: ReadOptions) -> Iterator[Item]:
    seen = [0]  # article files found, across the recursion
    yield from _dir_items(root, options, seen)
    if not seen[0]:
        raise EmptyInputError(f"the directory {str(root)!r} holds no article files")


def _dir_items(directory: Path, options: ReadOptions, seen: list[int]) -> Iterator[Item]:
    """Items under `directory`, depth first in sorted name order. Hidden entries and
    files that are not articles are skipped; symlinked directories are not followed."""
    with os.scandir(directory) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from guarded(str(path), _dir_items(path, options, seen), strict=options.strict)
        elif entry.is_file() and _is_article_file(path):
            seen[0] += 1
            yield from guarded(str(path), read_file(path, options), strict=options.strict)


def _is_article_file(path: Path) -> bool:
    """For a directory walk: a known article suffix, or unknown but text; never a README."""
    if is_warc(path):
        return True
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(_NOT_ARTICLES) or name.split(".")[0] in _NOT_ARTICLE_STEMS:
        return False
    return _inner_suffix(path) in SUFFIXES or _looks_like_text(path)


def _inner_suffix(path: Path) -> str:
    """``.html`` for ``page.html`` and for ``page.html.gz``."""
    name = path.name.lower()
    return Path(name.removesuffix(".gz")).suffix


def _looks_like_text(path: Path) -> bool:
    """For a directory walk: is this file of unknown kind text (else skip it silently)?"""
    try:
        with _open_gzip(path) if _is_gzip(path) else path.open("rb") as stream:
            check_text(stream.read(SNIFF_BYTES))
    except Exception:  # unreadable, corrupt or binary: not an article; skip it
        return False
    return True


def _is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open_gzip(path: Path) -> gzip.GzipFile:
    return gzip.GzipFile(filename=path, mode="rb")


def read_file(path: Path, options: ReadOptions) -> Iterator[Item]:
    """The items of one file: JSONL streams line by line, other formats are one item."""
    if is_warc(path):  # a web archive: many pages, read record by record
        yield from read_warc(path, options)
        return
    origin = str(path)
    fmt = SUFFIXES.get(_inner_suffix(path))
    if _is_gzip(path):
        with _open_gzip(path) as stream:
            yield from _gzip_errors(_read_stream(stream, origin, fmt, options))
        return
    if fmt != "jsonl":
        size = path.stat().st_size
        if size > options.max_bytes:
            hint = "; JSON Lines (.jsonl) is read line by line" if fmt == "json" else ""
            raise TooLargeError(
                f"the file is {megabytes(size)}, over the limit of "
                f"{megabytes(options.max_bytes)} per item (max_bytes); not read{hint}"
            )
    with path.open("rb") as stream:
        yield from _read_stream(stream, origin, fmt, options)


def _gzip_errors(items: Iterator[Item]) -> Iterator[Item]:
    """Turn zlib's and gzip's exceptions into a `GzipError` (after the items read)."""
    try:
        yield from items
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise GzipError(f"truncated or corrupt gzip data ({exc})") from exc


def _read_stdin(stdin: ByteStream | None, options: ReadOptions) -> Iterator[Item]:
    if stdin is None:
        stdin = sys.stdin.buffer
    stream = io.BufferedReader(_Prefixed(b"", stdin))  # gives .peek()
    if stream.peek(2)[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
            yield from _gzip_errors(_read_stream(unzipped, STDIN_ORIGIN, None, options))
        return
    yield from _read_stream(stream, STDIN_ORIGIN, None, options)


def _read_stream(
    stream: ByteStream, origin: str, fmt: Format | None, options: ReadOptions
) -> Iterator[Item]:
    """Dispatch one stream on its format (sniffed from its first bytes when unknown)."""
    if fmt is None:
        head = stream.read(SNIFF_BYTES)
        check_text(head)
        fmt = sniff(head)
        stream = io.BufferedReader(_Prefixed(head, stream))
    if fmt == "jsonl":
        yield from iter_jsonl(stream, origin, options)
        return
    data = read_limited(stream, options.max_bytes)
    if len(data) > options.max_bytes:
        raise TooLargeError(
            f"the content is over the limit of {megabytes(options.max_bytes)} per item "
            "(max_bytes); the rest was not read"
        )
    check_text(data)
    if fmt == "json":
        yield from iter_json(data, origin, options)
    elif fmt == "html":
        yield from build(parse_html(data), origin, options)
    else:
        yield from build(parse_text(decode_bytes(data), markdown=fmt == "markdown"), origin,
                         options)


def read_limited(stream: ByteStream, limit: int) -> bytes:
    """Up to `limit + 1` bytes of `stream`, read in growing chunks: `read(limit + 1)`
    would allocate the whole limit (20 MB) up front for every small file."""
    chunks: list[bytes] = []
    total, size = 0, 1 << 16
    while total <= limit:
        chunk = stream.read(min(size, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        size = min(size * 2, 1 << 22)
    return b"".join(chunks)


def sniff(head: bytes) -> Format:
    """The format of content that has no telling suffix, from its first bytes."""
    text = decode_bytes(head, complete=False).lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        first, newline, _ = text.partition("\n")
        if not newline:
            return "jsonl"  # one long line (or one object on one line: the same thing)
        try:
            return "jsonl" if isinstance(json.loads(first), dict) else "json"
        except ValueError:
            return "json"  # a pretty-printed object
    if text.startswith("["):
        return "json"
    lowered = text[:2048].lower()
    if lowered.startswith("<") and any(
        tag in lowered for tag in ("<html", "<!doctype html", "<head", "<body", "<p", "<div",
                                   "<article", "<meta", "<title")
    ):
        return "html"
    return "markdown" if lowered.startswith("#") else "text"


class _Prefixed(io.RawIOBase):
    """A raw stream that serves `prefix` then the rest of `stream` (undoes a sniff read)."""

    def __init__(self, prefix: bytes, stream: ByteStream) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            count = min(len(buffer), len(self._prefix))
            buffer[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
