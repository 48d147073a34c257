"""Training and cross-validating the event typer (`flashpoint train events`).

Reads the labelled sources of a `data/events` folder (see `load_training_data`), fits the
TF-IDF vectorisers (words, characters and, with `TrainConfig.syntax_cues`, each text's
syntactic cues from spaCy's parse: `flashpoint.extract.clause_cues`) and linear-SVM heads
with scikit-learn, and packs the result into an `EventTyper` (plain arrays, see
`flashpoint.extract.typer`). Everything is seeded, so the same data and config give the
same model file.

Sources, all optional except the PLV sentences:

- `plover_sentences_train.csv`: news sentences with 15 PLOVER-style labels (YIELD for
  CONCEDE + RETREAT): the main head's training data and the cross-validation target;
- `plover/PLOVER_GSR_CAMEO.txt`: PLOVER gold records (old type names mapped to current
  ones): more sentences for the main head, and CONCEDE vs RETREAT examples for the
  YIELD split;
- `cameo_quad_train.tsv`: sentences with CAMEO quad classes: the quad head.

The CAMEO descriptions of our own ontology table (`data/plover/cameo.tsv`) add one short
phrase per CAMEO code ("Threaten with military force") to both the main and the YIELD data.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from flashpoint.errors import ConfigError
from flashpoint.extract.clause_cues import parse_cues
from flashpoint.extract.ontology import ontology
from flashpoint.extract.typer import (
    CUE_ANALYZER,
    QUAD_LABELS,
    EventTyper,
    LinearHead,
    TfidfBlock,
)

__all__ = [
    "CVResult",
    "GoldRecord",
    "TrainConfig",
    "TrainingData",
    "cross_validate",
    "cross_validate_quad",
    "fit",
    "fit_baseline",
    "folds",
    "load_training_data",
    "text_cues",
    "to_yield",
]

# Sentence-data labels a CAMEO quad class allows (class 0, statements and appeals, has none),
# used to pseudo-label the quad sentences. SANCTION is verbal conflict, as in the ontology
# (`data/plover/types.tsv`, PLOVER's quad table) and in the quad data (all 26 labelled
# SANCTION sentences found there are class 3); COERCE is material conflict but the quad
# data puts 8 of its 30 labelled COERCE sentences in verbal conflict, so both allow it.
# Until 2026-11-26 SANCTION sat in class 4 only: every sanction in the quad data was then
# pseudo-labelled ACCUSE, REJECT, ... (docs/events.md).
QUAD_TYPES: dict[int, tuple[str, ...]] = {
    1: ("AGREE", "CONSULT", "SUPPORT"),
    2: ("COOPERATE", "AID", "YIELD"),
    3: ("ACCUSE", "REQUEST", "REJECT", "THREATEN", "SANCTION", "COERCE"),
    4: ("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"),
}


@dataclass(frozen=True)
class GoldRecord:
    """A PLOVER gold-standard record, with its type in current PLOVER names."""

    id: str
    text: str
    type: str
    mode: str | None
    sources: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass
class TrainingData:
    """Every labelled source of a data/events folder."""

    sentences: list[tuple[str, str]]  # (text, label) with YIELD
    quad: list[tuple[str, int]] = field(default_factory=list)
    gold: list[GoldRecord] = field(default_factory=list)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters (chosen by cross-validation on the PLV sentences, see the model card)."""

    C: float = 1.0
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)
    min_df: int = 1
    use_gold: bool = True
    use_cameo_descriptions: bool = True
    # Pseudo-label CAMEO-quad sentences whose best allowed type wins by this SVM margin
    # (None: don't use them for the type head).
    pseudo_margin: float | None = 0.1
    quad_C: float = 1.0
    # A TF-IDF block of each sentence's syntactic cues (governing verb, its object,
    # infinitive, prepositions: `flashpoint.extract.clause_cues`); training parses every
    # text once per process (about 40 s for the ~3,000 texts of data/events).
    syntax_cues: bool = True
    seed: int = 0


def to_yield(label: str) -> str:
    """The sentence data's label for a PLOVER type (CONCEDE and RETREAT fold into YIELD)."""
    return "YIELD" if label in ("CONCEDE", "RETREAT") else label


def load_training_data(data_dir: str | Path) -> TrainingData:
    """Read the labelled sources of a `data/events` folder; raises ConfigError if the PLV
    sentences are missing (the other sources are skipped when absent)."""
    root = Path(data_dir)
    csv_path = root / "plover_sentences_train.csv"
    if not csv_path.exists():
        raise ConfigError(f"{csv_path} not found: --data must be a data/events folder")
    with csv_path.open(encoding="utf-8", newline="") as fh:
        sentences = [(r["text"], r["label"].strip().upper()) for r in csv.DictReader(fh)]
    quad: list[tuple[str, int]] = []
    quad_path = root / "cameo_quad_train.tsv"
    if quad_path.exists():
        for line in quad_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text, _, label = line.rpartition("\t")
                quad.append((text, int(label)))
    gold_path = root / "plover" / "PLOVER_GSR_CAMEO.txt"
    gold = load_gold_records(gold_path) if gold_path.exists() else []
    return TrainingData(sentences=sentences, quad=quad, gold=gold)


def load_gold_records(path: str | Path) -> list[GoldRecord]:
    """The PLOVER gold records (PLOVER 0.5b1), old type names mapped as ONTOLOGY.md says."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    plover = ontology()
    out: list[GoldRecord] = []
    for rec in records:
        if rec.get("event") == "DOCUMENT" or not rec.get("text"):
            continue
        type_, implied = plover.normalize(rec["event"])

        def codes(key: str, rec: dict[str, Any] = rec) -> tuple[str, ...]:
            value = rec.get(key) or []
            return tuple(a.get("code", "") for a in value if isinstance(a, dict))

        out.append(GoldRecord(
            id=str(rec["id"]), text=rec["text"], type=type_,
            mode=rec.get("mode") or implied, sources=codes("source"), targets=codes("target"),
        ))
    return out


def _cameo_descriptions() -> list[tuple[str, str]]:
    plover = ontology()
    return [(m.description, m.type) for m in (plover.cameo_to_plover(c)
                                              for c in plover.cameo_codes) if m]


# Cue strings of the texts parsed so far in this process: cross-validation fits one model
# per fold on the same texts, and parsing them is most of a fit's time.
_CUES: dict[str, str] = {}


def text_cues(texts: Sequence[str]) -> list[str]:
    """The syntactic cue string of each text (`clause_cues.parse_cues`), parsed once per
    process."""
    missing = list(dict.fromkeys(t for t in texts if t not in _CUES))
    if missing:
        _CUES.update(zip(missing, parse_cues(missing), strict=True))
    return [_CUES[t] for t in texts]


def _vectorizers(config: TrainConfig) -> list[TfidfVectorizer]:
    vecs = [TfidfVectorizer(analyzer="word", ngram_range=config.word_ngrams,
                            sublinear_tf=True, min_df=config.min_df, dtype=np.float32)]
    if config.char_ngrams is not None:
        vecs.append(TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams,
                                    sublinear_tf=True, min_df=config.min_df,
                                    dtype=np.float32))
    if config.syntax_cues:
        vecs.append(TfidfVectorizer(analyzer=str.split, lowercase=False, sublinear_tf=True,
                                    min_df=config.min_df, dtype=np.float32))
    return vecs


def _temperature(scores: Any, y: Sequence[str], classes: Sequence[str]) -> float:
    """The softmax temperature that makes out-of-fold SVM scores best calibrated
    probabilities (lowest log loss): Platt-style scaling with one parameter for all classes."""
    index = {c: i for i, c in enumerate(classes)}
    rows = np.arange(len(y))
    cols = np.array([index[label] for label in y])
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 1:  # binary: scores of the positive class
        s = np.stack([-s / 2, s / 2], axis=1)

    def loss(t: float) -> float:
        z = s * t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[rows, cols].mean())

    return float(minimize_scalar(loss, bounds=(0.05, 50.0), method="bounded").x)


def _head(x: Any, y: Sequence[str], C: float, seed: int, *,
          temperature: float | None = None) -> tuple[LinearHead, LinearSVC, float]:
    """A linear SVM (class-balanced) whose scores, scaled by a temperature fitted on
    out-of-fold scores (3-fold CV on x, unless `temperature` is given), give softmax
    probabilities."""
    clf = LinearSVC(C=C, class_weight="balanced", random_state=seed)
    clf.fit(x, list(y))
    classes = [str(c) for c in clf.classes_]
    k = min(3, min(Counter(y).values()))
    if temperature is not None:
        t = temperature
    elif k >= 2:
        oof = cross_val_predict(LinearSVC(C=C, class_weight="balanced", random_state=seed),
                                x, list(y), cv=k, method="decision_function")
        t = _temperature(oof, y, classes)
    else:  # too few examples per class to calibrate: leave the scores as they are
        t = 1.0
    coef = clf.coef_ * t
    intercept = np.atleast_1d(clf.intercept_) * t
    # (binary: one score row, which LinearHead reads as the sigmoid's argument)
    return LinearHead(tuple(classes), coef.astype(np.float32),
                      intercept.astype(np.float32)), clf, t


def _pseudo_labels(clf: LinearSVC, x: Any, quads: Sequence[int], margin: float
                   ) -> tuple[list[int], list[str]]:
    """Label CAMEO-quad sentences with the best type their quad class allows, keeping only
    those the model prefers by at least `margin` over the next allowed type."""
    scores = clf.decision_function(x)
    classes = [str(c) for c in clf.classes_]
    keep: list[int] = []
    labels: list[str] = []
    for i, quad in enumerate(quads):
        allowed = [j for j, c in enumerate(classes) if c in QUAD_TYPES.get(quad, ())]
        if len(allowed) < 2:
            continue
        row = scores[i, allowed]
        order = np.argsort(row)[::-1]
        if row[order[0]] - row[order[1]] >= margin:
            keep.append(i)
            labels.append(classes[allowed[order[0]]])
    return keep, labels


def _norm(text: str) -> str:
    """A sentence compared across data sets (case and spacing ignored)."""
    return " ".join(text.split()).lower()


def fit(data: TrainingData, config: TrainConfig = TrainConfig()) -> EventTyper:
    """Train an EventTyper on `data` (every source it holds) with `config`."""
    main = list(data.sentences)
    split: list[tuple[str, str]] = []  # CONCEDE vs RETREAT
    desc: list[tuple[str, str]] = []
    if config.use_gold:
        main += [(g.text, to_yield(g.type)) for g in data.gold]
        split += [(g.text, g.type) for g in data.gold if g.type in ("CONCEDE", "RETREAT")]
    if config.use_cameo_descriptions:
        desc = _cameo_descriptions()
        main += [(t, to_yield(label)) for t, label in desc]
        split += [(t, label) for t, label in desc if label in ("CONCEDE", "RETREAT")]
    if len({label for _, label in main}) < 2:
        raise ConfigError("training data needs at least two event types")
    corpus = [t for t, _ in main] + [t for t, _ in data.quad]
    blocks = []
    for vec in _vectorizers(config):
        cue_block = callable(vec.analyzer)
        vec.fit(text_cues(corpus) if cue_block else corpus)
        vocab = sorted(vec.vocabulary_, key=lambda term: vec.vocabulary_[term])
        blocks.append(TfidfBlock(CUE_ANALYZER if cue_block else str(vec.analyzer),
                                 vec.ngram_range, tuple(vocab), vec.idf_.astype(np.float32)))
    width = sum(b.size for b in blocks)
    featurizer = EventTyper(blocks, LinearHead(("AGREE", "ASSAULT"),
                                               np.zeros((1, width), np.float32),
                                               np.zeros(1, np.float32)))

    def features(texts: Sequence[str]) -> Any:
        return featurizer.features(texts, text_cues(texts) if featurizer.uses_cues else None)

    x_main = features([t for t, _ in main])
    y_main = [label for _, label in main]
    head, clf, temperature = _head(x_main, y_main, config.C, config.seed)
    n_pseudo = 0
    # (a quad sentence that is also a labelled sentence keeps its real label only)
    labelled = {_norm(t) for t, _ in main}
    quad = [(t, q) for t, q in data.quad if q in QUAD_TYPES and _norm(t) not in labelled]
    quad_texts = [t for t, _ in quad]
    if config.pseudo_margin is not None and quad_texts:
        x_quad = features(quad_texts)
        keep, labels = _pseudo_labels(clf, x_quad, [q for _, q in quad], config.pseudo_margin)
        n_pseudo = len(keep)
        if keep:
            # the temperature of the head without pseudo-labels: calibrated on real labels
            head, _, _ = _head(sp.vstack([x_main, x_quad[keep]]).tocsr(), y_main + labels,
                               config.C, config.seed, temperature=temperature)
    yield_head = None
    if len({label for _, label in split}) == 2:
        yield_head, _, _ = _head(features([t for t, _ in split]),
                              [label for _, label in split], config.C, config.seed)
    quad_head = None
    if len({q for _, q in data.quad}) >= 2:
        quad_head, _, _ = _head(features([t for t, _ in data.quad]),
                             [QUAD_LABELS[q] for _, q in data.quad], config.quad_C, config.seed)
    meta = {"config": asdict(config), "trained": dt.date.today().isoformat(),
            "examples": {"main": len(main), "pseudo_labelled": n_pseudo,
                         "cameo_descriptions": len(desc),
                         "yield_split": len(split), "quad": len(data.quad)}}
    return EventTyper(blocks, head, yield_head, quad_head, meta=meta)


def fit_baseline(data: TrainingData, C: float = 30.0, seed: int = 0) -> EventTyper:
    """The floor DESIGN.md names: word 1-2-gram TF-IDF + logistic regression on the PLV
    sentences alone (C by cross-validation on train: 30 of 3/10/30), as an EventTyper so it
    runs through the same coder. Its YIELD is split evenly between CONCEDE and RETREAT."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    texts = [t for t, _ in data.sentences]
    vec.fit(texts)
    vocab = sorted(vec.vocabulary_, key=lambda term: vec.vocabulary_[term])
    block = TfidfBlock("word", vec.ngram_range, tuple(vocab), vec.idf_.astype(np.float32))
    x = block.transform(texts)
    y = [label for _, label in data.sentences]
    clf = LogisticRegression(C=C, max_iter=3000, random_state=seed).fit(x, y)
    classes = tuple(str(c) for c in clf.classes_)
    head = LinearHead(classes, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32))
    quad_head = None
    if len({q for _, q in data.quad}) >= 2:
        quad_x = block.transform([t for t, _ in data.quad])
        qclf = LogisticRegression(C=C, max_iter=3000, random_state=seed)
        qclf.fit(quad_x, [QUAD_LABELS[q] for _, q in data.quad])
        quad_head = LinearHead(tuple(str(c) for c in qclf.classes_),
                               qclf.coef_.astype(np.float32), qclf.intercept_.astype(np.float32))
    return EventTyper([block], head, None, quad_head, meta={"baseline": True, "C": C})


# ---------------------------------------------------------------------- evaluation
@dataclass
class CVResult:
    """Cross-validated scores on the PLV sentences (labels with YIELD)."""

    micro_f1: float
    macro_f1: float
    per_type: dict[str, float]
    gold: list[str]
    predicted: list[str]


def folds(texts: Sequence[str], labels: Sequence[str] | Sequence[int], n_splits: int = 5,
          seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """Stratified folds that keep repeated sentences in one fold (no train/test leak)."""
    group_of: dict[str, int] = {}
    groups = [group_of.setdefault(t, len(group_of)) for t in texts]
    if len(group_of) < len(texts):
        splitter: Any = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
        parts = splitter.split(texts, labels, groups)
    else:
        parts = StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(texts, labels)
    return [(list(map(int, tr)), list(map(int, te))) for tr, te in parts]


def _cues_for(typer: EventTyper, texts: Sequence[str]) -> list[str] | None:
    return text_cues(texts) if typer.uses_cues else None


def top_label(probs: dict[str, float]) -> str:
    """The most probable type, in the sentence data's labels (CONCEDE/RETREAT -> YIELD)."""
    folded: dict[str, float] = {}
    for t, p in probs.items():
        folded[to_yield(t)] = folded.get(to_yield(t), 0.0) + p
    return max(folded, key=lambda t: folded[t])


def scores(gold: Sequence[str], predicted: Sequence[str]) -> CVResult:
    labels = sorted(set(gold))
    per = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    return CVResult(
        micro_f1=float(f1_score(gold, predicted, average="micro")),
        macro_f1=float(f1_score(gold, predicted, labels=labels, average="macro",
                                zero_division=0)),
        per_type={label: float(f) for label, f in zip(labels, per, strict=True)},
        gold=list(gold), predicted=list(predicted),
    )


def cross_validate(
    data: TrainingData, config: TrainConfig = TrainConfig(), n_splits: int = 5,
    predict: Callable[[EventTyper, list[str]], list[str]] | None = None,
) -> CVResult:
    """k-fold CV on the PLV sentences: train on k-1 folds (plus every other source), score
    the held-out fold. `predict(typer, texts)` gives the predicted labels; by default the
    typer's top type."""
    texts = [t for t, _ in data.sentences]
    labels = [label for _, label in data.sentences]
    predicted: list[str] = [""] * len(texts)
    for train_idx, test_idx in folds(texts, labels, n_splits, config.seed):
        fold_data = TrainingData([data.sentences[i] for i in train_idx], data.quad, data.gold)
        typer = fit(fold_data, config)
        held = [texts[i] for i in test_idx]
        out = (predict(typer, held) if predict is not None
               else [top_label(p) for p in typer.predict(held, _cues_for(typer, held))])
        for i, label in zip(test_idx, out, strict=True):
            predicted[i] = label
    return scores(labels, predicted)


def cross_validate_quad(data: TrainingData, config: TrainConfig = TrainConfig(),
                        n_splits: int = 5) -> float:
    """Quad-class accuracy of the quad head by k-fold CV on the CAMEO quad sentences."""
    texts = [t for t, _ in data.quad]
    labels = [q for _, q in data.quad]
    correct = 0
    for train_idx, test_idx in folds(texts, labels, n_splits, config.seed):
        fold_data = TrainingData(data.sentences, [data.quad[i] for i in train_idx], data.gold)
        typer = fit(fold_data, config)
        held = [texts[i] for i in test_idx]
        probs = typer.predict_quad(held, _cues_for(typer, held))
        for i, p in zip(test_idx, probs, strict=True):
            correct += QUAD_LABELS.index(max(p, key=lambda q: p[q])) == labels[i]
    return correct / len(texts)


# ---------------------------------------------------------------------- the command
@dataclass
class TrainReport:
    """What `train_events` did: the model, its cross-validated scores, where it went."""

    typer: EventTyper
    output: Path
    cv: CVResult | None
    quad_accuracy: float | None
    n_splits: int
    data: TrainingData


def train_events(data_dir: str | Path, output: str | Path, *, n_splits: int = 5,
                 cv: bool = True, config: TrainConfig = TrainConfig(),
                 card: bool = True) -> TrainReport:
    """Cross-validate (optional), train on everything, write the model and its card."""
    data = load_training_data(data_dir)
    result = quad = None
    if cv:
        if n_splits < 2:
            raise ConfigError("--folds must be at least 2")
        smallest = min(Counter(label for _, label in data.sentences).values())
        if smallest < n_splits:
            raise ConfigError(f"a label has only {smallest} sentences: fewer than "
                              f"{n_splits} folds; use --folds {max(2, smallest)} or --no-cv")
        result = cross_validate(data, config, n_splits)
        if data.quad:
            quad = cross_validate_quad(data, config, n_splits)
    typer = fit(data, config)
    if result is not None:
        typer.meta["cv"] = {"folds": n_splits, "micro_f1": round(result.micro_f1, 4),
                            "macro_f1": round(result.macro_f1, 4),
                            "per_type": {k: round(v, 4) for k, v in result.per_type.items()},
                            "quad_accuracy": None if quad is None else round(quad, 4)}
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    typer.save(out)
    report = TrainReport(typer, out, result, quad, n_splits, data)
    if card:
        (out.parent / "README.md").write_text(model_card(report), encoding="utf-8")
    return report


def model_card(report: TrainReport) -> str:
    """The model card (Markdown) for a trained typer: data, licences, scores, how to redo."""
    meta = report.typer.meta
    ex = meta["examples"]
    lines = [
        "# Event typer model card",
        "",
        f"`{report.output.name}`: flashpoint's learned event typer "
        "(`flashpoint.extract.typer.EventTyper`), written by `flashpoint train events` on "
        f"{meta['trained']}. It gives the probability of each of the 16 PLOVER event types "
        "for a sentence or clause, and of the 5 CAMEO quad classes.",
        "",
        "## Model",
        "",
        "- Features: TF-IDF of word 1-2-grams and character 2-5-grams (within word "
        "boundaries), sublinear tf, L2-normalised; the vocabulary comes from the training "
        "sentences."
        + (" A third TF-IDF block reads the sentence's syntactic cues from spaCy's "
           "dependency parse (`flashpoint.extract.clause_cues`): its governing verb (the "
           "verb reported under \"said\"), the verb's object, infinitive, prepositions, "
           "particle and negation, and those of verbs coordinated with it; the event stage "
           "passes the cues of its own parse, `EventTyper.predict` alone parses the texts."
           if meta["config"].get("syntax_cues") else ""),
        "- Type head: linear SVM (class-balanced, C = "
        f"{meta['config']['C']}) over 15 labels (the PLV labels: CONCEDE and RETREAT merged "
        "as YIELD); softmax probabilities with one temperature fitted on out-of-fold scores "
        "(3-fold CV on the training data).",
        "- YIELD split: a binary linear SVM (CONCEDE vs RETREAT) shares YIELD's "
        "probability between the two PLOVER types.",
        "- Quad head: a 5-class linear SVM on the CAMEO quad sentences.",
        "- File: compressed `.npz` of plain arrays plus a JSON header (no pickle); "
        "runtime needs numpy, scipy and scikit-learn only.",
        "",
        "## Training data",
        "",
        "| Source (in `data/events`) | Used for | Examples | Licence as stated upstream |",
        "|---|---|---:|---|",
        f"| `plover_sentences_train.csv` (yibo-hu-lab/event-coding-reliability) | type head "
        f"| {len(report.data.sentences)} | no licence stated |",
        f"| `plover/PLOVER_GSR_CAMEO.txt` (openeventdata/PLOVER gold records, old type names "
        f"mapped to current ones) | type head, YIELD split | {len(report.data.gold)} "
        "| CC BY-SA 4.0 |",
        "| CAMEO code descriptions of `flashpoint/data/plover/cameo.tsv` (from "
        "openeventdata/PLOVER `CAMEO2PLOVER-2021.txt`) | type head, YIELD split | "
        f"{ex['cameo_descriptions']} | CC BY-SA 4.0 |",
        f"| `cameo_quad_train.tsv` (eventdata/ConfliBERT) | quad head; type head through "
        f"{ex['pseudo_labelled']} pseudo-labels (the best type the sentence's quad class "
        f"allows, kept when it wins by an SVM margin >= {meta['config']['pseudo_margin']}; "
        "SANCTION counts as verbal conflict, COERCE as either conflict class; a quad "
        "sentence that is also a labelled sentence keeps only its real label) "
        f"| {len(report.data.quad)} | repository GPL-3.0; authors do not own the data "
        "copyrights (cite doi 10.1145/3514094.3534178) |",
        "",
        "The model's weights are derived from these data: check their terms before "
        "redistributing it outside flashpoint. Because part of the data is CC BY-SA 4.0, treat "
        "the model file as an adaptation under CC BY-SA 4.0 (attribution: Open Event Data "
        "Alliance, PLOVER).",
        "",
        "## Scores",
        "",
    ]
    cv = meta.get("cv")
    if cv:
        lines += [
            f"{cv['folds']}-fold cross-validation on the PLV sentences (stratified, "
            "repeated sentences kept in one fold; every fold's model trained on the other "
            "folds plus all other sources; classifier alone, top type, CONCEDE/RETREAT "
            "folded into YIELD):",
            "",
            f"- micro-F1 **{cv['micro_f1']:.3f}**, macro-F1 **{cv['macro_f1']:.3f}** (about "
            "45% of the PLV sentences are also in the CAMEO quad data, so a held-out "
            "sentence's quad class reaches its fold's model through the pseudo-labels; "
            "`bench/events.py` also prints the coder's figure without that, see "
            "docs/events.md)",
            f"- quad-class accuracy (quad head, {cv['folds']}-fold CV on the CAMEO quad "
            f"sentences): **{cv['quad_accuracy']:.3f}**" if cv["quad_accuracy"] is not None
            else "- quad-class accuracy: not measured (no quad data)",
            "",
            "| label | F1 |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {v:.3f} |" for k, v in sorted(cv["per_type"].items())]
    else:
        lines.append("Not cross-validated (trained with `--no-cv`).")
    lines += [
        "",
        "Figures of the whole coder (`flashpoint.extract`) are printed by "
        "`python bench/events.py`; see docs/events.md.",
        "",
        "## Reproduce",
        "",
        "```bash",
        "flashpoint train events --data ../shared/data/events   # prints the CV scores",
        "```",
        "",
        f"Seeded (seed {meta['config']['seed']}): the same data give the same model. Known "
        "limits: trained on English news sentences; CONCEDE vs RETREAT rests on about 50 "
        "examples; types are per sentence, so a sentence with several events gets one "
        "distribution.",
        "",
    ]
    return "\n".join(lines)
