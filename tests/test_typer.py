"""The event typer: the shipped model, training end to end, the training command."""

from __future__ import annotations

import csv
import random
import socket
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from typer.testing import CliRunner

from flashpoint.cli import app
from flashpoint.errors import ConfigError
from flashpoint.extract.train import (
    TrainConfig,
    TrainingData,
    cross_validate,
    fit,
    load_gold_records,
    load_training_data,
)
from flashpoint.extract.typer import TYPES, EventTyper, TfidfBlock, default_model_path

SHARED_EVENTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "events"

# A tiny synthetic corpus written here: templates x actors, one verb family per label.
ACTORS = ["Russia", "France", "the rebels", "Kenya", "the government", "Brazil", "Japan",
          "the army", "Egypt", "Chile"]
TEMPLATES = {
    "ASSAULT": ["{a} shelled villages held by {b}.", "{a} bombed positions of {b} overnight.",
                "Troops of {a} attacked {b} near the border."],
    "CONSULT": ["{a} met {b} for talks in the capital.", "{a} held talks with {b} on Monday.",
                "Envoys of {a} visited {b} to discuss trade."],
    "ACCUSE": ["{a} condemned {b} for the killings.", "{a} accused {b} of lying.",
               "{a} criticised {b} over the election."],
    "YIELD": ["{a} released prisoners held by {b}.", "{a} withdrew its troops from {b}.",
              "{a} lifted the curfew imposed on {b}."],
}
QUAD = {"ASSAULT": 4, "CONSULT": 1, "ACCUSE": 3, "YIELD": 2}


def synthetic(n_per_label: int = 12, seed: int = 1) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for label, templates in TEMPLATES.items():
        for i in range(n_per_label):
            a, b = rng.sample(ACTORS, 2)
            rows.append((templates[i % len(templates)].format(a=a, b=b), label))
    return rows


def write_data_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "plover_sentences_train.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label", "meta", "context", "source", "target"])
        for i, (text, label) in enumerate(synthetic()):
            w.writerow([text, label, f"PLOVER event record.|PLV|split=train|sentence_id={i}",
                        "", "", ""])
    quad = [f"{text}\t{QUAD[label]}" for text, label in synthetic(6, seed=7)]
    (root / "cameo_quad_train.tsv").write_text("\n".join(quad) + "\n", encoding="utf-8")
    return root


# ---------------------------------------------------------------------- shipped model
def test_shipped_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the typer tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    typer = EventTyper.from_file(default_model_path())
    probs = typer.predict(["Protesters rallied outside parliament.", "", "x"])
    assert len(probs) == 3


def test_shipped_model_gives_normalised_distributions_over_16_types() -> None:
    typer = EventTyper.load()
    assert typer is EventTyper.load()  # cached
    texts = ["Government troops shelled rebel positions near the city.",
             "The two presidents met in Geneva for talks.",
             "The minister condemned the attack.", "???"]
    for p in typer.predict(texts):
        assert tuple(p) == TYPES
        assert all(0.0 <= v <= 1.0 for v in p.values())
        assert sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    for q in typer.predict_quad(texts):
        assert len(q) == 5 and sum(q.values()) == pytest.approx(1.0, abs=1e-5)


def test_shipped_model_types_plain_sentences() -> None:
    typer = EventTyper.load()
    cases = {"Government troops shelled rebel positions and killed twelve fighters.": "ASSAULT",
             "Thousands of protesters marched through the capital demanding his resignation.":
                 "PROTEST",
             "The foreign ministers met in Geneva for talks on the crisis.": "CONSULT"}
    probs = typer.predict(list(cases))
    for (text, expected), p in zip(cases.items(), probs, strict=True):
        assert max(p, key=lambda t: p[t]) == expected, text


def test_predict_rejects_a_single_string_and_accepts_nothing() -> None:
    typer = EventTyper.load()
    with pytest.raises(TypeError):
        typer.predict("one sentence")
    assert typer.predict([]) == []


def test_unreadable_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="cannot read event typer model"):
        EventTyper.from_file(bad)


# ---------------------------------------------------------------------- training
def test_tfidf_block_matches_scikit_learn() -> None:
    texts = [t for t, _ in synthetic()]
    for analyzer, ngrams in (("word", (1, 2)), ("char_wb", (2, 4))):
        vec = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True)
        expected = vec.fit_transform(texts).toarray()
        vocab = tuple(sorted(vec.vocabulary_, key=lambda t: vec.vocabulary_[t]))
        block = TfidfBlock(analyzer, ngrams, vocab, vec.idf_.astype(np.float32))
        np.testing.assert_allclose(block.transform(texts).toarray(), expected, atol=1e-5)


def test_training_on_a_tiny_synthetic_set_end_to_end(tmp_path: Path) -> None:
    data = load_training_data(write_data_dir(tmp_path / "events"))
    assert len(data.sentences) == 48 and len(data.quad) == 24 and data.gold == []
    config = TrainConfig(use_cameo_descriptions=False)
    typer = fit(data, config)
    unseen = {"Japan shelled villages held by Chile.": "ASSAULT",
              "Egypt held talks with Kenya on Monday.": "CONSULT",
              "Brazil accused Russia of lying.": "ACCUSE"}
    probs = typer.predict(list(unseen))
    for (text, expected), p in zip(unseen.items(), probs, strict=True):
        assert max(p, key=lambda t: p[t]) == expected, text
        assert sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    # YIELD is shared out between CONCEDE and RETREAT; no YIELD key comes out
    p = typer.predict(["France released prisoners held by Egypt."])[0]
    assert "YIELD" not in p and p["CONCEDE"] + p["RETREAT"] > 0.5
    # save / load round trip gives the same numbers
    path = tmp_path / "typer.npz"
    typer.save(path)
    again = EventTyper.from_file(path)
    for a, b in zip(again.predict(list(unseen)), probs, strict=True):
        assert a == pytest.approx(b, abs=1e-6)
    assert again.meta["examples"]["main"] == 48


def test_training_is_reproducible(tmp_path: Path) -> None:
    data = TrainingData(synthetic())
    config = TrainConfig(use_cameo_descriptions=False)
    a = fit(data, config).predict(["Kenya condemned France for the killings."])
    b = fit(data, config).predict(["Kenya condemned France for the killings."])
    assert a == b


def test_cross_validation_scores_the_held_out_folds() -> None:
    result = cross_validate(TrainingData(synthetic()), TrainConfig(use_cameo_descriptions=False),
                            n_splits=3)
    assert len(result.predicted) == 48 and "" not in result.predicted
    assert result.micro_f1 > 0.7 and set(result.per_type) == set(TEMPLATES)


def test_training_needs_two_labels() -> None:
    with pytest.raises(ConfigError, match="two event types"):
        fit(TrainingData([("a b c", "AID")]), TrainConfig(use_cameo_descriptions=False))


def test_train_events_command_on_a_small_set(tmp_path: Path) -> None:
    data_dir = write_data_dir(tmp_path / "events")
    out = tmp_path / "model" / "typer.npz"
    result = CliRunner().invoke(app, ["train", "events", "--data", str(data_dir),
                                      "--output", str(out), "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "micro-F1" in result.output and "quad-class accuracy" in result.output
    typer = EventTyper.from_file(out)
    assert typer.meta["cv"]["folds"] == 2
    card = (out.parent / "README.md").read_text(encoding="utf-8")
    assert "micro-F1" in card and "plover_sentences_train.csv" in card


def test_train_events_command_reports_a_missing_data_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "events", "--data", str(tmp_path),
                                      "--output", str(tmp_path / "m.npz")])
    assert result.exit_code == 1
    assert "plover_sentences_train.csv" in result.output


@pytest.mark.skipif(not SHARED_EVENTS.exists(), reason="../shared is absent")
def test_gold_records_use_current_type_names() -> None:
    records = load_gold_records(SHARED_EVENTS / "plover" / "PLOVER_GSR_CAMEO.txt")
    assert len(records) == 322
    assert {r.type for r in records} <= set(TYPES)
    assert sum(r.type == "ASSAULT" for r in records) == 32  # FIGHT 17 + ASSAULT 15
    assert any(r.type == "ACCUSE" and r.mode == "investigate" for r in records)


def test_quad_classes_allowed_for_pseudo_labels_follow_the_ontology() -> None:
    """A pseudo-label must be a type of the sentence's quad class as the ontology has it:
    SANCTION is verbal conflict (class 3), not material conflict; COERCE, which the CAMEO
    quad data puts in both conflict classes, is allowed in both."""
    from flashpoint.extract.ontology import ontology
    from flashpoint.extract.train import QUAD_TYPES

    plover = ontology()
    for quad, labels in QUAD_TYPES.items():
        for label in labels:
            if label == "YIELD":  # CONCEDE (1) and RETREAT (2) folded: material in the data
                assert quad == 2
            elif label == "COERCE":
                assert quad in (3, 4)
            else:
                assert plover.quad_class(label).value == quad, label
    assert "SANCTION" in QUAD_TYPES[3] and "SANCTION" not in QUAD_TYPES[4]


def test_a_quad_sentence_with_a_real_label_gets_no_pseudo_label() -> None:
    """Quad sentences that are also labelled sentences keep their real label only; the
    others of a class with two or more types are pseudo-labelled."""
    rejects = [(f"{a} rejected the proposal made by {b}.", "REJECT")
               for a, b in zip(ACTORS, ACTORS[1:], strict=False)]
    sentences = synthetic() + rejects
    labelled = [(t, 3) for t, label in sentences if label == "ACCUSE"][:6]
    fresh = [("Chile condemned Japan for the raids.", 3),
             ("Kenya turned down the offer from Egypt.", 3)]
    config = TrainConfig(use_cameo_descriptions=False, pseudo_margin=0.0)
    typer = fit(TrainingData(sentences, labelled + fresh), config)
    assert typer.meta["examples"]["pseudo_labelled"] == len(fresh)
    # spacing and case do not make a labelled sentence new
    shouted = [(" ".join(t.upper().split(" ")) + " ", q) for t, q in labelled]
    typer = fit(TrainingData(sentences, shouted), config)
    assert typer.meta["examples"]["pseudo_labelled"] == 0
