"""normalize_body: the one cleaning every ingester applies before extraction."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashpoint.ingest import normalize_body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("tab\tkept\x00\x07\x1b[0m gone", "tab\tkept[0m gone"),
        ("no\u00a0break\u2009thin\u3000wide\u202fnarrow", "no break thin wide narrow"),
        ("trailing   \nspaces\t\n", "trailing\nspaces"),
        ("One.\n\n\n\n\nTwo", "One.\n\nTwo"),
        ("  \n\n  padded  \n\n ", "padded"),
        ("cafe\u0301", "caf\u00e9"),  # NFC
        ("soft\u00adhy\u200bphen\ufeff", "softhyphen"),
        ("Para.\u2029Graph", "Para.\n\nGraph"),
        ("page\x0cbreak", "page\nbreak"),
    ],
)
def test_normalize_rules(raw: str, expected: str) -> None:
    assert normalize_body(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the reference article's scraper break
        ("has promised not\n\nto send his forces", "has promised not to send his forces"),
        ("estimated, as ever,\n\nat sixty thousand", "estimated, as ever, at sixty thousand"),
        ("across\n\n\n\nseveral blank lines", "across several blank lines"),
        ("ends with a period.\n\nnext starts lower", "ends with a period.\n\nnext starts lower"),
        ("a colon:\n\nlist item", "a colon:\n\nlist item"),
        ('a quote"\n\nand more', 'a quote"\n\nand more'),
        ("lower end\n\nUpper start", "lower end\n\nUpper start"),
        ("digits 12\n\nnext", "digits 12\n\nnext"),
        ("single\nnewline stays", "single\nnewline stays"),
    ],
)
def test_broken_paragraphs_rejoined_only_mid_sentence(raw: str, expected: str) -> None:
    assert normalize_body(raw) == expected


def test_every_unicode_space_and_control_is_handled() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        if char in "\n\t\r\x0b\x0c\x85" or category not in ("Zs", "Cc", "Cs"):
            continue
        assert normalize_body(f"a{char}b") == ("a b" if category == "Zs" else "ab"), hex(code)


def test_paragraphs_separated_by_exactly_one_blank_line() -> None:
    text = normalize_body("First.\n \n\t\n\nSecond.\r\n\r\n\r\nThird.")
    assert text.split("\n\n") == ["First.", "Second.", "Third."]


_TRICKY = st.sampled_from(
    list("\n\r\t \u00a0\u2028\u2029\x0b\x0c\x85\x00\x07\u00ad\u200b\ufeff\u0301\u0327e,.:\"aZ")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TRICKY, st.characters()), max_size=60).map("".join))
def test_normalize_is_idempotent_and_total(raw: str) -> None:
    once = normalize_body(raw)
    assert normalize_body(once) == once
    assert "\r" not in once and "\n\n\n" not in once
    assert once == once.strip()
    assert all(line == line.rstrip(" \t") for line in once.split("\n"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_never_raises_on_any_text(raw: str) -> None:
    assert isinstance(normalize_body(raw), str)
