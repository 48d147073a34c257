"""JSONL and JSON input: field names, per-line failures, dates, ids, size limits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from flashpoint.errors import ConfigError
from flashpoint.ingest import JsonlFields, ReadOptions, read_sources
from flashpoint.model import Article, Failure

BODY = "Warsaw closed the Bobrowniki border crossing on Thursday, citing growing tensions."


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def read(*sources: Path, **options: object) -> list[Article | Failure]:
    return list(read_sources(sources, options=ReadOptions(**options)))  # type: ignore[arg-type]


def test_default_field_names(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl",
        {"text": BODY, "title": "Crossing closed", "url": "https://example.org/a",
         "published": "2023-02-09", "source": "PAP"},
        {"maintext": BODY + " Again.", "headline": "H2", "link": "https://example.org/b",
         "date_publish": "2023-02-10 08:00:00", "publisher": {"name": "BelTA"}},
    )
    first, second = read(path)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.title, first.url, first.published, first.source, first.origin) == (
        "Crossing closed", "https://example.org/a", dt.date(2023, 2, 9), "PAP", f"{path}:1"
    )
    assert (second.title, second.published, second.source, second.origin) == (
        "H2", dt.date(2023, 2, 10), "BelTA", f"{path}:2"
    )


def test_custom_field_names_with_fallbacks_and_dotted_keys(tmp_path: Path) -> None:
    fields = JsonlFields(
        text=("story", "summary"), title="name", url="meta.link", published="meta.when",
        source="outlet", id="doc_id",
    )
    path = write_lines(
        tmp_path / "custom.ndjson",
        {"summary": BODY, "name": "T", "outlet": "AFP", "doc_id": 42,
         "meta": {"link": "https://example.org/c", "when": 1676505600}},
    )
    [article, *_] = read(path, fields=fields)
    assert isinstance(article, Article)
    assert (article.text, article.title, article.url, article.source, article.id) == (
        BODY, "T", "https://example.org/c", "AFP", "42"
    )
    assert article.published == dt.date(2023, 2, 16)  # a Unix time


def test_malformed_line_fails_alone_with_its_line_number(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl",
        {"text": BODY, "published": "2023-02-09"},
        '{"text": "unterminated',
        "",
        {"text": BODY + " Later.", "published": "2023-02-10"},
    )
    first, failure, last = read(path)
    assert isinstance(first, Article) and isinstance(last, Article)
    assert isinstance(failure, Failure)
    assert failure.origin == f"{path}:2"
    assert failure.kind == "format" and "line 2" in failure.message
    assert last.origin == f"{path}:4"


@pytest.mark.parametrize(
    ("record", "kind", "words"),
    [
        (["a", "list"], "format", "expected a JSON object"),
        ({"title": "no body"}, "no_content", "looked for keys text, body"),
        ({"text": 12}, "format", "should hold text"),
        ({"text": "   ", "body": "\u200b"}, "no_content", "no article body"),
    ],
)
def test_records_that_are_not_articles(tmp_path: Path, record: object, kind: str,
                                       words: str) -> None:
    path = write_lines(tmp_path / "a.jsonl", record, {"text": BODY, "date": "2023-01-01"})
    failure, article = read(path)
    assert isinstance(failure, Failure) and isinstance(article, Article)
    assert (failure.kind, failure.origin) == (kind, f"{path}:1")
    assert words in failure.message and failure.message.startswith("line 1:")


def test_missing_and_unparsable_dates_are_warnings(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl", {"text": BODY}, {"text": BODY + " 2", "published": "not a date"}
    )
    a1, w1, a2, w2 = read(path)
    assert isinstance(a1, Article) and isinstance(a2, Article)
    assert isinstance(w1, Failure) and isinstance(w2, Failure)
    assert (w1.kind, w1.severity, w1.origin) == ("no_date", "warning", f"{path}:1")
    assert (w2.kind, w2.severity, w2.origin) == ("bad_date", "warning", f"{path}:2")
    assert "'not a date'" in w2.message


def test_a_line_over_max_bytes_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl",
        {"text": "x " * 3000, "date": "2023-01-01"},
        {"text": BODY, "date": "2023-01-02"},
    )
    failure, article = read(path, max_bytes=2000)
    assert isinstance(failure, Failure) and failure.kind == "too_large"
    assert failure.origin == f"{path}:1" and "line 1" in failure.message
    assert isinstance(article, Article) and article.origin == f"{path}:2"


def test_json_list_and_single_object(tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    records = [{"text": BODY, "date": "2023-01-01"}, {"text": BODY + " 2", "date": "2023-01-02"}]
    listing.write_text(json.dumps(records, indent=1), encoding="utf-8")
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"body": BODY, "date": "2023-01-03"}, indent=2), encoding="utf-8")
    first, second, third = read(listing, single)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.origin, second.origin) == (f"{listing}:2", f"{listing}:6")
    assert isinstance(third, Article) and third.origin == str(single)


def test_malformed_json_document(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    good = json.dumps({"text": BODY, "date": "2023-01-01"})
    path.write_text(f'[\n{good},\n{{"text": oops}}\n]', encoding="utf-8")
    article, failure = read(path)
    assert isinstance(article, Article)
    assert isinstance(failure, Failure) and failure.kind == "format"
    assert failure.origin == f"{path}:3" and "line 3" in failure.message


def test_options_are_validated() -> None:
    with pytest.raises(ConfigError):
        JsonlFields(text=())
    with pytest.raises(ConfigError):
        JsonlFields(title=("ok", ""))
    with pytest.raises(ConfigError):
        ReadOptions(max_bytes=0)
