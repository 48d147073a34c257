"""The engine and the one read path and one write path every store query goes through.

SQLite is the default backend and the one that needs care: several processes (an ingest,
a `serve`, a re-coding job) may share a file. So every connection gets `busy_timeout`
(wait for the lock instead of failing), WAL (readers never block the writer),
`foreign_keys=ON` (cascades and references are enforced) and `synchronous=NORMAL`
(durable at checkpoints, fast in WAL). Write transactions start with `BEGIN IMMEDIATE`:
a writer takes the lock up front, so two writers queue on `busy_timeout` rather than
deadlock when a read lock would have to be upgraded (the "database is locked" classic).
This uses SQLAlchemy's documented pysqlite recipe: turn off the driver's own transaction
handling on connect and emit BEGIN ourselves on the engine's "begin" event.

Driver exceptions never leave this module raw: `Database.read()` / `write()` turn them
into `StoreError` with a message naming the database (password hidden) and what to check.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from flashpoint.errors import StoreError
from flashpoint.store.schema import store_state
from flashpoint.store.url import MEMORY_URL, display_url, sqlite_path

DEFAULT_TIMEOUT = 30.0
# SQLite reads the file through a memory map of up to this size: pages come straight from
# the OS page cache, which every connection and process shares, instead of being copied
# into each connection's own 2 MB page cache. A server runs a connection per endpoint
# thread and process, each starting cold; mapped, a burst of 225 distinct uncached API
# requests on a fresh `serve --workers 2` over 1M events cost about 10% less CPU (bench/load.py
# --burst 225). Address space only: resident memory grows with the pages actually read.
SQLITE_MMAP_BYTES = 1 << 30
_WRITE = "flashpoint_write"


_GENERATION = sa.select(store_state.c.generation).where(store_state.c.id == 1)


def _raise_generation(dialect: str) -> sa.Executable:
    """generation + 1, or a new row at 1 if someone deleted it (an upsert, so that two
    writers can never both find the row missing and collide)."""
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert(store_state).values(id=1, generation=1)
    return statement.on_conflict_do_update(
        index_elements=[store_state.c.id],
        set_={"generation": store_state.c.generation + 1})


class Database:
    """An engine plus transactional `read()` / `write()` scopes with clear errors."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.display_url = display_url(url)
        self.timeout = timeout
        self.path = sqlite_path(url)
        if self.path is not None and not self.path.parent.is_dir():
            raise StoreError(
                f"cannot open {self.display_url}: directory {self.path.parent} does not exist"
            )
        self.engine = _create_engine(url, timeout)
        self.dialect: str = self.engine.dialect.name
        # Set by `Store` once the schema holds `store_state` (migration 0005): from then on
        # every write transaction raises its generation (see `generation`).
        self.counts_generations = False
        self._raise_generation = _raise_generation(self.dialect)
        self.writes = 0  # write transactions committed through this object

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection inside a (deferred) transaction, for a consistent snapshot."""
        with self.translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """The write path: one transaction (`BEGIN IMMEDIATE` on SQLite), committed on exit.

        Every store method that changes data runs inside this, so locking, retries on a
        busy database and error messages are decided in one place.
        """
        with self.translate_errors(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn
                if self.counts_generations:  # last, so the row lock is held briefly
                    conn.execute(self._raise_generation)
            self.writes += 1

    def generation(self) -> int:
        """A number that changes whenever a write commits, in any process: caches of
        query answers compare it to know whether they are still current."""
        with self.read() as conn:
            return int(conn.scalar(_GENERATION) or 0)

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn driver and SQLAlchemy database errors into `StoreError`."""
        try:
            yield
        except StoreError:
            raise
        except (sa.exc.DBAPIError, sqlite3.Error, psycopg.Error) as exc:
            raise StoreError(self.describe(exc)) from exc
        except UnicodeEncodeError as exc:  # a lone surrogate in text given to the API
            raise StoreError(
                f"cannot store text that is not valid Unicode ({exc.reason} at position "
                f"{exc.start}); ingested articles are cleaned of such characters"
            ) from exc

    def describe(self, exc: BaseException) -> str:
        """A one-line, actionable message for a database error."""
        orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
        detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        where = self.display_url
        low = detail.lower()
        if "file is not a database" in low or "not a database" in low:
            return f"{self.path or where} is not a SQLite database ({detail})"
        if "unable to open database file" in low:
            return (
                f"cannot open {where}: check that the directory exists and is writable "
                f"({detail})"
            )
        if "readonly database" in low or "read-only" in low:
            return f"cannot write to {where}: the database file is read-only ({detail})"
        if "disk is full" in low or "no space left" in low or "could not extend" in low:
            return (  # tests/test_faults.py fills a tmpfs to check this
                f"cannot write to {where}: the disk is full; what was committed before is "
                f"kept, and the same command can be run again once space is freed ({detail})"
            )
        if "database is locked" in low or "database table is locked" in low:
            return (
                f"{where} is locked by another writer; gave up after {self.timeout:g} s "
                f"({detail})"
            )
        if isinstance(orig, psycopg.OperationalError) and (
            "connect" in low or "connection" in low or "server" in low
        ):
            return f"cannot connect to {where}: {detail}"
        return f"database error on {where}: {detail}"

    def size_bytes(self) -> int | None:
        """Bytes on disk: SQLite file plus WAL, or PostgreSQL's database size."""
        if self.path is not None:
            total = 0
            for suffix in ("", "-wal"):
                candidate = self.path.with_name(self.path.name + suffix)
                if candidate.exists():
                    total += candidate.stat().st_size
            return total
        if self.dialect == "postgresql":
            with self.read() as conn:
                size = conn.scalar(sa.select(sa.func.pg_database_size(sa.func.current_database())))
            return int(size) if size is not None else None
        return None

    def dispose(self) -> None:
        """Close every pooled connection (leaves no sqlite handles for ResourceWarning)."""
        self.engine.dispose()


def _create_engine(url: str, timeout: float) -> Engine:
    if sa.make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeout)
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": max(1, round(min(timeout, 10.0))),
                      "application_name": "flashpoint"},
    )


def _switch_to_wal(cursor: sqlite3.Cursor, timeout: float) -> None:
    """`PRAGMA journal_mode = WAL`, retried while another connection holds the file.

    Switching a file into WAL needs an exclusive lock, and SQLite takes that lock without
    calling the busy handler: when several processes open a new database at once, one of
    them got "database is locked" at once instead of waiting (seen about once in 200
    three-way first opens). So we wait here ourselves, within the same timeout.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _sqlite_engine(url: str, timeout: float) -> Engine:
    memory = url == MEMORY_URL
    kwargs: dict[str, Any] = {"connect_args": {"timeout": timeout, "check_same_thread": False}}
    if memory:  # one shared connection, or each checkout would see an empty database
        kwargs["poolclass"] = StaticPool
    else:
        # `flashpoint serve` runs endpoints on up to 40 threads (AnyIO's default), each
        # holding a connection while it queries. SQLAlchemy's default pool keeps 5 and
        # closes the 10 extra ones after each use, so a busy server reopened SQLite files
        # (and re-ran the PRAGMAs) all the time. Reads are concurrent in WAL mode.
        kwargs.update(pool_size=20, max_overflow=30)
    engine = sa.create_engine(url, **kwargs)
    busy_ms = max(0, int(timeout * 1000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop sqlite3 from issuing its own BEGIN/COMMIT; `_on_begin` emits BEGIN instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
            if not memory:
                _switch_to_wal(cursor, timeout)
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
            if not memory:
                cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES:d}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
