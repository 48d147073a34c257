"""A small learned model that decides which cue clauses are attributions.

The rule finders (`statements.py`) read a cue of the lexicon with the frames it takes.
PolNeAR annotates stances behind hundreds of other words ("Clinton stressed her support
of ...", "the party's rules empower ..."), too rare each, and too often not a stance,
for a lexicon frame: added as rules they made more wrong statements than right ones. This
model looks at the context instead. The finder runs a second time with an *open* lexicon
(`OpenCueLexicon`: every verb, noun and adjective may take a clause, a to-infinitive or an
object); each candidate it finds that the lexicon does not cover and that no rule
statement overlaps is scored, and kept when the model is confident enough. The same model
scores the rule finders' own reported-speech statements and drops the few it is most sure
are not attributions, and scores the open-lexicon clauses that enclose rule statements
("sent letters [urging farmers to leave]"), which replace them when it is confident.

The model is a logistic regression over sparse indicator features of the cue predicate
(lemma, frame, dependency relation, tag, governor, the word before it, negation, modal,
prepositions), its subject (entity type, pronoun, lemma, position), its complement (head
lemma, part of speech, entity type, "that", object lemma) and the content (first word,
length, quotation marks, cue position), plus the lemma crossed with the subject's type.
It was trained with `flashpoint train quotes` (`train_statements.py`) on the PolNeAR
train split; the weights live in `data/models/statement_model.json` (plain JSON, no
pickle) with its model card `statement_model.md` beside it. Hand-written inference (a dot
product and a sigmoid) because the runtime needs nothing more than that.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from flashpoint.extract.cues import Cue, CueLexicon

DEFAULT_MODEL = "statement_model.json"
# Pronouns a subject may be; their words are features of their own.
_FIRST_WORD = re.compile(r"\w+")
_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "you", "who", "which", "that"})


class OpenCueLexicon(CueLexicon):
    """The cue lexicon plus a generic entry for every other lemma and frame (clause,
    to-infinitive, object), so the rule finder proposes every candidate the model may
    want (a noun's prepositional object too: "questions about ..."). Generic entries are
    `belief` cues without a function: that keeps them out of
    the finder's speech-only constructions (direct-quote cues, parentheticals)."""

    def __init__(self, base: CueLexicon) -> None:
        super().__init__(base.entries)

    def __contains__(self, lemma: object) -> bool:
        return isinstance(lemma, str)

    def get(self, lemma: str, frame: str) -> Cue | None:
        found = super().get(lemma, frame)
        if found is None and frame in _OPEN_FRAMES:
            return _generic(lemma)
        return found


_OPEN_FRAMES = frozenset("cton")


@lru_cache(maxsize=4096)
def _generic(lemma: str) -> Cue:
    return Cue(lemma, "belief", None, _OPEN_FRAMES)


@dataclass(frozen=True)
class Candidate:
    """What the model sees of one statement the finder proposed."""

    content: tuple[int, int]
    predicate: int | None  # token index of the cue
    frame: str  # c, t, o, n, or "" (no complement: passives, parentheticals, "according")
    kind: str
    function: str | None
    speaker_head: int | None
    content_head: int | None
    cue: tuple[int, int] | None
    source: str  # "rule" (a lexicon cue) or "open" (a generic cue of the open lexicon)


def _bucket(n: int, edges: Iterable[int] = (1, 2, 3, 5, 8, 13, 21, 34)) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return "big"


def features(doc: Doc, text: str, cand: Candidate) -> list[str]:
    """Indicator features of one candidate (see the module docstring)."""
    out = ["bias", f"src={cand.source}"]
    if cand.predicate is None:
        return [*out, "headline"]
    pred = doc[cand.predicate]
    lemma = "according" if pred.lower_ == "according" else pred.lemma_.lower()
    frame = "a" if lemma == "according" else cand.frame or "-"
    out += [f"org={pred.pos_}:{frame}", f"lem={lemma}", f"lemfr={lemma}:{frame}",
            f"kind={cand.kind}", f"fn={cand.function}", f"dep={pred.dep_}", f"tag={pred.tag_}",
            f"depfr={pred.dep_}:{frame}", f"tagfr={pred.tag_}:{frame}"]
    if cand.speaker_head is None:
        out.append("nospk")
    else:
        subject = doc[cand.speaker_head]
        is_pron = subject.lower_ in _PRONOUNS
        kind = subject.ent_type_ or ("PRON" if is_pron else subject.pos_)
        out += [f"spk={kind}", f"spkfr={kind}:{frame}", f"spkdep={subject.dep_}"]
        if is_pron:
            out.append(f"spkw={subject.lower_}")
        if subject.i > pred.i:
            out.append("spk_after")
        out += [f"lemspk={lemma}:{subject.ent_type_ or subject.pos_}",
                f"spklem={subject.lemma_.lower()}"]
    governor = pred.head
    out += [f"lemsrc={lemma}:{cand.source}",
            f"gov={governor.lemma_.lower() if governor.i != pred.i else 'ROOT'}",
            f"govdep={governor.dep_}:{pred.dep_}"]
    if pred.i > 0:
        out.append(f"prevw={doc[pred.i - 1].lower_}")
    for child in pred.children:
        if child.dep_ == "neg":
            out.append("neg")
        elif child.dep_ == "aux" and child.tag_ == "MD":
            out.append(f"md={child.lower_}")
        elif child.dep_ == "prt":
            out.append(f"prt={lemma}_{child.lower_}")
        elif child.dep_ == "dative":
            out.append("dative")
        elif child.dep_ == "prep":
            out += [f"prep={child.lower_}", f"lemprep={lemma}:{child.lower_}"]
        elif child.dep_ in ("dobj", "obj"):
            out.append(f"objent={child.ent_type_ or child.pos_}")
    if cand.content_head is not None and cand.content_head != cand.predicate:
        comp = doc[cand.content_head]
        out += [f"comp={comp.pos_}:{comp.dep_}", f"compent={comp.ent_type_ or '-'}",
                f"lemcomp={lemma}:{comp.pos_}"]
        if comp.i < pred.i:
            out.append(f"comp_before:{frame}")
        if any(c.dep_ == "mark" and c.lower_ == "that" for c in comp.children):
            out.append("that")
        out.append(f"comphead={comp.lemma_.lower()}")
        if comp.pos_ == "PRON":
            out.append(f"comppron={comp.lower_}")
        if frame == "o":
            out += [f"objlem={comp.lemma_.lower()}", f"lemobj={lemma}:{comp.lemma_.lower()}"]
    c0, c1 = cand.content
    n_words = len(re.findall(r"\w+", text[c0:c1]))
    out += [f"len={_bucket(n_words)}", f"lenfr={_bucket(n_words)}:{frame}"]
    first = _FIRST_WORD.search(text, c0, c1)
    if first:
        out.append(f"first={first.group().lower()}")
    if any(ch in text[c0:c1] for ch in '"\u201c\u201d'):
        out.append("hasquote")
    out.append(f"sentpos={_bucket(pred.i - pred.sent.start, (0, 1, 2, 4, 8, 16))}")
    if cand.cue is not None and cand.cue[0] > c1:
        out.append("cue_after")
    if cand.cue is not None and c0 < cand.cue[0] < c1:
        out.append("cue_inside")
    return out


@dataclass(frozen=True)
class StatementModel:
    """Weights per feature, a bias, and the decision thresholds: a rule statement is
    dropped below `drop_below`, an open-lexicon candidate kept from `keep_from`, and an
    open-lexicon clause enclosing rule statements replaces them from `keep_enclosing`
    (None: never; models written before that decision have none)."""

    weights: dict[str, float]
    drop_below: float
    keep_from: float
    meta: dict[str, Any] = field(default_factory=dict)
    keep_enclosing: float | None = None

    def probability(self, feats: Iterable[str]) -> float:
        score = sum(self.weights.get(f, 0.0) for f in set(feats))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": "flashpoint-statement-model/1",
                               "drop_below": self.drop_below, "keep_from": self.keep_from}
        if self.keep_enclosing is not None:
            out["keep_enclosing"] = self.keep_enclosing
        return {**out, "meta": self.meta, "weights": dict(sorted(self.weights.items()))}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=0, ensure_ascii=False) + "\n",
                        encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatementModel:
        if data.get("format") != "flashpoint-statement-model/1":
            raise ValueError("not a flashpoint statement model file")
        enclosing = data.get("keep_enclosing")
        return cls({str(k): float(v) for k, v in data["weights"].items()},
                   float(data["drop_below"]), float(data["keep_from"]), dict(data["meta"]),
                   None if enclosing is None else float(enclosing))


def default_model_path() -> Path:
    return Path(str(resources.files("flashpoint") / "data" / "models" / DEFAULT_MODEL))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> StatementModel | None:
    """The shipped model (or the one at `path`); None when the file is absent, so a
    checkout without it still finds the rule statements."""
    target = Path(path) if path else default_model_path()
    if not target.exists():
        return None
    return StatementModel.from_json(json.loads(target.read_text(encoding="utf-8")))
