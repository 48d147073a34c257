"""read_sources: paths, directories, globs, gzip, stdin, and bad items in a batch."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import flashpoint.ingest
from flashpoint.errors import BinaryInputError
from flashpoint.ingest import ReadOptions, read_sources
from flashpoint.model import Article, Failure

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
ARTICLE = "Border talks resume\n\nBy AFP\n\n2023-02-16\n\nNegotiators met on Thursday.\n"


def text_article(title: str, body: str = "Officials met on Thursday.") -> str:
    return f"{title}\n\nFebruary 16, 2023\n\n{body}\n"


def read(*sources: object, stdin: io.BytesIO | None = None,
         **options: object) -> list[Article | Failure]:
    return list(read_sources(sources, options=ReadOptions(**options), stdin=stdin))  # type: ignore[arg-type]


def summary(items: list[Article | Failure]) -> list[str]:
    """One short string per item: the article title or the error kind (no warnings)."""
    return [
        item.title or "?" if isinstance(item, Article) else f"<{item.kind}>"
        for item in items
        if isinstance(item, Article) or item.severity == "error"
    ]


def test_public_api() -> None:
    assert flashpoint.ingest.__all__ == [
        "JsonlFields", "ReadOptions", "normalize_body", "read_sources"
    ]


def test_directory_recursive_sorted_skipping_hidden_and_non_articles(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(text_article("B z"), encoding="utf-8")
    (tmp_path / "a.md").write_text(text_article("# A"), encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><body><article><p>" + "Talks resumed on Thursday in Minsk. " * 5
        + "</p></article></body></html>", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"text": "Body.", "title": "D", "date": "2023-01-01"}) + "\n", encoding="utf-8")
    (tmp_path / "e").write_text(text_article("E no suffix"), encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(PNG)
    (tmp_path / "junk.dat").write_bytes(os.urandom(2000) + b"\x00")
    (tmp_path / "README.md").write_text("# About this corpus\n\nNotes.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(text_article("hidden"), encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(text_article("git"), encoding="utf-8")
    items = read(tmp_path)
    titles = summary(items)
    assert len(titles) == 5
    assert titles[:2] == ["A", "B z"]
    assert titles[3:] == ["D", "E no suffix"]
    origins = [item.origin for item in items if isinstance(item, Article)]
    assert origins[1:3] == [str(tmp_path / "b" / "z.txt"), str(tmp_path / "c.html")]


def test_explicitly_named_non_article_files_are_failures(tmp_path: Path) -> None:
    png = tmp_path / "photo.png"
    png.write_bytes(PNG)
    renamed = tmp_path / "image.txt"
    renamed.write_bytes(PNG)
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(1, 32)) * 100)  # no NUL, but all control characters
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    items = read(png, renamed, junk, good)
    assert summary(items) == ["<binary>", "<binary>", "<binary>", "Border talks resume"]
    assert "PNG image" in items[1].message  # type: ignore[union-attr]


def test_empty_and_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \n\r\n\t \n")
    bom_only = tmp_path / "bom.md"
    bom_only.write_bytes(b"\xef\xbb\xbf\n")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    items = read(empty, blank, bom_only, tmp_path / "missing.txt", tmp_path / "no-*.txt",
                 empty_dir, good)
    assert summary(items) == ["<empty>", "<empty>", "<empty>", "<not_found>", "<not_found>",
                              "<empty>", "Border talks resume"]
    assert items[3].origin == str(tmp_path / "missing.txt")
    assert "0 bytes" in items[0].message  # type: ignore[union-attr]


def test_globs(tmp_path: Path) -> None:
    (tmp_path / "x" / "y").mkdir(parents=True)
    for name in ("x/one.txt", "x/y/two.txt", "x/y/three.html", "four.txt"):
        (tmp_path / name).write_text(text_article(name), encoding="utf-8")
    assert summary(read(f"{tmp_path}/x/**/*.txt")) == ["x/one.txt", "x/y/two.txt"]
    assert summary(read(f"{tmp_path}/*.tx?")) == ["four.txt"]


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", "The caf\u00e9 owner said \u201cwe stay open\u201d \u2014 for now."),
        ("latin-1", "Na\u00efve fa\u00e7ade: the \u00e9migr\u00e9 paid \u00a35 at the caf\u00e9."),
        ("utf-8-sig", "Caf\u00e9 \u201cquotes\u201d with a BOM."),
        ("utf-16", "Caf\u00e9 \u201cquotes\u201d in UTF-16 with its BOM."),
    ],
)
def test_legacy_encodings_decode_right(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(f"Title\n\n{text}\n".encode(encoding))
    article = read(path)[0]
    assert isinstance(article, Article)
    assert article.text == text


def test_gzip_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(text_article("gz text").encode()))
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(
        ("<html><head><title>gz html</title></head><body><article><p>"
         + "Talks resumed on Thursday in Minsk. " * 5 + "</p></article></body></html>").encode()))
    lines = [json.dumps({"text": f"Body {n}.", "title": f"gz line {n}", "date": "2023-01-01"})
             for n in (1, 2)]
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    (tmp_path / "d.gz").write_bytes(gzip.compress(text_article("gz sniffed").encode()))
    items = read(tmp_path)
    assert summary(items) == ["gz text", "gz html", "gz line 1", "gz line 2", "gz sniffed"]
    [line] = [i for i in items if isinstance(i, Article) and i.title == "gz line 1"]
    assert line.origin == f"{tmp_path / 'c.jsonl.gz'}:1"


def test_truncated_gzip_keeps_the_lines_read(tmp_path: Path) -> None:
    lines = "".join(
        json.dumps({"text": f"Article number {n} " + "word " * 200, "title": f"L{n}",
                    "date": "2023-01-01"}) + "\n"
        for n in range(1, 200)
    ).encode()
    whole = gzip.compress(lines)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    corrupt = tmp_path / "corrupt.txt.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage that is not deflate data")
    items = read(path, corrupt, tmp_path / "next.txt")
    *articles, failure, corrupt_failure, missing = items
    assert len(articles) > 10 and all(isinstance(a, Article) for a in articles)
    assert summary(articles)[:2] == ["L1", "L2"]
    assert isinstance(failure, Failure)
    assert (failure.kind, failure.origin) == ("gzip", str(path))
    assert "truncated or corrupt" in failure.message
    assert isinstance(corrupt_failure, Failure) and corrupt_failure.kind == "gzip"
    assert isinstance(missing, Failure) and missing.kind == "not_found"


@pytest.mark.parametrize(
    ("data", "title"),
    [
        (ARTICLE.encode(), "Border talks resume"),
        (json.dumps({"text": "Body.", "title": "from jsonl", "date": "2023-01-01"}).encode()
         + b"\n", "from jsonl"),
        (b"<!DOCTYPE html><html><head><title>from html</title></head><body><article><p>"
         + b"Talks resumed on Thursday in Minsk. " * 5 + b"</p></article></body></html>",
         "from html"),
        (json.dumps([{"text": "Body.", "title": "from json", "date": "2023-01-01"}],
                    indent=2).encode(), "from json"),
        (gzip.compress(ARTICLE.encode()), "Border talks resume"),
    ],
)
def test_stdin_format_is_sniffed(data: bytes, title: str) -> None:
    items = read("-", stdin=io.BytesIO(data))
    article = items[0]
    assert isinstance(article, Article)
    assert article.title == title
    assert article.origin is not None and article.origin.startswith("<stdin>")


def test_stdin_too_large_and_binary() -> None:
    [failure] = read("-", stdin=io.BytesIO(b"x" * 5000), max_bytes=1000)
    assert isinstance(failure, Failure) and failure.kind == "too_large"
    [failure] = read("-", stdin=io.BytesIO(PNG))
    assert isinstance(failure, Failure) and (failure.kind, failure.origin) == ("binary", "<stdin>")


def test_unexpected_error_in_one_item_is_recorded(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from flashpoint.ingest.records import Parts
    from flashpoint.ingest.text import parse_text

    def flaky(text: str, *, markdown: bool = False) -> Parts:
        if "explode" in text:
            raise RuntimeError("boom")
        return parse_text(text, markdown=markdown)

    monkeypatch.setattr("flashpoint.ingest.sources.parse_text", flaky)
    (tmp_path / "a.txt").write_text("Title\n\nexplode", encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    failure, article = read(tmp_path)
    assert isinstance(failure, Failure)
    assert failure.kind == "internal" and "RuntimeError" in failure.message
    assert isinstance(article, Article)


def test_strict_mode_raises(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(PNG)
    with pytest.raises(BinaryInputError):
        read(path, strict=True)


def test_streaming_is_lazy(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")

    def sources() -> Iterator[str]:
        yield str(tmp_path / "a.txt")
        raise AssertionError("read ahead of the consumer")

    items = read_sources(sources())
    first = next(items)
    assert isinstance(first, Article)
