"""API latency over a large store: p50/p95 of the event list, dyad series and search.

    .venv/bin/python bench/api.py                      # 1,000,000 events, ~3 min to build
    .venv/bin/python bench/api.py --events 100000 --requests 100
    .venv/bin/python bench/api.py --db /tmp/big.db     # reuse a store built earlier

Builds a SQLite store of synthetic articles and events (bulk inserts through the DB-API
in large transactions, after the normal migrations), starts the real app under uvicorn
on 127.0.0.1, and times HTTP requests from one client with httpx: what a dashboard user
waits for, server and JSON included. Query parameters are drawn at random (seeded) from
the actors, pairs, types and words the store holds. Prints one table and, with --json,
writes the figures to a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from flashpoint.serve import create_app  # noqa: E402
from flashpoint.store import Store  # noqa: E402
from serve_data import serving  # noqa: E402  (the same thread-server the tests use)

TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
         "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE",
         "ASSAULT"]
TYPE_WEIGHTS = [6, 14, 5, 2, 4, 3, 2, 7, 9, 5, 6, 5, 3, 4, 6, 19]
ACTORS = ["USA", "RUS", "UKR", "CHN", "ISR", "IRN", "PSE", "BLR", "POL", "DEU", "FRA", "GBR",
          "TUR", "SYR", "IRQ", "IND", "PAK", "AFG", "PRK", "KOR", "JPN", "TWN", "PHL", "VNM",
          "SDN", "ETH", "SOM", "KEN", "NGA", "NER", "MLI", "COD", "RWA", "VEN", "COL", "BRA",
          "MEX", "ARM", "AZE", "GEO", "SRB", "XKX", "MDA", "EGY", "LBN", "YEM", "SAU", "ARE",
          "QAT", "IGO", "UNO", "EUR", "NAT", "NGO", "MMR", "THA", "KHM", "LBY", "TCD", "CMR"]
TOPICS = ["border", "ceasefire", "talks", "troops", "drone", "sanctions", "embassy", "summit",
         "protest", "militia", "convoy", "refugees", "artillery", "election", "minister",
         "parliament", "pipeline", "airstrike", "negotiations", "blockade", "hostages",
         "referendum", "mediation", "peacekeepers", "shelling", "treaty", "exports", "navy"]


def _vocabulary(size: int, seed: int = 1) -> list[str]:
    """Made-up words, so term frequencies follow a Zipf curve as in real text."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "tor", "sa", "vi", "re", "du", "pan", "gel", "ost"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(syllables, k=rng.choice((2, 3, 4)))))
    return sorted(words)


# Each article: 120 words from a 5,000-word Zipf vocabulary plus 3 of the 28 topic words,
# so a topic word occurs in about 1 article in 9 and two of them together in about 1 in 90.
VOCABULARY = _vocabulary(5000)
VOCABULARY_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) ** 0.9 for rank in range(n)]


def build(path: Path, n_events: int, per_article: int, seed: int) -> None:
    """Create a migrated store at `path` and bulk-load synthetic articles and events."""
    Store(path).close()  # the normal migrations create every table, index and trigger
    rng = random.Random(seed)
    actor_w = zipf_weights(len(ACTORS))
    n_articles = max(1, n_events // per_article)
    first_day = dt.date(2022, 1, 1)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    started = time.perf_counter()
    # Bulk load without the events indexes, then build them once (the same definitions
    # the migrations made, read back from sqlite_master): far faster than updating nine
    # indexes row by row.
    index_sql = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' "
        "AND sql IS NOT NULL")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                "tbl_name = 'events' AND sql IS NOT NULL").fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    batch = 2000
    made = 0
    for offset in range(0, n_articles, batch):
        articles, codings, events = [], [], []
        for i in range(offset, min(n_articles, offset + batch)):
            article_id = f"b{i:020d}"
            day = first_day + dt.timedelta(days=rng.randrange(3 * 365))
            words = rng.choices(VOCABULARY, VOCABULARY_WEIGHTS, k=120)
            topics = rng.sample(TOPICS, 3)
            for topic in topics:
                words.insert(rng.randrange(len(words)), topic)
            text = " ".join(words).capitalize() + "."
            title = f"{rng.choice(ACTORS)} and {rng.choice(ACTORS)}: {topics[0]} {topics[1]}"
            articles.append((article_id, title, day.isoformat(), "Synthetic Wire", text,
                             f"h{i:030d}", now))
            codings.append((article_id, "bench.1", "flashpoint.coder.plover", now))
            for ordinal in range(per_article):
                if made >= n_events:
                    break
                made += 1
                source, target = rng.choices(ACTORS, actor_w, k=2)
                event_type = rng.choices(TYPES, TYPE_WEIGHTS)[0]
                roll = rng.random()
                negated, future, hypo = roll < 0.05, 0.05 <= roll < 0.15, 0.15 <= roll < 0.2
                conditional = 0.2 <= roll < 0.25
                event_day = day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 7)))
                start = rng.randrange(0, max(1, len(text) - 40))
                evidence = text[start:start + 40]
                events.append((
                    article_id, "bench.1", ordinal, f"e{ordinal}", event_type, None, "[]",
                    source, "GOV", source, target, "GOV", target, event_day.isoformat(),
                    "day", negated, future, hypo,
                    start if conditional else None, start + 10 if conditional else None,
                    evidence[:10] if conditional else None,
                    start, start + len(evidence), evidence, 0.8,
                ))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO articles (id, title, published, source, text, text_hash, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", articles)
        conn.executemany(
            "INSERT INTO codings (article_id, coder_version, coder_name, coded_at)"
            " VALUES (?, ?, ?, ?)", codings)
        conn.executemany(
            "INSERT INTO events (article_id, coder_version, ordinal, id, type, mode, contexts,"
            " source_code, source_sector, source_name, target_code, target_sector,"
            " target_name, date, date_precision, negated, future, hypothetical,"
            " condition_start, condition_end, condition_text, evidence_start, evidence_end,"
            " evidence_text, confidence) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events)
        conn.execute("COMMIT")
    for sql in index_sql:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.close()
    print(f"built {n_articles:,} articles, {made:,} events in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


def count_events(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def queries(rng: random.Random, n: int) -> dict[str, list[str]]:
    """Request paths per benchmark case, drawn from what the store holds."""
    w = zipf_weights(len(ACTORS))

    def actor() -> str:
        return rng.choices(ACTORS, w)[0]

    def since() -> str:
        return (dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(900))).isoformat()

    return {
        "events: first page, no filter": ["/api/events?limit=50"] * n,
        "events: actor (either side)": [f"/api/events?actor={actor()}" for _ in range(n)],
        "events: source + target": [f"/api/events?source={actor()}&target={actor()}"
                                    for _ in range(n)],
        "events: type + since, factual only": [
            f"/api/events?type={rng.choice(TYPES)}&since={since()}&factual=true"
            for _ in range(n)],
        "events: actor + type + date range": [
            f"/api/events?actor={actor()}&type={rng.choice(TYPES)}&since={since()}"
            f"&until=2024-12-31" for _ in range(n)],
        "dyad series (auto bucket)": [f"/api/dyads/{actor()}/{actor()}/series?bucket=auto"
                                      for _ in range(n)],
        "dashboard: event table page, actor filter": [
            f"/events?actor={actor()}" for _ in range(n)],
        "dashboard: article page": [f"/articles/b{rng.randrange(1000):020d}"
                                    for _ in range(n)],
        "search (1-2 words)": [
            "/api/search?q=" + "+".join(rng.sample(TOPICS, rng.choice((1, 2))))
            for _ in range(n)],
    }


def run(base: str, cases: dict[str, list[str]], pages: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/api/events?limit=1").raise_for_status()  # warm up
        for name, paths in cases.items():
            times: list[float] = []
            cpu: list[float] = []
            for path in paths:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                response.raise_for_status()
            results[name] = {"p50_ms": percentile(times, 0.5),
                             "p95_ms": percentile(times, 0.95),
                             "mean_ms": statistics.fmean(times), "requests": len(times),
                             "cpu_p50_ms": percentile(cpu, 0.5),
                             "cpu_p95_ms": percentile(cpu, 0.95)}
        # keyset paging: time page k for a filtered list by following `next`
        times = []
        for _ in range(max(1, len(next(iter(cases.values()))) // 10)):
            cursor = None
            for _page in range(pages):
                url = "/api/events?limit=50&actor=RUS" + (f"&cursor={cursor}" if cursor else "")
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cursor = response.json()["next"]
                if cursor is None:
                    break
        results[f"events: pages 1-{pages} by cursor (actor=RUS)"] = {
            "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95),
            "mean_ms": statistics.fmean(times), "requests": len(times)}
        # Whole-store aggregates (no filter): informative, outside the target.
        for name, path in (("whole store: overview page /", "/"),
                           ("whole store: /api/series unfiltered", "/api/series?bucket=auto")):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            results[name] = {"p50_ms": percentile(times, 0.5),
                             "p95_ms": percentile(times, 0.95),
                             "mean_ms": statistics.fmean(times), "requests": len(times)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="per case")
    parser.add_argument("--pages", type=int, default=20, help="pages followed by cursor")
    parser.add_argument("--db", type=Path, help="store path (reused when it has --events)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="flashpoint-bench-")
        args.db = Path(tmp.name) / "api.db"
    if count_events(args.db) != args.events:
        args.db.unlink(missing_ok=True)
        build(args.db, args.events, args.per_article, args.seed)
    rng = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    with Store(args.db) as store, serving(create_app(store)) as base:
        results = run(base, queries(rng, args.requests), args.pages)
    load = (load_before + os.getloadavg()[0]) / 2
    print(f"\nAPI latency over HTTP, SQLite, {args.events:,} events "
          f"({args.events // args.per_article:,} articles), one client, {args.requests} "
          f"requests per case; machine load average {load:.1f} on {os.cpu_count()} CPUs\n")
    print(f"| {'case':<44} | p50 ms | p95 ms | mean ms | CPU p50 ms | CPU p95 ms |")
    print(f"| {'-' * 44} | -----: | -----: | ------: | ---------: | ---------: |")
    for name, r in results.items():
        cpu = (f"{r['cpu_p50_ms']:10.1f} | {r['cpu_p95_ms']:10.1f}" if "cpu_p50_ms" in r
               else f"{'':>10} | {'':>10}")
        print(f"| {name:<44} | {r['p50_ms']:6.1f} | {r['p95_ms']:6.1f} | {r['mean_ms']:7.1f} "
              f"| {cpu} |")
    print("\nms: wall-clock latency seen by the client. CPU ms: processor time the whole "
          "process (client,\nserver and SQLite, one request at a time) spent per request: "
          "what the latency would be on\nan idle machine; on a loaded one the wall clock "
          "stretches, the CPU time does not.")
    if args.json:
        args.json.write_text(json.dumps({"events": args.events, "load": load,
                                         "results": results}, indent=2))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
