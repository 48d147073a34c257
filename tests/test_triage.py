"""Triage (flashpoint.nlp.triage): what it drops, what it keeps, and that nothing else
changes: offsets, short texts, --no-triage output, the CLI flag.

The articles below are written for these tests. Cost and speed on real news are measured
by bench/triage.py, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import flashpoint
from flashpoint.cli import app
from flashpoint.extract.events import EventStage
from flashpoint.extract.statements import StatementStage
from flashpoint.nlp.stage import NlpStage
from flashpoint.nlp.triage import Plan, Triage, blank, load_triage, units_of
from flashpoint.pipeline import CODER_VERSION, Pipeline, make_article

HEADLINE = "Armenia and Azerbaijan trade threats over border villages"
LEAD = ("Azerbaijan's defence minister warned on Monday that troops would cross the border "
        "if attacks on villages in the Tavush region continued.")
SPORT = ("In Liverpool, the striker scored twice in the second half and the goalkeeper made a "
         "string of good saves. The crowd sang until the final whistle. The result lifts "
         "the club to third place in the table.")
BUSINESS = ("Shares in Tesco rose four percent after quarterly profits came in higher "
            "than analysts had forecast. Sales of garden furniture were strong in the spring.")
MEETING = "The foreign ministers of Armenia and Azerbaijan met in Geneva on Tuesday."
THREAT = "Armenia threatened to close its embassy in Baku."
STATEMENT = ('"We will not accept this," Armenian Prime Minister Nikol Pashinyan said, '
             "accusing Azerbaijan of provocation.")
WEATHER = ("The weather in the region was mild for the season, and farmers were planting "
           "early. Tourists filled the mountain hotels over the weekend.")

ARTICLE = "\n\n".join([HEADLINE, LEAD, SPORT, MEETING, BUSINESS, WEATHER, THREAT, STATEMENT])


@pytest.fixture(scope="module")
def triage() -> Triage:
    return load_triage()


def kept(plan: Plan, text: str, piece: str) -> bool:
    """Whether every character of `piece` (found in `text`) is kept by `plan`."""
    start = text.index(piece)
    return any(s <= start and start + len(piece) <= e for s, e in plan.keep)


def dropped(plan: Plan, text: str, piece: str) -> bool:
    start = text.index(piece)
    return not any(s < start + len(piece) and start < e for s, e in plan.keep)


def test_sport_business_and_weather_paragraphs_are_dropped(triage: Triage) -> None:
    plan = triage.plan(ARTICLE)
    assert plan.triaged and not plan.dropped and not plan.whole
    for piece in (SPORT, BUSINESS, WEATHER):
        assert dropped(plan, ARTICLE, piece), piece


def test_threat_attack_meeting_and_statement_paragraphs_are_kept(triage: Triage) -> None:
    plan = triage.plan(ARTICLE)
    for piece in (HEADLINE, LEAD, MEETING, THREAT, STATEMENT):
        assert kept(plan, ARTICLE, piece), piece
    assert plan.kept_paragraphs == 5 and plan.paragraphs == 8


def test_inflected_and_irregular_trigger_forms_are_seen(triage: Triage) -> None:
    for sentence in ("Rebels shelled the town.", "The two leaders met in Paris.",
                     "Soldiers fought near the river.", "Militants struck a checkpoint.",
                     "He was arrested overnight.", "They are threatening reprisals."):
        assert triage.relevant(sentence), sentence
    # a constrained trigger needs one of its objects: "closed the deal" is no SANCTION
    assert not triage.relevant("The firm closed the deal.")
    assert triage.relevant("Turkey closed the border.")
    # a name is not a verb: mid-sentence "March" never reads as a trigger
    assert not triage.relevant("Sales rose in March and in May.")


def test_an_article_with_nothing_to_code_is_not_parsed(triage: Triage) -> None:
    text = "\n\n".join(["Garden furniture sales bloom", SPORT, BUSINESS, WEATHER])
    plan = triage.plan(text)
    assert plan.dropped and plan.kept_units == 0
    assert blank(text, plan).strip() == ""
    doc = flashpoint.extract(text)
    assert doc.text == text and not doc.mentions and not doc.events and not doc.statements


def test_blanking_keeps_length_newlines_and_kept_text(triage: Triage) -> None:
    plan = triage.plan(ARTICLE)
    out = blank(ARTICLE, plan)
    assert len(out) == len(ARTICLE)
    assert [i for i, c in enumerate(out) if c == "\n"] == \
        [i for i, c in enumerate(ARTICLE) if c == "\n"]
    for start, end in plan.keep:
        assert out[start:end] == ARTICLE[start:end]
    assert "striker" not in out and "garden" not in out


def test_a_quote_is_never_cut_in_two() -> None:
    text = ('Officials were calm. "The army is ready. It will defend every village. Nobody '
            'should doubt it," the minister said. The talks resume next week.')
    units = units_of(text)
    quote_start = text.index('"The army')
    quote_end = text.index("said.") + len("said.")
    assert any(s <= quote_start and quote_end <= e for s, e, _ in units)


def test_spans_index_the_text_with_triage_on() -> None:
    doc = flashpoint.extract(ARTICLE, published="2024-05-16")
    plan = load_triage().plan(ARTICLE)
    assert plan.triaged and not plan.whole
    assert doc.events and doc.mentions and doc.statements
    for span in doc.spans():
        assert ARTICLE[span.start:span.end] == span.text
    # everything found lies in what was parsed
    for span in [m.span for m in doc.mentions] + [e.evidence for e in doc.events]:
        assert any(s <= span.start and span.end <= e for s, e in plan.keep), span
    types = {e.type for e in doc.events}
    assert {"THREATEN", "CONSULT"} <= types, types


def test_short_texts_are_never_triaged(triage: Triage) -> None:
    for text in (LEAD, HEADLINE, "\n\n".join([HEADLINE, LEAD, MEETING])):
        plan = triage.plan(text)
        assert plan.whole and plan.reason == "short"
        with_triage = flashpoint.extract(text, published="2024-05-16").to_dict()
        without = flashpoint.extract(text, published="2024-05-16", triage=False).to_dict()
        assert with_triage["coder"]["version"] == f"{CODER_VERSION}+triage.1"
        with_triage.pop("coder"), without.pop("coder")
        assert with_triage == without


def test_no_triage_gives_the_output_of_the_coder_without_triage() -> None:
    before = Pipeline([NlpStage(), StatementStage(), EventStage(use_statements=True)])
    article = make_article(ARTICLE, published="2024-05-16")
    expected = next(iter(before([article]))).to_dict()
    got = next(iter(flashpoint.extract_many([article], triage=False))).to_dict()
    assert got == expected
    assert got["coder"]["version"] == CODER_VERSION
    # and triage did change something on this article: the sport paragraph's mentions
    on = flashpoint.extract(ARTICLE, published="2024-05-16")
    assert len(on.mentions) < len(got["mentions"])


def test_cli_triage_flag(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    runner = CliRunner()
    on = runner.invoke(app, ["extract", str(path)])
    off = runner.invoke(app, ["extract", str(path), "--no-triage"])
    assert on.exit_code == 0, on.output
    assert off.exit_code == 0, off.output
    doc_on, doc_off = json.loads(on.stdout), json.loads(off.stdout)
    assert doc_on["coder"]["version"].endswith("+triage.1")
    assert doc_off["coder"]["version"] == CODER_VERSION
    assert len(doc_on["mentions"]) < len(doc_off["mentions"])
    for doc in (doc_on, doc_off):
        for mention in doc["mentions"]:
            span = mention["span"]
            assert doc["text"][span["start"]:span["end"]] == span["text"]
    help_text = runner.invoke(app, ["ingest", "--help"]).output
    assert "--no-triage" in help_text
