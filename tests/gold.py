"""Helpers shared by the gold-driven NLP tests (actors, coreference)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

import flashpoint
from flashpoint.model import Document


@cache
def extract_cached(text: str, published: str) -> Document:
    """One extraction per gold text for the whole session (the model loads once)."""
    return flashpoint.extract(text, published=published)


def known_failure_param(known: dict[str, str], test_id: str, *values: Any) -> Any:
    """A parametrize case, marked as a strict xfail when `known` lists its id: fixing the
    code then fails the test until the entry is removed, so the list stays true."""
    reason = known.get(test_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(*values, id=test_id, marks=marks)
