"""The one normalisation every ingester applies to an article body.

`flashpoint.extract()` never alters the string it is given: every span it returns is an
offset into that exact string. So whatever cleaning the body needs has to happen *before*
extraction, once, in one place, and the cleaned body is what `Article.text` (and later
`Document.text`) holds. Doing it here, identically for text, Markdown, HTML and JSONL
input, means the same story read from two formats gets the same text, the same offsets and
(without a URL) the same content-hash id.

The rules are deliberately conservative: they fix what breaks sentence splitting and
offsets (stray control characters, odd spaces, Windows line ends, a paragraph broken in
the middle of a sentence by a scraper) and leave the words alone.
"""

from __future__ import annotations

import re
import unicodedata

# Line and paragraph breaks that are not "\n": each becomes "\n" (U+2029 a blank line),
# so paragraph structure survives instead of words being glued together.
# (str.replace, not str.translate: translate is ~15x slower on non-ASCII text.)
_BREAKS = (
    ("\r\n", "\n"),
    ("\r", "\n"),  # a lone CR: an old Mac line end
    ("\x0b", "\n"),  # vertical tab
    ("\x0c", "\n"),  # form feed: a page break in text dumped from PDFs
    ("\x85", "\n"),  # NEL
    ("\u2028", "\n"),  # LINE SEPARATOR
    ("\u2029", "\n\n"),  # PARAGRAPH SEPARATOR
)
# Step 2 in one pass: control characters (category Cc) but tab and newline, lone
# surrogates (Cs), invisible word-splitters (soft hyphen, zero-width space, word joiner,
# BOM) and the unicode spaces (category Zs, a fixed set) other than " ". Zero-width
# (non-)joiners are kept: Persian, Indic scripts and emoji need them.
_SPECIAL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u00ad\u200b\u2060\ufeff"
    "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
)


def _clean_char(match: re.Match[str]) -> str:
    """Every unicode space becomes " "; controls and invisibles go."""
    return " " if unicodedata.category(match.group()) == "Zs" else ""


def _join_broken(text: str) -> str:
    """Step 5: re-join paragraphs split mid-sentence (see `normalize_body`)."""
    paragraphs = text.split("\n\n")
    joined = [paragraphs[0]]
    for paragraph in paragraphs[1:]:
        before = joined[-1]
        if before and paragraph and (before[-1] == "," or before[-1].islower()) and (
            paragraph[0].islower()
        ):
            joined[-1] = f"{before} {paragraph}"
        else:
            joined.append(paragraph)
    return "\n\n".join(joined)


def normalize_body(text: str) -> str:
    """Return `text` cleaned the way every flashpoint ingester cleans an article body.

    In order:

    1. ``\\r\\n`` and ``\\r`` (and the other unicode line / paragraph separators, vertical
       tab, form feed) become ``\\n``;
    2. control characters other than ``\\n`` and ``\\t``, lone surrogates and invisible
       word-splitters (soft hyphen, zero-width space, word joiner, a stray BOM) are
       dropped; no-break and every other unicode space becomes a plain space;
    3. NFC, so "é" typed two ways is one string (done after step 2 so that removing a
       control character cannot leave a decomposed pair behind for the next run);
    4. trailing spaces and tabs are stripped from each line, and 3+ newlines collapse to
       one blank line, so paragraphs are separated by exactly ``\\n\\n``;
    5. a paragraph broken mid-sentence is re-joined with a single space: when a
       paragraph ends in a lowercase letter or a comma (no terminal punctuation, colon
       or quote) and the next one starts with a lowercase letter. Scraped pages do
       this ("has promised not\\n\\nto send his forces"), and a sentence split across
       paragraphs would be cut in two by the NLP stage;
    6. leading and trailing whitespace is stripped.

    The function is idempotent (``normalize_body(normalize_body(x)) ==
    normalize_body(x)``) and never raises on any ``str``.

    >>> normalize_body("Lukashenko has promised not\\r\\n\\r\\n\\r\\nto send\\u00a0troops.  \\n")
    'Lukashenko has promised not to send troops.'
    """
    for old, new in _BREAKS:
        if old in text:
            text = text.replace(old, new)
    text = _SPECIAL.sub(_clean_char, text)
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return _join_broken(text).strip()


def clean_line(text: str) -> str:
    """A one-line field (title, source, byline): normalised and whitespace collapsed."""
    return " ".join(normalize_body(text).split())
