"""flashpoint's store: articles, codings, runs and failures in SQLite or PostgreSQL.

    from flashpoint.store import Store
    with Store("news.db") as store:            # or None: $FLASHPOINT_DB, ./flashpoint.db
        results = store.add_articles(articles, run_id=store.start_run("ingest", paths))
        store.save_documents(documents)
        rows = store.articles(search='belarus "troops"')

Modules: `url` (where the data lives), `schema` (tables), `db` (engine, the read and
write paths), `migrate` + `migrations/` (Alembic, run on open), `codec` (Document <->
rows), `fts` (search), `queries` (read helpers), `store` (the `Store` facade).
"""

from __future__ import annotations

from flashpoint.store.rows import AddResult, ArticleRow, FailureRow, RunSummary
from flashpoint.store.store import Store
from flashpoint.store.url import display_url, resolve_url

__all__ = [
    "AddResult",
    "ArticleRow",
    "FailureRow",
    "RunSummary",
    "Store",
    "display_url",
    "resolve_url",
]
