"""JSON Lines and JSON: one article per object, with configurable field names.

Corpora from scrapers (news-please, Common Crawl pipelines, vendor dumps) name their
fields differently, hence `JsonlFields`. JSONL is read line by line from a stream, so a
multi-gigabyte dump never sits in memory, a line longer than `max_bytes` is skipped
without being held whole, and a malformed line costs only itself: it becomes a Failure at
``path:LINE`` and the next line is read. A ``.json`` file (one object, a list of objects,
or objects one after another) is read whole, within the same size limit, and each object
in it is still its own item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import NoReturn

from flashpoint.errors import (
    EmptyInputError,
    FormatError,
    InputError,
    NoContentError,
    TooLargeError,
)
from flashpoint.ingest.dates import date_from_value
from flashpoint.ingest.decode import SNIFF_BYTES, check_text, decode_bytes
from flashpoint.ingest.options import JsonlFields, ReadOptions, megabytes
from flashpoint.ingest.records import (
    ByteStream,
    Item,
    Parts,
    build,
    guarded,
)

_SKIP_CHUNK = 1 << 20


def record_parts(record: object, fields: JsonlFields) -> Parts:
    """The article fields of one JSON object, looked up by `fields`."""
    if not isinstance(record, Mapping):
        raise FormatError(f"expected a JSON object, got {type(record).__name__}")
    found = fields.lookup(record, "text")
    if found is None:
        raise NoContentError(f"no article text (looked for keys {', '.join(fields.names('text'))})")
    key, value = found
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        value = "\n\n".join(value)  # a body given as a list of paragraphs
    if not isinstance(value, str):
        raise FormatError(f"field {key!r} should hold text, got {type(value).__name__}")
    published, bad_date = None, None
    date = fields.lookup(record, "published")
    if date is not None:
        published = date_from_value(date[1])
        bad_date = None if published else str(date[1])
    ident = fields.lookup(record, "id") if fields.names("id") else None
    return Parts(
        body=value,
        title=_text(fields.lookup(record, "title")),
        url=_text(fields.lookup(record, "url")),
        published=published,
        source=_text(fields.lookup(record, "source")),
        bad_date=bad_date,
        id=str(ident[1]) if ident is not None and isinstance(ident[1], str | int) else None,
    )


def _text(found: tuple[str, object] | None) -> str | None:
    """A field's value as text: strings as they are; `{"name": ...}` (a NewsAPI source)."""
    if found is None:
        return None
    value = found[1]
    if isinstance(value, Mapping):
        value = value.get("name")
    return value if isinstance(value, str) else None


def iter_jsonl(stream: ByteStream, origin: str, options: ReadOptions) -> Iterator[Item]:
    """Articles (and Failures) from a JSON Lines stream, one per non-blank line."""
    number = 0
    seen_content = False
    while True:
        line = stream.readline(options.max_bytes + 1)
        if not line:
            break
        number += 1
        where = f"{origin}:{number}"
        if len(line.rstrip(b"\r\n")) > options.max_bytes:
            size = len(line) + (0 if line.endswith(b"\n") else _skip_line(stream))
            error = TooLargeError(
                f"line {number} is {megabytes(size)}, over the limit of "
                f"{megabytes(options.max_bytes)} per item (max_bytes)"
            )
            yield from guarded(where, _raise(error), strict=options.strict)
            continue
        if not line.strip():
            continue
        if not seen_content:
            check_text(line[:SNIFF_BYTES])  # a PNG renamed .jsonl fails as a whole file
            seen_content = True
        yield from guarded(where, _line_items(line, number, where, options), strict=options.strict)
    if not seen_content:
        raise EmptyInputError("the input is empty (no JSON lines)")


def _skip_line(stream: ByteStream) -> int:
    """Discard the rest of an over-long line in bounded chunks; return its size."""
    skipped = 0
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _line_items(line: bytes, number: int, where: str, options: ReadOptions) -> Iterator[Item]:
    try:
        text = line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        text = decode_bytes(line)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"line {number}: malformed JSON ({exc.msg} at column {exc.colno})"
        ) from exc
    try:
        items = build(record_parts(record, options.fields), where, options)
    except InputError as exc:
        raise type(exc)(f"line {number}: {exc}") from exc
    yield from items


def _raise(error: Exception) -> Iterator[Item]:
    """An item stream that fails at once: lets `guarded` report `error` like any other."""
    raise error
    yield  # pragma: no cover - makes this a generator


def iter_json(data: bytes, origin: str, options: ReadOptions) -> Iterator[Item]:
    """Articles from a JSON document: one object (origin `path`), a list of objects, or
    objects one after another (origin `path:LINE`, the line each object starts on)."""
    text = decode_bytes(data)
    decoder = json.JSONDecoder()
    pos, line, last = _skip_ws(text, 0), 1, 0
    in_list = text.startswith("[", pos)
    if in_list:
        pos = _skip_ws(text, pos + 1)
    values = 0
    while pos < len(text) and not (in_list and text[pos] == "]"):
        line, last = line + text.count("\n", last, pos), pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield from guarded(f"{origin}:{exc.lineno}", _raise(FormatError(
                f"line {exc.lineno}: malformed JSON ({exc.msg} at column {exc.colno}); "
                "the rest of the file is skipped"
            )), strict=options.strict)
            return
        values += 1
        pos = _skip_ws(text, end)
        single = values == 1 and not in_list and pos >= len(text)
        where = origin if single else f"{origin}:{line}"
        yield from guarded(where, _object_items(value, where, options), strict=options.strict)
        if in_list and pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        elif in_list and (pos >= len(text) or text[pos] != "]"):
            _fail_at(text, pos, "expected ',' or ']' after a list item")
    if values == 0:
        raise EmptyInputError("the JSON document holds no objects")


def _object_items(value: object, where: str, options: ReadOptions) -> Iterator[Item]:
    yield from build(record_parts(value, options.fields), where, options)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n\ufeff":
        pos += 1
    return pos


def _fail_at(text: str, pos: int, what: str) -> NoReturn:
    line = text.count("\n", 0, pos) + 1
    raise FormatError(f"line {line}: malformed JSON ({what})")
