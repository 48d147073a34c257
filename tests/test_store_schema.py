"""Migrations and `schema.py` describe the same database, on both backends.

`schema.py` is what the code queries; the migrations are what users' databases are built
from. If someone edits one and not the other, autogenerate's comparison finds the
difference here instead of in a user's database.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from flashpoint.store import Store
from flashpoint.store.db import Database
from flashpoint.store.migrate import alembic_config, head_revision
from flashpoint.store.schema import include_object, metadata


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database no Store has opened yet."""
    if request.param == "sqlite":
        return str(tmp_path / "fresh.db")
    url: str = request.getfixturevalue("pg_url")
    return url


def test_migrated_database_matches_schema(fresh_url: str) -> None:
    with Store(fresh_url) as store, store._db.read() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, metadata) == []


def test_downgrade_and_upgrade_again(fresh_url: str) -> None:
    with Store(fresh_url) as store:
        store.add_articles([])
        url = store.url
    db = Database(url)
    try:
        with db.write() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with db.read() as conn:
            assert set(sa.inspect(conn).get_table_names()) == {"alembic_version"}
    finally:
        db.dispose()
    with Store(fresh_url) as store:
        assert store.count_articles() == 0


def _open_at_once(url: str, openers: int) -> list[BaseException]:
    """Open `url` from `openers` threads at the same moment; the errors they met."""
    errors: list[BaseException] = []
    start = threading.Barrier(openers)

    def open_store() -> None:
        try:
            start.wait()
            Store(url).close()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_first_opens_take_turns(fresh_url: str) -> None:
    """Two processes starting on a new database must not both create the tables."""
    assert _open_at_once(fresh_url, 3) == []


def test_many_first_opens_of_new_sqlite_files(tmp_path: Path) -> None:
    """Switching a new file to WAL takes a lock SQLite does not wait for by itself: before
    `_switch_to_wal` retried, about one round in 200 failed with "database is locked"."""
    for round_ in range(25):
        assert _open_at_once(str(tmp_path / f"new-{round_}.db"), 6) == []


def test_alembic_check_finds_nothing_to_generate(tmp_path: Path) -> None:
    """The developer workflow (`alembic_config(url)` without an open Store) works."""
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    Store(url).close()
    command.check(alembic_config(url))  # raises if autogenerate would write a migration
