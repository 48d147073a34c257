"""Shared fixtures: a throwaway PostgreSQL server, and stores on both backends.

The store must behave the same on SQLite and PostgreSQL, so its tests take `store_url`
(or `store`), parametrized over both. PostgreSQL runs as a real server that this test
session starts itself: `initdb` a cluster in a temporary directory, start it on a free
port with trust authentication and its socket in that directory, create one database per
test, and stop and delete everything at the end. No service has to be installed or
running beforehand, and nothing outside the temporary directory is touched.

- Binaries are found in `$FLASHPOINT_PG_BINDIR`, `/usr/lib/postgresql/*/bin` (newest
  first), `pg_config --bindir` or `PATH`. Without them the PostgreSQL tests skip, except
  when `$CI` is set: CI must test PostgreSQL, so there they fail.
- PostgreSQL refuses to run as root; as root the server runs as the `postgres` user.
- `$FLASHPOINT_TEST_PG_URL` (a server URL whose user may CREATE DATABASE) replaces the
  throwaway server, e.g. for a CI service container.
- Select or skip them with `-m postgres` / `-m "not postgres"`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from psycopg import sql

from flashpoint.store import Store

# CI machines are shared and slow at times: property tests are judged by what they find,
# never by how long one example took; and they are derandomized, so a run is repeatable
# (set HYPOTHESIS_PROFILE=explore to search new examples on each run).
settings.register_profile("flashpoint", deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "flashpoint"))

PG_USER = "postgres"
_counter = itertools.count(1)


@dataclass
class PostgresServer:
    """A running PostgreSQL server the tests may create and drop databases on."""

    host: str
    port: int
    user: str
    password: str | None = None

    def url(self, dbname: str) -> str:
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            dbname="postgres", autocommit=True, connect_timeout=10,
        )

    def create_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_pg_bindir() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`, or None when PostgreSQL is absent."""
    candidates: list[str] = []
    if os.environ.get("FLASHPOINT_PG_BINDIR"):
        candidates.append(os.environ["FLASHPOINT_PG_BINDIR"])
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for candidate in candidates:
        path = Path(candidate)
        if candidate and (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    """Run `cmd` as the postgres user when we are root (postgres refuses root)."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", PG_USER, "--", *cmd]
    return ["su", PG_USER, "-s", "/bin/sh", "-c", " ".join(map(_sh_quote, cmd))]


def _sh_quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def _run(cmd: list[str], what: str, cwd: Path, log: Path | None = None) -> None:
    done = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, check=False,
                          cwd=cwd)  # a directory the postgres user can enter
    if done.returncode != 0:
        detail = done.stderr or done.stdout
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        _unavailable(f"{what} failed ({done.returncode}): {detail.strip()}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session (started here unless one is given)."""
    given = os.environ.get("FLASHPOINT_TEST_PG_URL")
    if given:
        info = psycopg.conninfo.conninfo_to_dict(given)
        yield PostgresServer(
            host=str(info.get("host", "localhost")), port=int(str(info.get("port", 5432))),
            user=str(info.get("user", PG_USER)),
            password=str(info["password"]) if info.get("password") else None,
        )
        return
    bindir = find_pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL binaries (initdb, pg_ctl) not found")
        return
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(PG_USER)
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server")
            return
    base = Path(tempfile.mkdtemp(prefix="flashpoint-pg-"))
    if os.geteuid() == 0:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, log, port = base / "data", base / "server.log", _free_port()
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
              "--encoding=UTF8", "--locale=C", "--no-sync"], "initdb", base)
        options = (
            f"-c port={port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={base} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
              "-w", "-t", "60", "start"], "pg_ctl start", base, log)
        started = True
        yield PostgresServer(host="127.0.0.1", port=port, user=PG_USER)
    finally:
        if started:
            subprocess.run(
                _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                              "-w", "stop"]),
                capture_output=True, check=False, cwd=base,
            )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A `postgresql://` URL of a fresh, empty database, dropped after the test."""
    name = f"flashpoint_test_{os.getpid()}_{next(_counter)}"
    postgres_server.create_database(name)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def _pg_shared_db(postgres_server: PostgresServer) -> Iterator[str]:
    """One migrated database reused by `store_url`: CREATE DATABASE costs ~150 ms a test."""
    name = f"flashpoint_shared_{os.getpid()}"
    postgres_server.create_database(name)
    Store(postgres_server.url(name)).close()
    try:
        yield name
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def pg_store_url(postgres_server: PostgresServer, _pg_shared_db: str) -> str:
    """A `postgresql://` URL of a migrated database whose tables were just emptied."""
    with psycopg.connect(
        host=postgres_server.host, port=postgres_server.port, user=postgres_server.user,
        password=postgres_server.password, dbname=_pg_shared_db, autocommit=True,
    ) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )]
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, tables))
            )
        )
    return postgres_server.url(_pg_shared_db)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where an empty store lives: a new SQLite file path, then a PostgreSQL URL.

    The PostgreSQL database is shared and already migrated (emptied before each test);
    tests about migrating a new database use `pg_url` instead.
    """
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    url: str = request.getfixturevalue("pg_store_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh, migrated Store on each backend, closed after the test."""
    with Store(store_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium per test session (see tests/browser.py)."""
    from browser import chromium_path, launch_chromium

    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (scripts/system-deps.sh installs it)")
        pytest.skip("chromium not installed")
    with launch_chromium() as b:
        yield b
