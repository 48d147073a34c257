"""Bring a database to the current schema with the Alembic migrations shipped in the package.

Users never see Alembic: there is no `alembic.ini` to find, `Store()` calls `upgrade()`
on open and a fresh file is migrated from the first table on. The whole upgrade runs in
one write transaction (SQLite DDL is transactional with our BEGIN handling, and so is
PostgreSQL's), so a crash mid-migration leaves the previous schema intact, and two
processes opening a new database at once take turns instead of both creating tables.

Developers can still drive Alembic directly, e.g. to write the next migration::

    from alembic import command
    from flashpoint.store.migrate import alembic_config
    command.revision(alembic_config("sqlite:///dev.db"), "add thing", autogenerate=True)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from flashpoint.errors import StoreError
from flashpoint.store.db import Database

SCRIPT_LOCATION = "flashpoint.store:migrations"
# Arbitrary constant key for pg_advisory_xact_lock: serialises concurrent migrations.
_PG_MIGRATION_LOCK = 0x0F1A5_0001


def alembic_config(url: str | None = None) -> Config:
    """An Alembic `Config` pointing at the packaged migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration shipped with this flashpoint."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise StoreError("flashpoint ships no store migrations")
    return head


def current_revision(db: Database) -> str | None:
    """The revision a database is at, or None for a database flashpoint never touched."""
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> None:
    """Migrate `db` to head inside one write transaction; no-op when already current."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    if current_revision(db) == script.get_current_head():
        return
    with db.write() as conn:
        if db.dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        known = MigrationContext.configure(conn).get_current_revision()
        if known is not None and known not in {s.revision for s in script.walk_revisions()}:
            raise StoreError(
                f"{db.display_url} is at schema revision {known!r}, which this flashpoint "
                "does not know: it was written by a newer version; upgrade flashpoint"
            )
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, "head")
        except CommandError as exc:
            raise StoreError(f"cannot migrate {db.display_url}: {exc}") from exc
