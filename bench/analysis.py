#!/usr/bin/env python3
"""Analysis speed: export, series, alerts and report over a synthetic store of coded events.

    .venv/bin/python bench/analysis.py                    # 5,000 articles x 4 events, SQLite
    .venv/bin/python bench/analysis.py --articles 20000 --db postgresql://host/bench

The store is filled with constructed Documents (one sentence per event, spans exact),
spread over 365 days and 40 dyads, so the figures measure flashpoint's queries and
writers, not the NLP coder. Prints one line per step with its wall time and rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from analysis_data import Ev, St, make_doc  # noqa: E402
from flashpoint.analyze import export  # noqa: E402
from flashpoint.analyze.alert_store import run_alerts  # noqa: E402
from flashpoint.analyze.alerts import parse_rules  # noqa: E402
from flashpoint.analyze.report import build_report, render_report  # noqa: E402
from flashpoint.analyze.series import daily_series  # noqa: E402
from flashpoint.store import Store  # noqa: E402

CODES = ["BLR", "POL", "RUS", "UKR", "LTU", "USA", "CHN", "FRA", "DEU", "TUR"]
TYPES = ["THREATEN", "ACCUSE", "CONSULT", "AGREE", "MOBILIZE", "ASSAULT", "REQUEST", "AID"]
RULES = """
rules:
  - {name: spike, by: dyad, anomaly: {baseline: 28d, z: 3.5, min_events: 3}}
  - {name: pressure, source: BLR, target: POL, threshold: {events: 10, window: 7d}}
"""


def timed(label: str, count: int, unit: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    rate = f", {count / took:,.0f} {unit}/s" if count else ""
    print(f"{label:<28} {took:8.2f} s{rate}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--events", type=int, default=4, help="events per article")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    rng = random.Random(7)
    start = dt.date(2024, 1, 1)
    dyads = [(a, b) for a in CODES for b in CODES if a != b][:40]
    docs = []
    for n in range(args.articles):
        day = start + dt.timedelta(days=rng.randrange(365))
        evs = [Ev(rng.choice(TYPES), *rng.choice(dyads), day,
                  negated=rng.random() < 0.05, hypothetical=rng.random() < 0.05)
               for _ in range(args.events)]
        docs.append(make_doc(f"b{n}", day, evs, [St("A leader", "BLR", "THREATEN", "We act")],
                             url=f"https://news.example.org/{n}"))
    tmp = tempfile.mkdtemp(prefix="flashpoint-bench-")
    with Store(args.db or str(Path(tmp) / "bench.db")) as store:
        total = args.articles * args.events
        print(f"{args.articles} articles, {total} events, {store.dialect}")
        timed("save_documents", total, "events", lambda: store.save_documents(docs))
        count = sum(1 for _ in export.iter_records(store))
        for fmt in ("jsonl", "csv"):
            timed(f"export {fmt}", count, "events",
                  lambda fmt=fmt: export.export(store, fmt, io.StringIO()))
        timed("export parquet", count, "events",
              lambda: export.export(store, "parquet", Path(tmp) / "e.parquet"))
        timed("series by dyad", count, "events", lambda: daily_series(store, by="dyad"))
        timed("series by actor", count, "events", lambda: daily_series(store, by="actor"))
        rules = parse_rules(RULES)
        run = timed("alerts run (2 rules)", 0, "", lambda: run_alerts(store, rules))
        print(f"{'':<28} {len(run.new)} alerts")
        report = timed("report build", 0, "", lambda: build_report(store))
        timed("report render html", 0, "", lambda: render_report(report, "html"))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
