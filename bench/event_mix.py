"""How much should the trigger lexicon count against the learned typer?

Sentence-level protocol of issue 6 (take the extracted event with the highest confidence;
no event counts as wrong), 5-fold cross-validated on ../shared/data/events: for each
fold the typer is retrained on the other folds (`flashpoint.extract.train.fit`), and the
event stage runs with that typer on the held-out sentences. Prints micro/macro-F1 of the
typer alone and of the whole event stage for several settings of
`lexicon_share`, `confidence_share`, `type_margin` and `firm_trigger`
(`flashpoint.extract.events`).

    .venv/bin/python bench/event_mix.py [--data ../shared/data/events] [--limit N]

The NLP and statement stages run once per sentence (their output does not depend on the
typer); only the event stage reruns per fold and share.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from flashpoint.extract.events import EventStage
from flashpoint.extract.statements import StatementStage
from flashpoint.extract.train import (
    TrainingData,
    fit,
    folds,
    load_training_data,
    scores,
    to_yield,
    top_label,
)
from flashpoint.nlp.stage import NlpStage
from flashpoint.pipeline import Draft, make_article

# (lexicon_share, confidence_share, type_margin, firm_trigger)
SETTINGS = ((0.2, 0.2, 0.1, 0.9), (0.35, 0.2, 0.1, 0.85), (0.35, 0.2, 0.1, 0.9))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2]
                                          / "shared" / "data" / "events"))
    ap.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    args = ap.parse_args()
    data = load_training_data(args.data)
    if args.limit:
        data = TrainingData(data.sentences[: args.limit], data.quad, data.gold)
    texts = [t for t, _ in data.sentences]
    labels = [label for _, label in data.sentences]
    t0 = time.perf_counter()
    nlp, statements = NlpStage(), StatementStage()
    drafts = statements(nlp([Draft(article=make_article(t)) for t in texts]))
    print(f"parsed {len(texts)} sentences in {time.perf_counter() - t0:.1f} s")
    alone = [""] * len(texts)
    mixed = {setting: [""] * len(texts) for setting in SETTINGS}
    for train_idx, test_idx in folds(texts, labels, 5, 0):
        typer = fit(TrainingData([data.sentences[i] for i in train_idx], data.quad, data.gold))
        for i, p in zip(test_idx, typer.predict([texts[i] for i in test_idx]), strict=True):
            alone[i] = top_label(p)
        for setting in SETTINGS:
            share, conf, margin, firm = setting
            stage = EventStage(typer=typer, lexicon_share=share, confidence_share=conf,
                               type_margin=margin, firm_trigger=firm, use_statements=True)
            for i in test_idx:
                events = stage.code(drafts[i])
                best = max(events, key=lambda e: e.confidence) if events else None
                mixed[setting][i] = to_yield(best.type) if best else "NONE"
    base = scores(labels, alone)
    print(f"typer alone          micro-F1 {base.micro_f1:.3f}  macro-F1 {base.macro_f1:.3f}")
    for setting in SETTINGS:
        res = scores(labels, mixed[setting])
        print(f"event stage lexicon_share {setting[0]:.2f} confidence_share {setting[1]:.2f} "
              f"type_margin {setting[2]:.2f} firm_trigger {setting[3]:.2f}: "
              f"micro-F1 {res.micro_f1:.3f}  macro-F1 {res.macro_f1:.3f}")


if __name__ == "__main__":
    main()
