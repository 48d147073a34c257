"""Find quoted passages in an article by their quotation marks.

Hand-written because no library we know pairs quotation marks the way news is written:
curly and straight marks mixed in one article, an odd number of marks, and quotes that run
over several paragraphs (each continuation paragraph opens with a mark, only the last one
closes). textacy's extractor gives up on a whole article with an odd number of marks; here a
stray mark costs at most its own paragraph.

Single quotes are read as quotation marks only at the top level of a paragraph with no
double marks (headlines: "Belarus will join 'only' if attacked"), and only when the closing
mark cannot be an apostrophe; inside a double-quoted passage they are nested quotes and
stay part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING = "\u201c\u201e\u00ab"  # “ „ «
CLOSING = "\u201d\u00bb"  # ” »
STRAIGHT = '"'
SINGLE_OPEN = "\u2018"  # ‘
SINGLE_CLOSE = "\u2019"  # ’ (also the apostrophe)
_WORD = re.compile(r"\w+")
# A straight mark opens when it follows the start of a line, a space, a bracket or a dash.
_OPENS_AFTER = set(" \t\n([{\u2014\u2013-/:")


@dataclass(frozen=True)
class Quote:
    """One quoted passage: `start` at its opening mark, `end` just after its closing mark.

    `closed` is False for a passage that ran to the end of its paragraph without a closing
    mark and without a continuation; `parts` lists the per-paragraph pieces of a passage
    that runs over several paragraphs (a single piece otherwise).
    """

    start: int
    end: int
    closed: bool
    parts: tuple[tuple[int, int], ...]

    def inner(self, text: str) -> tuple[int, int]:
        """Offsets of the quoted words, without the marks and surrounding spaces."""
        start, end = self.start, self.end
        while start < end and (text[start] in OPENING + STRAIGHT + SINGLE_OPEN + "'`"
                               or text[start].isspace()):
            start += 1
        while end > start and (text[end - 1] in CLOSING + STRAIGHT + SINGLE_CLOSE + "'"
                               or text[end - 1].isspace()):
            end -= 1
        return start, end

    def words(self, text: str) -> int:
        return len(_WORD.findall(text, self.start, self.end))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line: news paragraphs are lines in our bodies."""
    out = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            out.append((match.start(), match.end()))
    return out


def _opens_here(text: str, i: int) -> bool:
    """Whether a straight mark at `i` reads as opening (before a word, after a space)."""
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    return (before in _OPENS_AFTER or before.isspace()) and not after.isspace()


def _scan_paragraph(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Closed passages of one paragraph, and the start of one left open at its end."""
    found: list[tuple[int, int]] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if ch in OPENING:
            open_at = i  # a second opening mark: the first one was stray
        elif ch in CLOSING:
            if open_at is not None:
                found.append((open_at, i + 1))
                open_at = None
        elif ch == STRAIGHT:
            if open_at is None:
                if _opens_here(text, i):
                    open_at = i
            elif text[open_at] in OPENING + STRAIGHT:
                found.append((open_at, i + 1))
                open_at = None
    return found, open_at


def _single_quoted(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """‘...’ or '...' passages of a paragraph that has no double marks."""
    out = []
    pattern = re.compile(r"(?:(?<=^)|(?<=[\s(\[\u2014\u2013-]))['\u2018](?=\w)"
                         r"(.+?)(?<=[\w.,!?])['\u2019](?!\w)")
    for match in pattern.finditer(text, start, end):
        out.append((match.start(), match.end()))
    return out


def _doubled(text: str) -> str:
    """`text` with typewriter double quotes (two apostrophes or backquotes, as some
    newspapers print them) read as one straight mark followed by a filler of equal length,
    so offsets stay those of `text`."""
    if "''" not in text and "``" not in text:
        return text
    return re.sub(r"''|``", '"\x00', text)


def find_quotes(text: str) -> list[Quote]:
    """All quoted passages of `text`, in order, multi-paragraph quotes joined."""
    scan = _doubled(text)
    if scan is not text:
        return [_widen(q, scan) for q in _find(scan)]
    return _find(text)


def _widen(quote: Quote, scan: str) -> Quote:
    """Take in the second character of a doubled closing mark."""
    parts = tuple((s, e + 1 if e < len(scan) and scan[e] == "\x00" else e)
                  for s, e in quote.parts)
    return Quote(quote.start, parts[-1][1], quote.closed, parts)


def _find(text: str) -> list[Quote]:
    quotes: list[Quote] = []
    found_paragraphs = paragraphs(text)
    pending: list[tuple[int, int]] = []  # pieces of a passage still running on
    for p_start, p_end in found_paragraphs:
        first = text[p_start:p_end].lstrip()
        lead = p_start + (p_end - p_start - len(first))
        continues = bool(pending) and first[:1] in OPENING + STRAIGHT
        if pending and not continues:
            quotes.append(Quote(pending[0][0], pending[-1][1], False, tuple(pending)))
            pending = []
        found, open_at = _scan_paragraph(text, p_start, p_end)
        if continues and found and found[0][0] == lead:
            # the continuation closes in this paragraph: join it to the pieces so far
            pieces = (*pending, found[0])
            quotes.append(Quote(pieces[0][0], pieces[-1][1], True, pieces))
            pending = []
            found = found[1:]
        elif continues and open_at == lead and not found:
            pending.append((lead, p_end))
            continue
        elif continues:
            quotes.append(Quote(pending[0][0], pending[-1][1], False, tuple(pending)))
            pending = []
        quotes.extend(Quote(s, e, True, ((s, e),)) for s, e in found)
        if open_at is not None:
            pending = [(open_at, p_end)]
        if not found and open_at is None and not any(
                ch in text[p_start:p_end] for ch in OPENING + CLOSING + STRAIGHT):
            quotes.extend(Quote(s, e, True, ((s, e),))
                          for s, e in _single_quoted(text, p_start, p_end))
    if pending:
        quotes.append(Quote(pending[0][0], pending[-1][1], False, tuple(pending)))
    quotes.sort(key=lambda q: q.start)
    return quotes
