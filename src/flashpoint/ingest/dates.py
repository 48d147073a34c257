"""Publication dates: recognise a date line or a date field, and never invent one.

The publication date anchors every relative date in an article ("on Friday", "last
week"), so a wrong date is worse than none: a missing date is reported as a warning and
the article goes on without it. That is why parsing here is strict: absolute dates only
(day, month and year all written out), no relative expressions ("Thursday", "last
week"), no bare numbers read as timestamps, English only (fast, and the month names our
sources use). ISO dates take a fast path through the standard library.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

# Words that introduce a date line without being part of the date.
_PREFIX = re.compile(
    r"^(?:(?:first|last)\s+)?(?:published|posted|updated|modified|date|dated)\b"
    r"(?:\s+on\b)?[\s:,.\-–—|]*",
    re.IGNORECASE,
)
_LONGEST_DATE_LINE = 80
# Every date we accept names its year; checking for one first spares dateparser (a few
# ms per failed call) the short lines of a body that merely contain a number.
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)|(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d\d(?!\d)")
# Unix timestamps in JSON fields: plausible news dates only (1990 .. 2100).
_EPOCH_RANGE = (631_152_000, 4_102_444_800)


@lru_cache(maxsize=1)
def _parser() -> Any:
    """The dateparser parser, built on first use (importing dateparser costs ~0.1 s)."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            # only the two absolute parsers: no "relative-time" ("last week"), no
            # "timestamp" (a bare number is not a date line), no "no-spaces-time"
            "PARSERS": ["custom-formats", "absolute-time"],
            "STRICT_PARSING": True,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def _iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """The date `text` states, or None when it is not (only) an absolute date.

    >>> parse_date("February 16, 2023")
    datetime.date(2023, 2, 16)
    >>> parse_date("Published: 2023-02-16T09:30:00Z")
    datetime.date(2023, 2, 16)
    >>> parse_date("Thursday") is None
    True
    """
    text = text.strip()
    if not text or len(text) > _LONGEST_DATE_LINE or not _YEAR.search(text):
        return None
    found = _iso(text)
    if found is not None:
        return found
    text = _PREFIX.sub("", text).strip()
    found = _iso(text)
    if found is not None or not text:
        return found
    result = _parser().get_date_data(text).date_obj
    return result.date() if isinstance(result, dt.datetime) else None


def date_from_value(value: object) -> dt.date | None:
    """The date in a JSON field value: an ISO or written date string, or a Unix time."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > _EPOCH_RANGE[1] else value  # milliseconds
        if _EPOCH_RANGE[0] <= seconds <= _EPOCH_RANGE[1]:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
        return None
    if isinstance(value, str):
        return parse_date(value)
    return None
