"""Initial schema: runs, articles (+ full-text search), failures, codings and their rows.

Revision ID: 0001
Revises:
Create Date: 2026-05-09

Migrations are frozen history: this file spells the tables out instead of importing
`flashpoint.store.schema`, so later schema edits cannot rewrite what 0001 did.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# PostgreSQL: characters of an article body indexed for search. A tsvector is limited to
# 1 MB; capping the input keeps one oversized page from failing a whole ingest batch.
PG_INDEXED_CHARS = 100_000


def _span(prefix: str, nullable: bool = True) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{prefix}_start", sa.Integer, nullable=nullable),
        sa.Column(f"{prefix}_end", sa.Integer, nullable=nullable),
        sa.Column(f"{prefix}_text", sa.Text, nullable=nullable),
    ]


def _actor(prefix: str, nullable: bool = True) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{prefix}_code", sa.Text, nullable=nullable),
        sa.Column(f"{prefix}_sector", sa.Text),
        sa.Column(f"{prefix}_name", sa.Text, nullable=nullable),
        *_span(prefix),
    ]


def _modality() -> list[sa.Column[Any]]:
    return [
        sa.Column("negated", sa.Boolean, nullable=False),
        sa.Column("future", sa.Boolean, nullable=False),
        sa.Column("hypothetical", sa.Boolean, nullable=False),
        *_span("condition"),
    ]


def _coding_key(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("coder_version", sa.Text, nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint(
            "article_id", "coder_version", "ordinal", name=f"pk_{table}"
        ),
        sa.ForeignKeyConstraint(
            ["article_id", "coder_version"],
            ["codings.article_id", "codings.coder_version"],
            name=f"fk_{table}_article_id_codings",
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started_at", stamp, nullable=False),
        sa.Column("finished_at", stamp),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "articles",
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("source", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_hash", sa.Text, nullable=False),
        sa.Column("origin", sa.Text),
        sa.Column("run_id", sa.Integer),
        sa.Column("ingested_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_articles"),
        sa.UniqueConstraint("id", name="uq_articles_id"),
        sa.UniqueConstraint("text_hash", name="uq_articles_text_hash"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_articles_run_id_runs", ondelete="SET NULL"
        ),
    )
    for column in ("canonical_url", "published", "source", "run_id"):
        op.create_index(f"ix_articles_{column}", "articles", [column])

    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failures"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_failures_run_id_runs", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_failures_run_id", "failures", ["run_id"])
    op.create_index("ix_failures_severity", "failures", ["severity"])

    op.create_table(
        "codings",
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("coder_version", sa.Text, nullable=False),
        sa.Column("coder_name", sa.Text, nullable=False),
        sa.Column("coded_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "coder_version", name="pk_codings"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_codings_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_codings_coder_version", "codings", ["coder_version"])

    op.create_table(
        "mentions",
        *_coding_key("mentions"),
        sa.Column("kind", sa.Text, nullable=False),
        *_span("span", nullable=False),
        *_actor("actor"),
    )
    op.create_index("ix_mentions_actor_code", "mentions", ["actor_code"])

    op.create_table(
        "statements",
        *_coding_key("statements"),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("direct", sa.Boolean, nullable=False),
        sa.Column("function", sa.Text),
        *_span("speaker"),
        *_actor("speaker_actor"),
        *_span("cue"),
        *_span("content", nullable=False),
        *_modality(),
    )
    op.create_index(
        "ix_statements_article_id_coder_version_id", "statements",
        ["article_id", "coder_version", "id"],
    )
    op.create_index("ix_statements_function", "statements", ["function"])
    op.create_index("ix_statements_speaker_actor_code", "statements", ["speaker_actor_code"])

    op.create_table(
        "events",
        *_coding_key("events"),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("mode", sa.Text),
        sa.Column("contexts", sa.Text, nullable=False),
        *_actor("source", nullable=False),
        *_actor("target"),
        sa.Column("location_name", sa.Text),
        sa.Column("location_country", sa.Text),
        sa.Column("location_lat", sa.Float),
        sa.Column("location_lon", sa.Float),
        sa.Column("date", sa.Date),
        sa.Column("date_precision", sa.Text),
        *_modality(),
        sa.Column("reported_by", sa.Text),
        *_span("evidence", nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
    )
    op.create_index(
        "ix_events_article_id_coder_version_id", "events", ["article_id", "coder_version", "id"]
    )
    for column in ("type", "date", "source_code", "target_code", "coder_version"):
        op.create_index(f"ix_events_{column}", "events", [column])

    if op.get_context().dialect.name == "postgresql":
        _postgres_search()
    else:
        _sqlite_search()


def _sqlite_search() -> None:
    """FTS5 over title and body, external content (no second copy), synced by triggers."""
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='articles', content_rowid='seq', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    # Rank by BM25 with a title match worth five body matches.
    op.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")
    op.execute(
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.seq, old.title, old.text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.seq, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); "
        "END"
    )


def _postgres_search() -> None:
    """A stored generated tsvector (title weighted A, body B) with a GIN index."""
    op.execute(
        "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, "
        f"left(text, {PG_INDEXED_CHARS:d})), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS articles_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("events", "statements", "mentions", "codings", "failures", "articles", "runs"):
        op.drop_table(table)
