"""Plain-text and Markdown articles, in the layouts news text files actually come in.

The reference layout (`acceptance/belarus-2023-02-16.txt`, a page saved as text) is:

    Title line
    By [AFP](#)                  <- byline: source "AFP"; "By Jane Doe, Reuters" too
    February 16, 2023            <- date line: counts only if it parses as a date
    ...body...
    Original url:
    <https://...>                <- url trailer (same line or the next, <> optional)

Around it we accept what other dumps do: a Markdown ``# Title`` (or setext) heading, a
header block of ``Key: value`` lines (Title / Date / Published / URL / Source) or YAML
front matter at the top, and body-only files (BBC-style: title on the first line, no
date). The body is everything that is not title, byline, date line or trailer; it is not
normalised here (`records.build` does that, the same for every format).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flashpoint.ingest.dates import parse_date
from flashpoint.ingest.records import Parts

_HEADER_KEYS = {
    "title": "title", "headline": "title",
    "date": "published", "published": "published", "publication date": "published",
    "pubdate": "published", "published at": "published",
    "url": "url", "link": "url", "original url": "url", "source url": "url",
    "source": "source", "publisher": "source", "site": "source",
}
_IGNORED_KEYS = frozenset({"author", "authors", "byline", "by", "tags", "category", "language",
                           "lang", "section", "updated", "id", "description", "summary"})
_KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,24}?)\s*:\s*(.*?)\s*$")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BYLINE = re.compile(r"^\W{0,2}by\s+(\S.{0,150})$", re.IGNORECASE)
_TRAILER = re.compile(
    r"^(?:original|source|article|canonical)?\s*(?:url|link)\s*:\s*<?(https?://[^\s>]*)?>?\s*$",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^<?(https?://[^\s>]+)>?$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])")
_MD_LINE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_LONGEST_TITLE = 200
_META_LINES = 4  # a byline and a date sit within this many lines of the title


def parse_text(text: str, *, markdown: bool = False) -> Parts:
    """Split a text or Markdown article into title, byline source, date, url and body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    fields, i = _header(lines)
    meta = _Meta(source=fields.get("source"))
    if "published" in fields:
        meta.see_date(fields["published"], parse_date(fields["published"]), declared=True)
    i = _skip_blank(lines, i)
    if i < len(lines) and meta.see_date(lines[i], parse_date(lines[i])):
        i = _skip_blank(lines, i + 1)  # a date line above the title
    title, title_line = fields.get("title"), None
    if title is None and i < len(lines):
        title_line = lines[i]
        title, i, _ = _title(lines, i)
    i = _meta(lines, i, meta)
    end, url = _trailer(lines, i)
    body = "\n".join(_plain(line, markdown) for line in lines[i:end])
    if not body.strip() and title_line is not None and sum(1 for ln in lines if ln.strip()) == 1:
        body = title or ""  # a one-line file: that line is the article
    return Parts(
        body=body,
        title=_inline(title) if title else None,
        url=fields.get("url") or meta.url or url,
        published=meta.published,
        source=meta.source,
        bad_date=None if meta.published else meta.bad_date,
    )


@dataclass
class _Meta:
    """What the header, byline and date lines said (a working state of `parse_text`)."""

    source: str | None = None
    published: dt.date | None = None
    bad_date: str | None = None
    url: str | None = None

    def see_date(self, raw: str, parsed: dt.date | None, *, declared: bool = False) -> bool:
        """Record a date from a header or date line; the first one that parses wins.
        A `declared` date (a ``Date:`` header) that does not parse is kept for the
        warning; an undeclared line that does not parse is simply not a date line."""
        if parsed is None:
            if declared and self.bad_date is None and raw.strip():
                self.bad_date = raw.strip()
            return False
        self.published = self.published or parsed
        return True


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _header(lines: list[str]) -> tuple[dict[str, str], int]:
    """A `Key: value` block or YAML front matter at the top; `({}, 0)` when there is none.

    A plain block must be all key lines with known keys (Title, Date, URL, Source, or
    ignorable ones like Author), ended by a blank line, so that prose that starts
    "Update: ..." stays prose. Inside ``---`` front matter other keys are just skipped.
    """
    i = _skip_blank(lines, 0)
    fenced = i < len(lines) and lines[i].strip() == "---"
    found: dict[str, str] = {}
    j = i + 1 if fenced else i
    while j < len(lines):
        line = lines[j].strip()
        if fenced and line == "---":
            break
        if not fenced and not line:
            break
        match = _KEY_LINE.match(line)
        key = match.group(1).strip().lower() if match else None
        if match and key in _HEADER_KEYS:
            found.setdefault(_HEADER_KEYS[key], match.group(2).strip().strip("\"'"))
        elif not fenced and key not in _IGNORED_KEYS:
            return {}, 0  # a line that is not a known key: this is no header block
        j += 1
    if fenced:
        if j >= len(lines):
            return {}, 0  # no closing "---": a horizontal rule, not front matter
        j += 1
    if not found:
        return {}, 0
    if found.get("url"):
        found["url"] = found["url"].strip("<>")
    return found, j


def _title(lines: list[str], i: int) -> tuple[str, int, bool]:
    """`(title, next line, keep)`: `keep` when the title line is also body text."""
    line = lines[i].strip()
    atx = _ATX.match(line)
    if atx:
        return atx.group(1), i + 1, False
    if i + 1 < len(lines) and _SETEXT.match(lines[i + 1]) and len(line) <= _LONGEST_TITLE:
        return line, i + 2, False
    if len(line) <= _LONGEST_TITLE and not line.endswith((".", ",", ";", ":")):
        return line, i + 1, False
    # A body-only file whose first line is prose: use its start as the title, keep it.
    short = line if len(line) <= _LONGEST_TITLE else line[:_LONGEST_TITLE].rsplit(" ", 1)[0]
    return short + ("…" if short != line else ""), i, True


def _meta(lines: list[str], i: int, meta: _Meta) -> int:
    """Read byline and date lines right under the title (either order) into `meta`;
    return where the body starts. A line is a date line only if all of it parses."""
    seen = 0
    j = _skip_blank(lines, i)
    while j < len(lines) and seen < _META_LINES:
        line = _inline(lines[j].strip())
        date = parse_date(line)
        byline = _BYLINE.match(line)
        key = _KEY_LINE.match(line)
        field = _HEADER_KEYS.get(key.group(1).strip().lower()) if key else None
        if field is not None and key is not None:
            # a Key: value block under a Markdown title ("# Title" then "Date: ...")
            value = key.group(2).strip().strip("\"'")
            if field == "published":
                meta.see_date(value, parse_date(value), declared=True)
            elif field == "source":
                meta.source = meta.source or value or None
            elif field == "url":
                meta.url = meta.url or value.strip("<>") or None
            seen -= 1  # header lines do not count against the byline/date budget
        elif date is not None:
            meta.see_date(line, date)
        elif byline is not None:
            by_source, by_date = parse_byline(byline.group(1))
            meta.source = meta.source or by_source
            if by_date is not None:
                meta.see_date(line, by_date)
        else:
            break
        seen += 1
        i = j + 1
        j = _skip_blank(lines, i)
    return i


_AGENCY_WORDS = frozenset(
    {"news", "press", "times", "post", "agency", "service", "wire", "media", "herald",
     "journal", "tribune", "guardian", "telegraph", "gazette", "daily", "network", "radio",
     "television", "tv", "reuters", "afp", "ap", "bloomberg", "tass", "xinhua", "interfax",
     "dpa", "efe", "ansa", "upi", "kyodo", "yonhap", "anadolu", "bbc", "cnn", "aljazeera",
     "staff", "wires", "report", "reports", "newsroom", "dispatch", "bulletin", "observer",
     "courier", "ledger", "chronicle", "monitor", "review", "express", "mail", "star", "sun",
     "mirror", "standard", "independent", "voice", "bureau", "digest", "insider", "today",
     "weekly", "magazine", "online", "examiner", "record", "inquirer", "globe",
     "nation", "world", "international", "agence", "presse", "associated", "broadcasting"}
)
_NOT_SOURCES = frozenset({"staff", "staff reporter", "our correspondent", "correspondent",
                          "editor", "editors", "the editors", "admin", "anonymous"})
_BYLINE_SPLIT = re.compile(r"\s*(?:[,;|·•]|\s[-–—]\s|\bfor\b)\s*")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "la", "le", "da", "di", "du",
                        "bin", "ibn", "al", "el", "dos", "das", "ter", "ten"})


def parse_byline(text: str) -> tuple[str | None, dt.date | None]:
    """`(source, date)` from a byline without its "By": "AFP" -> ("AFP", None),
    "Jane Doe, Reuters" -> "Reuters", "Jane Doe" -> None (a person is not a source),
    "AFP, February 16, 2023" -> ("AFP", 2023-02-16)."""
    text = _inline(text).strip()
    paren = re.search(r"\(([^()]+)\)\s*$", text)
    if paren:
        return paren.group(1).strip(), None
    parts = [part for part in _BYLINE_SPLIT.split(text) if part]
    date = None
    for size in (3, 2, 1):  # "February 16, 2023" was split on its comma
        if len(parts) > size:
            date = parse_date(", ".join(parts[-size:]))
            if date is not None:
                parts = parts[:-size]
                break
    if not parts:
        return None, date
    last = parts[-1].strip(" .")
    # "Jane Doe, Great Lakes Bulletin": after a comma comes the organisation, whatever
    # its words; a lone name is a source only if it does not look like a person's.
    if last.lower() in _NOT_SOURCES or (len(parts) == 1 and _person_like(last)):
        return None, date
    return last, date


def _person_like(name: str) -> bool:
    """Two to four capitalised words with no news-organisation word: a reporter's name."""
    words = name.replace(" and ", " ").split()
    if not 2 <= len(words) <= 8 or any(w.lower().strip(".") in _AGENCY_WORDS for w in words):
        return False
    return all(
        (w[:1].isupper() and not w.isupper()) or w in _PARTICLES for w in words if len(w) > 2
    )


def _trailer(lines: list[str], start: int) -> tuple[int, str | None]:
    """`(end of body, url)`: the "Original url:" trailer at the end, if there is one."""
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    if end <= start:
        return end, None
    last = lines[end - 1].strip()
    match = _TRAILER.match(last)
    if match and match.group(1):
        return end - 1, match.group(1)
    bare = _BARE_URL.match(last)
    if bare:
        label = end - 1
        while label > start and not lines[label - 1].strip():
            label -= 1
        if label > start:
            labelled = _TRAILER.match(lines[label - 1].strip())
            if labelled and not labelled.group(1):
                return label - 1, bare.group(1)
    return end, None


def _inline(text: str) -> str:
    """Markdown inline markup to plain text: images dropped, links to their text."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    return _ITALIC.sub(r"\2", _EMPHASIS.sub(r"\2", text))


def _plain(line: str, markdown: bool) -> str:
    """A body line as plain text (links always; headings, quotes, rules in Markdown)."""
    if markdown:
        if _RULE.match(line):
            return ""
        line = _MD_LINE.sub("", line)
        return _inline(line)
    return _LINK.sub(r"\1", _IMAGE.sub("", line)) if "](" in line else line
