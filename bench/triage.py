#!/usr/bin/env python3
"""Triage: what it saves and what it costs, on the mixed BBC stream (five categories).

    .venv/bin/python bench/triage.py                      # 60 test-half articles a category
    .venv/bin/python bench/triage.py --per-category 0     # every test-half article
    .venv/bin/python bench/triage.py --split dev --set context_units=0 --verbose

The articles are ``shared/data/news/bbc/<category>/NNN.txt`` (business, entertainment,
politics, sport, tech), read with ``flashpoint.ingest.read_sources`` as ``flashpoint
ingest`` reads them (headline as title, body as text). Each category's files are split in
two halves by file number: even numbers are the *dev* half (triage thresholds were tuned
on it), odd numbers the *test* half (reported). ``--per-category N`` draws N files of the
chosen half per category with a fixed seed (``--seed``); 0 takes them all.

In one process on one core (BLAS/OpenMP threads pinned to 1), everything loaded and warmed
up first, best of ``--repeats`` timed passes run in rounds so machine load hits all alike:

- **plain**: ``spacy.load(model)`` + ``nlp.pipe(texts, batch_size=32)`` on the whole
  texts -- the parse-only ceiling of this model;
- **full**: ``flashpoint.default_pipeline(triage=False)`` -- parse, actors, statements,
  events on every word;
- **triage**: ``flashpoint.default_pipeline(triage=True)`` -- the same after triage.

Tokens/s use the plain parse's token count for all three (the same stream of text).
Quality compares the triaged run's output with the full run's: an event is *kept* when
the triaged run has one of the same type with the same evidence span (and, stricter, the
same source and target codes); a statement is kept when one has the same content span and
speaker span. ``--set name=value`` overrides a `Triage` parameter (for tuning on dev).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
TARGET_KEPT = 0.98


def pick(shared: Path, split: str, per_category: int, seed: int) -> list[tuple[str, Path]]:
    """(category, file) pairs: the chosen half of each category, sampled with `seed`."""
    rng = random.Random(seed)
    chosen: list[tuple[str, Path]] = []
    for category in CATEGORIES:
        files = sorted((shared / "data" / "news" / "bbc" / category).glob("*.txt"))
        if split != "all":
            parity = 0 if split == "dev" else 1
            files = [f for f in files if int(f.stem) % 2 == parity]
        if 0 < per_category < len(files):
            files = sorted(rng.sample(files, per_category))
        chosen += [(category, f) for f in files]
    return chosen


def timed(run: Callable[[], object]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _value(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "none":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--per-category", type=int, default=60,
                        help="articles per category (0: all of the half)")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Triage parameter (e.g. context_units=0)")
    parser.add_argument("--verbose", action="store_true", help="list the events lost")
    args = parser.parse_args(argv)

    bbc = args.shared / "data" / "news" / "bbc"
    if not bbc.is_dir():
        print(f"no BBC corpus at {bbc}", file=sys.stderr)
        return 2

    import spacy

    import flashpoint
    from flashpoint.ingest import read_sources
    from flashpoint.model import Article
    from flashpoint.nlp.pipeline import MODEL

    chosen = pick(args.shared, args.split, args.per_category, args.seed)
    articles: list[Article] = []
    categories: list[str] = []
    for category, path in chosen:
        for item in read_sources([str(path)]):
            if isinstance(item, Article):
                articles.append(item)
                categories.append(category)
    texts = [a.text for a in articles]
    print(f"BBC {args.split} half, {args.per_category or 'all'} a category (seed "
          f"{args.seed}): {len(articles)} articles, {sum(map(len, texts)):,} characters")

    overrides: dict[str, Any] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = _value(value)
    full = flashpoint.default_pipeline(triage=False)
    triaged = flashpoint.default_pipeline(triage=True)
    if overrides:
        from flashpoint.nlp.stage import NlpStage
        from flashpoint.nlp.triage import Triage

        stage = triaged.stages[0]
        assert isinstance(stage, NlpStage) and stage.triage is not None
        stage.triage = Triage(stage.triage.lex, **overrides)
        print(f"triage parameters overridden: {overrides}")
    triage = triaged.stages[0].triage  # type: ignore[attr-defined]
    nlp = spacy.load(MODEL)
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=32))  # also a warm-up
    list(full(articles[:20]))  # warm up: caches (cities, typer) fill on first use
    list(triaged(articles[:20]))

    plan: dict[str, Callable[[], Any]] = {
        "plain": lambda: list(nlp.pipe(texts, batch_size=32)),
        "full": lambda: list(full(articles)),
        "triage": lambda: list(triaged(articles)),
    }
    best: dict[str, float] = {}
    outputs: dict[str, Any] = {}
    for _ in range(max(1, args.repeats)):
        for name, run in plan.items():
            seconds, out = timed(run)
            best[name] = min(best.get(name, seconds), seconds)
            if name != "plain":
                outputs[name] = out
            del out

    plans = [triage.plan(t) for t in texts]
    print(f"\ntriage parameters: short < {triage.short_chars} chars or < {triage.short_units} "
          f"sentences; kept whole at >= {triage.political_density} political words per 100; "
          f"{triage.context_units} context unit(s); lead: headline + "
          f"{triage.lead_paragraphs} paragraph(s); place names: {triage.keep_places}")
    print("\n| category | articles | triaged out | kept whole | paragraphs out | sentences out "
          "| chars parsed | events | kept | same codes | statements kept |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals: Counter[str] = Counter()
    lost: list[str] = []
    for category in (*CATEGORIES, "all"):
        c: Counter[str] = Counter()
        for n, cat in enumerate(categories):
            if category not in (cat, "all"):
                continue
            p, text = plans[n], texts[n]
            a, b = outputs["full"][n], outputs["triage"][n]
            c["articles"] += 1
            c["out"] += p.dropped
            c["whole"] += p.whole
            c["paragraphs"] += p.paragraphs
            c["paragraphs_out"] += p.paragraphs - p.kept_paragraphs
            c["units"] += p.units
            c["units_out"] += p.units - p.kept_units
            c["chars"] += len(text)
            c["parsed"] += p.parsed
            got = {(e.type, e.evidence.start, e.evidence.end) for e in b.events}
            coded = {(e.type, e.evidence.start, e.evidence.end, e.source.code,
                      e.target.code if e.target else None) for e in b.events}
            for e in a.events:
                c["events"] += 1
                key = (e.type, e.evidence.start, e.evidence.end)
                c["kept"] += key in got
                c["coded"] += (*key, e.source.code, e.target.code if e.target else None) in coded
                if key not in got and category == "all":
                    lost.append(f"{cat}/{articles[n].title!r}: {e.type} {e.source.code}->"
                                f"{e.target.code if e.target else '-'} {e.confidence:.2f} "
                                f"{e.evidence.text[:90]!r}")
            spans = {(s.content.start, s.content.end, s.speaker.start if s.speaker else None)
                     for s in b.statements}
            c["statements"] += len(a.statements)
            c["st_kept"] += sum((s.content.start, s.content.end,
                                 s.speaker.start if s.speaker else None) in spans
                                for s in a.statements)
        if category == "all":
            totals = c

        def share(x: str, of: str, c: Counter[str] = c) -> str:
            return f"{c[x] / c[of]:.1%}" if c[of] else "-"

        print(f"| {category} | {c['articles']} | {share('out', 'articles')} | "
              f"{share('whole', 'articles')} | {share('paragraphs_out', 'paragraphs')} | "
              f"{share('units_out', 'units')} | {share('parsed', 'chars')} | {c['events']} | "
              f"{share('kept', 'events')} | {share('coded', 'events')} | "
              f"{share('st_kept', 'statements')} |")

    n = len(articles)
    print("\n| run | seconds | articles/s | tokens/s | / plain |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in plan:
        print(f"| {name} | {best[name]:.1f} | {n / best[name]:.2f} | {tokens / best[name]:,.0f} | "
              f"{best['plain'] / best[name]:.2f} |")
    kept = totals["kept"] / totals["events"] if totals["events"] else 1.0
    print(f"\nevents kept: {kept:.1%} (target >= {TARGET_KEPT:.0%}: "
          f"{'met' if kept >= TARGET_KEPT else 'NOT met'}); triage / full "
          f"{best['full'] / best['triage']:.2f}x, triage / plain parse "
          f"{best['plain'] / best['triage']:.2f}x ({tokens:,} tokens)")
    if args.verbose and lost:
        print("\nevents of the full run the triaged run lost:")
        for line in lost:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
