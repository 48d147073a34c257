"""Fault injection: kills, locks, a stopped server, a full disk, damaged and endless input.

Each test breaks something a long-running deployment will meet, with real parts (the
`flashpoint` command in a subprocess, real SQLite files, a PostgreSQL server of its own,
a tmpfs that fills up, HTTP servers on 127.0.0.1), and checks two things: the user gets
a clear error (or a wait and a retry), never a traceback; and nothing committed is lost
or stored twice once the fault is gone.

Faults already covered elsewhere (cited in docs/reliability.md, not repeated here):
SIGKILL of `flashpoint watch` and restart on both backends (tests/test_watch_cli.py),
SIGKILL of ingest once on SQLite (tests/test_cli.py), a writer giving up on a locked
SQLite file and an unreachable PostgreSQL server (tests/test_store_sqlite.py,
tests/test_store_postgres.py), truncated gzip and damaged WARC members
(tests/test_ingest_sources.py, tests/test_ingest_warc.py), slow and oversized pages
(tests/test_watch.py).
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import flashpoint.cli
from conftest import PG_USER, _as_postgres, _free_port, find_pg_bindir
from flashpoint.errors import StoreError
from flashpoint.model import Article
from flashpoint.store import Store
from flashpoint.store import schema as tables

N_ARTICLES = 120
SEED = int(os.environ.get("FLASHPOINT_FAULT_SEED", "10"))


def env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def write_corpus(directory: Path, n: int = N_ARTICLES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (directory / f"story-{i:04d}.txt").write_text(
            f"Talks number {i} collapse\n\nMarch 3, 2024\n\n"
            f"Poland closed border crossing {i} with Belarus on Monday, officials said. "
            f'"We will respond to case {i}," the Belarusian foreign ministry said.\n\n'
            f"<https://news.example.org/story-{i}>\n",
            encoding="utf-8",
        )
    return directory


def ingest_cmd(corpus: Path, db: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "flashpoint", "ingest", str(corpus), "--db", db,
            "--batch-size", "5", *extra]


@dataclass
class Contents:
    """What a store holds, in the terms "nothing lost, nothing twice" needs."""

    article_ids: list[str]  # with repeats, if an article were stored twice
    codings: int
    events: int
    stories: int

    @classmethod
    def of(cls, store: Store) -> Contents:
        with store.reading() as conn:
            count = lambda table: int(conn.scalar(sa.select(sa.func.count()).select_from(table)))  # noqa: E731
            return cls(
                article_ids=sorted(conn.scalars(sa.select(tables.articles.c.id))),
                codings=count(tables.codings), events=count(tables.events),
                stories=count(tables.story_articles),
            )


def count_articles(store: Store) -> int:
    try:
        return store.count_articles()
    except StoreError:
        return 0


def wait_for(predicate: object, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert process.poll() is None, "the command ended before the fault was injected"
        assert time.monotonic() < deadline, "timed out waiting for progress"
        time.sleep(0.02)


# ---------------------------------------------------------------- SIGKILL of ingest


@dataclass
class Reference:
    corpus: Path
    contents: Contents


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The corpus, and what one clean, uninterrupted ingest of it stores (the command run
    in-process, which saves a spaCy start-up per backend)."""
    base = tmp_path_factory.mktemp("reference")
    corpus = write_corpus(base / "corpus")
    clean_db = str(base / "clean.db")
    done = CliRunner().invoke(flashpoint.cli.app, ingest_cmd(corpus, clean_db)[3:])
    assert done.exit_code == 0, done.output
    with Store(clean_db) as clean:
        contents = Contents.of(clean)
    assert len(set(contents.article_ids)) == contents.codings == N_ARTICLES
    return Reference(corpus, contents)


def test_ingest_killed_at_random_points_loses_and_repeats_nothing(
    store_url: str, reference: Reference
) -> None:
    """Three SIGKILLs (one during start-up, two mid-run at random article counts), then a
    run to the end: the store holds exactly what one clean run stores."""
    corpus, expected = reference.corpus, reference.contents
    rng = random.Random(SEED)
    Store(store_url).close()  # migrate first: the polling below only reads
    kills: list[int] = []
    with Store(store_url) as store:
        for round_ in range(3):
            process = subprocess.Popen(ingest_cmd(corpus, store_url), env=env(),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if round_ == 0:
                time.sleep(rng.uniform(0.2, 2.0))  # imports, migration check, first batch
            else:
                target = count_articles(store) + rng.randint(5, 40)
                wait_for(lambda t=target: count_articles(store) >= t, process)
                time.sleep(rng.uniform(0, 0.3))  # anywhere inside the next batch
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            kills.append(count_articles(store))
        assert kills[-1] < N_ARTICLES, "killed too late to test anything"
        done = subprocess.run(ingest_cmd(corpus, store_url), capture_output=True, env=env())
        assert done.returncode == 0, done.stderr.decode()
        assert Contents.of(store) == expected, f"killed at {kills} articles"


# ---------------------------------------------------------------- a locked SQLite file

from test_store_sqlite import HOLD_LOCK  # noqa: E402 - the same lock holder as there


@contextmanager
def write_lock(db: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding SQLite's write lock (an open write transaction)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_ingest_waits_for_a_locked_sqlite_file(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 5)
    db = tmp_path / "locked.db"
    Store(str(db)).close()
    with write_lock(db, 3.0) as holder:
        started = time.monotonic()
        done = CliRunner().invoke(flashpoint.cli.app,
                                  ["ingest", str(corpus), "--db", str(db), "--no-code"])
        assert holder.wait(timeout=30) == 0  # the other writer committed too
    assert done.exit_code == 0, done.output
    assert time.monotonic() - started > 2  # it waited for the lock rather than failing
    with Store(str(db)) as store:
        assert store.count_articles() == 5
        assert "other" in [run.command for run in store.runs()]


def test_ingest_gives_up_on_a_locked_sqlite_file_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's message when the lock outlives the busy timeout (30 s by default; 0.5 s
    here, through the CLI's own store factory)."""
    corpus = write_corpus(tmp_path / "corpus", 3)
    db = tmp_path / "locked.db"
    Store(str(db)).close()
    monkeypatch.setattr(flashpoint.cli, "Store", lambda url: Store(url, timeout=0.5))
    with write_lock(db, 60):
        result = CliRunner().invoke(flashpoint.cli.app,
                                    ["ingest", str(corpus), "--db", str(db), "--no-code"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "is locked by another writer; gave up after 0.5 s" in result.output
    assert "Traceback" not in result.output
    with Store(str(db)) as store:  # and once the lock is gone, the same command works
        assert store.count_articles() == 0
    again = CliRunner().invoke(flashpoint.cli.app,
                               ["ingest", str(corpus), "--db", str(db), "--no-code"])
    assert again.exit_code == 0, again.output
    with Store(str(db)) as store:
        assert store.count_articles() == 3


# ---------------------------------------------------------------- a stopped PostgreSQL


@dataclass
class PrivateServer:
    bindir: Path
    base: Path
    port: int

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def ctl(self, *args: str) -> None:
        options = (f"-c port={self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.base} -c fsync=off")
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                                     str(self.base / "log"), "-o", options, "-w", *args]),
                       check=True, capture_output=True, cwd=self.base, timeout=120)


@pytest.fixture
def private_postgres() -> Iterator[PrivateServer]:
    """A PostgreSQL server of this test's own, which the test may stop and start (the
    session's shared server is left alone)."""
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    base = Path(tempfile.mkdtemp(prefix="flashpoint-pgfault-"))
    if os.geteuid() == 0:
        shutil.chown(base, PG_USER, PG_USER)
    server = PrivateServer(bindir, base, _free_port())
    try:
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(server.data), "-U",
                                     PG_USER, "--auth=trust", "--no-sync"]),
                       check=True, capture_output=True, cwd=base, timeout=120)
        server.ctl("start")
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE news")
        yield server
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(server.data), "-m",
                                     "immediate", "-w", "stop"]),
                       capture_output=True, cwd=base, check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.postgres
def test_postgres_stopped_mid_ingest_is_a_clear_error_and_a_rerun_completes(
    private_postgres: PrivateServer, tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    url = private_postgres.url("news")
    Store(url).close()
    process = subprocess.Popen(ingest_cmd(corpus, url), env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with Store(url) as store:
        wait_for(lambda: count_articles(store) >= 10, process)  # type: ignore[arg-type]
    private_postgres.ctl("-m", "fast", "stop")  # an administrator stops the server
    out, err = process.communicate(timeout=120)
    message = err.decode(errors="replace")
    assert process.returncode == 1, message
    assert "Error:" in message and "Traceback" not in message
    assert "postgresql" in message.lower()

    with pytest.raises(StoreError, match="cannot connect to"):  # still down: a clear error
        Store(url, timeout=2)
    private_postgres.ctl("start")
    done = subprocess.run(ingest_cmd(corpus, url), capture_output=True, env=env())
    assert done.returncode == 0, done.stderr.decode()
    with Store(url) as store:
        contents = Contents.of(store)
    assert len(contents.article_ids) == len(set(contents.article_ids)) == N_ARTICLES
    assert contents.codings == N_ARTICLES
    assert contents.stories == N_ARTICLES


# ---------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 4 MB tmpfs (needs root, as CI has); skipped where mounting is impossible."""
    mount = Path(tempfile.mkdtemp(prefix="flashpoint-fulldisk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)
        mount.rmdir()


def _big_article(i: int) -> Article:
    body = f"Report {i}. " + " ".join(f"word{i}x{j}" for j in range(6000))
    return Article(id=f"full-{i:04d}", url=f"https://news.example/{i}", title=f"T{i}",
                   published=None, source="test", text=body)


def test_full_disk_is_a_clear_store_error_and_the_database_stays_readable(
    small_disk: Path,
) -> None:
    filler = small_disk / "other-files"
    filler.write_bytes(b"\0" * 2_000_000)  # the rest of the disk: someone else's data
    db = small_disk / "full.db"
    stored = 0
    with Store(str(db)) as store:
        with pytest.raises(StoreError) as info:
            for i in range(200):  # ~75 KB an article: the disk fills long before the end
                store.add_articles([_big_article(i)])
                stored += 1
        assert "disk is full" in str(info.value), info.value
        assert 0 < stored < 200
    with Store(str(db)) as store:  # readable, consistent, nothing committed lost
        assert store.count_articles() == stored
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    filler.unlink()  # space freed: the next write works, and the failed one can be redone
    with Store(str(db)) as store:
        assert store.add_articles([_big_article(stored)])[0].status == "stored"
        assert store.count_articles() == stored + 1


# ---------------------------------------------------------------- damaged input


def test_corrupted_gzip_is_one_failure_and_the_rest_is_stored(tmp_path: Path) -> None:
    """A flipped byte inside a .txt.gz (CRC or deflate error), via the real command."""
    corpus = write_corpus(tmp_path / "corpus", 4)
    good = (corpus / "story-0000.txt").read_bytes()
    damaged = bytearray(gzip.compress(good.replace(b"Poland", b"Latvia")))
    damaged[len(damaged) // 2] ^= 0xFF
    (corpus / "damaged.txt.gz").write_bytes(bytes(damaged))
    db = str(tmp_path / "gz.db")
    done = CliRunner().invoke(flashpoint.cli.app, ["ingest", str(corpus), "--db", db,
                                                   "--no-code"])
    assert done.exit_code == 1  # some input failed: said in the summary, then exit 1
    assert isinstance(done.exception, SystemExit | None), done.exception
    assert "Traceback" not in done.output
    with Store(db) as store:
        assert store.count_articles() == 4
        failures = [f for f in store.failures() if f.severity == "error"]
    assert [(Path(f.origin).name, f.kind) for f in failures] == [("damaged.txt.gz", "gzip")]


# ---------------------------------------------------------------- a feed that never ends


class EndlessSite:
    """127.0.0.1 server whose feed never ends: `/flood.xml` streams RSS items as fast as
    it can, `/drip.xml` one byte every 0.2 s. Each response stops by itself after 90 s
    or when the client hangs up, so the test cannot leave a server running."""

    def __init__(self) -> None:
        self.stop = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                drip = self.path.startswith("/drip")
                deadline = time.monotonic() + 90
                chunk = b"<rss><channel><title>endless</title>"
                try:
                    while time.monotonic() < deadline and not site.stop.is_set():
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                        if drip:
                            time.sleep(0.2)
                            chunk = b" "
                        else:
                            chunk = (b"<item><title>x</title><link>http://127.0.0.1/a</link>"
                                     b"</item>") * 100
                except OSError:
                    return  # the client gave up: what the test wants

            def log_message(self, format: str, *args: object) -> None:
                pass

        site = self
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def endless() -> Iterator[EndlessSite]:
    site = EndlessSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stop.set()
        site.server.shutdown()
        site.server.server_close()


def test_endless_feeds_are_cut_by_the_size_cap_and_the_deadline(
    endless: EndlessSite, tmp_path: Path
) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "defaults:\n  host_delay: 0\n  timeout: 2\n  deadline: 4\n  max_page_mb: 1\n"
        "  robots: false\nfeeds:\n"
        f"  - url: {endless.url('/flood.xml')}\n  - url: {endless.url('/drip.xml')}\n"
    )
    db = str(tmp_path / "endless.db")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "flashpoint", "watch", str(config), "--db", db, "--once",
         "--allow-private", "--no-code"],
        capture_output=True, text=True, env=env(), timeout=240,
    )
    took = time.monotonic() - started
    assert "Traceback" not in done.stderr, done.stderr
    with Store(db) as store:
        kinds = {Path(f.origin).name: f.kind for f in store.failures()}
        assert store.count_articles() == 0
    assert kinds.get("flood.xml") == "too_large", (kinds, done.stderr)
    assert kinds.get("drip.xml") == "timeout", (kinds, done.stderr)
    assert took < 200
