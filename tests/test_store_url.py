"""Where the store looks for its database: paths, URLs, $FLASHPOINT_DB and the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from flashpoint.errors import ConfigError
from flashpoint.store.url import display_url, resolve_url, sqlite_path


def test_default_is_flashpoint_db_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url(None, env={}) == f"sqlite:///{tmp_path}/flashpoint.db"
    assert resolve_url(None, env={"FLASHPOINT_DB": "  "}) == f"sqlite:///{tmp_path}/flashpoint.db"


def test_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url(None, env={"FLASHPOINT_DB": "data/x.db"}) == (
        f"sqlite:///{tmp_path}/data/x.db"
    )
    assert resolve_url(None, env={"FLASHPOINT_DB": "postgres://u@h/db"}) == (
        "postgresql+psycopg://u@h/db"
    )
    monkeypatch.setenv("FLASHPOINT_DB", "/srv/env.db")
    assert resolve_url() == "sqlite:////srv/env.db"
    assert resolve_url("/srv/explicit.db") == "sqlite:////srv/explicit.db"  # explicit wins


@pytest.mark.parametrize(("given", "expected"), [
    ("/tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    (Path("/tmp/p.db"), "sqlite:////tmp/p.db"),
    ("/tmp/a/../b.db", "sqlite:////tmp/b.db"),
    ("sqlite:////tmp/abs.db", "sqlite:////tmp/abs.db"),
    ("sqlite+pysqlite:////tmp/abs.db", "sqlite:////tmp/abs.db"),
    ("sqlite:////tmp/ro.db?mode=ro", "sqlite:////tmp/ro.db?mode=ro"),
    (":memory:", "sqlite://"),
    ("sqlite://", "sqlite://"),
    ("sqlite:///:memory:", "sqlite://"),
    ("postgresql://u:pw@db.example.org:5433/news", "postgresql+psycopg://u:pw@db.example.org:5433/news"),
    ("postgres://u@localhost/news", "postgresql+psycopg://u@localhost/news"),
    ("postgresql+psycopg://u@localhost/news", "postgresql+psycopg://u@localhost/news"),
    ("postgresql:///news?host=/var/run/postgresql", "postgresql+psycopg:///news?host=%2Fvar%2Frun%2Fpostgresql"),
    ("  /tmp/padded.db  ", "sqlite:////tmp/padded.db"),
])
def test_resolution(given: str | Path, expected: str) -> None:
    assert resolve_url(given) == expected


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url("news.db") == f"sqlite:///{tmp_path}/news.db"
    assert resolve_url("sqlite:///rel/news.db") == f"sqlite:///{tmp_path}/rel/news.db"
    assert resolve_url("~/x.db") == f"sqlite:///{Path.home()}/x.db"


@pytest.mark.parametrize("given", [
    "mysql://u@h/db", "http://example.org/db", "postgresql+psycopg2://u@h/db",
    "postgresql+asyncpg://u@h/db", "oracle://x", "", "   ",
])
def test_unknown_locations_are_config_errors(given: str) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_url(given)
    assert "postgresql" in str(info.value)


def test_display_url_hides_the_password() -> None:
    url = resolve_url("postgres://analyst:s3cr%40t@db.example.org/news")
    assert "s3cr" not in display_url(url)
    assert display_url(url) == "postgresql+psycopg://analyst:***@db.example.org/news"
    assert display_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_config_errors_do_not_leak_passwords() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_url("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(info.value)


def test_sqlite_path() -> None:
    assert sqlite_path("sqlite:////tmp/x.db") == Path("/tmp/x.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
