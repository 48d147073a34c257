"""Temporal expressions in news text, resolved against the article's publication date.

Wire copy rarely prints a full date: it says "said Thursday", "last week", "a year ago".
An event row is only useful to an analyst when such phrases become calendar dates, and
only honest when it also says how far to trust them, so every resolution is a
`(date, precision)` pair. The reference point is always `published`, the dateline date,
never the clock of the machine that runs the coder.

The module is pure Python and knows nothing of spaCy: callers give the grammatical tense
(the clause's verb decides whether "on Friday" is last Friday or next Friday). Relative
expressions are resolved with plain date arithmetic because this runs on every clause of
every article; `dateparser` is only a fallback of `resolve()` for absolute dates written
in a shape the grammar below does not know ("March the 3rd, 2024").

Rules (`published` = P; "back" = on or before P, "forward" = on or after P):

- today, tonight, this morning/afternoon/evening, earlier/later today -> P (day);
  yesterday, last night -> P-1; tomorrow -> P+1; the day before yesterday / after
  tomorrow -> P-2 / P+2.
- Weekday names (day): past tense -> back (the same day when P is that weekday);
  future -> forward (also the same day when equal: "will meet on Thursday" in a
  Thursday article means today); present or unknown -> back. "last Friday" is strictly
  before P, "next Friday" strictly after (the nearest one, not "the one of next week"),
  "this Friday" back in past tense, forward otherwise.
- last/this/next week -> P-7 / P / P+7 (week); month -> the 1st of the previous, this,
  next month (month); year -> 1 January of the previous, this, next year (year).
  "earlier"/"later"/"early"/"late" and "the start/end/middle of" do not move the date,
  so "later this month" and "the end of the month" are this month. "the last week", "the
  next month" (rolling windows) are not resolved.
- last/this/next weekend -> the Saturday of the previous, current, next Monday-based
  week; "over/at/during/on the weekend" -> back or forward like weekdays (week).
- "N days/weeks/months/years ago" (digits, one..twelve, a/an) -> P minus that much with
  day/week/month/year precision; months and years clamp to the month's last day
  (2024-02-29 minus a year is 2023-02-28).
- Month names need a preposition, "last/next/this" or "early/mid/late" before them
  (bare "May" and "March" are verbs), and a capital. "in October": back (the current
  month counts) for past, present and unknown tense, forward for future (month).
  "last October" is the October before the current month's (an October article's
  "last October" is a year back); "next October" the one after; "this October" the one
  of P's year. "October 2022" -> 2022-10-01 (month).
- Years 1900-2099 after in/since/by/until/till/from/during/through/before/after/of, or
  after early/mid/late -> 1 January (year); "2019 troops" is not a date.
- Explicit dates "February 16, 2023", "Feb. 16 2023", "16 February 2023", "the 16th of
  February", "2023-02-16" (day). Without a year: past -> back, future -> forward,
  present or unknown -> the occurrence nearest to P (ties go back).
- Not resolved, by design: seasons, "recently", "soon", "in the coming days",
  decades, "the previous/following day", numeric D/M/Y (ambiguous between US and
  European order), times of day on their own. Returning nothing beats inventing a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # dateparser is imported lazily: most articles never need it
    from dateparser.date import DateDataParser

__all__ = ["Precision", "ResolvedDate", "Tense", "find_dates", "resolve"]

Precision = Literal["day", "week", "month", "year"]
Tense = Literal["past", "present", "future"]
_Direction = Literal["back", "forward", "nearest"]
_Resolution = tuple[dt.date, Precision]


@dataclass(frozen=True)
class ResolvedDate:
    """A temporal expression found in a text: `text == source[start:end]`."""

    date: dt.date
    precision: Precision
    start: int
    end: int
    text: str


def _table(names: str) -> Mapping[str, int]:
    return MappingProxyType({name: i for i, name in enumerate(names.split(), start=1)})


_MONTHS = _table("january february march april may june july august september october "
                 "november december")
_WEEKDAYS = _table("monday tuesday wednesday thursday friday saturday sunday")
_NUMBERS = MappingProxyType(
    {"a": 1, "an": 1} | dict(_table("one two three four five six seven eight nine ten "
                                    "eleven twelve"))
)
# Keyed by the first word of the expression, or the third of "the day before/after ...".
_DEICTIC_DAYS = MappingProxyType(
    {"today": 0, "tonight": 0, "this": 0, "earlier": 0, "later": 0, "yesterday": -1,
     "last": -1, "tomorrow": 1, "before": -2, "after": 2}
)

# Regex fragments. In running text month and weekday names must be capitalised ("may"
# and "march" are verbs); all-capital headlines are not read.
_WEEKDAY = r"(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (r"(?-i:January|February|March|April|May|June|July|August|September|October"
          r"|November|December)\b")
_ANY_MONTH = rf"(?:{_MONTH}|(?-i:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
_YEAR = r"(?:1[0-9]|20)[0-9]{2}(?!\w|[.,][0-9])"
_DAY = r"(?<![\w.,])[0-3]?[0-9](?:st|nd|rd|th)?(?!\w|[.,][0-9])"
_PREP = r"(?:(?P<prep>on|in|since|by|until|till|from|during|through|before|after)\s+)?"
_TRIGGER = r"(?:in|since|by|until|till|from|during|through|before|after)"
_MOD = r"(?:(?:early|late|mid)[\s-]+|(?:the\s+)?(?:end|start|beginning|middle)\s+of\s+)"
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"


def _month_number(name: str) -> int:
    return _MONTHS[next(m for m in _MONTHS if m.startswith(name.lower().rstrip(".")[:3]))]


# --- date arithmetic -----------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the target month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _direction(tense: Tense | None, default: _Direction) -> _Direction:
    # The present carries no direction in news: it is the historical present of
    # headlines as often as the scheduled future ("the summit opens Friday").
    if tense == "past":
        return "back"
    if tense == "future":
        return "forward"
    return default


def _weekday_delta(published: dt.date, weekday: int, rel: str, direction: _Direction) -> int:
    back = (published.weekday() - weekday) % 7
    forward = (weekday - published.weekday()) % 7
    if rel == "last":
        return -(back or 7)
    if rel == "next":
        return forward or 7
    return -back if direction == "back" else forward


def _month_year(published: dt.date, month: int, rel: str, direction: _Direction) -> int:
    year = published.year
    if rel == "this":
        return year
    if rel == "last":
        return year if month < published.month else year - 1
    if rel == "next":
        return year if month > published.month else year + 1
    if direction == "back":
        return year if month <= published.month else year - 1
    return year if month >= published.month else year + 1


def _yearless(published: dt.date, month: int, day: int, direction: _Direction) -> dt.date | None:
    """The occurrence of month/day nearest `published` in `direction` (Feb 29 included)."""

    def valid(year: int) -> dt.date | None:
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None

    window = range(0, 9)  # Feb 29 can be eight years away (1896 -> 1904)
    before = next((d for k in window if (d := valid(published.year - k)) and d <= published),
                  None)
    after = next((d for k in window if (d := valid(published.year + k)) and d >= published),
                 None)
    if direction == "back" or after is None:
        return before
    if direction == "forward" or before is None:
        return after
    return before if published - before <= after - published else after


# --- resolvers: one per pattern, (match, published, tense) -> resolution --------------

_Resolver = Callable[[re.Match[str], dt.date | None, Tense | None], _Resolution | None]


def _explicit(m: re.Match[str], published: dt.date | None, tense: Tense | None
              ) -> _Resolution | None:
    month_text = m["month"]
    month = int(month_text) if month_text.isdigit() else _month_number(month_text)
    day = int(m["day"].rstrip("stndrh"))
    if m["year"]:
        try:
            return dt.date(int(m["year"]), month, day), "day"
        except ValueError:
            return None
    if published is None:
        return None
    found = _yearless(published, month, day, _direction(tense, "nearest"))
    return (found, "day") if found else None


def _month_of_year(m: re.Match[str], published: dt.date | None, tense: Tense | None
                   ) -> _Resolution | None:
    return dt.date(int(m["year"]), _month_number(m["month"]), 1), "month"


def _named_month(m: re.Match[str], published: dt.date | None, tense: Tense | None
                 ) -> _Resolution | None:
    if published is None:
        return None
    month = _month_number(m["month"])
    rel = (m["rel"] or "").lower()
    year = _month_year(published, month, rel, _direction(tense, "back"))
    return dt.date(year, month, 1), "month"


def _year(m: re.Match[str], published: dt.date | None, tense: Tense | None
          ) -> _Resolution | None:
    return dt.date(int(m["year"]), 1, 1), "year"


def _relative_unit(m: re.Match[str], published: dt.date | None, tense: Tense | None
                   ) -> _Resolution | None:
    if published is None:
        return None
    step = {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    unit = m["unit"].lower()
    if unit == "week":
        return published + dt.timedelta(days=7 * step), "week"
    if unit == "month":
        return _add_months(published.replace(day=1), step), "month"
    return dt.date(published.year + step, 1, 1), "year"


def _shift(m: re.Match[str], published: dt.date, sign: int) -> _Resolution:
    """`published` moved by the match's "N units" (`sign` -1: ago, +1: ahead)."""
    word = m["n"].lower()
    n = sign * (int(word) if word.isdigit() else _NUMBERS[word])
    unit = m["unit"].lower()
    if unit == "day":
        return published + dt.timedelta(days=n), "day"
    if unit == "week":
        return published + dt.timedelta(days=7 * n), "week"
    if unit == "month":
        return _add_months(published, n), "month"
    return _add_months(published, 12 * n), "year"


def _ago(m: re.Match[str], published: dt.date | None, tense: Tense | None
         ) -> _Resolution | None:
    """ "two weeks ago", "a year ago": that much before the dateline."""
    return None if published is None else _shift(m, published, -1)


def _ahead(m: re.Match[str], published: dt.date | None, tense: Tense | None
           ) -> _Resolution | None:
    """ "in two weeks", "in three days": that much after the dateline."""
    return None if published is None else _shift(m, published, 1)


def _deictic(m: re.Match[str], published: dt.date | None, tense: Tense | None
             ) -> _Resolution | None:
    if published is None:
        return None
    words = m["word"].lower().split()
    key = words[2] if words[0] == "the" else words[0]
    return published + dt.timedelta(days=_DEICTIC_DAYS[key]), "day"


def _weekday(m: re.Match[str], published: dt.date | None, tense: Tense | None
             ) -> _Resolution | None:
    if published is None:
        return None
    rel = (m["rel"] or "").lower()
    default: _Direction = "forward" if rel == "this" else "back"
    delta = _weekday_delta(published, _WEEKDAYS[m["wd"].lower()] - 1, rel,
                           _direction(tense, default))
    return published + dt.timedelta(days=delta), "day"


def _weekend(m: re.Match[str], published: dt.date | None, tense: Tense | None
             ) -> _Resolution | None:
    if published is None:
        return None
    monday = published - dt.timedelta(days=published.weekday())
    rel = (m["rel"] or "").lower()
    if rel:
        offset = {"last": -2, "this": 5, "next": 12}[rel]
        return monday + dt.timedelta(days=offset), "week"
    if _direction(tense, "back") == "back":  # the most recent Saturday, today included
        return published - dt.timedelta(days=(published.weekday() - 5) % 7), "week"
    if published.weekday() == 6:  # Sunday: the weekend in progress
        return published - dt.timedelta(days=1), "week"
    return published + dt.timedelta(days=5 - published.weekday()), "week"


# --- the grammar ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    """One shape of temporal expression and how to resolve it.

    `relative` patterns cannot resolve anything without a publication date, so
    `find_dates` skips them then; `reject` lists words that, just before a match, show it
    is not a date here ("Good Friday", "Russia Today", "the last week").
    """

    regex: re.Pattern[str]
    resolver: _Resolver
    relative: bool
    uses_tense: bool
    reject: frozenset[str] = frozenset()


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(_compile(rf"\b{_PREP}(?:{_WEEKDAY},?\s+)?(?P<month>{_ANY_MONTH})\s*"
                      rf"(?P<day>{_DAY})(?:,?\s*(?P<year>{_YEAR}))?"), _explicit, False, True),
    _Pattern(_compile(rf"\b{_PREP}(?:{_WEEKDAY},?\s+)?(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?"
                      rf"(?P<month>{_ANY_MONTH})(?:,?\s*(?P<year>{_YEAR}))?"),
             _explicit, False, True),
    _Pattern(_compile(rf"\b{_PREP}(?<![\w.,/-])(?P<year>(?:1[0-9]|20)[0-9]{{2}})(?P<sep>[-/])"
                      r"(?P<month>[01]?[0-9])(?P=sep)(?P<day>[0-3]?[0-9])(?!\w|[-/.,][0-9])"),
             _explicit, False, False),
    _Pattern(_compile(rf"\b{_PREP}{_MOD}?(?P<month>{_ANY_MONTH}),?\s*(?P<year>{_YEAR})"),
             _month_of_year, False, False),
    _Pattern(_compile(rf"\b(?:{_TRIGGER}\s+{_MOD}?|{_MOD}|{_PREP}(?P<rel>last|next|this)\s+)"
                      rf"(?P<month>{_MONTH})"), _named_month, True, True),
    _Pattern(_compile(rf"\b(?:(?:{_TRIGGER}|of)\s+{_MOD}?|{_MOD})"
                      r"(?P<year>(?:19|20)[0-9]{2})(?!\w|[.,][0-9])"), _year, False, False),
    _Pattern(_compile(rf"\b{_PREP}(?:(?:earlier|later|early|late)\s+)?(?P<rel>last|this|next)"
                      r"\s+(?P<unit>week|month|year)\b"),
             _relative_unit, True, False, frozenset({"the"})),
    _Pattern(_compile(rf"\b{_PREP}(?:the\s+)?(?:end|start|beginning|middle)\s+of\s+"
                      r"(?P<rel>the|this|last|next)\s+(?P<unit>week|month|year)\b"),
             _relative_unit, True, False),
    _Pattern(_compile(r"(?<![\w.,])(?P<n>[0-9]{1,3}|an?|one|two|three|four|five|six|seven"
                      r"|eight|nine|ten|eleven|twelve)\s+(?P<unit>day|week|month|year)s?"
                      r"\s+ago\b"), _ago, True, False),
    _Pattern(_compile(r"\bin\s+(?P<n>[0-9]{1,3}|an?|one|two|three|four|five|six|seven"
                      r"|eight|nine|ten|eleven|twelve)\s+(?P<unit>day|week|month|year)s?\b"
                      r"(?!\s+(?:of|ago|time)\b)"), _ahead, True, False),
    _Pattern(_compile(rf"\b{_PREP}(?P<word>the\s+day\s+(?:before\s+yesterday|after\s+tomorrow)"
                      r"|yesterday|today|tomorrow|tonight|last\s+night|(?:earlier|later)\s+today"
                      rf"|this\s+(?:morning|afternoon|evening))\b{_PART_OF_DAY}"),
             _deictic, True, False, frozenset({"russia", "usa"})),
    _Pattern(_compile(rf"\b{_PREP}(?:(?P<rel>last|next|this)\s+)?(?P<wd>{_WEEKDAY})\b"
                      + _PART_OF_DAY), _weekday, True, True,
             frozenset({"good", "black", "bloody", "super", "ash", "holy", "maundy", "palm",
                        "easter", "cyber", "giving", "previous", "following", "same", "that",
                        "every", "each", "other"})),
    _Pattern(_compile(rf"\b(?:{_PREP}(?P<rel>last|this|next)\s+weekend"
                      r"|(?:over|at|during|on)\s+the\s+weekend)\b"), _weekend, True, True),
)

# Every expression contains a head word (a month or weekday name, a digit, a unit, a
# deictic word) and starts at most _LOOKBACK words before its first one ("by the end of
# the month"). Trying the patterns only at those word starts, instead of scanning the
# whole text once per pattern, takes find_dates from about 6 ms to under 1 ms for a
# 3,000-character article; a test checks it finds exactly what trying every offset would.
_WORD = re.compile(r"\w+")
_LOOKBACK = 5
_HEADS = frozenset([
    *_MONTHS, *_WEEKDAYS,
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "yesterday", "today", "tomorrow", "tonight", "night", "morning", "afternoon", "evening",
    "ago", "day", "days", "week", "weeks", "weekend", "month", "months", "year", "years",
])
# Words before a head that can start an expression ("in", "the", "two" ...).
_STARTERS = _HEADS | frozenset([
    "on", "in", "since", "by", "until", "till", "from", "during", "through", "before", "after",
    "of", "over", "at", "early", "late", "mid", "the", "end", "start", "beginning", "middle",
    "earlier", "later", "last", "this", "next", *_NUMBERS,
])
_PRECEDING_WORD = re.compile(r"(\w+)\s+$")
_ABBREVIATIONS = r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b"
_NAMES = re.compile(r"\b(?:" + "|".join([*_MONTHS, *_WEEKDAYS]) + _ABBREVIATIONS, re.IGNORECASE)
_MONTH_NAME = re.compile(r"\b(?:" + "|".join(_MONTHS) + _ABBREVIATIONS, re.IGNORECASE)
_HAS_YEAR = re.compile(r"(?<![0-9])(?:1[0-9]|20)[0-9]{2}(?![0-9])")
_NOT_ABSOLUTE = re.compile(r"\b(?:ago|last|next|this|yesterday|today|tomorrow|tonight|week"
                           r"|weekend|spring|summer|autumn|fall|winter|recently|soon)\b",
                           re.IGNORECASE)


def _candidate_starts(text: str) -> list[int]:
    """Word starts within _LOOKBACK words before a head word, in text order."""
    words = [w.lower() for w in _WORD.findall(text)]  # offsets only if a head is found
    heads = [i for i, w in enumerate(words) if w[0] in "0123456789" or w in _HEADS]
    if not heads:
        return []
    starts = [m.start() for m in _WORD.finditer(text)]
    return sorted({starts[j] for i in heads for j in range(max(0, i - _LOOKBACK), i + 1)
                   if words[j][0] in "0123456789" or words[j] in _STARTERS})


def _rejected(pattern: _Pattern, text: str, m: re.Match[str]) -> bool:
    # The word before matters only when the match does not open with its own preposition:
    # "every Friday" is no date, "that on Friday" is.
    if not pattern.reject or m.groupdict().get("prep"):
        return False
    start = m.start()
    before = _PRECEDING_WORD.search(text, max(0, start - 24), start)
    return before is not None and before[1].lower() in pattern.reject


def _safe(pattern: _Pattern, m: re.Match[str], published: dt.date | None,
          tense: Tense | None) -> _Resolution | None:
    # Arithmetic near date.min/date.max or an impossible day ("February 30") means there
    # is no such date: that is "unresolved", not an error in the caller's text.
    try:
        return pattern.resolver(m, published, tense)
    except (ValueError, OverflowError):
        return None


# --- public API -------------------------------------------------------------------------


def resolve(expression: str, published: dt.date, tense: Tense | None = None
            ) -> tuple[dt.date, Precision] | None:
    """The date and precision `expression` (the whole string) stands for, or None.

    None means "not a resolvable date" (vague words, seasons, unknown shapes), the
    documented outcome for such expressions, not an error. Since the caller already says
    this is a temporal phrase (a spaCy DATE entity, say), month and weekday names are
    accepted in any case, and a bare "October" or "1994" reads as "in October", "in 1994".
    """
    expr = _NAMES.sub(lambda m: m[0].capitalize(), " ".join(expression.split()))
    for candidate in (expr, f"in {expr}"):
        for pattern in _PATTERNS:
            m = pattern.regex.fullmatch(candidate)
            if m and (found := _safe(pattern, m, published, tense)):
                return found
    return _dateparser_fallback(expr, published, tense)


def find_dates(text: str, published: dt.date | None,
               tense_at: Callable[[int], Tense | None] | None = None) -> list[ResolvedDate]:
    """Temporal expressions in `text`, resolved, in text order, never overlapping.

    Where matches overlap the longest wins ("on Thursday, February 16, 2023" over
    "Thursday"), then the earliest. `tense_at(offset)` gives the tense of the clause at a
    character offset; it is asked, at an expression's start, only where the reading
    depends on it: weekdays, month names, dates without a year, "the weekend".
    Without `published` only absolute expressions ("October 2022", "in 2019") come back.
    """
    patterns = [p for p in _PATTERNS if published is not None or not p.relative]
    found: list[ResolvedDate] = []
    for pos in _candidate_starts(text):
        for pattern in patterns:
            m = pattern.regex.match(text, pos)
            if m is None or _rejected(pattern, text, m):
                continue
            tense: Tense | None = None
            if tense_at is not None and pattern.uses_tense and not m.groupdict().get("year"):
                tense = tense_at(pos)
            resolution = _safe(pattern, m, published, tense)
            if resolution:
                found.append(ResolvedDate(resolution[0], resolution[1], pos, m.end(), m[0]))
    kept: list[ResolvedDate] = []
    for cand in sorted(found, key=lambda r: (r.start - r.end, r.start)):
        if all(cand.end <= k.start or cand.start >= k.end for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda r: r.start)


# --- dateparser fallback for absolute dates in shapes the grammar does not know ---------


@lru_cache(maxsize=64)
def _parser(published: dt.date) -> DateDataParser:
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime.combine(published, dt.time()),
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    })


@lru_cache(maxsize=4096)
def _dateparser_parse(expression: str, published: dt.date) -> tuple[dt.date, str] | None:
    data = _parser(published).get_date_data(expression)
    return (data.date_obj.date(), data.period) if data.date_obj else None


def _dateparser_fallback(expr: str, published: dt.date, tense: Tense | None
                         ) -> _Resolution | None:
    """Absolute dates only: a month name must be there and nothing relative or vague.

    dateparser would happily resolve "last week" or "2019" on its own terms; those are
    the grammar's job, so they never get here. A date without a year is re-anchored with
    this module's own rule, so both paths agree.
    """
    if (not _MONTH_NAME.search(expr) or _NOT_ABSOLUTE.search(expr)
            or not any(c.isdigit() for c in expr)):
        return None
    try:
        parsed = _dateparser_parse(expr, published)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    day, period = parsed
    if _HAS_YEAR.search(expr):
        precision: Precision = "month" if period == "month" else "year" if period == "year" \
            else "day"
        return day, precision
    if period == "month":
        year = _month_year(published, day.month, "", _direction(tense, "back"))
        return dt.date(year, day.month, 1), "month"
    again = _yearless(published, day.month, day.day, _direction(tense, "nearest"))
    return (again, "day") if again else None
