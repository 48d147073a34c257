"""Coding on several processes (`--workers`, `extract_many(n_process=...)`): the same
Documents as one process, in input order, with input pulled lazily, and a clear error
when a worker dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import flashpoint
from flashpoint.errors import ConfigError, WorkerError
from flashpoint.model import Article
from flashpoint.pipeline import make_article
from flashpoint.scale.workers import ParallelCoder

TEXTS = [
    "Russia's defence ministry said on Monday its forces had shelled positions near the "
    "town, and Ukraine's army accused Moscow of attacking civilians.",
    "The foreign ministers of Armenia and Azerbaijan will meet in Almaty next week, the "
    "Kazakh government said.",
    "Protesters marched through the capital on Saturday demanding the resignation of the "
    "prime minister; police fired tear gas.",
    "The United Nations urged both sides to open humanitarian corridors.",
    "The home side won 3-1 in front of a crowd of 40,000.",
    "Iran warned it would respond if Israel struck its nuclear sites, state media reported.",
    "The European Union agreed to send 50 million euros of aid to Sudan.",
]


def test_workers_give_the_documents_of_one_process_in_input_order() -> None:
    one = [flashpoint.extract(text).to_dict() for text in TEXTS]
    many = [d.to_dict() for d in flashpoint.extract_many(TEXTS * 2, n_process=2)]
    assert many == one + one
    assert any(doc["events"] for doc in many)  # the comparison is not of empty documents


def test_input_is_pulled_only_as_results_are_consumed() -> None:
    pulled = 0

    def articles() -> Iterator[Article]:
        nonlocal pulled
        for n in range(200):
            pulled += 1
            yield make_article(f"{TEXTS[n % len(TEXTS)]} ({n})")

    with ParallelCoder(2, chunk=2, window=3) as coder:
        docs = coder(articles())
        first = next(docs)
        # one chunk handed out per free slot of the window, plus the chunk being refilled
        assert pulled <= 2 * (3 + 1)
        assert first.text.endswith("(0)")
        rest = list(docs)
    assert pulled == 200
    assert [d.text.rsplit("(", 1)[1] for d in rest[:3]] == ["1)", "2)", "3)"]


def test_start_waits_for_every_worker_to_load_its_coder() -> None:
    with ParallelCoder(2) as coder:
        pids = coder.start()
        assert len(pids) == 2
        assert set(pids) <= {p.pid for p in multiprocessing.active_children()}
        docs = list(coder([make_article(TEXTS[0])]))
        assert docs[0].events  # the started workers code
        assert sorted({p.pid for p in multiprocessing.active_children()}) == pids


def test_a_killed_worker_is_a_clear_error() -> None:
    articles = (make_article(f"{TEXTS[n % len(TEXTS)]} ({n})") for n in range(400))
    with ParallelCoder(2, chunk=1, window=4) as coder:
        docs = coder(articles)
        next(docs)
        workers = multiprocessing.active_children()
        assert workers
        for worker in workers:
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(WorkerError, match="worker process died"):
            list(docs)


@pytest.mark.parametrize("triage", [True, False])
def test_workers_stamp_the_version_their_coder_stamps(triage: bool) -> None:
    # ingest finds articles left uncoded by this version: a wrong one would re-code all
    pool = ParallelCoder(2, triage=triage)
    assert pool.coder.version == flashpoint.default_pipeline(triage=triage).coder.version


def test_impossible_worker_counts_are_refused() -> None:
    with pytest.raises(ConfigError):
        ParallelCoder(0)
    with pytest.raises(ConfigError):
        list(flashpoint.extract_many(TEXTS, n_process=0))


def test_ray_only_options_without_ray_are_refused(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flashpoint.cli import app

    db = str(tmp_path / "x.db")
    for option in (["--ray-address", "auto"], ["--shards", str(tmp_path / "s")]):
        result = CliRunner().invoke(app, ["ingest", "--examples", "--db", db, *option])
        assert result.exit_code == 2, result.output
        assert "needs --engine ray" in result.output
    assert not (tmp_path / "s").exists()


def _counts(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore
                     for t in ("articles", "codings", "events"))


def test_cli_ingest_with_two_workers_stores_what_one_stores(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    for n, text in enumerate(TEXTS):
        (corpus / f"{n}.txt").write_text(f"Headline {n}\n\n{text}\n", encoding="utf-8")
    (corpus / "junk.txt").write_bytes(b"\x00\x01\x02" * 100)  # one bad item
    exe = [sys.executable, "-m", "flashpoint"]
    runs = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        done = subprocess.run([*exe, "ingest", str(corpus), "--db", str(db), "--workers",
                               str(workers)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr  # the junk file failed, the rest stored
        assert "junk.txt" in done.stdout + done.stderr
        runs[workers] = _counts(db)
    assert runs[1] == runs[2]
    assert runs[2][0] == len(TEXTS)
    assert runs[2][2] > 0
