"""HTML pages through trafilatura: body, metadata, charsets, broken and huge pages."""

from __future__ import annotations

import datetime as dt
import gzip
import time
import tracemalloc
from pathlib import Path

from flashpoint.ingest import ReadOptions, read_sources
from flashpoint.ingest.html import parse_html
from flashpoint.model import Article, Failure

PARAGRAPHS = [
    "The harbour master said on Sunday that the grain corridor would reopen within days, "
    "once naval divers had finished clearing the last of the drifting mines.",
    "\u201cWe are ready to resume loading,\u201d he told reporters at the port, adding that "
    "forty ships were waiting at anchor for permission to enter the harbour.",
    "The ministry has pledged not to close the corridor again without notice, after "
    "insurers raised premiums sharply during the two-week closure.",
]


def page(charset: str = "utf-8", paragraphs: list[str] = PARAGRAPHS, extra: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>Grain corridor to reopen | Harbour Herald</title>
<meta property="og:title" content="Grain corridor to reopen within days">
<meta property="og:url" content="https://herald.example.com/2024/03/03/grain-corridor">
<meta property="og:site_name" content="Harbour Herald">
<meta property="article:published_time" content="2024-03-03T08:15:00+00:00">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Grain corridor to reopen within days</h1>
{body}
{extra}
</article>
<footer>Copyright Harbour Herald. All rights reserved.</footer>
</body></html>"""


def test_html_page(tmp_path: Path) -> None:
    path = tmp_path / "grain.html"
    path.write_text(page(), encoding="utf-8")
    [article] = list(read_sources([path]))
    assert isinstance(article, Article)
    assert article.title == "Grain corridor to reopen within days"
    assert article.url == "https://herald.example.com/2024/03/03/grain-corridor"
    assert article.published == dt.date(2024, 3, 3)
    assert article.source == "Harbour Herald"
    assert article.text == "\n\n".join(PARAGRAPHS)  # no h1, nav or footer
    assert article.origin == str(path)


def test_declared_cp1252_charset(tmp_path: Path) -> None:
    text = ["The caf\u00e9 owner said \u201cwe will stay open\u201d \u2014 for now. " * 3]
    path = tmp_path / "cafe.htm"
    path.write_bytes(page("windows-1252", text).encode("cp1252"))
    [article] = list(read_sources([path]))
    assert isinstance(article, Article)
    assert "caf\u00e9 owner said \u201cwe will stay open\u201d \u2014 for now" in article.text


def test_declared_cyrillic_charset() -> None:
    text = ["\u041c\u0438\u043d\u0441\u043a \u0437\u0430\u043a\u0440\u044b\u043b "
            "\u0433\u0440\u0430\u043d\u0438\u0446\u0443 \u0441 \u041f\u043e\u043b\u044c"
            "\u0448\u0435\u0439 \u0432 \u043f\u044f\u0442\u043d\u0438\u0446\u0443. " * 4]
    parts = parse_html(page("windows-1251", text).encode("cp1251"))
    assert parts.body.startswith("\u041c\u0438\u043d\u0441\u043a \u0437\u0430\u043a")


def test_broken_html_without_content_is_a_failure(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><head><script>var x = '<div>'</script></head><body><div><div",
                      encoding="utf-8")
    good = tmp_path / "good.html"
    good.write_text(page(), encoding="utf-8")
    failure, article = list(read_sources([broken, good]))
    assert isinstance(failure, Failure)
    assert (failure.kind, failure.origin, failure.severity) == ("no_content", str(broken), "error")
    assert isinstance(article, Article)


def test_page_without_date_warns(tmp_path: Path) -> None:
    path = tmp_path / "undated.html"
    html = page().replace(
        '<meta property="article:published_time" content="2024-03-03T08:15:00+00:00">', ""
    ).replace("2024/03/03/", "")  # htmldate would read the date in the URL
    path.write_text(html, encoding="utf-8")
    article, warning = list(read_sources([path]))
    assert isinstance(article, Article) and article.published is None
    assert isinstance(warning, Failure) and warning.kind == "no_date"


def _write_big_html(path: Path, size: int) -> None:
    paragraph = ("<p>" + "The corridor stays open for grain. " * 30 + "</p>\n").encode()
    with path.open("wb") as out:
        out.write(b"<html><body><article>\n")
        for _ in range(size // len(paragraph) + 1):
            out.write(paragraph)
        out.write(b"</article></body></html>")


def test_50_mb_page_is_too_large_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    _write_big_html(big, 50_000_000)
    small = tmp_path / "small.html"
    small.write_text(page(), encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    items = list(read_sources([big, small]))
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    failure, article = items
    assert isinstance(failure, Failure) and failure.kind == "too_large"
    assert "50.0 MB" in failure.message and "20.0 MB" in failure.message
    assert isinstance(article, Article)
    assert elapsed < 5
    assert peak < 10_000_000


def test_gzipped_page_over_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.html.gz"
    raw = tmp_path / "raw.html"
    _write_big_html(raw, 3_000_000)
    path.write_bytes(gzip.compress(raw.read_bytes(), compresslevel=1))
    [failure] = list(read_sources([path], options=ReadOptions(max_bytes=1_000_000)))
    assert isinstance(failure, Failure) and failure.kind == "too_large"
    assert "1.0 MB" in failure.message
