#!/usr/bin/env python3
"""Event typing figures: the learned typer and the TF-IDF + LR floor, alone and in the coder.

    .venv/bin/python bench/events.py                    # shared/ beside the repository
    .venv/bin/python bench/events.py --folds 5 --json out.json

Data: ``shared/data/events`` (see its README). Printed, for flashpoint's typer and for the
baseline (word 1-2-gram TF-IDF + logistic regression on the PLV sentences alone):

1. **PLV sentences** (``plover_sentences_train.csv``), k-fold cross-validation (stratified,
   repeated sentences in one fold): each fold's typer is trained on the other folds (plus
   the other sources) and scored on the held-out fold two ways:
   - *coder* (the official protocol): the sentence goes through flashpoint's coder -- the
     NLP, statement and event stages of ``flashpoint.default_pipeline`` with the fold's
     typer injected (``EventStage(typer=...)``) -- and the event with the highest
     confidence gives the type; no event counts as wrong;
   - *classifier alone*: the typer's most probable type for the whole sentence (its
     syntactic cues, `flashpoint.extract.clause_cues`, from the sentence parsed alone).
   CONCEDE and RETREAT count as YIELD (the data's label). Micro-F1, macro-F1, per-type F1.
   For flashpoint's typer the coder figure is printed a second time with the held-out
   sentences also removed from the CAMEO quad data, which holds 45% of the PLV sentences
   (their quad class reaches the fold's typer through its pseudo-labels otherwise).
2. **CAMEO quad sentences** (``cameo_quad_train.tsv``), k-fold CV likewise: accuracy of the
   typer's quad head, and of the coder's top event mapped to a CAMEO quad class (no event
   = neutral, class 0).
3. **PLOVER gold records** (``plover/PLOVER_GSR_CAMEO.txt``, old type names mapped as
   ONTOLOGY.md says): the typer is trained *without* them (they are training data of the
   shipped model); type accuracy (16 PLOVER types) of the coder's top event and of the
   classifier alone, and source / target actor-code accuracy of the coder's top event
   (its code is one of the record's codes; over records that have a source / target).
   Printed twice: as the codes are written, and *aligned*: the records write every
   intergovernmental body as ``IGO`` and a few countries with old CAMEO codes (``JAP``,
   ``ITL``, ``VTN``), where flashpoint names the body (``UNO``, ``EUR``, ``IGO``: the
   IGO rows of ``data/gazetteer/organizations.tsv``) and uses ISO codes.
4. **Speed** on one core (BLAS threads pinned to 1), models loaded and warmed up first:
   classifier alone (batched), and the whole coder on PLV sentences, one
   ``Pipeline([article])`` call per sentence, as ``flashpoint.extract(sentence)`` does.

To spend the parse once, every sentence runs through the NLP and statement stages once;
each fold's ``EventStage`` then runs on those drafts -- the same stages in the same order as
``flashpoint.extract``, so the same output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "events"
# Code scheme alignment for the gold records (see the module docstring, item 3).
GOLD_ALIASES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
OUR_IGO_CODES = frozenset({"IGO", "UNO", "EUR"})


def aligned(code: str | None) -> str | None:
    """A code of either side in the gold records' scheme (IGOs as IGO, ISO countries)."""
    if code is None:
        return None
    code = GOLD_ALIASES.get(code, code)
    return "IGO" if code in OUR_IGO_CODES else code


def top_event(draft: Any) -> Any:
    events = list(draft.events)
    return max(events, key=lambda e: e.confidence) if events else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--speed-n", type=int, default=300,
                        help="PLV sentences timed through the whole coder")
    parser.add_argument("--speed-only", action="store_true",
                        help="skip the accuracy figures (section 4 only)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not (args.data / "plover_sentences_train.csv").exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2

    from flashpoint.extract.events import EventStage
    from flashpoint.extract.statements import StatementStage
    from flashpoint.extract.train import (
        QUAD_TYPES,
        TrainConfig,
        TrainingData,
        fit,
        fit_baseline,
        folds,
        load_training_data,
        scores,
        text_cues,
        to_yield,
        top_label,
    )
    from flashpoint.extract.typer import QUAD_LABELS, EventTyper
    from flashpoint.nlp.stage import NlpStage
    from flashpoint.pipeline import Draft, Pipeline, make_article

    data = load_training_data(args.data)
    nlp, statements = NlpStage(), StatementStage()

    def parse(texts: Sequence[str], published: str | None = None) -> list[Draft]:
        drafts = [Draft(article=make_article(t, published=published)) for t in texts]
        out: list[Draft] = []
        for i in range(0, len(drafts), 64):
            out += statements(nlp(drafts[i:i + 64]))
        return out

    def code(typer: EventTyper, drafts: Sequence[Draft]) -> list[Any]:
        stage = EventStage(typer=typer, use_statements=True)
        return [top_event(d) for d in stage(list(drafts))]

    figures: dict[str, Any] = {"folds": args.folds}
    t0 = time.perf_counter()
    plv_texts = [t for t, _ in data.sentences]
    plv_gold = [label for _, label in data.sentences]
    quad_texts = [t for t, _ in data.quad]
    quad_gold = [q for _, q in data.quad]
    if not args.speed_only:
        plv_drafts = parse(plv_texts)
        quad_drafts = parse(quad_texts)
        gold_drafts = parse([g.text for g in data.gold], published="2000-01-01")
        print(f"parsed {len(plv_texts)} + {len(quad_texts)} + {len(data.gold)} sentences "
              f"in {time.perf_counter() - t0:.0f} s", flush=True)

    # (COERCE is allowed in classes 3 and 4 for pseudo-labels; the last, 4, is its class)
    quad_of = {label: q for q, labels in QUAD_TYPES.items() for label in labels}

    systems: dict[str, Callable[[TrainingData], EventTyper]] = {
        "flashpoint typer": lambda d: fit(d, TrainConfig()),
        "baseline TF-IDF+LR": fit_baseline,
    }

    def norm(text: str) -> str:
        return " ".join(text.split()).lower()

    def accuracy(train: Callable[[TrainingData], EventTyper], fig: dict[str, Any],
                 clean: bool = False) -> None:
        # 1. PLV sentences
        coder_pred = [""] * len(plv_texts)
        clf_pred = [""] * len(plv_texts)
        clean_pred = [""] * len(plv_texts)
        for train_idx, test_idx in folds(plv_texts, plv_gold, args.folds):
            if clean:
                # the same fold without the held-out sentences in the CAMEO quad data (45%
                # of the PLV sentences are there too, so their quad class reaches the
                # typer through pseudo-labels): the figure for sentences not in that file
                held = {norm(plv_texts[i]) for i in test_idx}
                typer = train(TrainingData([data.sentences[i] for i in train_idx],
                                           [q for q in data.quad if norm(q[0]) not in held],
                                           data.gold))
                for i, ev in zip(test_idx, code(typer, [plv_drafts[i] for i in test_idx]),
                                 strict=True):
                    clean_pred[i] = to_yield(ev.type) if ev is not None else "(none)"
            typer = train(TrainingData([data.sentences[i] for i in train_idx], data.quad,
                                       data.gold))
            held_texts = [plv_texts[i] for i in test_idx]
            probs = typer.predict(held_texts, text_cues(held_texts))
            events = code(typer, [plv_drafts[i] for i in test_idx])
            for i, p, ev in zip(test_idx, probs, events, strict=True):
                clf_pred[i] = top_label(p)
                coder_pred[i] = to_yield(ev.type) if ev is not None else "(none)"
        for label, pred in (("coder", coder_pred), ("classifier alone", clf_pred)):
            r = scores(plv_gold, pred)
            fig[f"plv_{label}"] = {"micro_f1": r.micro_f1, "macro_f1": r.macro_f1,
                                   "per_type": r.per_type}
            print(f"PLV sentences, {args.folds}-fold CV, {label}: micro-F1 {r.micro_f1:.3f}  "
                  f"macro-F1 {r.macro_f1:.3f}")
            print("   " + "  ".join(f"{k} {v:.2f}" for k, v in sorted(r.per_type.items())))
        fig["plv_coder_no_event"] = coder_pred.count("(none)")
        if clean:
            r = scores(plv_gold, clean_pred)
            fig["plv_coder_clean"] = {"micro_f1": r.micro_f1, "macro_f1": r.macro_f1,
                                      "per_type": r.per_type}
            print(f"PLV sentences, {args.folds}-fold CV, coder, held-out sentences also "
                  f"removed from the quad data: micro-F1 {r.micro_f1:.3f}  "
                  f"macro-F1 {r.macro_f1:.3f}")
        # 2. CAMEO quad sentences
        right_head = right_coder = 0
        for train_idx, test_idx in folds(quad_texts, quad_gold, args.folds):
            typer = train(TrainingData(data.sentences, [data.quad[i] for i in train_idx],
                                       data.gold))
            held_quad = [quad_texts[i] for i in test_idx]
            heads = typer.predict_quad(held_quad, text_cues(held_quad))
            events = code(typer, [quad_drafts[i] for i in test_idx])
            for i, h, ev in zip(test_idx, heads, events, strict=True):
                right_head += QUAD_LABELS.index(max(h, key=lambda q: h[q])) == quad_gold[i]
                guess = quad_of[to_yield(ev.type)] if ev is not None else 0
                right_coder += guess == quad_gold[i]
        fig["quad_head_accuracy"] = right_head / len(quad_texts)
        fig["quad_coder_accuracy"] = right_coder / len(quad_texts)
        print(f"CAMEO quad sentences, {args.folds}-fold CV: quad head accuracy "
              f"{fig['quad_head_accuracy']:.3f}; coder top event -> quad "
              f"{fig['quad_coder_accuracy']:.3f}")
        # 3. PLOVER gold records (typer trained without them)
        typer = train(TrainingData(data.sentences, data.quad, []))
        probs = typer.predict([g.text for g in data.gold], text_cues([g.text for g in data.gold]))
        events = code(typer, gold_drafts)
        type_coder = type_clf = 0
        src_right = src_n = tgt_right = tgt_n = src_aligned = tgt_aligned = 0
        for g, p, ev in zip(data.gold, probs, events, strict=True):
            type_clf += max(p, key=lambda t: p[t]) == g.type
            type_coder += ev is not None and ev.type == g.type
            gold_src = {c for c in g.sources if c}
            gold_tgt = {c for c in g.targets if c}
            src = ev.source.code if ev is not None else None
            tgt = ev.target.code if ev is not None and ev.target is not None else None
            if gold_src:
                src_n += 1
                src_right += src in gold_src
                src_aligned += src is not None and aligned(src) in {aligned(c) for c in gold_src}
            if gold_tgt:
                tgt_n += 1
                tgt_right += tgt in gold_tgt
                tgt_aligned += tgt is not None and aligned(tgt) in {aligned(c) for c in gold_tgt}
        n = len(data.gold)
        fig["gold"] = {"records": n, "type_coder": type_coder / n, "type_classifier":
                       type_clf / n, "source_code": src_right / max(src_n, 1),
                       "target_code": tgt_right / max(tgt_n, 1),
                       "source_code_aligned": src_aligned / max(src_n, 1),
                       "target_code_aligned": tgt_aligned / max(tgt_n, 1),
                       "with_source": src_n, "with_target": tgt_n}
        print(f"PLOVER gold records ({n}, typer trained without them): type accuracy coder "
              f"{type_coder / n:.3f}, classifier alone {type_clf / n:.3f}; source code "
              f"{src_right / max(src_n, 1):.3f} (of {src_n}), target code "
              f"{tgt_right / max(tgt_n, 1):.3f} (of {tgt_n}); codes aligned (IGO, old "
              f"CAMEO codes): source {src_aligned / max(src_n, 1):.3f}, target "
              f"{tgt_aligned / max(tgt_n, 1):.3f}")

    def speed(train: Callable[[TrainingData], EventTyper], fig: dict[str, Any]) -> None:
        # 4. Speed: wall-clock and CPU seconds of this one-thread process (on a shared,
        # loaded machine the CPU figure is what a free core would give)
        typer = train(data)
        # the syntactic cues the coder reads from its own parse, computed before timing
        # the classifier (its speed is that of typing parsed sentences)
        cues = text_cues(plv_texts)
        typer.predict(plv_texts[:50], cues[:50])

        def clock(run: Callable[[], object], n: int, key: str) -> None:
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            fig[key] = n / (time.perf_counter() - wall)
            fig[key + "_cpu"] = n / (time.process_time() - cpu)

        clock(lambda: typer.predict(plv_texts, cues), len(plv_texts),
              "classifier_sentences_per_s")
        one = [([t], [c]) for t, c in zip(plv_texts[:300], cues, strict=False)]
        clock(lambda: [typer.predict(t, c) for t, c in one], len(one),
              "classifier_one_by_one_sentences_per_s")
        pipeline = Pipeline([nlp, statements, EventStage(typer=typer, use_statements=True)])
        sample = plv_texts[: args.speed_n]
        for s in sample[:20]:
            next(iter(pipeline([make_article(s)])))
        clock(lambda: [next(iter(pipeline([make_article(s)]))) for s in sample], len(sample),
              "coder_sentences_per_s")
        clock(lambda: list(pipeline(make_article(s) for s in sample)), len(sample),
              "coder_batched_sentences_per_s")
        print("speed, one thread, sentences/s wall (CPU): classifier alone batched "
              f"{fig['classifier_sentences_per_s']:.0f} "
              f"({fig['classifier_sentences_per_s_cpu']:.0f})"
              f", one by one {fig['classifier_one_by_one_sentences_per_s']:.0f} "
              f"({fig['classifier_one_by_one_sentences_per_s_cpu']:.0f}); whole coder one by "
              f"one (flashpoint.extract) {fig['coder_sentences_per_s']:.0f} "
              f"({fig['coder_sentences_per_s_cpu']:.0f}), batched (extract_many) "
              f"{fig['coder_batched_sentences_per_s']:.0f} "
              f"({fig['coder_batched_sentences_per_s_cpu']:.0f})", flush=True)

    for name, train in systems.items():
        print(f"\n== {name}", flush=True)
        fig: dict[str, Any] = {}
        if not args.speed_only:
            accuracy(train, fig, clean=name == "flashpoint typer")
        speed(train, fig)
        figures[name] = fig
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
