"""WARC / ARC ingestion: HTML responses become articles, the rest is skipped, and a
corrupt record costs that record only. The archives are written here with warcio."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flashpoint.ingest import ReadOptions, read_sources
from flashpoint.model import Article, Failure

PARAGRAPH = (
    "The foreign minister said on Tuesday that talks with the neighbouring government "
    "would resume next week, after the border crossing at the river was closed to trucks "
    "for three days and hundreds of drivers waited in the cold. "
)


def page(n: int, *, dated: bool = False, charset: str = "utf-8") -> bytes:
    date = '<meta property="article:published_time" content="2023-02-16">' if dated else ""
    body = "".join(f"<p>Story {n}, paragraph {i}. {PARAGRAPH}</p>" for i in range(4))
    return (
        f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>Story {n} headline"
        f"</title>{date}</head><body><nav>Home | World</nav><article><h1>Story {n} headline"
        f"</h1>{body}</article><footer>Copyright</footer></body></html>"
    ).encode(charset)


def response(writer: WARCWriter, url: str, payload: bytes, *, content_type: str = "text/html",
             status: str = "200 OK", date: str = "2024-03-05T10:00:00Z") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), length=len(payload),
        http_headers=headers, warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def write_warc(path: Path, *, gzipped: bool = True) -> list[int]:
    """A small crawl; returns the offset where each record starts."""
    offsets: list[int] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)

        def mark() -> None:
            offsets.append(out.tell())

        mark()
        request = writer.create_warc_record(
            "https://news.example/1", "request", payload=io.BytesIO(b"GET /1 HTTP/1.1\r\n\r\n"),
            length=19, warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"},
        )
        writer.write_record(request)
        mark()
        response(writer, "https://news.example/1", page(1))                       # article
        mark()
        response(writer, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200),
                 content_type="image/png")                                        # not HTML
        mark()
        response(writer, "https://news.example/2", page(2, dated=True),
                 content_type="text/html; charset=windows-1251")                  # article
        mark()
        revisit = writer.create_revisit_record(
            "https://news.example/1", digest="sha1:AAAA", refers_to_uri="https://news.example/1",
            refers_to_date="2024-03-05T10:00:00Z",
        )
        writer.write_record(revisit)
        mark()
        response(writer, "https://news.example/gone", b"<html>Not found</html>",
                 status="404 Not Found")                                          # error page
        mark()
        response(writer, "https://news.example/empty", b"<html><body></body></html>")  # no body
        mark()
        response(writer, "https://news.example/3", page(3))                       # article
        mark()
    return offsets


def items(path: Path, **options: object) -> tuple[list[Article], list[Failure]]:
    found = list(read_sources([path], options=ReadOptions(**options)))  # type: ignore[arg-type]
    articles = [i for i in found if isinstance(i, Article)]
    failures = [i for i in found if isinstance(i, Failure) and i.severity == "error"]
    return articles, failures


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_html_responses_become_articles(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    offsets = write_warc(path, gzipped=name.endswith(".gz"))
    articles, failures = items(path)
    assert [a.url for a in articles] == [
        "https://news.example/1", "https://news.example/2", "https://news.example/3"]
    assert [a.title for a in articles] == ["Story 1 headline", "Story 2 headline",
                                           "Story 3 headline"]
    assert all(PARAGRAPH.strip()[:40] in a.text for a in articles)
    # The page's own date wins; without one, the capture date (WARC-Date) stands in.
    assert [a.published for a in articles] == [
        dt.date(2024, 3, 5), dt.date(2023, 2, 16), dt.date(2024, 3, 5)]
    assert articles[0].origin == f"{path}@{offsets[1]}"
    # The page without a body is this crawl's only failure; the rest was skipped silently.
    assert [(f.kind, f.origin) for f in failures] == [("no_content", f"{path}@{offsets[6]}")]


def test_http_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.warc.gz"
    text = "Министр иностранных дел заявил во вторник, что переговоры возобновятся. " * 8
    html = (f"<html><head><title>Переговоры</title></head><body><article><p>{text}</p>"
            f"<p>{text}</p></article></body></html>").encode("cp1251")
    with path.open("wb") as out:
        response(WARCWriter(out, gzip=True), "https://ru.example/1", html,
                 content_type="text/html; charset=windows-1251")
    (article,), _ = items(path)
    assert "Министр иностранных дел" in article.text


def test_corrupt_gzip_member_costs_one_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    offsets = write_warc(path)
    data = path.read_bytes()
    # Cut the second article's member short in the middle of its compressed bytes.
    start, end = offsets[3], offsets[4]
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[:start + (end - start) // 2] + data[end:])
    articles, failures = items(broken)
    assert [a.url for a in articles] == ["https://news.example/1", "https://news.example/3"]
    # The cut member is blamed at its own offset, whatever its cut bytes happen to decode to
    # (warcio alone decodes on into the next member and fails records later, or never).
    kinds = [(f.kind, f.origin) for f in failures]
    assert kinds[0] == ("gzip", f"{broken}@{start}")
    assert [kind for kind, _ in kinds] == ["gzip", "no_content"]


@pytest.mark.parametrize("flip", [0.3, 0.6, 0.9])
def test_flipped_byte_in_a_skipped_record_loses_no_article(tmp_path: Path, flip: float) -> None:
    """A damaged image member must not take the article after it down with it."""
    path = tmp_path / "crawl.warc.gz"
    offsets = write_warc(path)
    data = bytearray(path.read_bytes())
    start, end = offsets[2], offsets[3]  # the PNG response
    at = start + 10 + int((end - start - 18) * flip)  # inside the deflate data
    data[at] ^= 0xFF
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(bytes(data))
    articles, failures = items(broken)
    assert [a.url for a in articles] == [
        "https://news.example/1", "https://news.example/2", "https://news.example/3"]
    assert [(f.kind, f.origin) for f in failures][0] == ("gzip", f"{broken}@{start}")


def test_corrupt_record_header_costs_one_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    offsets = write_warc(path, gzipped=False)
    data = path.read_bytes()
    assert data[offsets[3]:offsets[3] + 5] == b"WARC/"
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data[:offsets[3]] + b"WARX/" + data[offsets[3] + 5:])
    articles, failures = items(broken)
    assert [a.url for a in articles] == ["https://news.example/1", "https://news.example/3"]
    assert [(f.kind, f.origin) for f in failures][0] == ("format", f"{broken}@{offsets[3]}")


def test_truncated_archive_keeps_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    offsets = write_warc(path)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(path.read_bytes()[: offsets[7] + 40])  # the last member is cut
    articles, failures = items(cut)
    assert [a.url for a in articles] == ["https://news.example/1", "https://news.example/2"]
    assert failures[-1].kind in {"gzip", "format"}
    assert failures[-1].origin == f"{cut}@{offsets[7]}"


def test_oversized_record_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    articles, failures = items(path, max_bytes=1000)
    assert articles == []
    assert [f.kind for f in failures].count("too_large") == 3
    assert {f.kind for f in failures} == {"too_large", "no_content"}  # the empty page


def test_directory_walk_reads_warc(tmp_path: Path) -> None:
    write_warc(tmp_path / "crawl.warc.gz")
    (tmp_path / "notes.txt").write_text("A short plain-text note about the border talks.\n")
    found = list(read_sources([tmp_path]))
    urls = [i.url for i in found if isinstance(i, Article)]
    assert urls[:3] == ["https://news.example/1", "https://news.example/2",
                        "https://news.example/3"]


def test_not_gzip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(gzip.compress(b"hello")[:5] + b"garbage" * 10)
    articles, failures = items(path)
    assert articles == [] and len(failures) == 1


def arc_record(header: str, body: bytes) -> bytes:
    return f"{header} {len(body)}\n".encode() + body + b"\n"


@pytest.mark.parametrize("name", ["old.arc", "old.arc.gz"])
def test_arc_files_are_read(tmp_path: Path, name: str) -> None:
    """The older ARC format (Internet Archive, Heritrix 1): warcio converts each record."""
    description = b"1 0 flashpoint-test\nURL IP-address Archive-date Content-type Archive-length\n"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page(4)
    records = [
        arc_record("filedesc://old.arc 0.0.0.0 20240305100000 text/plain", description),
        arc_record("https://news.example/4 93.184.216.34 20240306120000 text/html", http),
    ]
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(b"".join(gzip.compress(r) for r in records))
    else:
        path.write_bytes(b"".join(records))
    (article,), failures = items(path)
    assert failures == []
    assert (article.url, article.title, article.published) == (
        "https://news.example/4", "Story 4 headline", dt.date(2024, 3, 6))


def test_whole_file_gzip_gets_a_hint(tmp_path: Path) -> None:
    plain = tmp_path / "crawl.warc"
    write_warc(plain, gzipped=False)
    path = tmp_path / "onepiece.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    _, failures = items(path)
    assert "warcio recompress" in failures[0].message
