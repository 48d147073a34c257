"""PostgreSQL specifics: search column and index, connection failures, hidden passwords."""

from __future__ import annotations

import socket
import time

import pytest
import sqlalchemy as sa

from conftest import PostgresServer
from flashpoint.errors import StoreError
from flashpoint.store import Store

pytestmark = pytest.mark.postgres


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_search_column_and_index(pg_url: str) -> None:
    with Store(pg_url) as store:
        assert store.dialect == "postgresql"
        with store._db.read() as conn:
            inspector = sa.inspect(conn)
            columns = {c["name"]: c for c in inspector.get_columns("articles")}
            indexes = {i["name"] for i in inspector.get_indexes("articles")}
        assert str(columns["search"]["type"]) == "TSVECTOR"
        assert "ix_articles_search" in indexes


def test_unreachable_server_is_a_store_error() -> None:
    url = f"postgresql://analyst:hunter2@127.0.0.1:{_closed_port()}/news"
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        Store(url)
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert message.startswith("cannot connect to postgresql+psycopg://analyst:***@127.0.0.1")
    assert "hunter2" not in message


def test_missing_database_is_a_store_error(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(postgres_server.url("no_such_database"))
