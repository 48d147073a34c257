"""The CLI as a user runs it: ingest, articles, search, show, stats, failures, extract."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flashpoint.cli import app, examples_dir

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "acceptance" / "belarus-2023-02-16.txt"

ARTICLE = """

Ministers Meet on Border Dispute

By Jane Roe, Test Wire

March 3, 2024

{body}

Original url:

<https://news.example.org/{slug}>
"""


def write_article(directory: Path, slug: str, body: str) -> Path:
    path = directory / f"{slug}.txt"
    path.write_text(ARTICLE.format(body=body, slug=slug), encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "test.db")


def test_ingest_examples_stores_them_and_a_rerun_stores_nothing(runner: CliRunner, db: str) -> None:
    first = runner.invoke(app, ["ingest", "--examples", "--db", db])
    assert first.exit_code == 0, first.output
    stats = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).stdout)
    assert stats["articles"] >= 15
    again = runner.invoke(app, ["ingest", "--examples", "--db", db])
    assert again.exit_code == 0, again.output
    stats2 = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).stdout)
    assert stats2["articles"] == stats["articles"]


def test_bad_items_are_reported_and_the_rest_is_stored(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    good = write_article(tmp_path, "good", "The ministers met in Vienna on Tuesday.")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["ingest", str(empty), str(junk), str(good), str(missing),
                                 "--db", db])
    assert result.exit_code == 1
    assert "empty" in result.stdout and "binary" in result.stdout
    assert "nope.txt" in result.stdout
    rows = json.loads(runner.invoke(app, ["articles", "--db", db, "--json"]).stdout)
    assert [r["title"] for r in rows] == ["Ministers Meet on Border Dispute"]
    failures = json.loads(runner.invoke(app, ["failures", "--db", db, "--json"]).stdout)
    assert {f["kind"] for f in failures} >= {"empty", "binary", "not_found"}


def test_search_finds_the_article_by_its_words(runner: CliRunner, db: str, tmp_path: Path) -> None:
    write_article(tmp_path, "a", "Troops massed near the frontier crossing at dawn.")
    write_article(tmp_path, "b", "The finance ministers discussed inflation figures.")
    assert runner.invoke(app, ["ingest", str(tmp_path), "--db", db]).exit_code == 0
    rows = json.loads(
        runner.invoke(app, ["articles", "--db", db, "--search", "frontier", "--json"]).stdout)
    assert len(rows) == 1 and rows[0]["url"].endswith("/a")
    hostile = runner.invoke(app, ["articles", "--db", db, "--search", 'a" OR NEAR( *'])
    assert hostile.exit_code == 0, hostile.output


def test_show_prints_the_stored_document(runner: CliRunner, db: str, tmp_path: Path) -> None:
    write_article(tmp_path, "a", "Troops massed near the frontier crossing at dawn.")
    runner.invoke(app, ["ingest", str(tmp_path), "--db", db])
    rows = json.loads(runner.invoke(app, ["articles", "--db", db, "--json"]).stdout)
    doc = json.loads(runner.invoke(app, ["show", rows[0]["id"], "--db", db]).stdout)
    assert doc["text"] == "Troops massed near the frontier crossing at dawn."
    assert doc["published"] == "2024-03-03"
    missing = runner.invoke(app, ["show", "nope", "--db", db])
    assert missing.exit_code == 1 and "no article" in missing.output


def test_extract_prints_one_object_per_input(runner: CliRunner, tmp_path: Path) -> None:
    a = write_article(tmp_path, "a", "Troops massed near the frontier.")
    b = write_article(tmp_path, "b", "Ministers met in Vienna.")
    one = json.loads(runner.invoke(app, ["extract", str(a)]).stdout)
    assert one["url"] == "https://news.example.org/a"
    lines = runner.invoke(app, ["extract", str(a), str(b), "--format", "jsonl"]).stdout
    assert [json.loads(x)["url"] for x in lines.splitlines()] == [
        "https://news.example.org/a", "https://news.example.org/b"]
    bad = runner.invoke(app, ["extract", str(a), "--format", "xml"])
    assert bad.exit_code == 2 and "json or jsonl" in bad.output


def test_unusable_database_url_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["stats", "--db", "mysql://x/y"])
    assert result.exit_code == 1
    assert "Error" in result.output and "Traceback" not in result.output


def test_every_command_has_help_with_examples(runner: CliRunner) -> None:
    for command in ("ingest", "extract", "articles", "show", "code", "stats", "failures",
                    "schema"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage" in result.output
    for command in ("ingest", "extract", "articles"):
        assert "Examples" in runner.invoke(app, [command, "--help"]).output


def test_examples_dir_is_shipped_in_the_package() -> None:
    files = [p for p in examples_dir().rglob("*") if p.is_file() and p.name != "README.md"]
    assert len(files) >= 15


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared is absent")
def test_extract_reference_article() -> None:
    out = subprocess.run([sys.executable, "-m", "flashpoint", "extract", str(REFERENCE),
                          "--format", "json"], capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout)
    assert doc["title"] == "Belarus Says Will Join Ukraine Offensive 'Only' if Attacked"
    assert doc["published"] == "2023-02-16"
    assert doc["url"].startswith("https://www.themoscowtimes.com/2023/02/16/")
    assert doc["text"].startswith("Belarusian President Alexander Lukashenko.")
    assert "Original url" not in doc["text"]
    for needle in ("Lukashenko", "Bobrowniki", "Warsaw"):
        i = doc["text"].index(needle)
        assert doc["text"][i:i + len(needle)] == needle


def test_sigkill_mid_ingest_loses_nothing_committed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    n = 1500
    for i in range(n):
        write_article(corpus, f"story-{i:05d}", f"Report {i}: officials met to discuss case {i}.")
    db = tmp_path / "kill.db"
    cmd = [sys.executable, "-m", "flashpoint", "ingest", str(corpus), "--db", str(db),
           "--batch-size", "5"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    committed = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        committed = _count(db, "articles")
        if committed >= 50:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; grow the corpus"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after_kill = _count(db, "articles")
    assert 50 <= after_kill < n
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(db, "articles") == n
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("select count(distinct url) from articles").fetchone()[0] == n
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        coded = con.execute("select count(distinct article_id) from codings").fetchone()[0]
    assert coded == n


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as con:
            return int(con.execute(f"select count(*) from {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_copies_differing_only_in_spacing_are_one_article(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Title\n\nThe talks   collapsed on Monday.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Title\n\nThe talks collapsed on Monday.", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path), "--db", db, "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    stats = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).stdout)
    assert stats["articles"] == 1 and stats["duplicates"] == 1
    assert stats["codings"] == {stats_version(stats): 1}


def stats_version(stats: dict[str, object]) -> str:
    codings = stats["codings"]
    assert isinstance(codings, dict) and len(codings) == 1
    return str(next(iter(codings)))
