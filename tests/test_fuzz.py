"""Property-based tests: whatever text or bytes arrive, nothing crashes and spans hold.

Random and mutated articles (unicode edge cases, control characters, right-to-left
text, lone surrogates, zero-width joiners, emoji, unbalanced quotes, very long
paragraphs) go through `flashpoint.extract` and through the ingest readers on real
files (text, HTML, JSONL, gzip, WARC written with warcio, unknown suffixes). The
properties, from DESIGN.md and docs/ingest.md:

- `extract` returns a Document for any `str`, never alters it, and every span satisfies
  ``doc.text[s.start:s.end] == s.text``;
- `read_sources` yields only Articles and Failures, never raises, and never records an
  ``internal`` failure (the kind given to an exception nobody anticipated);
- every Article body is already normalised (`normalize_body` is idempotent on it), and
  extracting it gives spans that hold.

The default suite runs a modest number of examples (derandomized, see conftest.py); the
`slow` variants run many more (`pytest -m slow tests/test_fuzz.py`, or
`HYPOTHESIS_PROFILE=explore` for new examples on each run). docs/reliability.md gives
the counts.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import flashpoint
from flashpoint.cli import examples_dir
from flashpoint.ingest import normalize_body, read_sources
from flashpoint.model import Article, Document, Failure

# Examples per property: default suite, and the slow (benchmark) variants.
FEW, MANY = 30, 300

# Characters that break naive text code, each for a reason.
SPECIALS = [
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f",  # C0/C1 controls, NEL
    "\r", "\r\n", "\x0b", "\x0c", "\t", "\u2028", "\u2029",  # line and paragraph breaks
    "\ud800", "\udfff", "\udc80",  # lone surrogates
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, BOM, soft hyphen
    "\u202e", "\u202c", "\u200f", "\u061c", "\u2067", "\u2069",  # bidi controls
    "\u00a0", "\u3000", "\u2009",  # unicode spaces
    "\u0301", "\u0327", "\u20dd",  # combining marks (also at the start of a text)
    "👨\u200d👩\u200d👧", "🇺🇦", "🏳️\u200d🌈", "👍🏽", "\U0001f4a5",  # emoji, ZWJ sequences, flags
    "\ufffd", "\uffff", "\U0010ffff",  # replacement, noncharacters
    '"', "\u201c", "\u201d", "\u2018", "\u2019", "«", "»", "„", "'", "`",  # quotes, unbalanced
    "<", ">", "&", "&amp;", "<p>", "</p>", "<script>", "]]>", "{", "}", "\\",  # markup, JSON
    "ﬁ", "Å", "ǅ", "İ", "ß",  # ligatures, case-mapping oddities (length changes on lower())
]
RTL = [
    "قال الرئيس إن القوات ستنسحب", "ישראל תקפה את העיר", "إيران", "דובר הצבא אמר",
    "Iran said \u202bالحرب\u202c would end", "\u202eRussia attacked Ukraine\u202c",
]
SENTENCES = [
    "Russia attacked Ukraine on Monday.",
    '"We will respond," Lukashenko said.',
    "Poland closed its border with Belarus last week.",
    "The minister said that talks would resume on Friday.",
    "Belarus would join the war only if attacked by Ukraine.",
    "Israel and Iran exchanged threats, officials said.",
    "“It is a provocation,” the ministry said in a statement.",
    "He promised not to send troops.",
    "According to the UN, 300 people fled.",
    "Protesters demanded the release of prisoners in Tbilisi.",
]

specials = st.sampled_from(SPECIALS)
any_char = st.characters(codec=None, categories=None)  # every code point, surrogates too
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
nasty_text = st.lists(st.one_of(any_char, specials, surrogates), max_size=30).map("".join)
fragment = st.one_of(
    st.sampled_from(SENTENCES), st.sampled_from(RTL), specials, nasty_text,
    st.text(max_size=80),
)
separator = st.sampled_from([" ", "", "\n", "\n\n", "\n\n\n", "\r\n", " \u00a0", "\t"])


@st.composite
def articles(draw: st.DrawFn) -> str:
    """A text built from news sentences, right-to-left text and hostile characters."""
    parts = draw(st.lists(st.tuples(fragment, separator), max_size=25))
    return "".join(text + sep for text, sep in parts)


def _example_texts() -> list[str]:
    return sorted(
        p.read_text(encoding="utf-8") for p in examples_dir().iterdir()
        if p.suffix in (".txt", ".md")
    )


EXAMPLES = _example_texts()


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A real example article with a few edits: insertions, cuts, copies, swaps."""
    text = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(1, 6))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 400)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate", "replace", "unquote"]))
        if edit == "insert":
            text = text[:i] + draw(st.one_of(specials, nasty_text)) + text[i:]
        elif edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif edit == "replace":
            text = text[:i] + draw(st.one_of(specials, st.sampled_from(RTL))) + text[j:]
        else:  # remove every closing quote from a stretch: unbalanced quotes
            text = text[:i] + text[i:j].replace("\u201d", "").replace('"', "") + text[j:]
    return text


def check_document(doc: Document, text: str | None = None) -> None:
    """The span contract of DESIGN.md."""
    if text is not None:
        assert doc.text == text, "extract() altered the text it was given"
    for span in doc.spans():
        assert 0 <= span.start <= span.end <= len(doc.text)
        assert doc.text[span.start:span.end] == span.text, span


def check_extract(text: str) -> None:
    check_document(flashpoint.extract(text, published="2024-03-05"), text)


# ---------------------------------------------------------------- extract


@settings(max_examples=FEW, deadline=None)
@given(articles())
@example('"' * 50 + "Russia said" + "\u201c" * 30)  # quotes that never close
@example("\u0301" + "\ud800" * 3 + "\u200d" * 5)  # starts with a combining mark
@example("Putin\u200d said \u202e\u201cwe will attack\u201d\u202c 👨\u200d👩\u200d👧 Ukraine.")
def test_extract_random_articles(text: str) -> None:
    check_extract(text)


@settings(max_examples=FEW // 2, deadline=None)
@given(mutated())
def test_extract_mutated_examples(text: str) -> None:
    check_extract(text)


def test_extract_long_paragraph() -> None:
    """One 50,000-character paragraph (no line break): spans hold and it finishes.

    Extraction was quadratic in such text before extract/lookup.py (speaker lookups
    scanned every mention for each statement: 100,000 characters took a minute, 1 MB did
    not finish in six); the 1 MB version is `test_extract_one_megabyte_paragraph` (slow).
    """
    check_extract(_paragraph(50_000))


@pytest.mark.slow
def test_extract_one_megabyte_paragraph() -> None:
    check_extract(_paragraph(1_000_000))


@pytest.mark.slow
@settings(max_examples=MANY, deadline=None)
@given(st.one_of(articles(), mutated()))
def test_extract_many_examples(text: str) -> None:
    check_extract(text)


def _paragraph(size: int) -> str:
    unit = ('Russia attacked Ukraine and "Belarus said it would respond, ' +
            "while Poland closed the border \u200d👍🏽 ")
    return (unit * (size // len(unit) + 1))[:size]


# ---------------------------------------------------------------- ingest readers


def write_inputs(directory: Path, text: str) -> list[Path]:
    """`text` as an article in every format `read_sources` reads."""
    raw = text.encode("utf-8", "surrogatepass")  # lone surrogates: invalid UTF-8 bytes
    html = b"<!DOCTYPE html><html><head><title>T</title></head><body><article><p>" + raw
    html += b"</p></article></body></html>"
    record = {"title": text[:50], "text": text, "published": "2024-03-05", "url": None}
    jsonl = (json.dumps(record) + "\n" + json.dumps({"text": text[::-1]}) + "\n").encode()
    files = {
        "a.txt": raw, "b.md": b"# " + raw, "c.html": html, "d.jsonl": jsonl,
        "e.txt.gz": gzip.compress(raw), "f.jsonl.gz": gzip.compress(jsonl),
        "g.unknown": raw, "h.html.gz": gzip.compress(html),
    }
    paths = []
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    warc = directory / "i.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://news.example/1", "response", payload=io.BytesIO(html), length=len(html),
            http_headers=headers, warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"},
        ))
    paths.append(warc)
    return paths


def check_read(paths: list[Path], *, extract: bool) -> list[Article]:
    """Read `paths`; every item is an Article or a Failure, none internal."""
    items = list(read_sources([str(p) for p in paths]))
    found: list[Article] = []
    for item in items:
        assert isinstance(item, Article | Failure)
        if isinstance(item, Failure):
            assert item.kind != "internal", item
            continue
        assert item.text and normalize_body(item.text) == item.text
        found.append(item)
    if extract:  # the formats mostly agree on the body: extract each body once
        unique = {a.text: a for a in found}
        for doc in flashpoint.extract_many(unique.values()):
            check_document(doc)
    return found


@settings(max_examples=FEW // 2, deadline=None)
@given(st.one_of(articles(), mutated()))
@example("\ud800\udc00 \ud83d lone halves\x00 of pairs")
@example("<p>unclosed <b>markup & <script>alert(1)</script> \u202e</p")
def test_ingest_readers_on_hostile_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_read(write_inputs(Path(tmp), text), extract=True)


@settings(max_examples=FEW, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(
    ["x.txt", "x.html", "x.jsonl", "x.json", "x.md", "x.gz", "x.txt.gz", "x.warc", "x.warc.gz",
     "x.arc", "x.unknown"]))
@example(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "x.txt.gz")  # a gzip header, no data
@example(b"WARC/1.0\r\nContent-Length: 99999999\r\n\r\n", "x.warc")
@example(b"\xef\xbb\xbf", "x.txt")  # a BOM and nothing else
@example(b'{"text": "\\ud800"}\n{"text": 5}\n[1, 2]\n{', "x.jsonl")
def test_ingest_readers_on_random_bytes(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        check_read([path], extract=False)


@settings(max_examples=FEW // 2, deadline=None)
@given(articles(), st.data())
def test_ingest_readers_on_damaged_files(text: str, data: st.DataObject) -> None:
    """Each written file with bytes flipped, cut or inserted (gzip and WARC included)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_inputs(Path(tmp), text + " Russia attacked Ukraine.")
        for path in paths:
            raw = bytearray(path.read_bytes())
            # A position as a share of the file: WARC record ids are random, so the
            # compressed size (and any integer range over it) differs between runs.
            i = data.draw(st.integers(0, 9999), label=f"where in {path.name}") * len(raw) // 10000
            damage = data.draw(st.sampled_from(["flip", "cut", "insert"]), label="damage")
            if damage == "flip":
                raw[i] ^= data.draw(st.integers(1, 255), label="bits")
            elif damage == "cut":
                del raw[i:]
            else:
                raw[i:i] = data.draw(st.binary(min_size=1, max_size=20), label="bytes")
            path.write_bytes(bytes(raw))
        check_read(paths, extract=False)


def test_ingest_one_megabyte_paragraph(tmp_path: Path) -> None:
    """A 1 MB one-paragraph article in every format reads whole, as one unchanged body."""
    text = _paragraph(1_000_000).strip()
    found = check_read(write_inputs(tmp_path, text), extract=False)
    assert len(found) >= 9
    assert max(len(a.text) for a in found) >= 990_000


@pytest.mark.slow
@settings(max_examples=MANY // 3, deadline=None)
@given(st.one_of(articles(), mutated()))
def test_ingest_readers_many_examples(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_read(write_inputs(Path(tmp), text), extract=True)


@pytest.mark.slow
@settings(max_examples=MANY * 3, deadline=None)
@given(st.binary(max_size=20_000), st.sampled_from(
    ["x.txt", "x.html", "x.jsonl", "x.gz", "x.txt.gz", "x.warc", "x.warc.gz", "x.unknown"]))
def test_ingest_readers_many_random_bytes(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        check_read([path], extract=False)
