"""Which database a Store opens: from a path, a URL, `FLASHPOINT_DB` or the default.

Users type database locations in three shapes: nothing at all (the default file in the
current directory), a plain path (`events.db`), or a server URL copied from a hosting
panel (`postgres://user:pw@host/db`). This module turns each into one SQLAlchemy URL with
an explicit driver, so the rest of the store never guesses, and rejects anything else
with a `ConfigError` that says what would have worked.

Relative SQLite paths are made absolute when resolved: the Store then keeps pointing at
the same file even if the process changes directory, and `Store.url` tells the user
exactly which file holds their data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from flashpoint.errors import ConfigError

ENV_VAR = "FLASHPOINT_DB"
DEFAULT_URL = "sqlite:///./flashpoint.db"
MEMORY_URL = "sqlite://"

_SQLITE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite"})
_POSTGRES_DRIVERS = frozenset({"postgresql", "postgres", "postgresql+psycopg"})
_HINT = (
    "use a file path (flashpoint.db), a sqlite:///path URL, or a "
    "postgresql://user:password@host/dbname URL"
)


def resolve_url(url: str | os.PathLike[str] | None = None, *,
                env: Mapping[str, str] | None = None) -> str:
    """The full SQLAlchemy URL for `url`: the one place that decides where data lives.

    `None` falls back to `$FLASHPOINT_DB`, then to `./flashpoint.db`. Plain paths become
    absolute `sqlite:///` URLs, `postgres://` and `postgresql://` get the psycopg 3 driver,
    and unknown schemes raise `ConfigError`.

    >>> resolve_url("postgres://u:pw@db.example.org/news")
    'postgresql+psycopg://u:pw@db.example.org/news'
    """
    if url is None:
        environ = os.environ if env is None else env
        url = environ.get(ENV_VAR, "").strip() or DEFAULT_URL
    value = os.fspath(url).strip()
    if not value:
        raise ConfigError(f"empty database location: {_HINT}")
    if value == ":memory:":
        return MEMORY_URL
    if "://" not in value:
        return _sqlite_url(Path(value))
    try:
        parsed = make_url(value)
    except ArgumentError as exc:
        raise ConfigError(f"cannot parse database URL {_safe(value)!r}: {_HINT}") from exc
    scheme = parsed.drivername.lower()
    if scheme in _SQLITE_DRIVERS:
        database = parsed.database or ""
        if not database or database == ":memory:":
            return MEMORY_URL
        if database.startswith("file:"):  # an SQLite URI filename: leave it to SQLite
            return _render(parsed.set(drivername="sqlite"))
        return _sqlite_url(Path(database), query=parsed.query)
    if scheme in _POSTGRES_DRIVERS:
        return _render(parsed.set(drivername="postgresql+psycopg"))
    if scheme.startswith(("postgresql+", "postgres+")):
        raise ConfigError(
            f"database driver {scheme!r} is not supported: flashpoint talks to PostgreSQL "
            f"through psycopg 3, write postgresql://... instead"
        )
    raise ConfigError(f"unsupported database URL scheme {parsed.drivername!r}: {_HINT}")


def display_url(url: str) -> str:
    """`url` with any password replaced by `***`, safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _safe(url)


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite `url`; None for in-memory and non-SQLite URLs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_url(path: Path, query: Mapping[str, str | tuple[str, ...]] | None = None) -> str:
    absolute = path.expanduser()
    if not absolute.is_absolute():
        absolute = Path.cwd() / absolute
    built = URL.create("sqlite", database=os.path.normpath(absolute), query=query or {})
    return _render(built)


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _safe(text: str) -> str:
    """Best-effort password masking for strings SQLAlchemy could not parse."""
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return text
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else text
