"""Plain-text and Markdown articles: the reference layout, headers, body-only files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flashpoint.ingest import ReadOptions, read_sources
from flashpoint.ingest.text import parse_byline, parse_text
from flashpoint.model import Article, Failure

SHARED = Path(__file__).parents[1].parent / "shared"
REFERENCE = SHARED / "acceptance" / "belarus-2023-02-16.txt"

# Written for these tests, in the reference article's layout (a page saved as text):
# leading blank lines, title, markdown-link byline, date line, body with a paragraph
# broken mid-sentence, and the "Original url:" trailer on its own lines.
SYNTHETIC = """

Port Authority Says Grain Corridor Will Reopen 'Within Days'

By [Reuters](#)

March 3, 2024



Ships wait at anchor outside the harbour. port-authority.example

The harbour master said Sunday that the corridor would reopen "within days" once the
mines were cleared.

"We are ready to resume loading," he told reporters. "Nobody wants this to drag on."

The ministry has pledged not

to close the corridor again without notice.

Original url:

<https://news.example.com/2024/03/03/grain-corridor-reopen?utm_source=feed>
"""


def read_one(path: Path, **options: object) -> list[Article | Failure]:
    return list(read_sources([path], options=ReadOptions(**options)))  # type: ignore[arg-type]


def only_article(items: list[Article | Failure]) -> Article:
    articles = [item for item in items if isinstance(item, Article)]
    assert len(articles) == 1, items
    return articles[0]


def test_reference_layout(tmp_path: Path) -> None:
    path = tmp_path / "grain.txt"
    path.write_text(SYNTHETIC, encoding="utf-8")
    items = read_one(path)
    article = only_article(items)
    assert items == [article]  # dated: no warning
    assert article.title == "Port Authority Says Grain Corridor Will Reopen 'Within Days'"
    assert article.source == "Reuters"
    assert article.published == dt.date(2024, 3, 3)
    assert article.url == "https://news.example.com/2024/03/03/grain-corridor-reopen?utm_source=feed"
    assert article.text.startswith("Ships wait at anchor")
    assert "has pledged not to close the corridor" in article.text
    assert article.text.endswith("without notice.")
    for excluded in ("Original url", "By ", "March 3, 2024", "Port Authority Says", "<https"):
        assert excluded not in article.text
    assert article.origin == str(path)
    assert article.id.startswith("a")


def test_url_trailer_on_the_same_line_without_brackets() -> None:
    parts = parse_text("Title\n\nBody text here.\n\nOriginal URL: https://example.org/a\n")
    assert parts.url == "https://example.org/a"
    assert parts.body.strip() == "Body text here."


def test_date_line_may_come_before_byline() -> None:
    parts = parse_text("Title\n\n2023-02-16\n\nBy Jane Doe, Reuters\n\nBody.")
    assert (parts.published, parts.source, parts.body.strip()) == (
        dt.date(2023, 2, 16), "Reuters", "Body."
    )


def test_a_line_that_does_not_parse_is_body_not_date() -> None:
    parts = parse_text("Title\n\nThursday\n\nThe talks went on.")
    assert parts.published is None
    assert parts.body.strip().startswith("Thursday")


@pytest.mark.parametrize(
    ("byline", "source", "date"),
    [
        ("[AFP](#)", "AFP", None),
        ("Jane Doe, Reuters", "Reuters", None),
        ("Jane Doe and John Roe, Associated Press", "Associated Press", None),
        ("Jane Doe (Reuters)", "Reuters", None),
        ("Jane Doe for The Guardian", "The Guardian", None),
        ("Jane Doe | The Moscow Times", "The Moscow Times", None),
        ("Jane Doe", None, None),
        ("Josephine Mukamana, Great Lakes Bulletin", "Great Lakes Bulletin", None),
        ("[Sahel Dispatch](#)", "Sahel Dispatch", None),
        ("Staff", None, None),
        ("AFP, February 16, 2023", "AFP", dt.date(2023, 2, 16)),
    ],
)
def test_byline_source(byline: str, source: str | None, date: dt.date | None) -> None:
    assert parse_byline(byline) == (source, date)


def test_markdown_heading_and_inline_markup(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Ceasefire talks resume in **Doha**\n\n*By AP*\n\n16 February 2023\n\n"
        "Negotiators met [in Doha](https://example.org/doha) on Monday.\n\n"
        "## Background\n\n> \"We are hopeful,\" a mediator said.\n\n---\n\n"
        "![map](map.png)The talks broke down in May.\n",
        encoding="utf-8",
    )
    article = only_article(read_one(path))
    assert article.title == "Ceasefire talks resume in Doha"
    assert article.source == "AP"
    assert article.published == dt.date(2023, 2, 16)
    assert article.text == (
        "Negotiators met in Doha on Monday.\n\nBackground\n\n"
        "\"We are hopeful,\" a mediator said.\n\nThe talks broke down in May."
    )


def test_header_block(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Title: Border crossing closed\nDate: 2023-02-09\nURL: <https://example.org/x>\n"
        "Source: PAP\nAuthor: J. Kowalska\n\nWarsaw closed the crossing on Thursday.\n",
        encoding="utf-8",
    )
    article = only_article(read_one(path))
    assert (article.title, article.published, article.url, article.source) == (
        "Border crossing closed", dt.date(2023, 2, 9), "https://example.org/x", "PAP"
    )
    assert article.text == "Warsaw closed the crossing on Thursday."


def test_yaml_front_matter() -> None:
    parts = parse_text(
        '---\nlayout: post\ntitle: "Talks stall"\ntags:\n  - war\npublished: 2022-11-30\n---\n\n'
        "The talks stalled.",
        markdown=True,
    )
    assert (parts.title, parts.published, parts.body.strip()) == (
        "Talks stall", dt.date(2022, 11, 30), "The talks stalled."
    )


def test_a_key_line_followed_by_prose_is_not_a_header() -> None:
    parts = parse_text("Update: the minister resigned\nlate on Friday, officials said.\n\nMore.")
    assert parts.title == "Update: the minister resigned"


def test_body_only_file_warns_about_missing_date(tmp_path: Path) -> None:
    path = tmp_path / "001.txt"
    path.write_text(
        "Labour plans pay rise\n\nMinisters announced the plan on Sunday.\n\nIt was criticised.\n",
        encoding="utf-8",
    )
    items = read_one(path)
    article = only_article(items)
    assert article.title == "Labour plans pay rise"
    assert article.published is None and article.url is None and article.source is None
    assert article.text == "Ministers announced the plan on Sunday.\n\nIt was criticised."
    assert items[1] == Failure(
        origin=str(path), stage="ingest", kind="no_date", severity="warning",
        message="no publication date found; relative dates cannot be resolved",
    )


def test_unparsable_header_date_warns_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title: T\nDate: sometime soon\n\nBody text.\n", encoding="utf-8")
    items = read_one(path)
    assert only_article(items).published is None
    warning = items[1]
    assert isinstance(warning, Failure)
    assert (warning.kind, warning.severity) == ("bad_date", "warning")
    assert "sometime soon" in warning.message


def test_first_line_that_is_prose_stays_in_the_body() -> None:
    line = "Warsaw closed the Bobrowniki border checkpoint last week, citing tensions. " * 4
    parts = parse_text(line + "\n\nSecond paragraph.")
    assert parts.body.startswith("Warsaw closed")
    assert parts.title is not None and parts.title.endswith("…") and len(parts.title) <= 201


def test_one_line_file_is_its_own_body() -> None:
    parts = parse_text("Minsk denies sending troops\n")
    assert parts.title == "Minsk denies sending troops"
    assert parts.body == "Minsk denies sending troops"


def test_title_only_is_no_content(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A headline\n\nBy AFP\n\nFebruary 16, 2023\n", encoding="utf-8")
    [failure] = read_one(path)
    assert isinstance(failure, Failure) and failure.kind == "no_content"


def test_default_source(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("T\n\nBody.", encoding="utf-8")
    assert only_article(read_one(path, default_source="Wire")).source == "Wire"


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared is not available")
def test_reference_article() -> None:
    items = read_one(REFERENCE)
    article = only_article(items)
    assert items == [article]
    assert article.title == "Belarus Says Will Join Ukraine Offensive 'Only' if Attacked"
    assert article.published == dt.date(2023, 2, 16)
    assert article.source == "AFP"
    assert article.url == (
        "https://www.themoscowtimes.com/2023/02/16/"
        "belarus-says-will-join-ukraine-offensive-only-if-attacked-a80245"
    )
    assert article.text.startswith("Belarusian President")
    assert "Original url" not in article.text
    assert "has promised not to send his forces" in article.text


def test_header_block_under_a_markdown_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "# Talks Resume\n\nDate: 2024-02-08\nSource: Adriatic Press Service\n"
        "URL: https://example.org/talks\n\nThe envoys met on Thursday.\n", encoding="utf-8")
    article = only_article(read_one(path))
    assert article.title == "Talks Resume"
    assert article.published == dt.date(2024, 2, 8)
    assert article.source == "Adriatic Press Service"
    assert article.url == "https://example.org/talks"
    assert article.text == "The envoys met on Thursday."


def test_every_bundled_example_has_full_metadata() -> None:
    from flashpoint.cli import examples_dir

    items = list(read_sources([str(examples_dir())]))
    assert all(isinstance(i, Article) for i in items), [i for i in items if isinstance(i, Failure)]
    assert len(items) >= 18
    for article in items:
        assert isinstance(article, Article)
        assert article.title and article.published, article.origin
        assert article.source and article.url, article.origin
        assert "Source:" not in article.text[:200] and "Original url" not in article.text
