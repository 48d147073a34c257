"""Bounded load test: many concurrent clients against `flashpoint serve` on 127.0.0.1.

    .venv/bin/python bench/load.py                          # 1M events, 200 clients, 60 s
    .venv/bin/python bench/load.py --db /tmp/load/api.db    # reuse a store built earlier
    .venv/bin/python bench/load.py --events 100000 --clients 50 --seconds 20
    .venv/bin/python bench/load.py --db /tmp/load/api.db --workers 2   # serve --workers 2

Builds (or reuses) the synthetic SQLite store of bench/api.py (its builder, its query
mix), starts the real `flashpoint serve` command in a subprocess on a free port of
127.0.0.1, and runs `--clients` asyncio clients (one aiohttp session, one connection
each) for `--seconds`. (aiohttp, not httpx: the load generator shares this machine's cores
with the server, and httpx cost about 15 ms of CPU per request, as much as the server
itself.) Each client picks a case (event lists with filters, keyset paging,
dyad series, the dashboard's event table and article pages, full-text search), sends
the request, waits for the whole answer, then pauses for a random think time (mean
`--think` seconds, exponential; 0 sends back to back). Every request has a timeout, the
run stops by itself after `--seconds` (requests in flight then finish or time out), and
the server is stopped at the end. Traffic goes only to 127.0.0.1. Before the clock starts,
each case is requested once (untimed), and clients start spread over one think time.

Prints requests, requests/s, p50/p95/p99/max latency over all requests and per case,
errors (any non-2xx answer, timeout or connection error) and the machine's load average.
Targets (docs/reliability.md): zero errors, p99 under 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api as api_bench  # noqa: E402  (bench/api.py: the store builder and query mix)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    # (sent at, ms, answered from the cache)
    timeline: list[tuple[float, float, bool]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    cache_hits: int = 0
    started: float = 0.0

    def add(self, case: str, ms: float, hit: bool) -> None:
        self.latencies.setdefault(case, []).append(ms)
        self.timeline.append((time.monotonic() - ms / 1000, ms, hit))

    def all(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]


WARM_UP = 10.0  # seconds reported apart (cold cache)
TARGET_MS = 500  # the p99 target; how many requests took longer is printed too


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def paging_paths(rng: random.Random, n: int) -> list[str]:
    """Deep pages: cursors are opaque, so the clients follow `next` (see `client`)."""
    return [f"/api/events?limit=50&actor={rng.choice(api_bench.ACTORS[:10])}"
            for _ in range(n)]


async def client(http: aiohttp.ClientSession, cases: dict[str, list[str]], rng: random.Random,
                 stop_at: float, think: float, tally: Tally) -> None:
    names = list(cases)
    if think > 0:  # users do not all click in the same millisecond
        await asyncio.sleep(rng.uniform(0, think))
    while time.monotonic() < stop_at:
        case = rng.choice(names)
        path = rng.choice(cases[case])
        pages = 3 if case == "events: 3 pages by cursor" else 1
        for _ in range(pages):
            started = time.perf_counter()
            try:
                async with http.get(path) as answer:
                    body = await answer.read()
                    hit = answer.headers.get("x-flashpoint-cache") == "hit"
                    tally.cache_hits += hit
                    if answer.status >= 400:
                        tally.errors[f"HTTP {answer.status} {case}"] += 1
                        break
            except (TimeoutError, aiohttp.ClientError) as exc:
                tally.errors[f"{type(exc).__name__} {case}"] += 1
                break
            tally.add(case, (time.perf_counter() - started) * 1000, hit)
            if pages > 1:
                cursor = json.loads(body).get("next")
                if cursor is None:
                    break
                path = path.split("&cursor=")[0] + f"&cursor={cursor}"
        if think > 0:
            pause = min(rng.expovariate(1 / think), 10 * think, stop_at - time.monotonic())
            await asyncio.sleep(max(0.0, pause))


async def burst(base: str, cases: dict[str, list[str]], n: int, round_: int,
                server_pid: int) -> None:
    """N requests of the mix, all sent at once, each made unique by an unused query
    parameter so that none is answered from the cache: what a cold start costs."""
    rng = random.Random(round_)
    names = list(cases)
    paths = []
    for i in range(n):
        path = rng.choice(cases[names[i % len(names)]])
        paths.append(f"{path}{'&' if '?' in path else '?'}burst={round_}-{i}")
    connector = aiohttp.TCPConnector(limit=n)
    async with aiohttp.ClientSession(base_url=base, connector=connector, trust_env=False,
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        async def one(path: str) -> float:
            started = time.perf_counter()
            async with http.get(path) as answer:
                await answer.read()
                if answer.status >= 400:
                    raise SystemExit(f"{path}: HTTP {answer.status}")
            return (time.perf_counter() - started) * 1000
        cpu, started = cpu_seconds(server_pid), time.perf_counter()
        latencies = await asyncio.gather(*(one(path) for path in paths))
        took, cpu = time.perf_counter() - started, cpu_seconds(server_pid) - cpu
    print(f"burst {round_ + 1}: {n} distinct uncached requests at once answered in {took:.2f} s;"
          f" server CPU {cpu:.2f} s ({cpu / n * 1000:.1f} ms a request); p50 "
          f"{pct(latencies, .5):.0f} ms, max {max(latencies):.0f} ms")


async def run_load(base: str, cases: dict[str, list[str]], clients: int, seconds: float,
                   think: float, seed: int) -> tuple[Tally, float]:
    tally = Tally()
    # uvicorn closes a connection idle for 5 s; a client reusing it at that moment gets an
    # error that says nothing about the server's capacity, so expire ours sooner.
    connector = aiohttp.TCPConnector(limit=clients, keepalive_timeout=4)
    async with aiohttp.ClientSession(base_url=base, connector=connector, trust_env=False,
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        for paths in cases.values():  # warm up: each case once, untimed
            async with http.get(paths[0]) as answer:
                await answer.read()
        started = time.monotonic()
        tally.started = started
        stop_at = started + seconds
        await asyncio.gather(*(client(http, cases, random.Random(seed * 1000 + n), stop_at,
                                      think, tally) for n in range(clients)))
        return tally, time.monotonic() - started


def start_server(db: Path, port: int, workers: int, cache_mb: float, compute_slots: int
                 ) -> subprocess.Popen[bytes]:
    """`flashpoint serve` as a user starts it (read-only, 127.0.0.1), in its own process
    group so that stopping it stops its worker processes too."""
    env = {k: v for k, v in os.environ.items() if k != "FLASHPOINT_API_TOKEN"}
    return subprocess.Popen(
        [sys.executable, "-m", "flashpoint", "serve", "--db", str(db), "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--cache-mb", str(cache_mb),
         "--compute-slots", str(compute_slots)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            err = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"flashpoint serve exited with {server.returncode}: {err}")
        try:
            if httpx.get(base + "/api/events?limit=1", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("flashpoint serve did not answer in time")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` and its children so far (Linux /proc), for
    CPU per request; with `--workers` the children do the serving."""
    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone in between
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(k) for k in children.read_text().split()] if children.exists() else []
    return own(pid) + sum(cpu_seconds(k) for k in kids)


def _seconds(tally: Tally, first: int) -> list[tuple[int, int, int, float]]:
    """(second, requests sent in it, answered from the cache, p99 ms) for the first seconds."""
    rows = []
    for second in range(first):
        sent = [(ms, hit) for at, ms, hit in tally.timeline
                if second <= at - tally.started < second + 1]
        rows.append((second, len(sent), sum(hit for _, hit in sent),
                     pct([ms for ms, _ in sent], .99)))
    return rows


def pct(values: list[float], q: float) -> float:
    return api_bench.percentile(values, q) if values else float("nan")


def cpu_per_case(db: Path, cases: dict[str, list[str]], n: int) -> None:
    """CPU of an uncached answer per case, in this process: the app called as ASGI (no
    socket, no load generator), endpoints on their thread pool as under uvicorn, cache of
    answers off, each case warmed with 3 requests, then `n` of its paths timed with
    `time.process_time` (all threads). Steadier than `--burst` on a busy machine, since
    it counts CPU, not waiting, and leaves HTTP parsing out."""
    from flashpoint.serve import ServerSettings, create_app, warm

    app = create_app(str(db), ServerSettings(cache_bytes=0))

    async def call(url: str) -> None:
        path, _, query = url.partition("?")
        status, _ = await warm.get(app, path, query)
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status}")

    async def run() -> None:
        async with app.router.lifespan_context(app):
            total = 0.0
            print(f"| {'case (CPU per uncached answer, in process)':<44} | ms |")
            print(f"| {'-' * 44} | ---: |")
            for name, paths in cases.items():
                for path in paths[:3]:
                    await call(path)
                started = time.process_time()
                for path in paths[:n]:
                    await call(path)
                ms = (time.process_time() - started) / min(n, len(paths)) * 1000
                total += ms
                print(f"| {name:<44} | {ms:4.1f} |")
            print(f"| {'mean over the cases':<44} | {total / len(cases):4.1f} |")

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--db", type=Path, help="store path (reused when it has --events)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause between a client's requests, s (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (`flashpoint serve --workers`)")
    parser.add_argument("--cache-mb", type=float, default=64,
                        help="`flashpoint serve --cache-mb` (0: no cache of answers)")
    parser.add_argument("--compute-slots", type=int, default=2,
                        help="`flashpoint serve --compute-slots` (0: no limit)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--burst", type=int, default=0, metavar="N",
                        help="instead of the load: N distinct uncached requests of the mix "
                             "at once, three times; prints server CPU per request")
    parser.add_argument("--cpu-per-case", type=int, default=0, metavar="N",
                        help="instead of the load: CPU of N uncached answers per case, the "
                             "app called in this process (no HTTP)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 1000 or not 0 < args.seconds <= 600:
        parser.error("--clients 1..1000 and --seconds up to 600: this test is bounded")
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="flashpoint-load-")
        args.db = Path(tmp.name) / "api.db"
    if api_bench.count_events(args.db) != args.events:
        args.db.unlink(missing_ok=True)
        api_bench.build(args.db, args.events, args.per_article, args.seed)
    rng = random.Random(args.seed)
    cases = {name: paths for name, paths in api_bench.queries(rng, 200).items()
             if name != "events: first page, no filter"}
    cases["events: first page, no filter"] = ["/api/events?limit=50"]
    cases["events: 3 pages by cursor"] = paging_paths(rng, 200)
    cases["statements: speaker"] = [f"/api/statements?speaker={rng.choice(api_bench.ACTORS)}"
                                    for _ in range(200)]

    if args.cpu_per_case:
        cpu_per_case(args.db, cases, args.cpu_per_case)
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.db, port, args.workers, args.cache_mb,
                          args.compute_slots)
    try:
        wait_ready(base, server)
        if args.burst:
            for round_ in range(3):
                asyncio.run(burst(base, cases, args.burst, round_, server.pid))
            return
        load_before = os.getloadavg()
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        tally, took = asyncio.run(run_load(base, cases, args.clients, args.seconds,
                                           args.think, args.seed))
        server_cpu = cpu_seconds(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        load_after = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if server.stderr:
            server.stderr.close()
    every = tally.all()
    errors = sum(tally.errors.values())
    print(f"\nLoad on `flashpoint serve --workers {args.workers} --cache-mb {args.cache_mb:g} "
          f"--compute-slots {args.compute_slots}` "
          f"(SQLite, {args.events:,} "
          f"events), {args.clients} "
          f"clients, {took:.0f} s, think time {args.think:g} s mean; load average before "
          f"{load_before[0]:.2f}, after {load_after[0]:.2f} (1 min) on {os.cpu_count()} CPUs\n")
    print(f"requests {len(every):,}  requests/s {len(every) / took:.1f}  errors {errors}  "
          f"p50 {pct(every, .5):.0f} ms  p95 {pct(every, .95):.0f} ms  "
          f"p99 {pct(every, .99):.0f} ms  max {max(every, default=float('nan')):.0f} ms")
    n = max(1, len(every))
    slow = sum(ms > TARGET_MS for ms in every)
    print(f"over {TARGET_MS} ms: {slow} requests ({slow / n:.2%}); p99.9 "
          f"{pct(every, .999):.0f} ms")
    print(f"answered from the cache of answers: {tally.cache_hits / n:.0%}")
    # The first seconds hold the cold start: every client's first requests are misses.
    warm = [ms for at, ms, _ in tally.timeline if at - tally.started >= WARM_UP]
    cold = [ms for at, ms, _ in tally.timeline if at - tally.started < WARM_UP]
    print(f"first {WARM_UP:g} s (cold cache): {len(cold):,} requests, p99 {pct(cold, .99):.0f} ms; "
          f"after: {len(warm):,} requests, p50 {pct(warm, .5):.0f} ms, p95 {pct(warm, .95):.0f}"
          f" ms, p99 {pct(warm, .99):.0f} ms")
    print("by second: requests / from cache / p99 ms: " + "  ".join(
        f"{second}s {n} / {hits / max(1, n):.0%} / {p99:.0f}"
        for second, n, hits, p99 in _seconds(tally, int(WARM_UP))))
    print(f"CPU per request: server {server_cpu / n * 1000:.1f} ms, load generator "
          f"{client_cpu / n * 1000:.1f} ms (server busy {server_cpu / took:.0%} of one CPU)\n")
    print(f"| {'case':<44} | requests | p50 ms | p95 ms | p99 ms |")
    print(f"| {'-' * 44} | -------: | -----: | -----: | -----: |")
    for name, values in sorted(tally.latencies.items()):
        print(f"| {name:<44} | {len(values):8,} | {pct(values, .5):6.0f} | "
              f"{pct(values, .95):6.0f} | {pct(values, .99):6.0f} |")
    for what, count in tally.errors.most_common():
        print(f"error: {what} x{count}")
    if args.json:
        args.json.write_text(json.dumps({
            "events": args.events, "clients": args.clients, "seconds": took,
            "think": args.think, "workers": args.workers, "cache_mb": args.cache_mb,
            "compute_slots": args.compute_slots, "over_target": slow,
            "p999_ms": pct(every, .999),
            "requests": len(every), "rps": len(every) / took,
            "errors": dict(tally.errors), "p50_ms": pct(every, .5), "p95_ms": pct(every, .95),
            "p99_ms": pct(every, .99), "cache_hits": tally.cache_hits,
            "p99_ms_after_warm_up": pct(warm, .99), "p99_ms_warm_up": pct(cold, .99),
            "load_before": load_before, "load_after": load_after,
            "server_cpu_ms_per_request": server_cpu / n * 1000,
            "client_cpu_ms_per_request": client_cpu / n * 1000,
        }, indent=2))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
