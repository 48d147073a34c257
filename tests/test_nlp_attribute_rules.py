"""`flashpoint.nlp.attribute_rules`: the fast attribute ruler annotates exactly as spaCy's.

Two real pipelines of the spaCy model parse the same texts, one with spaCy's
AttributeRuler and one with `AttributeRules` in its place; every token attribute the
coder reads (and those the lemmatizer and NER after it derive) must be equal. The texts
are the bundled example articles plus sentences written to hit the ruler's exceptions
(contractions, "gonna", expletive "there is", auxiliaries, whitespace tokens).
"""

from __future__ import annotations

import pickle
from importlib import resources
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from flashpoint.ingest import read_sources
from flashpoint.model import Article
from flashpoint.nlp.attribute_rules import AttributeRules, fast_attribute_ruler
from flashpoint.nlp.pipeline import MODEL, load_nlp

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package(MODEL), reason="spaCy model not installed"
)

SENTENCES = [
    "I ain't gonna sign it, y'all. Let's go! C'mon, nothin' doin'.",
    "We gotta leave now; they're coming and it's late.",
    "There is a border. There were protests. There's no deal, and there're no talks.",
    "It is I who called. You saw it. I saw you. They gave it to me and to you.",
    "Do you have it? I did have it. He does. She has had enough. Did they?",
    "The minister said that if the rebels attack, the army will respond, but not now.",
    "The envoy isn't here and doesn't know, won't come, can't talk.",
    "  Warsaw  closed\n\nthe border.\n \n Minsk   reacted. ",
    "The talks, which both sides want, are set to resume whether or not Moscow agrees.",
    "\u201cWe will not yield,\u201d he said \u2014 and left.",
    "",
    "\n\n",
]


def _signature(doc: Doc) -> list[tuple[object, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_type_,
             t.ent_iob_, t.is_sent_start) for t in doc]


@pytest.fixture(scope="module")
def pipelines() -> tuple[Language, Language]:
    plain, fast = spacy.load(MODEL), spacy.load(MODEL)
    assert fast_attribute_ruler(fast)
    return plain, fast


def _texts() -> list[str]:
    examples = Path(str(resources.files("flashpoint") / "data" / "examples"))
    articles = [a.text for a in read_sources([str(examples)]) if isinstance(a, Article)]
    assert len(articles) >= 15
    return SENTENCES + articles


def test_same_annotations_as_spacy(pipelines: tuple[Language, Language]) -> None:
    plain, fast = pipelines
    assert type(fast.get_pipe("attribute_ruler")) is AttributeRules
    assert plain.pipe_names == fast.pipe_names  # same name, same place
    texts = _texts()
    tokens = 0
    for a, b in zip(plain.pipe(texts), fast.pipe(texts), strict=True):
        assert _signature(a) == _signature(b), a.text[:80]
        tokens += len(a)
    assert tokens > 5000


def test_exceptions_are_applied(pipelines: tuple[Language, Language]) -> None:
    """The ruler's exceptions really fire (so the comparison above is not vacuous)."""
    _, fast = pipelines
    doc = fast("I ain't gonna sign it. There is no deal. The envoy isn't here.")
    by_text = {t.text: t for t in doc}
    assert by_text["gon"].lemma_ == "go" and by_text["na"].lemma_ == "to"
    assert by_text["n't"].pos_ == "PART" and by_text["n't"].lemma_ == "not"
    assert by_text["is"].pos_ in ("VERB", "AUX")
    assert str(by_text["I"].morph) == "Case=Nom|Number=Sing|Person=1|PronType=Prs"


def test_unsupported_pattern_keeps_spacy_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add(patterns=[[{"TAG": "NN", "OP": "+"}]], attrs={"POS": "NOUN"})  # type: ignore[attr-defined]
    assert not fast_attribute_ruler(nlp)
    assert nlp.get_pipe("attribute_ruler") is ruler
    assert not fast_attribute_ruler(nlp, "no_such_component")


def test_coder_pipeline_uses_it() -> None:
    assert type(load_nlp().get_pipe("attribute_ruler")) is AttributeRules


def test_pickles_and_still_annotates(pipelines: tuple[Language, Language]) -> None:
    """spaCy's `nlp.pipe(n_process=...)` may pickle components (spawn start method)."""
    plain, fast = pipelines
    copy = pickle.loads(pickle.dumps(fast.get_pipe("attribute_ruler")))
    text = "There's no deal, and I ain't gonna sign it."
    doc = fast.make_doc(text)
    for name, proc in fast.pipeline:
        doc = copy(doc) if name == "attribute_ruler" else proc(doc)
    assert _signature(doc) == _signature(plain(text))
