"""Temporal expressions resolve against the publication date the way an analyst reads them.

The table drives `resolve()` through every rule of `flashpoint.nlp.dates` (month, year
and leap-day boundaries included); the sentence tests check `find_dates` offsets, the
longest-match rule and the numbers that must not become dates; hypothesis checks that
arbitrary text never breaks it and that its word-anchored search finds exactly what
trying every offset would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashpoint.nlp import dates
from flashpoint.nlp.dates import Precision, ResolvedDate, Tense, find_dates, resolve

D = dt.date.fromisoformat
THU = D("2023-02-16")  # the reference article's dateline, a Thursday
SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "acceptance" / "belarus-2023-02-16.txt"

# (expression, published, tense, expected date, precision)
CASES: list[tuple[str, dt.date, Tense | None, str, Precision]] = [
    # today / yesterday / tomorrow
    ("today", THU, None, "2023-02-16", "day"),
    ("yesterday", THU, "past", "2023-02-15", "day"),
    ("tomorrow", THU, "future", "2023-02-17", "day"),
    ("tonight", THU, None, "2023-02-16", "day"),
    ("this morning", THU, "past", "2023-02-16", "day"),
    ("last night", THU, "past", "2023-02-15", "day"),
    ("tomorrow night", THU, None, "2023-02-17", "day"),
    ("the day before yesterday", THU, None, "2023-02-14", "day"),
    ("yesterday", D("2023-01-01"), None, "2022-12-31", "day"),
    ("tomorrow", D("2024-02-28"), None, "2024-02-29", "day"),
    # weekdays: past -> on or before, future -> on or after, unknown/present -> past
    ("Thursday", THU, "past", "2023-02-16", "day"),
    ("Thursday", THU, None, "2023-02-16", "day"),
    ("Thursday", THU, "future", "2023-02-16", "day"),
    ("Friday", THU, "future", "2023-02-17", "day"),
    ("on Friday", THU, "future", "2023-02-17", "day"),
    ("Friday", THU, "past", "2023-02-10", "day"),
    ("on Friday", THU, None, "2023-02-10", "day"),
    ("on Friday", THU, "present", "2023-02-10", "day"),
    ("on Monday", THU, "past", "2023-02-13", "day"),
    ("on Monday", THU, "future", "2023-02-20", "day"),
    ("Friday night", THU, "future", "2023-02-17", "day"),
    ("Friday", D("2023-01-02"), "past", "2022-12-30", "day"),
    ("Monday", D("2022-12-29"), "future", "2023-01-02", "day"),
    ("last Thursday", THU, None, "2023-02-09", "day"),
    ("last Friday", THU, "future", "2023-02-10", "day"),
    ("next Thursday", THU, None, "2023-02-23", "day"),
    ("next Friday", THU, None, "2023-02-17", "day"),
    ("this Friday", THU, None, "2023-02-17", "day"),
    ("this Monday", THU, "past", "2023-02-13", "day"),
    # weeks and weekends
    ("last week", THU, "past", "2023-02-09", "week"),
    ("this week", THU, None, "2023-02-16", "week"),
    ("next week", THU, "future", "2023-02-23", "week"),
    ("earlier this week", THU, "past", "2023-02-16", "week"),
    ("last week", D("2023-01-03"), "past", "2022-12-27", "week"),
    ("the end of the week", THU, None, "2023-02-16", "week"),
    ("last weekend", THU, None, "2023-02-11", "week"),
    ("this weekend", THU, None, "2023-02-18", "week"),
    ("next weekend", THU, None, "2023-02-25", "week"),
    ("over the weekend", D("2023-02-20"), "past", "2023-02-18", "week"),
    ("at the weekend", THU, "future", "2023-02-18", "week"),
    ("at the weekend", D("2023-02-19"), "future", "2023-02-18", "week"),
    # months
    ("last month", THU, "past", "2023-01-01", "month"),
    ("this month", THU, None, "2023-02-01", "month"),
    ("earlier this month", THU, "past", "2023-02-01", "month"),
    ("later this month", THU, "future", "2023-02-01", "month"),
    ("next month", THU, "future", "2023-03-01", "month"),
    ("by the end of the month", THU, "future", "2023-02-01", "month"),
    ("last month", D("2023-01-02"), "past", "2022-12-01", "month"),
    ("next month", D("2023-12-31"), "future", "2024-01-01", "month"),
    # years
    ("last year", THU, "past", "2022-01-01", "year"),
    ("this year", THU, None, "2023-01-01", "year"),
    ("next year", THU, "future", "2024-01-01", "year"),
    ("earlier this year", THU, None, "2023-01-01", "year"),
    ("late last year", D("2023-01-02"), "past", "2022-01-01", "year"),
    # "... ago": day arithmetic, precision from the unit
    ("a year ago", THU, "past", "2022-02-16", "year"),
    ("a year ago", D("2024-02-29"), "past", "2023-02-28", "year"),
    ("two weeks ago", THU, "past", "2023-02-02", "week"),
    ("three days ago", THU, "past", "2023-02-13", "day"),
    ("10 days ago", D("2023-01-05"), "past", "2022-12-26", "day"),
    ("six months ago", D("2023-08-31"), "past", "2023-02-28", "month"),
    ("1 month ago", THU, None, "2023-01-16", "month"),
    ("twelve years ago", THU, None, "2011-02-16", "year"),
    # month names
    ("in October", THU, "past", "2022-10-01", "month"),
    ("in October", THU, None, "2022-10-01", "month"),
    ("in October", THU, "future", "2023-10-01", "month"),
    ("in February", THU, "past", "2023-02-01", "month"),
    ("in February", THU, "future", "2023-02-01", "month"),
    ("since January", THU, None, "2023-01-01", "month"),
    ("mid-October", THU, None, "2022-10-01", "month"),
    ("the end of March", THU, "future", "2023-03-01", "month"),
    ("last October", D("2023-11-10"), None, "2023-10-01", "month"),
    ("last October", D("2023-10-10"), None, "2022-10-01", "month"),
    ("last February", THU, "past", "2022-02-01", "month"),
    ("next October", THU, None, "2023-10-01", "month"),
    ("next February", THU, None, "2024-02-01", "month"),
    ("this October", THU, None, "2023-10-01", "month"),
    ("October 2022", THU, None, "2022-10-01", "month"),
    ("in early March 2021", THU, "future", "2021-03-01", "month"),
    ("Oct. 1917", THU, None, "1917-10-01", "month"),
    # years after a preposition or early/mid/late
    ("in 2019", THU, "past", "2019-01-01", "year"),
    ("since 1994", THU, None, "1994-01-01", "year"),
    ("by 2030", THU, "future", "2030-01-01", "year"),
    ("until 2099", THU, None, "2099-01-01", "year"),
    ("in early 2023", THU, None, "2023-01-01", "year"),
    ("mid-2022", THU, None, "2022-01-01", "year"),
    # explicit dates
    ("February 16, 2023", THU, None, "2023-02-16", "day"),
    ("Feb. 16, 2023", D("2030-01-01"), "future", "2023-02-16", "day"),
    ("16 February 2023", THU, None, "2023-02-16", "day"),
    ("the 16th of February 2023", THU, None, "2023-02-16", "day"),
    ("2023-02-16", THU, None, "2023-02-16", "day"),
    ("on Thursday, February 16, 2023", THU, "past", "2023-02-16", "day"),
    ("Feb. 16", THU, "past", "2023-02-16", "day"),
    ("February 20", THU, "past", "2022-02-20", "day"),
    ("February 20", THU, "future", "2023-02-20", "day"),
    ("February 20", THU, None, "2023-02-20", "day"),
    ("December 30", D("2023-01-02"), None, "2022-12-30", "day"),
    ("January 3", D("2022-12-30"), "future", "2023-01-03", "day"),
    ("February 29", THU, "past", "2020-02-29", "day"),
    ("3 March", THU, "future", "2023-03-03", "day"),
    ("on Sept. 5", THU, "past", "2022-09-05", "day"),
    # resolve() is lenient: the caller vouches that the string is temporal
    ("october", THU, "future", "2023-10-01", "month"),
    ("1994", THU, None, "1994-01-01", "year"),
    # shapes outside the grammar go to dateparser, re-anchored by the same rules
    ("March the 3rd, 2024", THU, None, "2024-03-03", "day"),
    ("Tuesday, 5 March 2024 at noon", THU, None, "2024-03-05", "day"),
]


@pytest.mark.parametrize(
    ("expression", "published", "tense", "expected", "precision"),
    CASES,
    ids=[f"{c[0]}|{c[1]}|{c[2]}" for c in CASES],
)
def test_resolve(expression: str, published: dt.date, tense: Tense | None, expected: str,
                 precision: Precision) -> None:
    assert resolve(expression, published, tense) == (D(expected), precision)


@pytest.mark.parametrize(
    "expression",
    ["recently", "soon", "in the coming days", "this summer", "last spring", "in the 1990s",
     "the previous day", "February 30, 2023", "2019 soldiers", "an hour ago", "Route 66",
     "over the last week", "03/05/2024", "a few days ago", "someday", ""],
)
def test_vague_or_impossible_expressions_are_not_resolved(expression: str) -> None:
    assert resolve(expression, THU, None) is None
    assert resolve(expression, THU, "future") is None


def test_arithmetic_past_the_calendar_edges_is_unresolved_not_an_error() -> None:
    assert resolve("yesterday", dt.date.min) is None
    assert resolve("next year", dt.date.max) is None
    assert resolve("12 years ago", dt.date(5, 1, 1)) is None


# --- find_dates on whole sentences --------------------------------------------------------


def spans(found: list[ResolvedDate]) -> list[tuple[str, str, Precision]]:
    return [(r.text, r.date.isoformat(), r.precision) for r in found]


def assert_exact(text: str, found: list[ResolvedDate]) -> None:
    for r in found:
        assert text[r.start : r.end] == r.text
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start


def test_tense_at_decides_each_weekday() -> None:
    text = "The president said Thursday that the ministers are due to meet on Friday."
    boundary = text.index("that")
    asked: list[int] = []

    def tense_at(offset: int) -> Tense | None:
        asked.append(offset)
        return "past" if offset < boundary else "future"

    found = find_dates(text, THU, tense_at)
    assert_exact(text, found)
    assert spans(found) == [("Thursday", "2023-02-16", "day"), ("on Friday", "2023-02-17", "day")]
    assert (found[0].start, found[0].end) == (19, 27)
    assert (found[1].start, found[1].end) == (text.index("on Friday"), len(text) - 1)
    # asked only where a weekday starts ("on Friday" and the shorter "Friday" inside it)
    assert set(asked) == {19, text.index("on Friday"), text.index("Friday")}


def test_without_tense_a_weekday_is_read_as_past() -> None:
    found = find_dates("Lukashenko was due to meet Putin on Friday.", THU)
    assert spans(found) == [("on Friday", "2023-02-10", "day")]


def test_relative_expressions_in_a_paragraph() -> None:
    text = ("Warsaw closed the checkpoint last week. Putin last month backed the plan, and "
            "Lukashenko, in power since 1994, spoke a year ago; he was due in Moscow "
            "later this month and would return two weeks ago, said aides in October.")
    found = find_dates(text, THU)
    assert_exact(text, found)
    assert spans(found) == [
        ("last week", "2023-02-09", "week"),
        ("last month", "2023-01-01", "month"),
        ("since 1994", "1994-01-01", "year"),
        ("a year ago", "2022-02-16", "year"),
        ("later this month", "2023-02-01", "month"),
        ("two weeks ago", "2023-02-02", "week"),
        ("in October", "2022-10-01", "month"),
    ]


def test_longest_match_wins_and_matches_never_overlap() -> None:
    text = ("On Thursday, February 16, 2023 the talks began; the force was formed in October "
            "2022 and met on 16 February 2023, or 2023-02-16, in early March 2021.")
    found = find_dates(text, THU)
    assert_exact(text, found)
    assert [r.text for r in found] == [
        "On Thursday, February 16, 2023", "in October 2022", "on 16 February 2023",
        "2023-02-16", "in early March 2021",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Its forces are estimated at between 60,000 and 70,000 troops.",
        "The ministry sent 2019 soldiers and 1994 tanks up Route 66.",
        "They may march in support; it could mean August company.",
        "Pilgrims marked Good Friday and shoppers Black Friday, as they do every Friday.",
        "He told Russia Today that the situation was calm.",
        "Casualties rose over the last week and in the coming days, recently, this summer.",
        "In the 1990s the 12.2020 figure and 3,2019 total rose 1,16 March.",
        "",
    ],
)
def test_numbers_and_names_that_are_not_dates(text: str) -> None:
    assert find_dates(text, THU, lambda _: "past") == []


def test_without_published_only_absolute_dates_resolve() -> None:
    text = ("In 2019 the troops left; last week they returned on Friday, on February 16, "
            "2023, in October and in October 2022, Feb. 20 and 2021-05-01.")
    found = find_dates(text, None)
    assert_exact(text, found)
    assert spans(found) == [
        ("In 2019", "2019-01-01", "year"),
        ("on February 16, 2023", "2023-02-16", "day"),
        ("in October 2022", "2022-10-01", "month"),
        ("2021-05-01", "2021-05-01", "day"),
    ]


def test_offsets_survive_line_breaks_and_unicode() -> None:
    text = "Łukaszenka — «said»\nlast\n\nweek that\u00a0on Friday… 🎉 it ended yesterday."
    found = find_dates(text, THU)
    assert_exact(text, found)
    assert spans(found) == [
        ("last\n\nweek", "2023-02-09", "week"),
        ("on Friday", "2023-02-10", "day"),
        ("yesterday", "2023-02-15", "day"),
    ]


def test_resolved_date_is_frozen() -> None:
    found = find_dates("It happened yesterday.", THU)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.start = 0  # type: ignore[misc]


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared is absent")
def test_reference_article_dates() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    published = D(json.loads((REFERENCE.parent / "expected.json").read_text())["published"])

    def tense_at(offset: int) -> Tense | None:
        # what a clause-level tagger should say: the one planned meeting is in the future
        return "future" if text.startswith("on Friday", offset) else "past"

    found = {r.text: r for r in find_dates(text, published, tense_at)}
    assert_exact(text, sorted(found.values(), key=lambda r: r.start))
    assert found["on Friday"].date == D("2023-02-17")
    assert D("2023-02-06") <= found["last week"].date <= D("2023-02-12")
    assert found["last month"].date.isoformat().startswith("2023-01")
    assert found["a year ago"].date.isoformat().startswith("2022")
    assert found["Thursday"].date == published
    assert found["last February"].date == D("2022-02-01")
    assert found["since 1994"].date == D("1994-01-01")


# --- properties ---------------------------------------------------------------------------

TENSES = st.sampled_from(["past", "present", "future", None])


@settings(max_examples=300, deadline=None)
@given(text=st.text(), published=st.none() | st.dates(), tense=TENSES)
def test_find_dates_never_raises_and_offsets_index_the_text(
    text: str, published: dt.date | None, tense: Tense | None
) -> None:
    found = find_dates(text, published, lambda _: tense)
    assert_exact(text, found)
    assert all(r.start < r.end for r in found)


VOCABULARY = [
    "on", "in", "since", "by", "of", "the", "a", "two", "last", "next", "this", "earlier",
    "later", "early", "mid", "end", "of", "week", "weeks", "month", "year", "weekend", "ago",
    "days", "yesterday", "today", "tomorrow", "night", "morning", "Friday", "Thursday",
    "October", "May", "Feb.", "Sept", "16", "16th", "3", "2019", "2023", "1994", "60,000",
    "2023-02-16", "Good", "Russia", "every", "said", "troops", "Route", "66", "over", "at",
]
SEPARATORS = [" ", "  ", "\n", ", ", "-", ". ", " — "]


@st.composite
def newsy_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(VOCABULARY), max_size=14))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps, strict=True))


def find_dates_everywhere(text: str, published: dt.date, tense: Tense | None
                          ) -> list[ResolvedDate]:
    """find_dates without its word-anchored shortcut: every pattern at every offset."""
    found = []
    for pos in range(len(text)):
        for pattern in dates._PATTERNS:
            m = pattern.regex.match(text, pos)
            if m and not dates._rejected(pattern, text, m):
                res = dates._safe(pattern, m, published, tense)
                if res:
                    found.append(ResolvedDate(res[0], res[1], pos, m.end(), m[0]))
    kept: list[ResolvedDate] = []
    for cand in sorted(found, key=lambda r: (r.start - r.end, r.start)):
        if all(cand.end <= k.start or cand.start >= k.end for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda r: r.start)


@settings(max_examples=300, deadline=None)
@given(text=newsy_text(), published=st.dates(D("1990-01-01"), D("2030-12-31")), tense=TENSES)
def test_word_anchored_search_finds_what_every_offset_finds(
    text: str, published: dt.date, tense: Tense | None
) -> None:
    assert find_dates(text, published, lambda _: tense) == find_dates_everywhere(
        text, published, tense
    )
