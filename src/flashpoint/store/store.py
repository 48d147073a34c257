"""`Store`: the one object the CLI, the REST API and batch jobs use to read and write data.

It keeps the library side of the house rule "thin CLI, fat library": callers hand it
model records (Article, Document, Failure) and get records or small row dataclasses
back, never SQL. Every write goes through `Database.write()` (one transaction, `BEGIN
IMMEDIATE` on SQLite), and the database is migrated to the current schema when opened.

Identity rules that make re-running safe:

- an article is stored once per id *and* once per normalised text (`ids.text_hash`):
  adding it again reports `duplicate` and changes nothing;
- a coding is keyed by (article id, coder version): saving it again replaces that
  version's rows, while other versions' rows stay for comparison.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flashpoint.errors import ConfigError, StoreError
from flashpoint.model import Article, Document, Failure
from flashpoint.store import fts, migrate, writes
from flashpoint.store import schema as tables
from flashpoint.store.db import DEFAULT_TIMEOUT, Database
from flashpoint.store.queries import article_from_row, document_from, stats
from flashpoint.store.rows import RUN_STATUSES, AddResult, ArticleRow, FailureRow, RunSummary
from flashpoint.store.url import resolve_url

SNIPPET_CHARS = 200
DateLike = dt.date | str | None


class Store:
    """An opened, migrated flashpoint database (SQLite file by default, or PostgreSQL).

    `url` may be None (`$FLASHPOINT_DB`, else `./flashpoint.db`), a file path, or a
    `sqlite:///` / `postgresql://` URL. `timeout` is how long a writer waits for a busy
    SQLite database (and caps the PostgreSQL connect timeout) before `StoreError`.
    """

    def __init__(
        self, url: str | os.PathLike[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.url: str = resolve_url(url)
        self._db = Database(self.url, timeout=timeout)
        try:
            migrate.upgrade(self._db)
        except BaseException:
            self._db.dispose()
            raise
        self._db.counts_generations = True

    @property
    def display_url(self) -> str:
        """The URL with its password hidden, for messages and logs."""
        return self._db.display_url

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._db.dialect

    @property
    def db(self) -> Database:
        """The read/write paths, for library modules that run their own Core queries
        (`flashpoint.analyze`, `flashpoint.serve`); they get the same locking and error
        translation as the Store's own methods."""
        return self._db

    def generation(self) -> int:
        """Changes whenever anything is written to the store, by any process (see
        `flashpoint.serve.cache`)."""
        return self._db.generation()

    def reading(self) -> AbstractContextManager[Connection]:
        """A read transaction for query modules that build their own SQL (`store.browse`).

        Callers must only read: writes go through the Store's own methods.
        """
        return self._db.read()

    def close(self) -> None:
        """Release every connection; the Store must not be used afterwards."""
        self._db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    # -- runs and failures ---------------------------------------------------------------

    def start_run(self, command: str, inputs: list[str]) -> int:
        """Record that a run (e.g. an ingest) started; returns its id for later writes."""
        with self._db.write() as conn:
            result = conn.execute(tables.runs.insert().values(
                command=command, inputs=json.dumps(list(inputs), ensure_ascii=False),
                status="running", started_at=_now(), stored=0, duplicates=0, failed=0,
            ))
            key = result.inserted_primary_key
            if key is None:  # pragma: no cover - every supported backend reports it
                raise StoreError(f"{self.display_url} did not report the new run's id")
            return int(key[0])

    def finish_run(
        self, run_id: int, *, stored: int, duplicates: int, failed: int, status: str = "done"
    ) -> None:
        """Close a run with its counts; status is done, failed or interrupted."""
        if status not in RUN_STATUSES:
            raise ConfigError(f"run status must be one of {sorted(RUN_STATUSES)}, not {status!r}")
        with self._db.write() as conn:
            result = conn.execute(
                tables.runs.update().where(tables.runs.c.id == run_id).values(
                    status=status, finished_at=_now(), stored=stored,
                    duplicates=duplicates, failed=failed,
                )
            )
            if result.rowcount == 0:
                raise StoreError(f"no run with id {run_id} in {self.display_url}")

    def record_failures(self, failures: Iterable[Failure], *, run_id: int | None = None) -> None:
        """Store per-item failures (the "record and continue" half of the failure policy)."""
        now = _now()
        rows = [{**f.to_dict(), "run_id": run_id, "created_at": now} for f in failures]
        if rows:
            with self._db.write() as conn:
                conn.execute(tables.failures.insert(), rows)

    def runs(self, limit: int = 20) -> list[RunSummary]:
        """The most recent runs, newest first."""
        query = sa.select(tables.runs).order_by(tables.runs.c.id.desc()).limit(limit)
        with self._db.read() as conn:
            return [_run(row._mapping) for row in conn.execute(query)]

    def get_run(self, run_id: int) -> RunSummary | None:
        with self._db.read() as conn:
            row = conn.execute(sa.select(tables.runs).where(tables.runs.c.id == run_id)).first()
        return _run(row._mapping) if row else None

    def failures(self, *, run_id: int | None = None, limit: int = 100) -> list[FailureRow]:
        """Recorded failures, newest first, optionally of one run only."""
        table = tables.failures
        query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
        if run_id is not None:
            query = query.where(table.c.run_id == run_id)
        with self._db.read() as conn:
            return [FailureRow(**row._mapping) for row in conn.execute(query)]

    # -- articles ------------------------------------------------------------------------

    def add_articles(
        self, articles: Iterable[Article], *, run_id: int | None = None
    ) -> list[AddResult]:
        """Store new articles in one transaction; report each as stored or duplicate.

        A duplicate has an id that is already stored, or the same normalised text as a
        stored article (also one stored earlier in the same call). Duplicates change
        nothing. Callers batch (e.g. 50 per call) to bound the transaction size.
        """
        batch = list(articles)  # materialise first: never compute while holding the lock
        if not batch:
            return []
        now = _now()
        with self._db.write() as conn:
            return writes.add_articles(conn, self.dialect, batch, run_id, now)

    def get_article(self, article_id: str) -> Article | None:
        with self._db.read() as conn:
            query = sa.select(tables.articles).where(tables.articles.c.id == article_id)
            row = conn.execute(query).first()
        return article_from_row(row._mapping) if row else None

    def iter_articles(self, batch_size: int = 500) -> Iterator[Article]:
        """Every article in ingestion order, read in batches (for re-coding)."""
        return self._iter_articles(batch_size)

    def iter_uncoded(self, coder_version: str, *, batch_size: int = 500) -> Iterator[Article]:
        """Articles that `coder_version` has not coded yet, in ingestion order.

        Lets a run resume coding where a killed run stopped, and a new coder version
        code only what it has not seen.
        """
        coded = sa.exists().where(
            tables.codings.c.article_id == tables.articles.c.id,
            tables.codings.c.coder_version == coder_version,
        )
        return self._iter_articles(batch_size, ~coded)

    def _iter_articles(
        self, batch_size: int, *where: sa.ColumnElement[bool]
    ) -> Iterator[Article]:
        """Keyset paging on `seq`: each batch is its own short read transaction, so a
        consumer that writes between batches never waits on (or blocks) a long read,
        and rows written meanwhile neither repeat nor shift the pages."""
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        last = 0
        while True:
            query = (
                sa.select(tables.articles).where(tables.articles.c.seq > last, *where)
                .order_by(tables.articles.c.seq).limit(batch_size)
            )
            with self._db.read() as conn:
                rows = [row._mapping for row in conn.execute(query)]
            yield from (article_from_row(row) for row in rows)
            if len(rows) < batch_size:
                return
            last = rows[-1]["seq"]

    def articles(
        self, *, search: str | None = None, limit: int = 20, offset: int = 0,
        since: DateLike = None, until: DateLike = None,
        marks: tuple[str, str] = fts.DEFAULT_MARKS,
    ) -> list[ArticleRow]:
        """A page of articles: newest published first, or best match first for `search`.

        With `search`, each row's snippet marks the matches with `marks`.
        """
        if limit < 0 or offset < 0:
            raise ConfigError(f"limit and offset cannot be negative (got {limit}, {offset})")
        where = _date_filters(since, until)
        columns: list[sa.ColumnElement[Any]] = [tables.articles.c[name] for name in
                   ("id", "title", "url", "published", "source", "ingested_at")]
        columns.append(sa.func.length(tables.articles.c.text).label("chars"))
        if search is not None and search.strip():
            query = fts.search_rows(self.dialect, search, columns, where,
                                    limit=limit, offset=offset, marks=marks)
            if query is None:
                return []
        else:
            snippet = sa.func.substr(tables.articles.c.text, 1, SNIPPET_CHARS).label("snippet")
            query = (
                sa.select(*columns, snippet, sa.null().label("rank")).where(*where)
                .order_by(tables.articles.c.published.desc().nulls_last(),
                          tables.articles.c.seq.desc())
                .limit(limit).offset(offset)
            )
        with self._db.read() as conn:
            return [ArticleRow(**row._mapping) for row in conn.execute(query)]

    def count_articles(
        self, search: str | None = None, *, since: DateLike = None, until: DateLike = None
    ) -> int:
        where = _date_filters(since, until)
        if search is not None and search.strip():
            query = fts.search_count(self.dialect, search, where)
            if query is None:
                return 0
        else:
            query = sa.select(sa.func.count()).select_from(tables.articles).where(*where)
        with self._db.read() as conn:
            return int(conn.scalar(query) or 0)

    # -- codings -------------------------------------------------------------------------

    def save_documents(self, docs: Iterable[Document], *, batch_size: int = 100) -> int:
        """Store each Document's coding, replacing the same coder version's earlier rows.

        Commits every `batch_size` documents. Documents are pulled from `docs` *before*
        each transaction opens, so a lazy pipeline (`store.save_documents(pipeline(...))`)
        does its NLP work without holding the write lock that other writers wait for.

        A Document whose article is not stored yet is stored from the Document's own
        fields; one whose text differs from the stored article's is refused with
        `StoreError` (its spans would point at the wrong characters).
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        saved = 0
        pending = iter(docs)
        while batch := list(itertools.islice(pending, batch_size)):
            now = _now()
            with self._db.write() as conn:
                for doc in batch:
                    writes.ensure_article(conn, self.dialect, doc, now)
                    writes.replace_coding(conn, doc, now)
            saved += len(batch)
        return saved

    def get_document(self, article_id: str, coder_version: str | None = None) -> Document | None:
        """The coded Document: `coder_version`'s, or the most recently coded one."""
        with self._db.read() as conn:
            return document_from(conn, article_id, coder_version)

    def coder_versions(self, article_id: str) -> list[str]:
        """Coder versions that coded `article_id`, most recent first."""
        query = (
            sa.select(tables.codings.c.coder_version)
            .where(tables.codings.c.article_id == article_id)
            .order_by(tables.codings.c.coded_at.desc(), tables.codings.c.coder_version.desc())
        )
        with self._db.read() as conn:
            return list(conn.scalars(query))

    def stats(self) -> dict[str, Any]:
        """JSON-ready counts for `flashpoint stats` and the API (see `queries.stats`)."""
        with self._db.read() as conn:
            result = stats(conn)
        result["dialect"] = self.dialect
        result["url"] = self.display_url
        result["db_bytes"] = self._db.size_bytes()
        return result


def _run(row: Any) -> RunSummary:
    return RunSummary(**{**row, "inputs": json.loads(row["inputs"])})


def _date_filters(since: DateLike, until: DateLike) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if since is not None:
        where.append(tables.articles.c.published >= _as_date(since, "since"))
    if until is not None:
        where.append(tables.articles.c.published <= _as_date(until, "until"))
    return where


def _as_date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from exc


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
