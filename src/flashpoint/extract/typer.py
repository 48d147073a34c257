"""The learned event typer: PLOVER type probabilities for a sentence or clause.

    >>> from flashpoint.extract.typer import EventTyper
    >>> typer = EventTyper.load()
    >>> probs = typer.predict(["Protesters rallied outside parliament on Sunday."])[0]
    >>> max(probs, key=probs.get)
    'PROTEST'

The model is a linear classifier over TF-IDF features of word n-grams, character n-grams
and, when the model was trained with them, the sentence's syntactic cues (its governing
verb, object, infinitive and prepositions: `flashpoint.extract.clause_cues`); it is
trained by `flashpoint train events` (`flashpoint.extract.train`) and shipped as one
`.npz` file of plain arrays under `flashpoint/data/models/` (see the model card there).
Why this shape:

- **fast and light on CPU**: a sparse dot product per clause keeps `flashpoint.extract`
  well above 200 sentences/s on one core, with numpy, scipy and scikit-learn as the only
  runtime dependencies (no torch, no download at run time);
- **portable file**: arrays and a JSON header loaded with `allow_pickle=False`, so a model
  file cannot run code and does not depend on the pickle layout of one scikit-learn
  version. Inference re-applies the vectorisers from their stored vocabularies with
  scikit-learn's `CountVectorizer` (the same tokenisation that training used), then does
  the TF-IDF weighting and the linear layer here in numpy (a few lines).

The training data labels CAMEO's merged concession category YIELD; the typer splits it
into PLOVER's CONCEDE (verbal) and RETREAT (carried out) with a second, binary linear
model over the same features, so `predict` always returns the 16 PLOVER types.

Stages take a typer in their constructor (`EventStage(typer=...)`), so benchmarks and
tests swap in another model without global state.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from flashpoint.errors import ConfigError

__all__ = ["DEFAULT_MODEL", "EventTyper", "TfidfBlock", "TYPES", "QUAD_LABELS"]

# The 16 PLOVER types in codebook order (same as flashpoint.extract.ontology.ontology().types;
# repeated here so loading a model does not need the ontology tables).
TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
# Quad classes of the CAMEO quad data: 0 neutral (statements, appeals), 1 verbal
# cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
QUAD_LABELS: tuple[str, ...] = (
    "neutral", "verbal cooperation", "material cooperation", "verbal conflict",
    "material conflict",
)
FORMAT = "flashpoint.event-typer/1"
# Models with a cue block (analyzer "cue") are written as /2, so an older reader refuses
# them cleanly instead of typing without their cues.
FORMAT_CUES = "flashpoint.event-typer/2"
CUE_ANALYZER = "cue"
DEFAULT_MODEL = "event_typer.npz"

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class TfidfBlock:
    """One TF-IDF feature block: a fixed vocabulary and its idf weights.

    Features are sublinear tf x idf, rows L2-normalised, as scikit-learn's
    `TfidfVectorizer(sublinear_tf=True)` computes them.
    """

    analyzer: str  # "word", "char_wb", or "cue" (whitespace-separated syntactic cues)
    ngram_range: tuple[int, int]
    vocabulary: tuple[str, ...]
    idf: Matrix
    _analyze: Callable[[str], list[str]] = field(init=False, repr=False, compare=False)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # scikit-learn's own analyzer (preprocessing, tokens, n-grams) so inference splits
        # text exactly as training did; the counting and weighting below are a few numpy
        # lines because CountVectorizer.transform's per-call overhead (validation, a
        # vocabulary-sized diagonal) cost ~30x the work on one sentence.
        analyze: Callable[[str], list[str]]
        if self.analyzer == CUE_ANALYZER:  # cue strings are already tokens
            analyze = str.split
        else:
            analyze = CountVectorizer(analyzer=self.analyzer, ngram_range=self.ngram_range,
                                      lowercase=True).build_analyzer()
        object.__setattr__(self, "_analyze", analyze)
        object.__setattr__(self, "_index", {term: i for i, term in enumerate(self.vocabulary)})

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        data, cols, lengths = self.weights(texts)
        bounds = np.concatenate(([0], np.cumsum(lengths)))
        return sp.csr_matrix((data, cols, bounds), shape=(len(texts), len(self.vocabulary)))

    def weights(self, texts: Sequence[str]) -> tuple[Matrix, npt.NDArray[np.int64],
                                                      npt.NDArray[np.int64]]:
        """The rows of `transform` as flat arrays: values (float32), column indices, and
        the number of entries of each row (so blocks can be stacked without scipy)."""
        index = self._index
        indices: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for text in texts:
            # Counter over map() counts in C; the None of out-of-vocabulary terms is
            # dropped after (the order of the other keys, first occurrence, is unchanged)
            row = Counter(map(index.get, self._analyze(text)))
            row.pop(None, None)
            indices.extend(row)  # type: ignore[arg-type]
            counts.extend(row.values())
            lengths.append(len(row))
        cols = np.asarray(indices, dtype=np.int64)
        data = (np.log(np.asarray(counts, dtype=np.float32)) + 1.0) * self.idf[cols]
        sizes = np.asarray(lengths, dtype=np.int64)
        rows = np.repeat(np.arange(len(texts)), sizes)
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(texts)))
        data = data / np.where(norms > 0, norms, 1.0)[rows]
        return data.astype(np.float32), cols, sizes

    @property
    def size(self) -> int:
        return len(self.vocabulary)


@dataclass(frozen=True)
class LinearHead:
    """Softmax over `labels` of X @ coef.T + intercept (a binary head has one row)."""

    labels: tuple[str, ...]
    coef: Matrix
    intercept: Matrix

    def __post_init__(self) -> None:
        # (features x labels), C-contiguous: sparse @ dense without a copy per call
        object.__setattr__(self, "_coef_t", np.ascontiguousarray(self.coef.T))

    def proba(self, x: sp.csr_matrix) -> Matrix:
        coef_t: Matrix = getattr(self, "_coef_t")  # noqa: B009 (set in __post_init__)
        scores = np.asarray(x @ coef_t, dtype=np.float64) + self.intercept
        if len(self.labels) == 2 and self.coef.shape[0] == 1:  # binary logistic regression
            p1 = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.stack([1.0 - p1, p1], axis=1).astype(np.float32)
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        proba: Matrix = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return proba


class EventTyper:
    """PLOVER event-type probabilities for texts (sentences or clauses).

    `predict` returns, for each text, a dict of the 16 PLOVER types to probabilities
    that sum to 1. `predict_quad` gives the CAMEO quad class distribution (5 classes,
    neutral included) from its own head, when the model has one.
    """

    def __init__(self, blocks: Sequence[TfidfBlock], head: LinearHead,
                 yield_head: LinearHead | None = None, quad_head: LinearHead | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        self.blocks = tuple(blocks)
        self.head = head
        self.yield_head = yield_head
        self.quad_head = quad_head
        self.meta: dict[str, Any] = dict(meta or {})
        width = sum(b.size for b in self.blocks)
        for h in (head, yield_head, quad_head):
            if h is not None and h.coef.shape[1] != width:
                raise ConfigError(f"typer head has {h.coef.shape[1]} features, blocks {width}")
        unknown = set(head.labels) - set(TYPES) - {"YIELD"}
        if unknown:
            raise ConfigError(f"typer labels {sorted(unknown)} are not PLOVER types")

    # ------------------------------------------------------------------ inference
    @property
    def uses_cues(self) -> bool:
        """Whether the model reads syntactic cues (`flashpoint.extract.clause_cues`)."""
        return any(b.analyzer == CUE_ANALYZER for b in self.blocks)

    def _inputs(self, texts: Sequence[str], cues: Sequence[str] | None
                ) -> list[Sequence[str]]:
        """Each block's input: the texts, or the cue strings for a cue block (parsed from
        the texts when the caller has no parse)."""
        if not self.uses_cues:
            return [texts] * len(self.blocks)
        if cues is None:
            from flashpoint.extract.clause_cues import parse_cues  # loads spaCy

            cues = parse_cues(texts)
        elif len(cues) != len(texts):
            raise ValueError(f"{len(cues)} cue strings for {len(texts)} texts")
        return [cues if b.analyzer == CUE_ANALYZER else texts for b in self.blocks]

    def features(self, texts: Sequence[str], cues: Sequence[str] | None = None
                 ) -> sp.csr_matrix:
        """The feature matrix of `texts` (one row per text); `cues` are the texts' cue
        strings (`clause_cues.cue_string`), parsed from the texts when not given."""
        inputs = self._inputs(texts, cues)
        if len(texts) != 1 or not self.blocks:
            return sp.hstack([b.transform(x) for b, x in zip(self.blocks, inputs, strict=True)],
                             format="csr")
        # One text (`flashpoint.extract`): the same row as the hstack above (the first
        # block's entries, then the next block's, columns offset) built in one go, as
        # scipy's constructors and hstack were most of the typer's time on one sentence.
        parts = [b.weights(x) for b, x in zip(self.blocks, inputs, strict=True)]
        offsets = np.cumsum([0] + [b.size for b in self.blocks])
        data = np.concatenate([p[0] for p in parts])
        cols = np.concatenate([p[1] + off for p, off in zip(parts, offsets, strict=False)])
        return sp.csr_matrix((data, cols, np.array([0, len(data)], dtype=np.int64)),
                             shape=(1, int(offsets[-1])))

    def predict(self, texts: Sequence[str], cues: Sequence[str] | None = None
                ) -> list[dict[str, float]]:
        """Probability of each of the 16 PLOVER types for each text (rows sum to 1).
        `cues`: the texts' syntactic cues when the caller has their parse (the event
        stage); otherwise a model that reads cues parses the texts itself."""
        if isinstance(texts, str):
            raise TypeError("predict takes a sequence of texts, not one string")
        if not texts:
            return []
        x = self.features(texts, cues)
        proba = self.head.proba(x)
        split = None
        if self.yield_head is not None and "RETREAT" in self.yield_head.labels:
            split = self.yield_head.proba(x)[:, self.yield_head.labels.index("RETREAT")]
        out: list[dict[str, float]] = []
        index = {label: j for j, label in enumerate(self.head.labels)}
        for i in range(len(texts)):
            row = {t: float(proba[i, index[t]]) if t in index else 0.0 for t in TYPES}
            if "YIELD" in index:
                y = float(proba[i, index["YIELD"]])
                retreat = float(split[i]) if split is not None else 0.5
                row["CONCEDE"] += y * (1.0 - retreat)
                row["RETREAT"] += y * retreat
            total = sum(row.values())
            out.append({t: v / total for t, v in row.items()})
        return out

    def predict_quad(self, texts: Sequence[str], cues: Sequence[str] | None = None
                     ) -> list[dict[str, float]]:
        """CAMEO quad-class probabilities (QUAD_LABELS) for each text (`cues` as in
        `predict`)."""
        if self.quad_head is None:
            raise ConfigError("this typer model has no quad-class head")
        if not texts:
            return []
        proba = self.quad_head.proba(self.features(texts, cues))
        return [{label: float(p) for label, p in zip(self.quad_head.labels, row, strict=True)}
                for row in proba]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Write the model as one compressed .npz of plain arrays plus a JSON header."""
        arrays: dict[str, Any] = {}
        blocks_meta = []
        for i, b in enumerate(self.blocks):
            arrays[f"block{i}_vocab"] = np.array(b.vocabulary, dtype=str)
            arrays[f"block{i}_idf"] = b.idf.astype(np.float32)
            blocks_meta.append({"analyzer": b.analyzer, "ngram_range": list(b.ngram_range)})
        heads_meta = {}
        for name, h in (("head", self.head), ("yield", self.yield_head),
                        ("quad", self.quad_head)):
            if h is None:
                continue
            arrays[f"{name}_coef"] = h.coef.astype(np.float32)
            arrays[f"{name}_intercept"] = h.intercept.astype(np.float32)
            heads_meta[name] = list(h.labels)
        header = {"format": FORMAT_CUES if self.uses_cues else FORMAT, "blocks": blocks_meta,
                  "heads": heads_meta, "meta": self.meta}
        arrays["header"] = np.array(json.dumps(header))
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def from_file(cls, path: str | Path) -> EventTyper:
        """Read a model written by `save` (no pickle: a model file cannot run code)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                if header.get("format") not in (FORMAT, FORMAT_CUES):
                    raise ConfigError(f"{path}: not a {FORMAT} model file")
                blocks = [
                    TfidfBlock(m["analyzer"], (m["ngram_range"][0], m["ngram_range"][1]),
                               tuple(str(v) for v in data[f"block{i}_vocab"]),
                               data[f"block{i}_idf"].astype(np.float32))
                    for i, m in enumerate(header["blocks"])
                ]
                heads: dict[str, LinearHead] = {
                    name: LinearHead(tuple(labels), data[f"{name}_coef"].astype(np.float32),
                                     data[f"{name}_intercept"].astype(np.float32))
                    for name, labels in header["heads"].items()
                }
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"cannot read event typer model {path}: {exc}") from exc
        return cls(blocks, heads["head"], heads.get("yield"), heads.get("quad"),
                   meta=header.get("meta", {}))

    @classmethod
    def load(cls, path: str | Path | None = None) -> EventTyper:
        """The shipped model (or the one at `path`), loaded once per process and path."""
        return _load(str(path) if path is not None else None)


def default_model_path() -> Path:
    return Path(str(resources.files("flashpoint") / "data" / "models" / DEFAULT_MODEL))


@lru_cache(maxsize=4)
def _load(path: str | None) -> EventTyper:
    return EventTyper.from_file(path if path is not None else default_model_path())
