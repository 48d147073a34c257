#!/usr/bin/env python3
"""Ingest benchmark: how well and how fast flashpoint reads articles.

    .venv/bin/python bench/ingest.py                    # shared/ beside the repository
    .venv/bin/python bench/ingest.py --shared ../shared --json out.json

Section "html": flashpoint's HTML reader (`flashpoint.ingest.html.parse_html`, i.e.
trafilatura plus our decoding and paragraph handling) on the scrapinghub article-extraction
gold set (181 gzipped pages), scored with the metric in ``shared/eval/html_score.py``
(imported from there, not copied): word 4-gram shingle precision / recall / F1 and
bag-of-words token F1, averaged over pages. Speed is pages per second of extraction
alone (pages are decompressed before the clock starts), best of ``--repeats`` passes.

Section "store": articles per second through the whole `flashpoint ingest` path (read,
normalise, store in a fresh SQLite file, code with the current coder, record failures)
on the plain-text news in ``shared/data/news``: the BBC corpus (2,225 one-file-per-article
texts) and the Giveme5W1H JSON articles. The clock covers the run, not the setup.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"


def load_scorer(shared: Path) -> ModuleType:
    """``shared/eval/html_score.py`` as a module, imported by path."""
    path = shared / "eval" / "html_score.py"
    spec = importlib.util.spec_from_file_location("flashpoint_bench_html_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the HTML scorer from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_html(shared: Path, repeats: int = 1) -> dict[str, Any]:
    """Body-extraction quality and speed of flashpoint's HTML reader on scrapinghub."""
    from flashpoint.errors import InputError
    from flashpoint.ingest.html import parse_html
    from flashpoint.ingest.normalize import normalize_body

    scorer = load_scorer(shared)
    data = shared / "data" / "html" / "scrapinghub"
    gold = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {pid: gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes()) for pid in gold}

    times: list[float] = []
    predictions: dict[str, dict[str, str]] = {}
    failures: dict[str, str] = {}
    for _ in range(max(1, repeats)):
        predictions, failures = {}, {}
        start = time.perf_counter()
        for pid, raw in pages.items():
            try:
                body = normalize_body(parse_html(raw).body)
            except InputError as exc:
                body, failures[pid] = "", f"{type(exc).__name__}: {exc}"
            predictions[pid] = {"articleBody": body}
        times.append(time.perf_counter() - start)

    result: dict[str, Any] = scorer.score(gold, predictions, 0)
    megabytes = sum(len(raw) for raw in pages.values()) / 1e6
    result.update(
        pages=len(pages),
        megabytes=round(megabytes, 1),
        seconds_per_pass=[round(t, 3) for t in times],
        pages_per_s=len(pages) / min(times),
        failures=failures,
    )
    return result


def environment() -> dict[str, str]:
    import trafilatura

    from flashpoint import __version__

    return {
        "flashpoint": __version__,
        "trafilatura": trafilatura.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def print_html(result: dict[str, Any]) -> None:
    print(f"html: {result['pages']} pages, {result['megabytes']} MB (scrapinghub)")
    print(
        f"  shingle F1 {result['shingle_f1']:.3f}  P {result['shingle_precision']:.3f}  "
        f"R {result['shingle_recall']:.3f} | token F1 {result['token_f1']:.3f}  "
        f"(mean/page {result['token_f1_mean']:.3f}) | exact {result['exact']:.3f}  "
        f"empty {result['empty_predictions']}"
    )
    print(
        f"  speed: {result['pages_per_s']:.1f} pages/s (best of "
        f"{len(result['seconds_per_pass'])}: {result['seconds_per_pass']} s), one core"
    )
    for pid, message in result["failures"].items():
        print(f"  failed {pid[:12]}: {message}")


def bench_store(shared: Path) -> dict[str, Any]:
    """Articles/s stored (and coded) by the ingest run for the shared plain-text news."""
    import tempfile

    from flashpoint.ingest_run import ingest
    from flashpoint.store import Store

    news = shared / "data" / "news"
    inputs = [str(news / "bbc"), str(news / "giveme5w1h_gold")]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        started = time.perf_counter()
        report = ingest(store, inputs, batch_size=200)
        seconds = time.perf_counter() - started
        stats = store.stats()
    return {
        "inputs": [str(Path(i).relative_to(shared)) for i in inputs],
        "read": report.read,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "warnings": len(report.warnings),
        "coded": report.coded,
        "seconds": round(seconds, 2),
        "articles_per_s": round(report.read / seconds, 1) if seconds else None,
        "db_bytes": stats.get("db_bytes"),
    }


def print_store(result: dict[str, Any]) -> None:
    print(f"store: {', '.join(result['inputs'])} into a fresh SQLite file")
    print(
        f"  read {result['read']}, stored {result['stored']}, duplicates "
        f"{result['duplicates']}, failed {result['failed']}, warnings {result['warnings']}, "
        f"coded {result['coded']}"
    )
    print(f"  speed: {result['articles_per_s']} articles/s ({result['seconds']} s), one process")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared material directory (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes (default: 3)")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "html" / "scrapinghub").is_dir():
        parser.error(f"{args.shared} has no data/html/scrapinghub; pass --shared PATH")

    results: dict[str, Any] = {"env": environment()}
    print(results["env"])
    results["html"] = bench_html(args.shared, repeats=args.repeats)
    print_html(results["html"])
    results["store"] = bench_store(args.shared)
    print_store(results["store"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
