"""SQLite specifics: pragmas, locking between writers, opening bad files, FTS5 upkeep."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flashpoint.errors import StoreError
from flashpoint.model import Article
from flashpoint.store import Store
from flashpoint.store.db import SQLITE_MMAP_BYTES
from flashpoint.store.migrate import head_revision


def _article(n: int, text: str | None = None, title: str | None = None) -> Article:
    return Article(id=f"a{n}", text=text or f"story number {n}", title=title)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "news.db"


def test_fresh_file_is_migrated(db_path: Path) -> None:
    Store(str(db_path)).close()
    with sqlite3.connect(db_path) as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        [(version,)] = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    raw.close()
    assert version == head_revision()
    assert {"articles", "codings", "mentions", "statements", "events", "runs", "failures",
            "articles_fts", "articles_fts_insert", "articles_fts_delete",
            "articles_fts_update"} <= names


def test_connection_settings(db_path: Path) -> None:
    with Store(str(db_path)) as store, store._db.read() as conn:
        def pragma(name: str) -> object:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == 30_000
        assert pragma("mmap_size") == SQLITE_MMAP_BYTES  # reads share the OS page cache
    raw = sqlite3.connect(db_path)  # WAL is a property of the file, seen by anyone
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()


def test_write_path_takes_the_lock_up_front(db_path: Path) -> None:
    with Store(str(db_path)) as store:
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            with store._db.read():
                other.execute("BEGIN IMMEDIATE")  # a reader does not hold the write lock
                other.execute("ROLLBACK")
            # BEGIN IMMEDIATE: the lock is taken before any statement runs.
            with store._db.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO runs (command, inputs, status, started_at, stored, duplicates, failed)"
             " VALUES ('other', '[]', 'done', '2024-01-01 00:00:00', 0, 0, 0)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_writer_waits_for_the_first(db_path: Path) -> None:
    with Store(str(db_path)) as store:
        proc = _hold_lock(db_path, 0.6)
        try:
            started = time.monotonic()
            assert store.add_articles([_article(1)])[0].status == "stored"
            waited = time.monotonic() - started
        finally:
            proc.stdout.close()  # type: ignore[union-attr]
            assert proc.wait(timeout=10) == 0
        assert waited > 0.3
        assert [run.command for run in store.runs()] == ["other"]  # its write went through too


def test_a_writer_gives_up_with_a_store_error(db_path: Path) -> None:
    Store(str(db_path)).close()
    with Store(str(db_path), timeout=0.2) as store:
        proc = _hold_lock(db_path, 30)
        try:
            with pytest.raises(StoreError, match="locked by another writer"):
                store.add_articles([_article(1)])
        finally:
            proc.kill()  # a dead writer's lock is released with its file handles
            proc.stdout.close()  # type: ignore[union-attr]
            proc.wait(timeout=10)
        assert store.add_articles([_article(1)])[0].status == "stored"


def test_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="is not a SQLite database"):
        Store(str(junk))


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(str(tmp_path / "nowhere" / "x.db"))


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        Store(str(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "ro"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(StoreError):
            Store(str(locked / "x.db"))
    finally:
        locked.chmod(0o700)


def test_database_from_a_newer_flashpoint(db_path: Path) -> None:
    Store(str(db_path)).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    raw.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(str(db_path))


def test_default_location_and_environment(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLASHPOINT_DB", raising=False)
    with Store() as store:
        assert store.url == f"sqlite:///{tmp_path / 'flashpoint.db'}"
    monkeypatch.setenv("FLASHPOINT_DB", "other.db")
    with Store() as store:
        assert store.url == f"sqlite:///{tmp_path / 'other.db'}"
    assert (tmp_path / "other.db").exists()


def test_in_memory_store() -> None:
    with Store(":memory:") as store:
        store.add_articles([_article(1, "in memory only")])
        assert [row.id for row in store.articles(search="memory")] == ["a1"]
        assert store.stats()["db_bytes"] is None


def test_fts_index_follows_direct_edits_and_vacuum(db_path: Path) -> None:
    with Store(str(db_path)) as store:
        store.add_articles([_article(n, f"border story {n}", title=f"title {n}")
                            for n in range(1, 6)])
        with store._db.write() as conn:
            conn.exec_driver_sql("UPDATE articles SET title = 'ceasefire' WHERE id = 'a2'")
            conn.exec_driver_sql("DELETE FROM articles WHERE id IN ('a1', 'a3')")
        with sqlite3.connect(db_path) as raw:
            raw.execute("VACUUM")
        raw.close()
        assert [r.id for r in store.articles(search="ceasefire")] == ["a2"]
        assert store.articles(search="title 2") == []
        assert {r.id for r in store.articles(search="border")} == {"a2", "a4", "a5"}
        assert [r.id for r in store.articles(search="story 4")] == ["a4"]
        with store._db.read() as conn:  # raises if the index and the table disagree
            conn.exec_driver_sql(
                "INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"
            )


def test_accents_are_folded(db_path: Path) -> None:
    with Store(str(db_path)) as store:
        store.add_articles([_article(1, "Café owners protest in Besançon.")])
        assert [r.id for r in store.articles(search="cafe besancon")] == ["a1"]


def test_lazy_documents_are_computed_outside_the_write_lock(db_path: Path) -> None:
    """A pipeline feeding save_documents must not block other writers while it computes."""
    from flashpoint.model import Coder, Document

    with Store(str(db_path)) as store, Store(str(db_path), timeout=0.05) as other:
        def documents() -> Iterator[Document]:
            for n in range(5):
                other.start_run("probe", [])  # StoreError "locked" if the lock were held
                yield Document(id=f"d{n}", text=f"text {n}",
                               coder=Coder(name="test", version="1"))

        assert store.save_documents(documents(), batch_size=2) == 5
        assert len(store.runs()) == 5
