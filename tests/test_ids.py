"""Article ids are stable across tracking parameters, fragments and host case."""

from __future__ import annotations

import pytest

from flashpoint.ids import article_id, canonical_url, text_hash


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM/a/b", "https://news.example.com/a/b"),
        ("https://example.org/x?utm_source=tw&utm_medium=social", "https://example.org/x"),
        ("https://example.org/x?b=2&a=1#section", "https://example.org/x?a=1&b=2"),
        ("https://example.org:443/x?fbclid=abc&id=7", "https://example.org/x?id=7"),
        ("http://example.org:8080/x", "http://example.org:8080/x"),
        ("https://user:secret@example.org/x", "https://example.org/x"),
        ("https://example.org", "https://example.org/"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_same_story_under_tracking_variants_has_one_id() -> None:
    a = article_id("https://Example.org/story?utm_campaign=x#comments", "body one")
    b = article_id("https://example.org/story", "a different body")
    assert a == b


def test_without_url_the_id_follows_the_normalised_text() -> None:
    same = article_id(None, "warsaw closed the border.")
    assert article_id(None, "Warsaw  closed\nthe border.") == same
    assert article_id(None, "Minsk closed the border.") != same
    # a value that is not a URL with a host counts as no URL
    assert article_id("not a url", "x") == article_id(None, "x")


def test_text_hash_ignores_spacing_and_case_only() -> None:
    assert text_hash("A  b\n c") == text_hash("a b c")
    assert text_hash("a b c") != text_hash("a b d")
