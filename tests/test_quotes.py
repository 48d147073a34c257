"""Quotation-mark pairing (`flashpoint.extract.quotes`): no parse needed, so every rule of
the module docstring is pinned down here on hand-written text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flashpoint.extract.quotes import find_quotes


def texts(text: str) -> list[str]:
    return [text[q.start:q.end] for q in find_quotes(text)]


def test_curly_and_straight_marks() -> None:
    text = 'He said, \u201cWe will win.\u201d She said, "We will not."'
    assert texts(text) == ["\u201cWe will win.\u201d", '"We will not."']


def test_typewriter_double_apostrophes_are_quotation_marks() -> None:
    text = "''It is anti-reform,'' said Mr. Holtz-Eakin. ''She is layering on complexity.''"
    assert texts(text) == ["''It is anti-reform,''", "''She is layering on complexity.''"]


def test_quote_running_over_paragraphs_is_one_passage() -> None:
    text = ('"We will fight on the beaches.\n\n'
            '"We will fight in the fields," he said.\n\nThe crowd cheered.')
    quotes = find_quotes(text)
    assert len(quotes) == 1
    assert quotes[0].closed and len(quotes[0].parts) == 2
    assert text[quotes[0].start:quotes[0].end].endswith('fields,"')


def test_unclosed_quote_costs_only_its_paragraph() -> None:
    text = 'He said "this never closes.\n\nShe said "this one does" and left.'
    found = find_quotes(text)
    assert [text[q.start:q.end] for q in found if q.closed] == ['"this one does"']
    assert any(not q.closed for q in found)


def test_nested_single_quotes_stay_inside() -> None:
    text = "\u201cThey called it \u2018a crazy system,\u2019 and it is,\u201d he said."
    assert texts(text) == ["\u201cThey called it \u2018a crazy system,\u2019 and it is,\u201d"]


def test_headline_single_quotes_but_not_apostrophes() -> None:
    text = "Belarus Will Join 'Only' if Attacked\n\nThe leaders' meeting went well."
    assert texts(text) == ["'Only'"]


def test_apostrophes_are_not_quotes() -> None:
    assert texts("It's the country's plan, isn't it? The ministers' view.") == []


@given(st.text(alphabet=st.sampled_from(list('ab "\u201c\u201d\'\u2018\u2019\n.,')),
               max_size=200))
def test_passages_are_well_formed_for_any_text(text: str) -> None:
    quotes = find_quotes(text)
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert quote.parts[0][0] == quote.start and quote.parts[-1][1] == quote.end
        start, end = quote.inner(text)
        assert quote.start <= start <= end <= quote.end
    starts = [q.start for q in quotes]
    assert starts == sorted(starts)
