"""The public API is exactly what `flashpoint.__all__` lists, and extract() keeps its text."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flashpoint


def test_all_lists_only_public_names_that_exist() -> None:
    for name in flashpoint.__all__:
        assert hasattr(flashpoint, name), name
    public = {n for n in dir(flashpoint)
              if not n.startswith("_") and not inspect.ismodule(getattr(flashpoint, n))}
    imported_helpers = {"annotations", "Iterable", "Iterator", "lru_cache", "Pipeline",
                        "make_article"}
    assert public - imported_helpers <= set(flashpoint.__all__)


def test_extract_returns_the_text_unchanged_with_metadata() -> None:
    text = "  Warsaw closed the border.\r\n\r\nIt said “growing tensions”.  "
    doc = flashpoint.extract(text, published="2023-02-16", url="https://example.org/a", title="T")
    assert doc.text == text
    assert doc.published == dt.date(2023, 2, 16)
    assert doc.url == "https://example.org/a"
    assert doc.title == "T"
    assert doc.coder.name and doc.coder.version
    assert all(s.is_valid_for(text) for s in doc.spans())


def test_extract_rejects_a_bad_published_date_clearly() -> None:
    with pytest.raises(flashpoint.ConfigError, match="ISO date"):
        flashpoint.extract("text", published="16/02/2023")


def test_extract_many_matches_extract_in_order() -> None:
    texts = [f"Article number {i} about the border." for i in range(70)]
    many = list(flashpoint.extract_many(texts))
    assert [d.text for d in many] == texts
    assert many == [flashpoint.extract(t) for t in texts]


def test_extract_many_rejects_zero_processes() -> None:
    with pytest.raises(flashpoint.ConfigError):
        list(flashpoint.extract_many(["x"], n_process=0))


def test_extract_many_with_two_processes_matches_extract() -> None:
    texts = ["Warsaw closed the Bobrowniki border checkpoint last week.",
             "Putin met Lukashenko in Minsk on Friday.", ""] * 3
    assert list(flashpoint.extract_many(texts, n_process=2)) == [
        flashpoint.extract(t) for t in texts]


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_extract_never_crashes_and_every_span_indexes_the_text(text: str) -> None:
    doc = flashpoint.extract(text, published="2024-01-15")
    assert doc.text == text
    assert all(span.is_valid_for(text) for span in doc.spans())
